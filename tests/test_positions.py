"""``node_positions`` with the module's source: the hinted top-level statements are
looked up in the text instead of generating the code before them. Every position and
span must stay those of LibCST's providers."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import libcst as cst
import pytest
from conftest import top_statements
from libcst.metadata import MetadataWrapper, PositionProvider, WhitespaceInclusivePositionProvider

from fastapi_lint.linter import positions as positions_module
from fastapi_lint.linter.positions import node_positions
from fastapi_lint.linter.source import read_source

REPOSITORY = Path(__file__).resolve().parent.parent
EXAMPLES = REPOSITORY / "examples"
FIXTURES = Path(__file__).parent / "fixtures"
BENCH = REPOSITORY / "bench"

CRAFTED = {
    "duplicate statements": "pass\npass\nx = 1\npass\nx = 1\ny = x\nx\npass\n",
    "a statement inside an earlier one": "y = x\nx\nz = [x\n]\nx\n",
    "duplicate definitions": "def f():\n    return 1\n\n\ndef f():\n    return 1\n\n\ndef f():\n    return 2\n",
    "crlf": "import os\r\n\r\n# comment\r\n@app.get('/')\r\ndef f(\r\n    a,\r\n):\r\n    return os.getenv('A')\r\n\r\nx = 1\r\nx = 1\r\n",
    "mixed newlines": "a = 1\r\nb = 2\nc = (1,\r\n 2)\rd = 3\n\re = 4\r\n",
    "lone carriage returns": "a = 1\rb = 2\r\rdef f():\r    return b\r",
    "tabs": "class A:\n\tdef f(self):\n\t\tif self:\n\t\t\treturn 1\n\t\treturn 2\n\nx = A()\n",
    "non-ascii": "s = 'héllo ✓'  # ü\nt = '日本語'\n\n# 😀 emoji\ndef f(é='ß'):\n    return 'ö' + é\n\nu = f()\n",
    "header comments": "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n\n# licence\n\n\"\"\"Docstring.\"\"\"\n\nimport os\n",
    "header only comments and a statement": "# a\n# b\nx = 1\n",
    "decorators": "@a\n@b.c(d=1)\ndef f():\n    pass\n\n\n@a\n@b.c(d=1)\nclass C:\n    @property\n    def g(self):\n        pass\n",
    "no trailing newline": "x = 1\ny = 2\nx = 1",
    "no trailing newline, compound": "x = 1\ndef f():\n    return x",
    "footer comments": "x = 1\n\n# end\n",
    "semicolons and continuations": "a = 1; b = 2\nc = 1 + \\\n    2\nif a: b = 3\nd = '''\nx = 1\n'''\nx = 1\n",
    "form feed": "x = 1\n\x0c\ndef f():\n    pass\n",
    "single statement": "x = 1\n",
    "blank lines only before": "\n\n\nx = 1\n",
}


def _assert_same_positions(text: str, name: str) -> None:
    tree = cst.parse_module(text)
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    syntactic = wrapper.resolve(PositionProvider)
    inclusive = wrapper.resolve(WhitespaceInclusivePositionProvider)
    top = top_statements(tree)
    nodes = list(syntactic)
    inside = [node for node in nodes if id(node) in top]
    chooser = random.Random(name)
    # Every node at once; one node of each statement alone (the first, the last or any:
    # every statement is looked up); a few at random.
    wanted_sets: list[list[cst.CSTNode]] = [nodes]
    by_statement: dict[int, list[cst.CSTNode]] = {}
    for node in inside:
        by_statement.setdefault(id(top[id(node)]), []).append(node)
    for members in by_statement.values():
        wanted_sets.append([chooser.choice((members[0], members[-1], chooser.choice(members)))])
    if inside:
        wanted_sets += [chooser.sample(inside, min(3, len(inside))) for _ in range(3)]
    for wanted in wanted_sets:
        right = [top[id(node)] for node in wanted if id(node) in top]
        for hints in (right, right[:1]) if len(wanted) > 1 else (right,):
            found, spans = node_positions(tree, wanted, wanted, hints, text)
            for node in wanted:
                assert found[id(node)] == syntactic[node], (name, type(node).__name__)
                assert spans[id(node)] == inclusive[node], (name, type(node).__name__)


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_crafted_positions_match_libcst_providers(name: str) -> None:
    _assert_same_positions(CRAFTED[name], name)


def _example_modules() -> list[Path]:
    return sorted(path for path in EXAMPLES.rglob("*.py") if "__pycache__" not in path.parts)


def test_example_apps_positions_match_libcst_providers() -> None:
    modules = _example_modules()
    assert modules
    for path in modules:
        _assert_same_positions(read_source(path).text, str(path.relative_to(EXAMPLES)))


def test_generated_positions_match_libcst_providers(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import generate
    finally:
        sys.path.remove(str(BENCH))
    generate.generate(tmp_path / "generated", 6)
    modules = sorted((tmp_path / "generated").rglob("*.py"))
    # Every kind of generated file (routers, services, CRUD, schemas, tests...), a sample.
    for path in random.Random(0).sample(modules, min(60, len(modules))):
        _assert_same_positions(read_source(path).text, path.name)


def test_fixture_positions_match_libcst_providers() -> None:
    for path in sorted(FIXTURES.glob("*.py")):
        _assert_same_positions(read_source(path).text, path.name)


def test_code_before_hinted_statements_comes_from_the_source(monkeypatch: pytest.MonkeyPatch) -> None:
    """Statements whose code occurs once are found in the text: nothing before them is
    generated (the point of passing the source)."""
    text = CRAFTED["decorators"] + "\n\nx = compute(1)\n"
    tree = cst.parse_module(text)
    expected = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
    target = tree.body[-1]

    class NoGeneration:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise AssertionError("the code before the statement was generated")

    monkeypatch.setattr(positions_module, "CodegenState", NoGeneration)
    found, _ = node_positions(tree, [target], (), [target], text)
    assert found[id(target)] == expected[target]


def test_repeated_statement_falls_back_to_generation() -> None:
    """``pass`` occurs three times after the first statement: its place is generated."""
    text = "x = 1\npass\npass\npass\n"
    tree = cst.parse_module(text)
    expected = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
    for statement in tree.body:
        found, _ = node_positions(tree, [statement], (), [statement], text)
        assert found[id(statement)] == expected[statement]
