from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

import pytest

if TYPE_CHECKING:
    import libcst as cst

# Expected output trees of fixes (whole example projects with their own test suites): data, not tests.
collect_ignore_glob = ["data/fixed/*"]


def write_project(root: Path, files: Mapping[str, str]) -> None:
    """Create a small project: a pyproject.toml and the given modules (dedented)."""
    (root / "pyproject.toml").write_text('[project]\nname = "sample"\n', encoding="utf-8")
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def top_statements(tree: cst.Module) -> dict[int, cst.CSTNode]:
    """id(node) -> the top-level statement holding it."""
    top: dict[int, cst.CSTNode] = {}
    for statement in tree.body:
        stack: list[cst.CSTNode] = [statement]
        while stack:
            node = stack.pop()
            top[id(node)] = statement
            stack.extend(node.children)
    return top


@pytest.fixture
def project(tmp_path: Path):
    def make(files: Mapping[str, str]) -> Path:
        write_project(tmp_path, files)
        return tmp_path

    return make
