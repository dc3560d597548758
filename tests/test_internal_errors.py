"""A bug in one rule is reported, the other rules and files still run, and the exit code is 2."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
from click.testing import CliRunner

from conftest import write_project
from fastapi_lint.linter import cli, engine
from fastapi_lint.linter.rule import Rule
from fastapi_lint.rules import ALL_RULES


class Exploding(Rule):
    """A rule with a bug."""

    code = "FAPI302"
    name = "missing-expire-on-commit"
    summary = "explodes"

    def visit_Call(self, node: cst.Call) -> None:
        raise ValueError("boom")


def test_a_failing_rule_is_reported_and_the_others_still_run(tmp_path: Path, monkeypatch) -> None:
    write_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/a.py": "import os\nA = os.getenv('A')\nprint(A)\n",
            "app/b.py": "import os\nB = os.getenv('B')\n",
        },
    )
    rules = tuple(Exploding if rule.code == "FAPI302" else rule for rule in ALL_RULES)
    monkeypatch.setattr(engine, "ALL_RULES", rules)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli.main, ["check", ".", "--select", "FAPI201,FAPI302"])
    assert result.exit_code == 2
    assert "error: internal error while linting app/a.py (rule FAPI302): ValueError: boom" in result.output
    assert "app/a.py:2:5: FAPI201" in result.output
    assert "app/b.py:2:5: FAPI201" in result.output
    assert "Traceback" not in result.output
