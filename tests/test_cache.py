"""The persistent cache, the worker processes and the isolation of files that crash the parser."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import write_project
from fastapi_lint.linter.config import Settings
from fastapi_lint.linter.engine import Engine, RunOptions

ROUTER = """\
from fastapi import APIRouter, BackgroundTasks

from app.services.mail import notify

router = APIRouter()


@router.post("/")
def create(background_tasks: BackgroundTasks) -> None:
    background_tasks.add_task(notify, "a@example.com")
"""

CHEAP_SERVICE = """\
import logging


def notify(address: str) -> None:
    logging.getLogger(__name__).info("user %s", address)
"""

HEAVY_SERVICE = """\
import httpx


def notify(address: str) -> None:
    httpx.post("https://hooks.example/users", json={"address": address})
"""


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "fastapi-lint"
    return subprocess.run(
        [str(script), "check", ".", "--output-format", "json", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=300,
    )


def codes(result: subprocess.CompletedProcess[str]) -> list[tuple[str, str, int]]:
    return sorted((d["code"], d["path"], d["line"]) for d in json.loads(result.stdout))


def test_a_warm_run_reports_the_same_and_reads_no_tree(tmp_path: Path) -> None:
    write_project(tmp_path, {"app/__init__.py": "", "app/db.py": "from sqlalchemy.ext.asyncio import async_sessionmaker\nmaker = async_sessionmaker()\n"})
    cold = run(tmp_path)
    cache = tmp_path / ".fastapi_lint_cache"
    assert cache.is_dir() and (cache / ".gitignore").read_text().strip().endswith("*")
    warm = run(tmp_path)
    assert codes(cold) == codes(warm) == [("FAPI302", "app/db.py", 2)]
    # The warm run must not even import LibCST: it reads and hashes the files only.
    program = (
        "import sys\nfrom pathlib import Path\n"
        "from fastapi_lint.linter.config import Settings\n"
        "from fastapi_lint.linter.engine import Engine, RunOptions\n"
        "r = Engine(Settings(), RunOptions(use_cache=True)).run([Path('.')])\n"
        "print(len(r.diagnostics), 'libcst._nodes' in sys.modules)\n"
    )
    probe = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True)
    assert probe.stdout.split() == ["1", "False"], probe.stderr


def test_changing_a_module_a_finding_depends_on_relints_the_file(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/routers/__init__.py": "",
        "app/routers/users.py": ROUTER,
        "app/services/__init__.py": "",
        "app/services/mail.py": CHEAP_SERVICE,
    }
    write_project(tmp_path, files)
    assert codes(run(tmp_path)) == []
    (tmp_path / "app/services/mail.py").write_text(HEAVY_SERVICE)
    assert codes(run(tmp_path)) == [("FAPI401", "app/routers/users.py", 10)]
    (tmp_path / "app/services/mail.py").write_text(CHEAP_SERVICE)
    assert codes(run(tmp_path)) == []


def test_a_corrupt_cache_is_discarded(tmp_path: Path) -> None:
    write_project(tmp_path, {"app/__init__.py": "", "app/config.py": "import os\nURL = os.getenv('URL')\n"})
    expected = codes(run(tmp_path))
    for cache_file in (tmp_path / ".fastapi_lint_cache").rglob("*.json"):
        cache_file.write_text('{"format": 1, "version": "0.1.0", "files": {"x": 1}}')
    assert codes(run(tmp_path)) == expected
    for cache_file in (tmp_path / ".fastapi_lint_cache").rglob("*.json"):
        cache_file.write_bytes(b"\x80not json")
    assert codes(run(tmp_path)) == expected


def test_no_cache_and_cache_dir(tmp_path: Path) -> None:
    write_project(tmp_path, {"app/__init__.py": "", "app/config.py": "import os\nURL = os.getenv('URL')\n"})
    run(tmp_path, "--no-cache")
    assert not (tmp_path / ".fastapi_lint_cache").exists()
    elsewhere = tmp_path / "cache-here"
    run(tmp_path, "--cache-dir", str(elsewhere))
    assert list(elsewhere.rglob("*.json")) and not (tmp_path / ".fastapi_lint_cache").exists()


def test_worker_processes_give_the_same_findings(tmp_path: Path) -> None:
    files = {"app/__init__.py": ""}
    for number in range(60):
        files[f"app/module_{number}.py"] = (
            "import os\nfrom sqlalchemy.ext.asyncio import AsyncSession\n"
            f"VALUE_{number} = os.getenv('VALUE_{number}')\n"
            "def make(engine):\n    return AsyncSession(engine)\n"
        )
    for layer in ("routers", "models", "schemas"):
        files[f"app/{layer}/__init__.py"] = ""
        for feature in ("users", "items"):
            files[f"app/{layer}/{feature}.py"] = "VALUE = 1\n"
    write_project(tmp_path, files)
    serial = Engine(Settings(), RunOptions(jobs=1), cwd=tmp_path).run([tmp_path])
    parallel = Engine(Settings(), RunOptions(jobs=2), cwd=tmp_path).run([tmp_path])
    # 60 env reads, 60 async sessions, and the layer-based layout of the project.
    assert len(serial.diagnostics) == 121
    assert [d.code for d in parallel.diagnostics].count("FAPI101") == 1
    assert serial.diagnostics == parallel.diagnostics
    assert not parallel.errors and not parallel.internal_errors


def test_a_file_that_crashes_the_parser_is_an_error_and_the_rest_is_linted(tmp_path: Path) -> None:
    # Fifty thousand unary minus signs overflow the native parser's stack (SIGSEGV).
    chain = "-" * 50_000 + "1"
    write_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/generated.py": f"import os\nA = os.getenv('A')\nTOTAL = {chain}\n",
            "app/config.py": "import os\nURL = os.getenv('URL')\n",
        },
    )
    result = run(tmp_path, "--no-cache")
    assert result.returncode == 1
    assert ("FAPI201", "app/config.py", 2) in codes(result)
    assert "error: app/generated.py: LibCST's parser crashed on this file" in result.stderr
    assert "Traceback" not in result.stderr


def test_summaries_holding_literals_json_cannot_store_are_cached(tmp_path: Path) -> None:
    # A bytes keyword value in a session factory's call is summarised; the cache stores it as unknown.
    write_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/db.py": (
                "from sqlalchemy.orm import sessionmaker\n\n"
                "SessionLocal = sessionmaker(info=b'raw')\n"
            ),
            "app/jobs.py": "from app.db import SessionLocal\n\n\ndef run():\n    db = SessionLocal()\n    db.execute('x')\n",
        },
    )
    options = RunOptions(use_cache=True, cache_dir=tmp_path / "cache", jobs=1)
    first = Engine(Settings(), options, cwd=tmp_path).run([tmp_path])
    assert [d.code for d in first.diagnostics] == ["FAPI303"]
    # Summaries are stored one per module, beside the findings, named by what they summarise.
    summaries = [path for path in (tmp_path / "cache").rglob("*") if path.is_file() and path.parent.parent.name == "summaries"]
    assert any('"unknown":true' in path.read_text() for path in summaries)
    (tmp_path / "app/jobs.py").write_text((tmp_path / "app/jobs.py").read_text() + "\n")
    second = Engine(Settings(), options, cwd=tmp_path).run([tmp_path])
    assert [(d.code, d.line) for d in second.diagnostics] == [(d.code, d.line) for d in first.diagnostics]


def test_a_cached_fix_keeps_the_files_it_creates_and_moves() -> None:
    from fastapi_lint.linter.cache import _diagnostic, _diagnostic_json
    from fastapi_lint.linter.diagnostics import Diagnostic, Edit, Fix

    edits = (
        Edit("app/a.py", 1, 1, 1, 4, "new"),
        Edit("app/core/config.py", 1, 1, 1, 1, "X = 1\n", kind="create"),
        Edit("app/users/router.py", 1, 1, 1, 1, "", kind="move", source="app/routers/users.py"),
    )
    diagnostic = Diagnostic("FAPI101", "n", "m", "app/a.py", 1, 1, 1, 1, Fix("unsafe", "f", edits))
    assert _diagnostic(json.loads(json.dumps(_diagnostic_json(diagnostic)))) == diagnostic
