"""FAPI401's fix end to end on `examples/task_queue_app`: the app's own tests pass
before, the CLI moves the welcome e-mail to ARQ (a new worker module, a new pool
dependency, the route enqueuing the job), the result is exactly the stored tree, a
second fix changes nothing, every module imports, and the app's tests pass after."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from example_apps import app_tests as _app_tests
from example_apps import copy_example, lint
from example_apps import text_tree as _tree

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "task_queue_app"
FIXED = ROOT / "tests" / "data" / "fixed" / "task_queue_app"
CHANGED = {"app/routers/users.py", "app/dependencies.py"}
CREATED = {"app/worker.py"}


def _cli(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return lint(project, *args)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_example("task_queue_app", tmp_path)


def _expected() -> dict[str, str]:
    expected = _tree(EXAMPLE)
    stored = _tree(FIXED)
    assert set(stored) == CHANGED | CREATED
    assert CHANGED <= set(expected) and not CREATED & set(expected)
    expected.update(stored)
    return expected


def test_fix_moves_the_email_to_arq_and_the_app_still_works(project: Path) -> None:
    before = _app_tests(project)
    assert before.returncode == 0, before.stdout + before.stderr
    assert "3 passed" in before.stdout

    # Without --unsafe-fixes nothing is written.
    untouched = _tree(project)
    plain = _cli(project, "--fix")
    assert plain.returncode == 1 and "FAPI401" in plain.stdout
    assert _tree(project) == untouched

    fixed = _cli(project, "--unsafe-fixes", "--fix")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert _tree(project) == _expected()

    again = _cli(project, "--unsafe-fixes", "--fix")
    assert again.returncode == 0, again.stdout + again.stderr
    assert _tree(project) == _expected()

    modules = sorted(
        ".".join(path.relative_to(project).with_suffix("").parts).removesuffix(".__init__")
        for path in (project / "app").rglob("*.py")
    )
    script = f"import importlib\nfor name in {modules!r}:\n    importlib.import_module(name)\n"
    imported = subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True, text=True, timeout=60)
    assert imported.returncode == 0, imported.stderr
    for path in project.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")

    after = _app_tests(project)
    assert after.returncode == 0, after.stdout + after.stderr
    assert "3 passed" in after.stdout


def test_diff_shows_every_file_and_writes_nothing(project: Path) -> None:
    untouched = _tree(project)
    shown = _cli(project, "--unsafe-fixes", "--diff")
    assert _tree(project) == untouched
    assert shown.returncode == 1, shown.stdout + shown.stderr
    assert "--- a/app/routers/users.py\n+++ b/app/routers/users.py" in shown.stdout
    assert "--- a/app/dependencies.py\n+++ b/app/dependencies.py" in shown.stdout
    assert "--- /dev/null\n+++ b/app/worker.py" in shown.stdout
    assert '+    await arq_pool.enqueue_job("send_welcome_email_task", user.email, user.name)' in shown.stdout
    assert "+class WorkerSettings:" in shown.stdout


def test_json_lists_every_file_the_fix_touches(project: Path) -> None:
    import json

    out = _cli(project, "--output-format", "json")
    records = [record for record in json.loads(out.stdout) if record["code"] == "FAPI401"]
    assert len(records) == 1
    fix = records[0]["fix"]
    assert fix["applicability"] == "unsafe"
    assert {edit["path"] for edit in fix["edits"]} == CHANGED | CREATED
    assert [edit["path"] for edit in fix["edits"] if edit.get("kind") == "create"] == ["app/worker.py"]


CELERY_APP = '''from celery import Celery

celery_app = Celery("app", broker="memory://")
# The example's tests run tasks in-process; a deployment runs `celery -A app.celery_app worker`.
celery_app.conf.task_always_eager = True
'''


def test_the_celery_form_on_the_same_app(project: Path) -> None:
    (project / "app" / "celery_app.py").write_text(CELERY_APP, encoding="utf-8")
    config = project / "pyproject.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[tool.fastapi-lint.rules.FAPI401]\ntask-queue = "celery"\n',
        encoding="utf-8",
    )
    before = _tree(project)
    fixed = _cli(project, "--unsafe-fixes", "--fix")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    after = _tree(project)
    assert {path for path in after if after[path] != before.get(path)} == {"app/routers/users.py", "app/email.py"}
    assert "    send_welcome_email.delay(user.email, user.name)\n" in after["app/routers/users.py"]
    assert "BackgroundTasks" not in after["app/routers/users.py"]
    assert "from app.celery_app import celery_app\n" in after["app/email.py"]
    assert "\n\n@celery_app.task\ndef send_welcome_email(address: str, name: str) -> None:\n" in after["app/email.py"]
    assert _cli(project, "--unsafe-fixes", "--fix").returncode == 0
    assert _tree(project) == after
    tests = _app_tests(project)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "3 passed" in tests.stdout
