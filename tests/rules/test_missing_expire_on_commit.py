"""FAPI302 beyond the case format: rendering of fixes, applicability, configuration."""

from __future__ import annotations

from pathlib import Path

from fastapi_lint.linter.config import Settings, load_settings
from fastapi_lint.linter.engine import Engine, RunOptions, all_codes
from fastapi_lint.rules import ALL_RULES
from fastapi_lint.rules.missing_expire_on_commit import MissingExpireOnCommit

CODE = MissingExpireOnCommit.code


def _run(root: Path, path: str, fix: bool = False, unsafe: bool = False, options: dict | None = None):
    settings = Settings(select=[CODE], rule_options={CODE: options or {}})
    result = Engine(settings, RunOptions(fix=fix, unsafe_fixes=unsafe), cwd=root).run([root / path])
    assert not result.internal_errors and not result.errors, (result.internal_errors, result.errors)
    return result


def test_fix_keeps_deep_block_indentation_and_comments(project) -> None:
    root = project(
        {
            "app/db.py": (
                "from sqlalchemy.ext.asyncio import AsyncSession\n"
                "\n"
                "class Repository:\n"
                "    def open(self):\n"
                "        if self.engine:\n"
                "            return AsyncSession(\n"
                "                self.engine,  # bound\n"
                "                # binds={...},\n"
                "            )\n"
            )
        }
    )
    _run(root, "app/db.py", fix=True)
    assert (root / "app/db.py").read_text() == (
        "from sqlalchemy.ext.asyncio import AsyncSession\n"
        "\n"
        "class Repository:\n"
        "    def open(self):\n"
        "        if self.engine:\n"
        "            return AsyncSession(\n"
        "                self.engine,  # bound\n"
        "                expire_on_commit=False,\n"
        "                # binds={...},\n"
        "            )\n"
    )


def test_fix_keeps_tabs_and_crlf(project) -> None:
    root = project({"app/__init__.py": ""})
    source = (
        "from sqlalchemy.ext.asyncio import async_sessionmaker\r\n\r\ndef make(engine):\r\n"
        "\treturn async_sessionmaker(\r\n\t\tengine\r\n\t)\r\n"
    )
    (root / "app/db.py").write_bytes(source.encode())
    _run(root, "app/db.py", fix=True)
    assert (root / "app/db.py").read_bytes().decode() == (
        "from sqlalchemy.ext.asyncio import async_sessionmaker\r\n\r\ndef make(engine):\r\n"
        "\treturn async_sessionmaker(\r\n\t\tengine,\r\n\t\texpire_on_commit=False\r\n\t)\r\n"
    )


def test_several_findings_are_fixed_in_one_run(project) -> None:
    root = project(
        {
            "app/db.py": (
                "from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker\n"
                "\n"
                "A = async_sessionmaker(engine)\n"
                "B = async_sessionmaker(engine, class_=AsyncSession)\n"
                "session = AsyncSession(bind=A.kw['bind'])\n"
            )
        }
    )
    result = _run(root, "app/db.py", fix=True)
    assert result.fixed == 3
    assert (root / "app/db.py").read_text() == (
        "from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker\n"
        "\n"
        "A = async_sessionmaker(engine, expire_on_commit=False)\n"
        "B = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)\n"
        "session = AsyncSession(bind=A.kw['bind'], expire_on_commit=False)\n"
    )


def test_fix_applicability(project) -> None:
    root = project(
        {
            "app/db.py": (
                "from sqlalchemy.ext.asyncio import async_sessionmaker\n"
                "\n"
                "A = async_sessionmaker(engine)\n"
                "B = async_sessionmaker(engine, expire_on_commit=True)\n"
            )
        }
    )
    found = _run(root, "app/db.py").diagnostics
    assert [(d.line, d.fix.applicability) for d in found] == [(3, "safe"), (4, "unsafe")]
    assert "keeps the default `expire_on_commit=True`" in found[0].message
    assert "sets `expire_on_commit=True`" in found[1].message
    # Without --unsafe-fixes the explicit choice is left alone.
    _run(root, "app/db.py", fix=True)
    assert "B = async_sessionmaker(engine, expire_on_commit=True)\n" in (root / "app/db.py").read_text()


def test_include_sync_from_pyproject(project) -> None:
    root = project(
        {
            "app/db.py": "from sqlalchemy.orm import sessionmaker\n\nSessionLocal = sessionmaker(bind=engine)\n",
        }
    )
    assert _run(root, "app/db.py").diagnostics == []
    config = root / "pyproject.toml"
    config.write_text(config.read_text() + "\n[tool.fastapi-lint.rules.FAPI302]\ninclude-sync = true\n")
    settings = load_settings(config, ALL_RULES, all_codes())
    settings.select = [CODE]
    found = Engine(settings, cwd=root).run([root / "app/db.py"]).diagnostics
    assert [(d.line, d.code) for d in found] == [(3, CODE)]
    assert "DetachedInstanceError" in found[0].message
    assert "MissingGreenlet" not in found[0].message


def test_unrelated_file_is_not_parsed(project) -> None:
    # The trigger words keep a file without sessions out of the parse.
    assert MissingExpireOnCommit.triggers
    root = project({"app/main.py": "import fastapi\n\napp = fastapi.FastAPI()\n"})
    assert _run(root, "app/main.py").diagnostics == []
