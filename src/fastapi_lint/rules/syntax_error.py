"""FAPI000 syntax-error: reported by the engine itself, documented here."""

from __future__ import annotations

from fastapi_lint.linter.rule import ProjectRule


class SyntaxErrorInFile(ProjectRule):
    """## What it does
    Reports a file that LibCST cannot parse, at the position of the error.

    ## Why is this bad?
    Code that does not parse cannot be checked: no other rule sees the file, and
    the application will fail when the module is imported.

    ## Example
    ```python
    def create_user(
    ```

    ## Use instead
    ```python
    def create_user(): ...
    ```

    ## Fix safety
    No fix is offered.

    ## Options
    None.
    """

    code = "FAPI000"
    name = "syntax-error"
    summary = "The file cannot be parsed"
