"""FAPI201 beyond the case format: whole projects, the settings-class pointer, fixes across files."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastapi_lint.linter.config import Settings
from fastapi_lint.linter.engine import Engine, RunOptions
from fastapi_lint.rules import env_read_outside_settings as rule_module

CONFIG = """\
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_", env_file=".env")

    database_url: str = "sqlite://"
    secret_key: str = __import__("os").getenv("APP_SECRET_KEY")


settings = Settings()
"""

ROUTES = """\
import os

from fastapi import APIRouter

router = APIRouter()


@router.get("/items")
def items() -> dict[str, str | None]:
    return {"db": os.environ.get("APP_DATABASE_URL"), "region": os.getenv("REGION")}
"""


def _run(root: Path, *paths: str, fix: bool = False, options: dict | None = None):
    settings = Settings(select=["FAPI201"], rule_options={"FAPI201": options or {}})
    result = Engine(settings, RunOptions(fix=fix), cwd=root).run([root / path for path in paths] or [root])
    assert not result.internal_errors, result.internal_errors
    assert not result.errors, result.errors
    return [d for d in result.diagnostics if d.code == "FAPI201"], result


def test_router_points_at_the_settings_class_across_modules(project) -> None:
    root = project(
        {
            "app/__init__.py": "",
            "app/core/__init__.py": "",
            "app/core/config.py": CONFIG,
            "app/api/__init__.py": "",
            "app/api/items.py": ROUTES,
        }
    )
    found, _ = _run(root, "app/api/items.py")
    assert [d.line for d in found] == [10, 10]
    by_variable = {d.message.split("`")[1]: d.message for d in found}
    # env_prefix="APP_": APP_DATABASE_URL is the field database_url.
    assert "`Settings` (app/core/config.py:4) already loads it as field `database_url`" in by_variable["APP_DATABASE_URL"]
    assert "Declare it as a field of `Settings` (app/core/config.py:4)" in by_variable["REGION"]


def test_settings_classes_are_scanned_once_per_run_and_only_for_findings(project, monkeypatch) -> None:
    calls: list[object] = []
    original = rule_module._scan_settings_classes

    def counting(index, bases):
        calls.append(index)
        return original(index, bases)

    monkeypatch.setattr(rule_module, "_scan_settings_classes", counting)
    root = project(
        {
            "app/__init__.py": "",
            "app/config.py": CONFIG.replace('__import__("os").getenv("APP_SECRET_KEY")', '"x"'),
            "app/a.py": "import os\nA = os.getenv('A')\n",
            "app/b.py": "import os\nB = os.getenv('B')\n",
        }
    )
    _run(root, "app/config.py")
    assert calls == []
    found, _ = _run(root, "app/a.py", "app/b.py")
    assert len(found) == 2
    assert len(calls) == 1


def test_fix_in_a_project_with_v1_config_class_prefix_and_case_sensitivity(project) -> None:
    root = project(
        {
            "app/__init__.py": "",
            "app/config.py": """\
                import os

                from pydantic import BaseSettings


                class Settings(BaseSettings):
                    db_url: str = os.getenv("APP_db_url", "sqlite://")
                    name: str = os.getenv("APP_NAME", "app")

                    class Config:
                        env_prefix = "APP_"
                        case_sensitive = True
                        env_file = os.getenv("ENV_FILE", ".env")
                """,
        }
    )
    found, _ = _run(root, "app/config.py")
    assert [d.line for d in found] == [7, 8]
    assert "The field is loaded from `APP_name`, not `APP_NAME`" in found[1].message
    _run(root, "app/config.py", fix=True)
    fixed = (root / "app/config.py").read_text(encoding="utf-8")
    assert 'db_url: str = "sqlite://"' in fixed
    assert 'name: str = os.getenv("APP_NAME", "app")' in fixed
    assert 'env_file = os.getenv("ENV_FILE", ".env")' in fixed


def test_fix_leaves_other_modules_alone_and_is_idempotent(project) -> None:
    root = project(
        {
            "app/__init__.py": "",
            "app/core/__init__.py": "",
            "app/core/config.py": CONFIG.replace('__import__("os").getenv', "os.getenv").replace(
                "from pydantic_settings", "import os\n\nfrom pydantic_settings"
            ),
            "app/api/__init__.py": "",
            "app/api/items.py": ROUTES,
        }
    )
    _, result = _run(root, fix=True)
    assert result.fixed == 1
    config = (root / "app/core/config.py").read_text(encoding="utf-8")
    assert "    secret_key: str\n" in config
    assert (root / "app/api/items.py").read_text(encoding="utf-8") == ROUTES
    found, again = _run(root, fix=True)
    assert again.fixed == 0
    assert {d.path for d in found} == {"app/api/items.py"}


def test_extra_settings_bases_option(project) -> None:
    root = project(
        {
            "app/__init__.py": "",
            "app/config.py": """\
                import os

                from corelib import AppConfig


                class Settings(AppConfig):
                    url: str = os.getenv("URL", "x")


                PROFILE = os.getenv("PROFILE")
                """,
        }
    )
    found, _ = _run(root, "app/config.py")
    assert [d.line for d in found] == [7, 10]
    found, _ = _run(root, "app/config.py", options={"extra-settings-bases": ["corelib.AppConfig"]})
    assert [d.line for d in found] == [7]
    assert found[0].message.startswith("Field `url` of settings class `Settings`")


def test_src_layout_and_broken_modules_do_not_stop_the_scan(project) -> None:
    root = project(
        {
            "src/app/__init__.py": "",
            "src/app/broken.py": "def (:\n",
            "src/app/settings.py": (
                "from pydantic_settings import BaseSettings\n\n\nclass AppSettings(BaseSettings):\n    debug: bool = False\n"
            ),
            "src/app/main.py": "import os\n\nDEBUG = os.getenv('DEBUG')\n",
        }
    )
    found, _ = _run(root, "src/app/main.py")
    assert len(found) == 1
    assert "`AppSettings` (src/app/settings.py:4) already loads it as field `debug`" in found[0].message


@pytest.mark.parametrize(
    "annotation",
    ["Optional[str]", "Union[str, None]", "str | None", "Any", "Annotated[str | None, 'doc']"],
)
def test_annotations_admitting_none_keep_a_none_default(project, annotation: str) -> None:
    source = (
        "import os\nfrom typing import Annotated, Any, Optional, Union\n\nfrom pydantic_settings import BaseSettings\n\n\n"
        f"class Settings(BaseSettings):\n    dsn: {annotation} = os.getenv('DSN')\n"
    )
    root = project({"app/__init__.py": "", "app/config.py": source})
    _run(root, "app/config.py", fix=True)
    assert (root / "app/config.py").read_text(encoding="utf-8").endswith(f"    dsn: {annotation} = None\n")


def test_unknown_annotation_gets_no_fix(project) -> None:
    source = (
        "import os\n\nfrom app.types import MaybeStr\nfrom pydantic_settings import BaseSettings\n\n\n"
        "class Settings(BaseSettings):\n    dsn: MaybeStr = os.getenv('DSN')\n"
    )
    types = "from typing import Optional\nMaybeStr = Optional[str]\n"
    root = project({"app/__init__.py": "", "app/types.py": types, "app/config.py": source})
    found, _ = _run(root, "app/config.py")
    assert len(found) == 1 and found[0].fix is None


# -- the fix that reads the settings object ------------------------------------------------


def _fix_project(root: Path):
    settings = Settings(select=["FAPI201"])
    result = Engine(settings, RunOptions(fix=True, unsafe_fixes=True), cwd=root).run([root])
    assert not result.internal_errors, result.internal_errors
    assert not result.errors, result.errors
    return result


def test_a_new_settings_module_is_created_once_and_extended_on_later_passes(project) -> None:
    root = project(
        {
            "requirements.txt": "fastapi\npydantic-settings\n",
            "app/__init__.py": "",
            "app/api/__init__.py": "",
            "app/api/users.py": "import os\n\nPAGE = int(os.getenv('PAGE_SIZE', '50'))\n",
            "app/api/items.py": "import os\n\n\ndef url() -> str:\n    return os.environ['ITEMS_URL']\n",
        }
    )
    first = Engine(Settings(select=["FAPI201"]), RunOptions(unsafe_fixes=True), cwd=root).run([root])
    creating = [d for d in first.diagnostics if d.fix is not None]
    assert len(creating) == 2
    kinds = {(Path(edit.path).as_posix(), edit.kind) for edit in creating[0].fix.edits}
    assert ("app/core/__init__.py", "create") in kinds and ("app/core/config.py", "create") in kinds

    _fix_project(root)
    assert (root / "app/core/__init__.py").read_text(encoding="utf-8") == ""
    assert (root / "app/core/config.py").read_text(encoding="utf-8") == (
        "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n"
        "    items_url: str\n    page_size: int = 50\n\n\nsettings = Settings()\n"
    )
    assert (root / "app/api/users.py").read_text(encoding="utf-8") == (
        "from app.core.config import settings\n\nPAGE = settings.page_size\n"
    )
    assert (root / "app/api/items.py").read_text(encoding="utf-8") == (
        "from app.core.config import settings\n\n\ndef url() -> str:\n    return settings.items_url\n"
    )
    before = {path: path.read_bytes() for path in root.rglob("*.py")}
    again = _fix_project(root)
    assert again.fixed == 0
    assert {path: path.read_bytes() for path in root.rglob("*.py")} == before


def test_without_unsafe_fixes_nothing_moves_to_the_settings(project) -> None:
    root = project(
        {
            "app/__init__.py": "",
            "app/core/__init__.py": "",
            "app/core/config.py": CONFIG,
            "app/api/__init__.py": "",
            "app/api/items.py": ROUTES,
        }
    )
    found, _ = _run(root, "app/api/items.py", fix=True)
    assert (root / "app/api/items.py").read_text(encoding="utf-8") == ROUTES
    fixes = {d.message.split("`")[1]: d.fix for d in found}
    assert fixes["APP_DATABASE_URL"] is not None and fixes["APP_DATABASE_URL"].applicability == "unsafe"
    assert fixes["APP_DATABASE_URL"].message == "Read `APP_DATABASE_URL` from `settings.database_url`"
    # env_prefix="APP_": REGION cannot be a field of this class.
    assert fixes["REGION"] is None
