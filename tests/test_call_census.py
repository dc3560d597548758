"""The call census: a module none of whose calls can create or configure a session is
not parsed for the session rules (FAPI301, FAPI302, FAPI303), and nothing is lost."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from conftest import write_project

from fastapi_lint.linter import runner
from fastapi_lint.linter.ast_summary import CallCensus, survey_source
from fastapi_lint.linter.config import Settings
from fastapi_lint.linter.engine import Engine, RunOptions
from fastapi_lint.rules import ALL_RULES

FIXTURES = Path(__file__).parent / "fixtures"
BENCH = Path(__file__).parent.parent / "bench"
EXAMPLES = Path(__file__).parent.parent / "examples"
SURVEYING = [rule for rule in ALL_RULES if getattr(rule, "surveys_calls", False)]


def census(code: str, module: str = "app.mod") -> CallCensus:
    surveyed = survey_source(textwrap.dedent(code), module, False, module.replace(".", "/") + ".py")
    assert surveyed is not None
    return surveyed[1]


def test_the_session_rules_survey_calls() -> None:
    assert sorted(rule.code for rule in SURVEYING) == ["FAPI301", "FAPI302", "FAPI303"]


def test_census_resolves_callees_as_the_traversal_does() -> None:
    found = census(
        """
        import sqlalchemy.orm as orm
        from sqlalchemy.ext.asyncio import async_sessionmaker as make
        from .db import SessionLocal as Local

        def handler(db):
            db.query(1)                      # a parameter: nothing known
            orm.Session(bind=None)
            Local()
            maker = make()
            maker()
            make(bind=None)()
            helper()

        def helper():
            return 1
        """
    )
    assert found.callees == frozenset(
        {"sqlalchemy.orm.Session", "app.db.SessionLocal", "sqlalchemy.ext.asyncio.async_sessionmaker", "app.mod.helper"}
    )
    assert found.makers == frozenset({"sqlalchemy.ext.asyncio.async_sessionmaker"})


def test_census_sees_calls_at_module_level_in_classes_and_defaults() -> None:
    found = census(
        """
        from app.db import SessionLocal

        db = SessionLocal()

        class Repo:
            session = SessionLocal()

        def f(db=SessionLocal()):
            pass
        """
    )
    assert found.callees == frozenset({"app.db.SessionLocal"})


def test_census_binds_names_when_the_traversal_does() -> None:
    # The function-local import rebinds ``Session`` inside ``f`` only.
    found = census(
        """
        from requests import Session

        def f():
            from sqlalchemy.orm import Session
            return Session()

        Session()
        """
    )
    assert found.callees == frozenset({"sqlalchemy.orm.Session", "requests.Session"})


def test_census_keeps_calls_entered_by_with_apart() -> None:
    found = census(
        """
        from contextlib import closing
        from sqlalchemy.ext.asyncio import AsyncSession
        from app.db import SessionLocal, make_session, engine

        def job():
            with SessionLocal() as db:
                pass
            with (SessionLocal()) as db, closing(make_session()) as other:
                pass
            with SessionLocal().begin():
                pass

        async def task():
            async with AsyncSession(engine) as session:
                pass
            async with await make_session():
                pass
        """
    )
    # An argument of an entered call, or the receiver of ``.begin()``, is not entered itself.
    assert found.callees == frozenset({"app.db.make_session", "app.db.SessionLocal"})
    assert found.entered == frozenset(
        {"app.db.SessionLocal", "contextlib.closing", "sqlalchemy.ext.asyncio.AsyncSession", "app.db.make_session"}
    )
    assert found.makers == frozenset()


def test_census_leaves_out_a_local_maker_entered_by_with() -> None:
    found = census(
        """
        from sqlalchemy.orm import sessionmaker

        def job(engine):
            maker = sessionmaker(engine)
            with maker() as db:
                pass
        """
    )
    assert found.makers == frozenset()
    assert found.callees == frozenset({"sqlalchemy.orm.sessionmaker"})


def _findings(root: Path, survey: bool, monkeypatch: pytest.MonkeyPatch, settings: Settings | None = None) -> list[tuple]:
    monkeypatch.setattr(runner, "SURVEY_CALLS", survey)
    options = RunOptions(jobs=1, fixes_as_data=True)
    result = Engine(settings or Settings(base_directory=root), options, cwd=root).run([root])
    return sorted(
        (d.path, d.line, d.column, d.code, d.message, d.fix.message if d.fix else None, d.fix.applicability if d.fix else None)
        for d in result.diagnostics
    )


def _surveyed_cases():
    for rule in SURVEYING:
        for number, case in enumerate((*rule.VALID, *rule.INVALID)):
            yield pytest.param(rule, case, id=f"{rule.code}-{number}")


@pytest.mark.parametrize("rule, case", list(_surveyed_cases()))
def test_census_drops_no_finding_on_rule_cases(rule, case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path, {**case.files, case.path: case.code} if case.code else dict(case.files))
    settings = Settings(base_directory=tmp_path, rule_options={rule.code: dict(case.options)})
    without = _findings(tmp_path, False, monkeypatch, settings)
    assert _findings(tmp_path, True, monkeypatch, settings) == without, case.code


def test_census_drops_no_finding_on_fixtures_examples_and_a_generated_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import generate
    finally:
        sys.path.remove(str(BENCH))
    generated = tmp_path / "generated"
    generate.generate(generated, 12)
    (generated / "pyproject.toml").write_text('[project]\nname = "x"\n')
    roots = [FIXTURES, generated, *sorted(path for path in EXAMPLES.iterdir() if path.is_dir())]
    session_codes = set()
    for root in roots:
        without = _findings(root, False, monkeypatch)
        assert _findings(root, True, monkeypatch) == without, root.name
        session_codes.update(finding[3] for finding in without if finding[3] in {"FAPI301", "FAPI302", "FAPI303"})
    assert session_codes == {"FAPI301", "FAPI302", "FAPI303"}


SERVICE = """\
from sqlalchemy.orm import Session

from app.crud import get_user


def fetch(db: Session, user_id: int):
    return get_user(db, user_id)
"""

HELPERS_WITHOUT_SESSION = """\
def open_db():
    return object()
"""

HELPERS_WITH_SESSION = """\
from sqlalchemy.orm import sessionmaker

SessionLocal = sessionmaker()


def open_db():
    return SessionLocal()
"""

JOB = """\
from app.helpers import open_db


def job():
    db = open_db()
    db.execute("select 1")
"""


def _parsed_texts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the runner parses with LibCST from now on, in order."""
    parsed: list[str] = []
    real = runner.parse_module

    def counting(text: str, **kwargs):
        parsed.append(text)
        return real(text, **kwargs)

    monkeypatch.setattr(runner, "parse_module", counting)
    return parsed


def test_a_module_that_only_passes_sessions_around_is_not_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path, {"app/__init__.py": "", "app/crud.py": "def get_user(db, user_id):\n    return db.get(user_id)\n",
                             "app/service.py": SERVICE})
    parsed = _parsed_texts(monkeypatch)
    assert _findings(tmp_path, True, monkeypatch) == []
    assert parsed == []
    assert _findings(tmp_path, False, monkeypatch) == []
    assert SERVICE in parsed  # the trigger words alone would have it parsed


SESSION_FACTORY = """\
from sqlalchemy.orm import sessionmaker
from sqlalchemy.ext.asyncio import async_sessionmaker

SessionLocal = sessionmaker(expire_on_commit=False)
AsyncSessionLocal = async_sessionmaker(expire_on_commit=False)
"""

MANAGED_JOBS = """\
from app.db import SessionLocal, AsyncSessionLocal


def count() -> int:
    with SessionLocal() as db:
        return db.execute("select 1").scalar_one()


async def count_async() -> int:
    async with AsyncSessionLocal() as db:
        return (await db.execute("select 1")).scalar_one()
"""


def test_a_module_that_opens_sessions_only_with_with_is_not_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path, {"app/__init__.py": "", "app/db.py": SESSION_FACTORY, "app/jobs.py": MANAGED_JOBS})
    parsed = _parsed_texts(monkeypatch)
    assert _findings(tmp_path, True, monkeypatch) == []
    assert MANAGED_JOBS not in parsed
    assert SESSION_FACTORY in parsed  # its makers are calls FAPI302 judges


ENTERED_CASES = {
    "module-level with": "from app.db import SessionLocal\n\nwith SessionLocal() as db:\n    db.execute('x')\n",
    "global bound by with": (
        "from app.db import SessionLocal\n\ndb = None\n\n\ndef init():\n    global db\n"
        "    with SessionLocal() as db:\n        pass\n"
    ),
    "begin on an inline session": "from app.db import SessionLocal\n\n\ndef f():\n    with SessionLocal().begin():\n        pass\n",
    "closing an inline session": (
        "from contextlib import closing\nfrom app.db import SessionLocal\n\n\ndef f():\n"
        "    with closing(SessionLocal()) as db:\n        pass\n"
    ),
    "async session class entered": (
        "from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine\n\nengine = create_async_engine('x')\n\n\n"
        "async def f():\n    async with AsyncSession(engine) as session:\n        await session.commit()\n"
    ),
    "entered then reassigned": (
        "from app.db import SessionLocal\n\n\ndef f():\n    with SessionLocal() as db:\n        pass\n"
        "    db = SessionLocal()\n    db.execute('x')\n"
    ),
}


@pytest.mark.parametrize("name", sorted(ENTERED_CASES))
def test_census_drops_no_finding_for_sessions_entered_by_with(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = "from sqlalchemy.orm import sessionmaker\n\nSessionLocal = sessionmaker(expire_on_commit=False)\n"
    write_project(tmp_path, {"app/__init__.py": "", "app/db.py": db, "app/mod.py": ENTERED_CASES[name]})
    without = _findings(tmp_path, False, monkeypatch)
    assert _findings(tmp_path, True, monkeypatch) == without
    expected = {"async session class entered": {"FAPI302"}, "entered then reassigned": {"FAPI303"}}.get(name, set())
    assert {finding[3] for finding in without} == expected


def test_a_cached_result_judged_by_the_census_follows_the_helper_it_calls(tmp_path: Path) -> None:
    from test_cache import codes, run

    write_project(tmp_path, {"app/__init__.py": "", "app/helpers.py": HELPERS_WITHOUT_SESSION, "app/job.py": JOB})
    assert codes(run(tmp_path)) == []
    (tmp_path / "app/helpers.py").write_text(HELPERS_WITH_SESSION)
    assert codes(run(tmp_path)) == [("FAPI303", "app/job.py", 5)]
    (tmp_path / "app/helpers.py").write_text(HELPERS_WITHOUT_SESSION)
    assert codes(run(tmp_path)) == []


def test_a_file_the_census_clears_still_gets_its_syntax_checked_and_noqa_judged(tmp_path: Path) -> None:
    from test_cache import run

    write_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/service.py": SERVICE.replace("return get_user", "return get_user  # noqa: FAPI303\n    return get_user"),
        },
    )
    result = run(tmp_path, "--no-cache", "--output-format", "concise")
    assert "FAPI100" in result.stdout and "app/service.py:7" in result.stdout, result.stdout


def test_a_module_summarised_for_another_still_gets_its_syntax_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # ``app/main.py`` is linted first and looks up ``app.util``: the index tries to summarise
    # it. Only a module CPython parsed in this run skips the syntax check.
    write_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/a_main.py": "from app.util import make_db\n\n\ndef run():\n    db = make_db()\n    db.close()\n",
            "app/util.py": "def make_db(:\n    pass\n",
            "app/z_fine.py": "from app.a_main import run\n\nVALUE = 1\n",
        },
    )
    found = _findings(tmp_path, True, monkeypatch)
    assert [(path, code) for path, _, _, code, *_ in found] == [("app/util.py", "FAPI000")]
