from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Mapping

import pytest

# Trees a fix is expected to produce (example apps with their own tests, run in a
# subprocess by the tests that use them): not tests of fastapi-lint.
collect_ignore_glob = ["data/fixed/*"]


def write_project(root: Path, files: Mapping[str, str]) -> None:
    """Create a small project: a pyproject.toml and the given modules (dedented)."""
    (root / "pyproject.toml").write_text('[project]\nname = "sample"\n', encoding="utf-8")
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path):
    def make(files: Mapping[str, str]) -> Path:
        write_project(tmp_path, files)
        return tmp_path

    return make
