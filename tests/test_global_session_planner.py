"""FAPI301's planner reads only the modules that can matter: what it skips must be what
the full walk would have found nothing in."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from fastapi_lint.rules._global_session_fix import _ATTRIBUTE_GAP, _NESTED_IMPORT_LINE, _imports_below
from fastapi_lint.rules._session_fix import _walk

ROOT = Path(__file__).parent.parent

EVERY_PLACE = textwrap.dedent(
    """
    import os
    from app import top; import also_top
    if os: import in_if
    elif top: from app import in_elif
    else:
        import in_else
    try:
        import in_try
    except ImportError:
        from app import in_except
    else:
        import in_try_else
    finally:
        import in_finally
    for _ in (): import in_for
    else: import in_for_else
    while False:
        import in_while
    with open("x") as handle: import in_with
    match top:
        case 1:
            import in_case
    def f(): from app import in_def_suite; import second
    async def g():
        if True:
            from . import in_nested
    class C:
        import in_class
        def method(self):
            from .. import in_method
    def h(): \\
    from app import continued
    """
)


def _full_walk(tree: cst.Module) -> list[cst.CSTNode]:
    """The planner's former definition: every import but the top-level simple statements."""
    top_level = {id(small) for statement in tree.body if isinstance(statement, cst.SimpleStatementLine) for small in statement.body}
    return [node for node, _ in _walk(tree) if isinstance(node, (cst.Import, cst.ImportFrom)) and id(node) not in top_level]


def test_imports_below_the_top_level_are_those_of_a_full_walk_in_order() -> None:
    tree = cst.parse_module(EVERY_PLACE)
    found = _imports_below(tree)
    assert [id(node) for node in found] == [id(node) for node in _full_walk(tree)]
    names = [tree.code_for_node(node) for node in found]
    assert "import os" not in names and "from app import top" not in names and "import also_top" not in names
    assert len(names) == 18


def _python_files() -> list[Path]:
    return sorted(path for folder in ("tests/fixtures", "examples", "src") for path in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("text", [EVERY_PLACE, *(path.read_text(encoding="utf-8") for path in _python_files())])
def test_a_module_with_an_import_below_the_top_level_has_a_line_that_may_start_one(text: str) -> None:
    try:
        tree = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return
    if _imports_below(tree):
        assert _NESTED_IMPORT_LINE.search(text) is not None


ATTRIBUTES = [
    "module.db",
    "module . db",
    "module.\\\n    db",
    "(module.  # the session\n    db)",
    "(module\n    .db)",
]


@pytest.mark.parametrize("code", ATTRIBUTES)
def test_every_spelling_of_an_attribute_access_is_seen_in_the_text(code: str) -> None:
    tree = cst.parse_module(code + "\n")
    assert any(isinstance(node, cst.Attribute) and node.attr.value == "db" for node, _ in _walk(tree))
    assert re.search(_ATTRIBUTE_GAP + "db" + r"\b", code) is not None


def test_a_longer_name_is_not_the_attribute() -> None:
    assert re.search(_ATTRIBUTE_GAP + "db" + r"\b", "module.dbx + db") is None
