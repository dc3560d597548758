"""FAPI100 unused-noqa: reported by the engine itself (``linter/noqa.py``), documented here."""

from __future__ import annotations

from fastapi_lint.linter.noqa import UNUSED_NOQA_CODE, UNUSED_NOQA_NAME
from fastapi_lint.linter.rule import ProjectRule


class UnusedNoqa(ProjectRule):
    """## What it does
    Reports a `# noqa: FAPI...` comment whose code silences nothing on its line: the
    rule ran on the file and reported nothing there, or the code is not one of
    fastapi-lint's (`FAPI999`). It is reported at the comment, once per comment,
    naming the codes.

    Only `FAPI` codes are judged: the codes of other tools in the same comment
    (`# noqa: E501, FAPI201`) are left alone, and so is a bare `# noqa`, which may
    serve other tools. A code whose rule is not selected, or is ignored for the file
    (`ignore`, `per-file-ignores`), is not judged either: the rule did not run. A
    `# noqa: FAPI101` (a project-level rule, silenced from anywhere in the file) is
    unused when FAPI101 does not report the file. Files with a syntax error are not
    checked. `# noqa: FAPI100` on the line silences this rule.

    ## Why is this bad?
    A suppression that outlived its finding hides the next, unrelated problem on
    that line, and tells readers that something is wrong where nothing is.

    ## Example
    ```python
    from app.core.config import settings

    DATABASE_URL = settings.database_url  # noqa: FAPI201
    ```

    ## Use instead
    ```python
    from app.core.config import settings

    DATABASE_URL = settings.database_url
    ```

    ## Fix safety
    The fix is safe: it only edits the comment. It removes the unused codes
    (`# noqa: E501, FAPI201` becomes `# noqa: E501`), or the whole comment, with
    the spaces before it, when no code is left; a comment line of its own is
    removed with its line. Text after the directive is kept
    (`# noqa: FAPI201 -- legacy` becomes `# -- legacy`). It never leaves a bare
    `# noqa`, which would silence everything.

    ## Options
    None.
    """

    code = UNUSED_NOQA_CODE
    name = UNUSED_NOQA_NAME
    summary = "A `# noqa` code that silences nothing"
    fix_availability = "safe"
