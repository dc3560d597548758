"""The engine's parts: noqa, configuration, fixes, discovery, the project index."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from fastapi_lint.linter.config import ConfigError, parse_settings, select_codes
from fastapi_lint.linter.diagnostics import Edit
from fastapi_lint.linter.discovery import Excluder, iter_python_files
from fastapi_lint.linter.engine import all_codes
from fastapi_lint.linter.fixes import WriteError, apply_edits, write_atomically
from fastapi_lint.linter.index import ProjectIndex, find_project_root
from fastapi_lint.linter.noqa import file_silences, noqa_codes
from fastapi_lint.linter.source import SourceError, decode_source
from fastapi_lint.rules import ALL_RULES


@pytest.mark.parametrize(
    "line, expected",
    [
        ("x = 1", None),
        ("x = 1  # noqa", frozenset()),
        ("x = 1  # noqa: FAPI201", frozenset({"FAPI201"})),
        ("x = 1  # NOQA:FAPI201,FAPI301", frozenset({"FAPI201", "FAPI301"})),
        ("x = 1  # noqa: E501, FAPI201", frozenset({"E501", "FAPI201"})),
    ],
)
def test_noqa_codes(line: str, expected: frozenset[str] | None) -> None:
    assert noqa_codes(line) == expected


def test_file_level_silence_for_project_findings() -> None:
    assert file_silences('"""Package."""  # noqa: FAPI101\n', "FAPI101")
    assert not file_silences("# noqa: FAPI201\n", "FAPI101")


def test_selection_follows_ruff() -> None:
    codes = all_codes()
    assert select_codes(codes, None, [], []) == set(codes)
    assert select_codes(codes, ["FAPI3"], [], ["FAPI303"]) == {"FAPI301", "FAPI302"}
    assert select_codes(codes, ["FAPI302"], [], ["FAPI3"]) == {"FAPI302"}
    assert select_codes(codes, ["FAPI10"], ["FAPI401"], []) == {"FAPI100", "FAPI101", "FAPI401"}
    assert select_codes(codes, ["FAPI101"], [], []) == {"FAPI101"}


def test_configuration_problems_are_collected() -> None:
    table = {
        "select": ["FAPI999", "FAPI2"],
        "bogus": True,
        "exclude": "build",
        "per-file-ignores": {"tests/*": ["NOPE"]},
        "rules": {"FAPI302": {"include-sync": "yes", "unknown": 1}, "FAPI998": {}},
    }
    with pytest.raises(ConfigError) as caught:
        parse_settings(table, "pyproject.toml", ALL_RULES, all_codes())
    problems = "\n".join(caught.value.problems)
    assert len(caught.value.problems) == 7, problems
    for fragment in ("FAPI999", "'bogus'", "exclude", "NOPE", "include-sync", "unknown", "FAPI998"):
        assert fragment in problems


def test_valid_configuration() -> None:
    settings = parse_settings(
        {"select": ["FAPI"], "ignore": ["FAPI101"], "rules": {"FAPI302": {"include-sync": True}}},
        "pyproject.toml",
        ALL_RULES,
        all_codes(),
    )
    assert settings.select == ["FAPI"] and settings.rule_options == {"FAPI302": {"include-sync": True}}


def test_apply_edits_replaces_inserts_and_skips_overlaps() -> None:
    text = "a = f(x)\r\nb = 2\r\n"
    edits = [
        Edit("m.py", 1, 5, 1, 9, "g(y)"),
        Edit("m.py", 1, 7, 1, 8, "z"),  # overlaps the first: left for a later pass
        Edit("m.py", 2, 6, 2, 6, "0"),
    ]
    new, applied = apply_edits(text, edits)
    assert new == "a = g(y)\r\nb = 20\r\n"
    assert applied == 2


def test_atomic_write_keeps_mode_and_refuses_changed_files(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(b"x = 1\n")
    path.chmod(0o640)
    write_atomically(path, "x = 2\n", "utf-8", b"x = 1\n")
    assert path.read_bytes() == b"x = 2\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    with pytest.raises(WriteError):
        write_atomically(path, "x = 3\n", "utf-8", b"x = 1\n")
    assert path.read_bytes() == b"x = 2\n"
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".fapi-tmp")]


def test_decoding_keeps_bom_and_cookie() -> None:
    bom = decode_source(b"\xef\xbb\xbfx = 1\n", Path("m.py"))
    assert bom.text == "x = 1\n" and bom.encoding == "utf-8-sig"
    latin = decode_source(b"# -*- coding: latin-1 -*-\nx = '\xe9'\n", Path("m.py"))
    assert latin.text.endswith("x = '\xe9'\n") and latin.encoding == "iso-8859-1"
    with pytest.raises(SourceError):
        decode_source(b"x = '\xe9'\n", Path("m.py"))
    with pytest.raises(SourceError):
        decode_source(b"x = 1\x00\n", Path("m.py"))


def test_discovery_skips_excluded_and_ignored(tmp_path: Path) -> None:
    for relative in ("app/a.py", "app/b.pyi", "app/c.txt", ".venv/x.py", "build/y.py", "gen/z.py", "env/lib/w.py"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("")
    (tmp_path / "env" / "pyvenv.cfg").write_text("")
    (tmp_path / ".gitignore").write_text("gen/\n")
    files = sorted(p.relative_to(tmp_path).as_posix() for p in iter_python_files([tmp_path], Excluder(tmp_path)))
    assert files == ["app/a.py", "app/b.pyi"]


def test_index_module_names_and_lookup(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": "",
        "src/app/__init__.py": "",
        "src/app/db/__init__.py": "from .session import SessionLocal as SessionLocal\n",
        "src/app/db/session.py": "from sqlalchemy.orm import sessionmaker\nSessionLocal = sessionmaker()\n",
        "scripts/run.py": "from app.db import SessionLocal\n",
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    assert find_project_root(tmp_path / "src/app/db/session.py") == tmp_path.resolve()
    index = ProjectIndex(tmp_path, [p for p in tmp_path.rglob("*.py")])
    assert set(index.paths) == {"app", "app.db", "app.db.session", "scripts.run"}
    symbol = index.lookup("scripts.run.SessionLocal")
    assert symbol is not None and symbol.qualname == "app.db.session.SessionLocal"
    assert symbol.assign is not None and symbol.assign.call == "sqlalchemy.orm.sessionmaker"
    assert symbol.location == "src/app/db/session.py:2"
    assert index.canonical("app.db.SessionLocal") == "app.db.session.SessionLocal"
    assert index.canonical("sqlalchemy.orm.Session") == "sqlalchemy.orm.Session"
