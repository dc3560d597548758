"""What a cached file's findings depend on: a run with the cache reports exactly what a run
without it reports, after any edit, addition, deletion or rename of modules, and lints
again only the files whose findings could have changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import write_project
from example_apps import copy_example
from fastapi_lint.linter.config import Settings
from fastapi_lint.linter.diagnostics import Diagnostic
from fastapi_lint.linter.engine import Engine, RunOptions


class RecordingEngine(Engine):
    """An engine that remembers which files it linted (the others came from the cache)."""

    linted: list[Path]

    def _lint_many(self, paths: list[Path]):  # type: ignore[no-untyped-def]
        self.linted = list(paths)
        return super()._lint_many(paths)


def cached_run(root: Path, cache: Path) -> tuple[list[Diagnostic], list[str]]:
    engine = RecordingEngine(Settings(), RunOptions(use_cache=True, cache_dir=cache, jobs=1), cwd=root)
    engine.linted = []
    result = engine.run([root])
    assert not result.internal_errors
    return result.diagnostics, sorted(path.relative_to(root).as_posix() for path in engine.linted)


def uncached_run(root: Path) -> list[Diagnostic]:
    result = Engine(Settings(), RunOptions(jobs=1), cwd=root).run([root])
    return result.diagnostics


def assert_same_as_without_cache(root: Path, cache: Path) -> list[str]:
    cached, linted = cached_run(root, cache)
    assert cached == uncached_run(root)
    return linted


SETTINGS = """\
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    foo: str = ""
"""


def test_every_file_pointed_at_the_settings_class_follows_it(tmp_path: Path) -> None:
    # FAPI201 looks for the settings classes once per run; every file asking depends on them.
    write_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/config.py": SETTINGS,
            "app/a.py": 'import os\n\nX = os.getenv("BAR")\n',
            "app/b.py": 'import os\n\nY = os.getenv("BAZ")\n',
        },
    )
    cache = tmp_path / ".cache"
    assert_same_as_without_cache(tmp_path, cache)
    (tmp_path / "app/config.py").write_text(SETTINGS.replace("\n\nclass Settings", "\n\nclass Other:\n    pass\n\n\nclass Settings"))
    linted = assert_same_as_without_cache(tmp_path, cache)
    assert linted == ["app/a.py", "app/b.py", "app/config.py"]
    messages = [d.message for d in uncached_run(tmp_path) if d.code == "FAPI201"]
    assert len(messages) == 2 and all("app/config.py:8" in message for message in messages)


ROUTER = """\
from fastapi import APIRouter, BackgroundTasks

from app.services.mail import notify

router = APIRouter()


@router.post("/")
async def create(background_tasks: BackgroundTasks, address: str) -> None:
    background_tasks.add_task(notify, address)
"""

HEAVY_SERVICE = """\
import httpx


def notify(address: str) -> None:
    httpx.post("https://hooks.example/users", json={"address": address})
"""

WORKER = """\
from arq.connections import RedisSettings


async def ping(ctx) -> None:
    pass


class WorkerSettings:
    functions = [ping]
    redis_settings = RedisSettings()
"""


def test_a_search_of_every_module_depends_on_what_it_found(tmp_path: Path) -> None:
    # FAPI401's fix looks through every module for an ARQ worker: the router's findings
    # depend on which modules could hold one, not on every module of the project.
    write_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/routers/__init__.py": "",
            "app/routers/users.py": ROUTER,
            "app/services/__init__.py": "",
            "app/services/mail.py": HEAVY_SERVICE,
            "app/other.py": "VALUE = 1\n",
        },
    )
    cache = tmp_path / ".cache"
    first, _ = cached_run(tmp_path, cache)
    assert [d.code for d in first] == ["FAPI401"]
    assert first[0].fix is not None  # planned with a new worker module
    (tmp_path / "app/other.py").write_text("VALUE = 1\n\n\ndef helper() -> int:\n    return 2\n")
    assert assert_same_as_without_cache(tmp_path, cache) == ["app/other.py"]
    # Now the module may hold the worker: the router's fix may change.
    (tmp_path / "app/other.py").write_text(WORKER)
    assert assert_same_as_without_cache(tmp_path, cache) == ["app/other.py", "app/routers/users.py"]
    assert assert_same_as_without_cache(tmp_path, cache) == []
    # A new module mentioning nothing searched for re-lints nothing else either.
    (tmp_path / "app/more.py").write_text("OTHER = 2\n")
    assert assert_same_as_without_cache(tmp_path, cache) == ["app/more.py"]


def _mutations(root: Path) -> list[tuple[str, Path, Path | None]]:
    """Edits, additions, deletions and renames of the project's modules, in turn."""
    modules = sorted(path for path in root.rglob("*.py") if "tests" not in path.relative_to(root).parts)
    steps: list[tuple[str, Path, Path | None]] = []
    for module in modules:
        if module.name == "__init__.py":
            continue
        steps.append(("shift", module, None))
        steps.append(("append", module, None))
        steps.append(("rename", module, module.with_name(f"renamed_{module.name}")))
        steps.append(("rename", module.with_name(f"renamed_{module.name}"), module))
        steps.append(("copy", module, module.with_name(f"copy_of_{module.name}")))
        steps.append(("delete", module.with_name(f"copy_of_{module.name}"), None))
    return steps


@pytest.mark.parametrize("example", ["settings_app", "task_queue_app", "sessions_app"])
def test_the_cache_reports_what_a_run_without_it_reports_after_every_change(tmp_path: Path, example: str) -> None:
    root = copy_example(example, tmp_path)
    cache = tmp_path / "cache"
    assert_same_as_without_cache(root, cache)
    for action, path, other in _mutations(root):
        if action == "shift":
            path.write_text("\n\n" + path.read_text())  # every line of the module moves
        elif action == "append":
            path.write_text(path.read_text() + "\n\ndef _edited() -> int:\n    return 1\n")
        elif action == "rename":
            assert other is not None
            path.rename(other)
        elif action == "copy":
            assert other is not None
            shutil.copyfile(path, other)
        elif action == "delete":
            path.unlink()
        assert_same_as_without_cache(root, cache)


def test_a_malformed_summary_is_recomputed(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/routers/__init__.py": "",
            "app/routers/users.py": ROUTER,
            "app/services/__init__.py": "",
            "app/services/mail.py": HEAVY_SERVICE,
        },
    )
    cache = tmp_path / ".cache"
    expected = assert_same_as_without_cache(tmp_path, cache)
    assert expected
    summaries = [path for path in cache.rglob("*") if path.is_file() and path.parent.parent.name == "summaries"]
    assert summaries
    for number, path in enumerate(summaries):
        path.write_text(["{", '{"name": 1}', "[]", '{"name":"x","path":"y","is_package":false,"imports":{},"functions":{},"classes":{},"assigns":{}}'][number % 4])
    (tmp_path / "app/routers/users.py").write_text(ROUTER + "\n")
    assert assert_same_as_without_cache(tmp_path, cache) == ["app/routers/users.py"]


def test_a_fix_that_depends_on_which_modules_exist_follows_them(tmp_path: Path) -> None:
    # FAPI201's fix declares a new settings class in app/core/config.py, unless a
    # package or module of that name exists: adding one changes the fix.
    write_project(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "x"\ndependencies = ["pydantic-settings"]\n',
            "app/__init__.py": "",
            "app/a.py": 'import os\n\nX = os.getenv("BAR")\n',
        },
    )
    cache = tmp_path / ".cache"
    first, _ = cached_run(tmp_path, cache)
    assert first[0].fix is not None and "app/core/config.py" in first[0].fix.message
    write_project(tmp_path, {"app/core/__init__.py": "", "app/core/config.py": "X = 1\n"})
    assert assert_same_as_without_cache(tmp_path, cache) == ["app/a.py", "app/core/__init__.py", "app/core/config.py"]


def test_summaries_of_no_module_are_removed_once_they_outnumber_the_live_ones(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/routers/__init__.py": "",
            "app/routers/users.py": ROUTER,
            "app/services/__init__.py": "",
            "app/services/mail.py": HEAVY_SERVICE,
        },
    )
    cache = tmp_path / ".cache"
    cached_run(tmp_path, cache)
    (folder,) = cache.glob("*/summaries")

    def stored() -> set[str]:
        return {path.name for path in folder.glob("*/*")}

    live = stored()
    assert live
    # Summaries of earlier versions of the modules, more than the store keeps.
    for number in range(len(live) + 300):
        (folder / "00").mkdir(exist_ok=True)
        (folder / "00" / f"{number:032x}").write_text("{}")
    assert len(stored()) > len(live) + 256
    (tmp_path / "app/services/mail.py").write_text(HEAVY_SERVICE + "\n")
    assert assert_same_as_without_cache(tmp_path, cache) == ["app/routers/users.py", "app/services/mail.py"]
    # The summaries of the modules as they are stay (the edited one's is new); the others went.
    after = stored()
    assert not any((folder / "00" / f"{number:032x}").exists() for number in range(len(live) + 300))
    assert len(after) == len(live) and len(after - live) == 1
    # A run that did not hash every module (a file named alone) removes nothing.
    for number in range(len(live) + 300):
        (folder / "00" / f"{number:032x}").write_text("{}")
    (tmp_path / "app/services/mail.py").write_text(HEAVY_SERVICE + "\n\n")
    engine = Engine(Settings(), RunOptions(use_cache=True, cache_dir=cache, jobs=1), cwd=tmp_path)
    engine.run([tmp_path / "app/services/mail.py"])
    assert len(stored()) > len(live) + 256


# -- what a file read of another module, not the whole module ----------------------------

SESSION_FACTORY = """\
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

engine = create_engine("sqlite://")
SessionLocal = sessionmaker(bind=engine)
"""

CRUD = """\
from app.db import SessionLocal


def count_users() -> int:
    db = SessionLocal()
    return db.execute("select 1").scalar()
"""

PLAIN_HELPER = """\
def make():
    return 1
"""

SESSION_HELPER = """\
from app.db import SessionLocal


def make():
    return SessionLocal()
"""

USES_HELPER = """\
from app.helpers import make


def run() -> int:
    db = make()
    return db.execute("select 1").scalar()
"""


def _sessions_project(root: Path) -> Path:
    write_project(
        root,
        {
            "app/__init__.py": "",
            "app/db.py": SESSION_FACTORY,
            "app/crud.py": CRUD,
            "app/helpers.py": PLAIN_HELPER,
            "app/use.py": USES_HELPER,
        },
    )
    return root / ".cache"


def _messages(diagnostics: list[Diagnostic], path: str) -> list[str]:
    return [d.message for d in diagnostics if d.path == path]


def test_an_edit_elsewhere_in_a_module_read_lints_only_that_module(tmp_path: Path) -> None:
    # crud.py read where SessionLocal is defined (and what it is), not the rest of app/db.py.
    cache = _sessions_project(tmp_path)
    first, _ = cached_run(tmp_path, cache)
    assert any("app/db.py:5" in message for message in _messages(first, "app/crud.py"))
    (tmp_path / "app/db.py").write_text(SESSION_FACTORY + "\n\ndef unrelated() -> int:\n    return 1\n")
    assert assert_same_as_without_cache(tmp_path, cache) == ["app/db.py"]
    # A helper that still names no session: what use.py found (no session there) holds.
    (tmp_path / "app/helpers.py").write_text(PLAIN_HELPER + "\n\ndef other():\n    return 2\n")
    assert assert_same_as_without_cache(tmp_path, cache) == ["app/helpers.py"]


def test_an_edit_of_what_a_file_read_lints_it_again(tmp_path: Path) -> None:
    cache = _sessions_project(tmp_path)
    cached_run(tmp_path, cache)
    # The factory moves a line down: the finding's message names its new line.
    (tmp_path / "app/db.py").write_text("# Sessions.\n" + SESSION_FACTORY)
    assert assert_same_as_without_cache(tmp_path, cache) == ["app/crud.py", "app/db.py"]
    diagnostics, _ = cached_run(tmp_path, cache)
    assert any("app/db.py:6" in message for message in _messages(diagnostics, "app/crud.py"))
    # The factory is no session factory any more: the finding goes.
    (tmp_path / "app/db.py").write_text(SESSION_FACTORY.replace("sessionmaker(bind=engine)", "dict(bind=engine)"))
    assert assert_same_as_without_cache(tmp_path, cache) == ["app/crud.py", "app/db.py"]
    assert _messages(cached_run(tmp_path, cache)[0], "app/crud.py") == []


def test_a_module_that_starts_naming_sessions_lints_its_callers_again(tmp_path: Path) -> None:
    # use.py's rules skipped app/helpers.py because its text names no session; once it
    # does, make() returns one and use.py leaks it.
    cache = _sessions_project(tmp_path)
    first, _ = cached_run(tmp_path, cache)
    assert _messages(first, "app/use.py") == []
    (tmp_path / "app/helpers.py").write_text(SESSION_HELPER)
    assert assert_same_as_without_cache(tmp_path, cache) == ["app/helpers.py", "app/use.py"]
    assert _messages(cached_run(tmp_path, cache)[0], "app/use.py")


def test_a_module_linted_before_the_file_reading_it_is_a_dependency_too(tmp_path: Path) -> None:
    # app/a.py is linted first, and its summary made from its own tree; b.py then reads
    # it from there: b.py's findings still depend on a.py.
    write_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/a.py": "from fastapi import BackgroundTasks\nimport httpx\n\n\ndef notify(x):\n"
            '    httpx.post("https://example.com")\n\n\ndef route(bt: BackgroundTasks):\n    bt.add_task(notify, 1)\n',
            "app/b.py": "from fastapi import BackgroundTasks\nfrom app.a import notify\n\n\n"
            "def route(bt: BackgroundTasks):\n    bt.add_task(notify, 1)\n",
        },
    )
    cache = tmp_path / ".cache"
    first, _ = cached_run(tmp_path, cache)
    assert sorted(d.path for d in first) == ["app/a.py", "app/b.py"]
    text = (tmp_path / "app/a.py").read_text()
    (tmp_path / "app/a.py").write_text(text.replace('httpx.post("https://example.com")', "return x"))
    assert assert_same_as_without_cache(tmp_path, cache) == ["app/a.py", "app/b.py"]
    assert cached_run(tmp_path, cache)[0] == []


def _router_and_plain_modules(root: Path, count: int) -> None:
    """A router whose background task calls a heavy service, and ``count`` modules without
    any rule's words (``app/m<N>.py``)."""
    modules = {f"app/m{number}.py": f"VALUE_{number} = {number}\n" for number in range(count)}
    write_project(
        root,
        {"app/__init__.py": "", "app/routers/__init__.py": "", "app/routers/users.py": ROUTER,
         "app/services/__init__.py": "", "app/services/mail.py": HEAVY_SERVICE, **modules},
    )


def test_a_search_of_every_module_reads_only_the_changed_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Which modules hold the searched words is kept by content: once one module changes,
    # checking the searches reads that module's text, not every module's.
    _router_and_plain_modules(tmp_path, 30)
    cache = tmp_path / ".cache"
    cached_run(tmp_path, cache)
    from fastapi_lint.linter.index import ProjectIndex

    read: list[str] = []
    original = ProjectIndex._text

    def counting(self: ProjectIndex, module: str) -> str:
        read.append(module)
        return original(self, module)

    monkeypatch.setattr(ProjectIndex, "_text", counting)
    (tmp_path / "app/m3.py").write_text("VALUE_3 = 4\n")
    _, linted = cached_run(tmp_path, cache)
    assert linted == ["app/m3.py"]
    assert set(read) <= {"app.m3"}
    (tmp_path / "app/m4.py").write_text(WORKER)
    assert assert_same_as_without_cache(tmp_path, cache) == ["app/m4.py", "app/routers/users.py"]


def test_the_layout_rule_is_not_run_again_while_the_module_list_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi_lint.rules.layer_based_layout import LayerBasedLayout

    layered = {
        "app/__init__.py": "",
        "app/routers/__init__.py": "",
        "app/routers/users.py": "X = 1\n",
        "app/routers/items.py": "X = 1\n",
        "app/models/__init__.py": "",
        "app/models/user.py": "X = 1\n",
        "app/models/item.py": "X = 1\n",
        "app/schemas/user.py": "X = 1\n",
        "app/schemas/item.py": "X = 1\n",
    }
    write_project(tmp_path, {**layered, **{name.replace("app/", "other/"): text for name, text in layered.items()}})
    cache = tmp_path / ".cache"
    runs: list[int] = []
    original = LayerBasedLayout.check_project

    def counting(self: LayerBasedLayout, index):  # type: ignore[no-untyped-def]
        runs.append(1)
        return original(self, index)

    monkeypatch.setattr(LayerBasedLayout, "check_project", counting)
    first = assert_same_as_without_cache(tmp_path, cache)
    assert first and len(runs) == 2  # with the cache, and without
    assert sorted(d.code for d in cached_run(tmp_path, cache)[0]) == ["FAPI101", "FAPI101"]
    (tmp_path / "app/routers/users.py").write_text("X = 2\n")
    assert assert_same_as_without_cache(tmp_path, cache) == ["app/routers/users.py"]
    assert len(runs) == 3  # only the run without the cache
    (tmp_path / "app/routers/orders.py").write_text("X = 1\n")
    assert_same_as_without_cache(tmp_path, cache)
    assert len(runs) == 5
    # Files whose module names other files already have (``src/`` is not a package
    # here): no module name changes, but the layout does.
    for name in ("routers/users.py", "routers/items.py", "models/user.py", "models/item.py"):
        write_project(tmp_path, {f"src/app/{name}": "X = 1\n"})
    assert_same_as_without_cache(tmp_path, cache)
    assert [d.path for d in cached_run(tmp_path, cache)[0]].count("src/app/models/item.py") == 1


def test_what_workers_learn_of_the_searched_words_is_kept(tmp_path: Path) -> None:
    # Enough files for forked workers: the searches run there, and what they learn of
    # each module's words comes back to be stored.
    _router_and_plain_modules(tmp_path, 60)
    cache = tmp_path / ".cache"
    engine = Engine(Settings(), RunOptions(use_cache=True, cache_dir=cache, jobs=2), cwd=tmp_path)
    assert [d.code for d in engine.run([tmp_path]).diagnostics] == ["FAPI401"]
    from fastapi_lint.linter.cache import load as load_cache

    (stored,) = cache.glob("*/*.json")
    memo = load_cache(stored).words
    assert "WorkerSettings" in memo.found and len(memo.tested) >= 60


def test_the_word_memo_answers_only_for_contents_tested_with_every_word() -> None:
    from fastapi_lint.linter.index import WordMemo

    contents = [("a", "import arq"), ("b", "x = 1"), ("c", "celery")]
    first, second = WordMemo(), WordMemo()
    first.learn("arq", contents, {"a"})
    second.learn("celery", contents[1:], {"c"})
    first.merge(second)
    # "a" was never tested for "celery": the merged memo no longer answers for it.
    assert first.tested == {"b", "c"}
    assert first.found == {"arq": set(), "celery": {"c"}}
    first.add_content("d", "arq and celery")
    assert first.found == {"arq": {"d"}, "celery": {"c", "d"}}
