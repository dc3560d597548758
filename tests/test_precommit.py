"""The pre-commit hooks, run by the real ``pre-commit`` on a small FastAPI project in a git repository.

The hook repository is a copy of this checkout's working tree (tracked and new,
not ignored, files) committed in a temporary repository, so that what is tested is
the code as it is, committed or not. pre-commit installs it into its own virtual
environment with pip: one environment, shared by every test (both hooks use it).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Installing the hook environment downloads the dependencies: give it time.
INSTALL_TIMEOUT = 900


def _clean_environment() -> dict[str, str]:
    """Without the GIT_* variables of an enclosing git command (the suite may run inside a hook)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("GIT_") and key != "SKIP"}
    identity = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com"}
    identity |= {"GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com"}
    return {**environment, **identity, "NO_COLOR": "1"}


def git(*args: str, cwd: Path) -> str:
    command = ["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=_clean_environment(), timeout=120)
    assert result.returncode == 0, f"git {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout


def commit_all(repository: Path, message: str) -> str:
    git("add", "-A", cwd=repository)
    git("commit", "--quiet", "--allow-empty", "-m", message, cwd=repository)
    return git("rev-parse", "HEAD", cwd=repository).strip()


@dataclass(frozen=True)
class HookRepository:
    path: Path
    rev: str


@pytest.fixture(scope="session")
def hook_repository(tmp_path_factory: pytest.TempPathFactory) -> HookRepository:
    if not (ROOT / ".git").exists():
        pytest.fail(f"the pre-commit tests need the git checkout of fastapi-lint; {ROOT} is not one")
    target = tmp_path_factory.mktemp("hook-repository")
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT).split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        # A tracked file deleted in the working tree is deleted in the copy too.
        if source.is_file():
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    assert (target / ".pre-commit-hooks.yaml").is_file()
    git("init", "--quiet", cwd=target)
    return HookRepository(target, commit_all(target, "fastapi-lint working tree"))


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if importlib.util.find_spec("pre_commit") is None:
        pytest.fail("pre-commit is not installed: pip install -e '.[test]'")
    return tmp_path_factory.mktemp("pre-commit-home")


@dataclass(frozen=True)
class Project:
    root: Path
    hooks: HookRepository
    home: Path

    def write(self, files: Mapping[str, str]) -> None:
        for relative, text in files.items():
            path = self.root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")

    def use_hooks(self, *hook_ids: str) -> None:
        hooks = "".join(f"      - id: {hook_id}\n" for hook_id in hook_ids)
        config = f"repos:\n  - repo: {self.hooks.path}\n    rev: {self.hooks.rev}\n    hooks:\n{hooks}"
        (self.root / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")

    def pre_commit(self, *args: str) -> subprocess.CompletedProcess[str]:
        environment = {**_clean_environment(), "PRE_COMMIT_HOME": str(self.home)}
        command = [sys.executable, "-m", "pre_commit", "run", "--color", "never", *args]
        return subprocess.run(
            command, cwd=self.root, capture_output=True, text=True, env=environment, timeout=INSTALL_TIMEOUT
        )


@pytest.fixture
def project(tmp_path: Path, hook_repository: HookRepository, pre_commit_home: Path) -> Project:
    root = tmp_path / "service"
    root.mkdir()
    git("init", "--quiet", cwd=root)
    created = Project(root, hook_repository, pre_commit_home)
    created.write({"pyproject.toml": '[project]\nname = "service"\n', "app/__init__.py": "", "app/db/__init__.py": ""})
    return created


SESSION_WITHOUT_EXPIRE = """
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    engine = create_async_engine("postgresql+asyncpg://localhost/app")
    async_session = async_sessionmaker(engine)
"""

SESSION_CLEAN = """
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    engine = create_engine("postgresql://localhost/app")
    SessionLocal = sessionmaker(bind=engine)
"""

EMAIL = """
    import smtplib


    def send_welcome_email(address: str) -> None:
        with smtplib.SMTP("mail.example.com") as server:
            server.sendmail("hello@example.com", [address], "Welcome!")
"""

ROUTER_CLEAN = """
    from fastapi import APIRouter

    from app.db.session import SessionLocal

    router = APIRouter()


    @router.get("/users/count")
    def count_users() -> int:
        with SessionLocal() as db:
            return db.query(1).count()
"""

# Both findings need the other modules: SessionLocal is a session factory only
# because of app/db/session.py, and the task is heavy because of app/services/email.py.
ROUTER_BAD = """
    from fastapi import APIRouter, BackgroundTasks

    from app.db.session import SessionLocal
    from app.services.email import send_welcome_email

    router = APIRouter()


    @router.get("/users/count")
    def count_users() -> int:
        db = SessionLocal()
        return db.query(1).count()


    @router.post("/users")
    def create_user(address: str, background_tasks: BackgroundTasks) -> dict:
        background_tasks.add_task(send_welcome_email, address)
        return {"ok": True}
"""


def test_all_files_fails_with_the_findings_on_a_bad_commit(project: Project) -> None:
    project.write({"app/db/session.py": SESSION_WITHOUT_EXPIRE})
    project.use_hooks("fastapi-lint")
    commit_all(project.root, "bad")
    result = project.pre_commit("--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "fastapi-lint" in result.stdout and "Failed" in result.stdout
    assert "app/db/session.py:5:17: FAPI302 " in result.stdout
    # The hook changes nothing.
    assert "expire_on_commit" not in (project.root / "app/db/session.py").read_text()


def test_all_files_passes_on_a_clean_commit(project: Project) -> None:
    project.write({"app/db/session.py": SESSION_CLEAN, "app/users.py": ROUTER_CLEAN})
    project.use_hooks("fastapi-lint")
    commit_all(project.root, "clean")
    result = project.pre_commit("--all-files")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


def test_fix_hook_rewrites_the_file(project: Project) -> None:
    project.write({"app/db/session.py": SESSION_WITHOUT_EXPIRE})
    project.use_hooks("fastapi-lint-fix")
    commit_all(project.root, "fixable")
    first = project.pre_commit("--all-files")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    fixed = (project.root / "app/db/session.py").read_text()
    assert "async_session = async_sessionmaker(engine, expire_on_commit=False)\n" in fixed
    git("add", "-A", cwd=project.root)
    second = project.pre_commit("--all-files")
    assert second.returncode == 0, second.stdout + second.stderr


def test_staged_only_run_resolves_names_across_the_whole_project(project: Project) -> None:
    project.write(
        {
            "app/db/session.py": SESSION_CLEAN,
            "app/services/__init__.py": "",
            "app/services/email.py": EMAIL,
            "app/users.py": ROUTER_CLEAN,
            # Committed with a finding: a staged-only run must not report it.
            "app/legacy.py": SESSION_WITHOUT_EXPIRE,
        }
    )
    project.use_hooks("fastapi-lint")
    commit_all(project.root, "project")
    project.write({"app/users.py": ROUTER_BAD})
    git("add", "app/users.py", cwd=project.root)

    result = project.pre_commit()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "app/users.py:12:10: FAPI303 " in result.stdout
    assert "app/users.py:18:5: FAPI401 " in result.stdout
    assert "app/services/email.py" in result.stdout  # the evidence, read from the unchanged module
    assert "FAPI302" not in result.stdout and "app/legacy.py" not in result.stdout
