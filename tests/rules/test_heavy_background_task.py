"""FAPI401 heavy-background-task: what the case format cannot express."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any, Mapping

import pytest

from fastapi_lint.linter.config import ConfigError, Settings, load_settings
from fastapi_lint.linter.diagnostics import Diagnostic
from fastapi_lint.linter.engine import Engine, RunOptions, all_codes
from fastapi_lint.rules import ALL_RULES
from fastapi_lint.rules._heavy_calls import CHEAP_CALLS, HEAVY_CALLS, HEAVY_NAME_PATTERNS, SLEEP_CALLS
from fastapi_lint.rules.heavy_background_task import MAX_DEPTH, HeavyBackgroundTask

ENDPOINT = """
from fastapi import BackgroundTasks

from app.tasks import task


def endpoint(background_tasks: BackgroundTasks) -> None:
    background_tasks.add_task(task)
"""


def _lint(root: Path, target: str = "app/module.py", options: Mapping[str, Any] | None = None) -> list[Diagnostic]:
    settings = Settings(select=["FAPI401"], rule_options={"FAPI401": dict(options or {})})
    result = Engine(settings, cwd=root).run([root / target])
    assert not result.internal_errors and not result.errors, (result.internal_errors, result.errors)
    return [d for d in result.diagnostics if d.code == "FAPI401"]


def _helpers(levels: int) -> str:
    """``task`` calls ``step1`` ... which finally calls ``httpx.post``, ``levels`` functions below the task."""
    lines = ["import httpx", ""]
    names = ["task", *(f"step{n}" for n in range(1, levels + 1))]
    for name, callee in zip(names, names[1:]):
        lines += [f"def {name}() -> None:", f"    {callee}()", ""]
    lines += [f"def {names[-1]}() -> None:", '    httpx.post("https://example.com")', ""]
    return "\n".join(lines)


def test_documentation_lists_every_default() -> None:
    doc = HeavyBackgroundTask.documentation()
    for pattern in (*HEAVY_CALLS, *CHEAP_CALLS, *SLEEP_CALLS, *(shown for shown, _ in HEAVY_NAME_PATTERNS)):
        assert f"`{pattern}`" in doc, pattern


@pytest.mark.parametrize("levels, flagged", [(MAX_DEPTH, True), (MAX_DEPTH + 1, False)])
def test_search_depth_is_bounded(project, levels: int, flagged: bool) -> None:
    root = project({"app/__init__.py": "", "app/tasks.py": _helpers(levels), "app/module.py": ENDPOINT})
    found = _lint(root)
    assert bool(found) is flagged
    if flagged:
        assert f"step{levels} (app/tasks.py:" in found[0].message


def test_recursive_functions_terminate(project) -> None:
    tasks = """
    def task() -> None:
        helper()


    def helper() -> None:
        task()
    """
    root = project({"app/__init__.py": "", "app/tasks.py": tasks, "app/module.py": ENDPOINT})
    assert _lint(root) == []


def test_long_sleep_in_another_module(project) -> None:
    tasks = """
    import time
    from time import sleep as snooze


    def task() -> None:
        time.sleep(0.5)
        snooze(2.5)
    """
    root = project({"app/__init__.py": "", "app/tasks.py": tasks, "app/module.py": ENDPOINT})
    found = _lint(root)
    assert len(found) == 1
    assert "task (app/tasks.py:6) -> time.sleep(2.5)" in found[0].message


def test_short_sleep_in_another_module_is_cheap(project) -> None:
    tasks = """
    import asyncio


    async def task(delay: float) -> None:
        await asyncio.sleep(0.5)
        await asyncio.sleep(delay)
    """
    root = project({"app/__init__.py": "", "app/tasks.py": tasks, "app/module.py": ENDPOINT})
    assert _lint(root) == []


def test_message_recommends_a_task_queue(project) -> None:
    root = project({"app/__init__.py": "", "app/tasks.py": _helpers(0), "app/module.py": ENDPOINT})
    (found,) = _lint(root)
    assert "task (app/tasks.py:3) -> httpx.post" in found.message
    assert "ARQ or Celery" in found.message
    assert "decided by name" not in found.message


def test_name_patterns_only_judge_libraries(project) -> None:
    code = """
    from fastapi import BackgroundTasks
    from vendor import sync_contacts, run_async, export_csv, webhook_ping, daily_report, notify


    def endpoint(background_tasks: BackgroundTasks) -> None:
        background_tasks.add_task(sync_contacts)
        background_tasks.add_task(run_async)
        background_tasks.add_task(export_csv)
        background_tasks.add_task(webhook_ping)
        background_tasks.add_task(daily_report)
        background_tasks.add_task(notify)
    """
    root = project({"app/__init__.py": "", "app/module.py": code})
    found = _lint(root)
    assert [d.line for d in found] == [7, 9, 10, 11, 12]
    assert all("decided by name" in d.message for d in found)


def test_options_from_pyproject(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text(
        textwrap.dedent(
            """
            [tool.fastapi-lint.rules.FAPI401]
            heavy-calls = ["corp_sdk.*"]
            cheap-calls = ["httpx.*"]
            """
        ),
        encoding="utf-8",
    )
    settings = load_settings(config, ALL_RULES, all_codes())
    assert settings.rule_options["FAPI401"] == {"heavy-calls": ["corp_sdk.*"], "cheap-calls": ["httpx.*"]}
    config.write_text('[tool.fastapi-lint.rules.FAPI401]\nheavy-calls = "corp_sdk.*"\n', encoding="utf-8")
    with pytest.raises(ConfigError):
        load_settings(config, ALL_RULES, all_codes())


def test_cheap_calls_win_over_heavy_calls(project) -> None:
    code = """
    from fastapi import BackgroundTasks
    import corp_sdk


    def push() -> None:
        corp_sdk.push()


    def endpoint(background_tasks: BackgroundTasks) -> None:
        background_tasks.add_task(push)
    """
    root = project({"app/__init__.py": "", "app/module.py": code})
    assert len(_lint(root, options={"heavy-calls": ["corp_sdk.*"]})) == 1
    assert _lint(root, options={"heavy-calls": ["corp_sdk.*"], "cheap-calls": ["corp_sdk.push"]}) == []


def test_project_function_matched_by_heavy_calls_through_a_re_export(project) -> None:
    files = {
        "app/__init__.py": "",
        "app/reports/__init__.py": "from .pdf import render\n",
        "app/reports/pdf.py": "def render() -> None:\n    pass\n",
        "app/module.py": ENDPOINT.replace("from app.tasks import task", "from app.reports import render as task"),
    }
    root = project(files)
    found = _lint(root, options={"heavy-calls": ["app.reports.pdf.render"]})
    assert len(found) == 1
    assert "app.reports.pdf.render is a known heavy call" in found[0].message


def test_task_queue_option_is_validated(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.fastapi-lint.rules.FAPI401]\ntask-queue = "celery"\n', encoding="utf-8")
    assert load_settings(config, ALL_RULES, all_codes()).rule_options["FAPI401"] == {"task-queue": "celery"}
    config.write_text('[tool.fastapi-lint.rules.FAPI401]\ntask-queue = "rq"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(config, ALL_RULES, all_codes())
    assert "task-queue: expected one of 'arq', 'celery', got 'rq'" in str(raised.value)


ROUTE = """
from fastapi import APIRouter, BackgroundTasks

from app.mail import {task}

router = APIRouter()


@router.post("/{task}")
async def {task}_route(to: str, background_tasks: BackgroundTasks) -> None:
    background_tasks.add_task({task}, to)
"""

MAIL = """
import smtplib


def send_receipt(to: str) -> None:
    smtplib.SMTP("localhost").sendmail("shop@example.com", [to], "receipt")


async def send_invoice(to: str) -> None:
    smtplib.SMTP("localhost").sendmail("shop@example.com", [to], "invoice")
"""


def test_fixes_in_two_modules_share_one_worker_and_one_dependency(project) -> None:
    root = project(
        {
            "app/__init__.py": "",
            "app/mail.py": MAIL,
            "app/receipts.py": ROUTE.format(task="send_receipt"),
            "app/invoices.py": ROUTE.format(task="send_invoice"),
        }
    )
    settings = Settings(select=["FAPI401"])
    result = Engine(settings, RunOptions(fix=True, unsafe_fixes=True), cwd=root).run([root])
    assert not result.errors and not result.internal_errors, (result.errors, result.internal_errors)
    assert result.diagnostics == []
    worker = (root / "app/worker.py").read_text(encoding="utf-8")
    # One worker, both wrappers registered (the second fix edits the worker the first created).
    assert "functions = [send_invoice_task, send_receipt_task]" in worker
    assert "return await send_invoice(*args, **kwargs)" in worker
    assert "return await asyncio.to_thread(send_receipt, *args, **kwargs)" in worker
    assert (root / "app/dependencies.py").read_text(encoding="utf-8").count("async def get_arq_pool") == 1
    for module, job in (("receipts", "send_receipt_task"), ("invoices", "send_invoice_task")):
        text = (root / f"app/{module}.py").read_text(encoding="utf-8")
        assert f'await arq_pool.enqueue_job("{job}", to)' in text
        assert "from app.dependencies import get_arq_pool" in text
        assert "BackgroundTasks" not in text
    snapshot = {path: path.read_bytes() for path in root.rglob("*.py")}
    again = Engine(settings, RunOptions(fix=True, unsafe_fixes=True), cwd=root).run([root])
    assert again.fixed == 0
    assert {path: path.read_bytes() for path in root.rglob("*.py")} == snapshot
    for path in root.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")


@pytest.mark.parametrize(
    "before, after",
    [
        # After a docstring, in sections.
        ('"""Doc."""\n\nX = 1\n', '"""Doc."""\n\nfrom fastapi import Depends\n\nfrom app.deps import get_arq_pool\n\nX = 1\n'),
        # After ``__future__``, a library section before the project's.
        (
            "from __future__ import annotations\n\nfrom app import x\n",
            "from __future__ import annotations\n\nfrom fastapi import Depends\n\nfrom app import x\nfrom app.deps import get_arq_pool\n",
        ),
        # Merged into a parenthesised import, one name a line, in order.
        (
            "import os\nfrom fastapi import (\n    APIRouter,\n    Query,\n)\n",
            "import os\nfrom fastapi import (\n    APIRouter,\n    Depends,\n    Query,\n)\n\nfrom app.deps import get_arq_pool\n",
        ),
        # A relative import of the same module takes the name.
        ("from .deps import Queue\n", "from fastapi import Depends\n\nfrom .deps import Queue, get_arq_pool\n"),
    ],
)
def test_imports_the_fix_adds_go_where_isort_would_put_them(before: str, after: str) -> None:
    import libcst as cst

    from fastapi_lint.rules._source_edits import add_from_import

    tree = cst.parse_module(before)
    tree = add_from_import(tree, "fastapi", "Depends", frozenset({"app"}), ("app.routes", False))
    tree = add_from_import(tree, "app.deps", "get_arq_pool", frozenset({"app"}), ("app.routes", False))
    assert tree.code == after
