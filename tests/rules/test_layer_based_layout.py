"""FAPI101 layer-based-layout: project-level checks that do not fit the case format."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastapi_lint.linter.config import Settings
from fastapi_lint.linter.engine import Engine, RunOptions
from fastapi_lint.rules.layer_based_layout import feature_name, singular

LAYERED = {
    "app/__init__.py": "",
    "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
    "app/api/__init__.py": "",
    "app/api/deps.py": "",
    "app/api/v1/__init__.py": "",
    "app/api/v1/api.py": "",
    "app/api/v1/endpoints/__init__.py": "",
    "app/api/v1/endpoints/users.py": "",
    "app/api/v1/endpoints/items.py": "",
    "app/crud/__init__.py": "",
    "app/crud/crud_user.py": "",
    "app/crud/crud_item.py": "",
    "app/models/__init__.py": "",
    "app/models/user.py": "",
    "app/models/item.py": "",
    "app/schemas/__init__.py": "",
    "app/schemas/users.py": "",
    "app/services/user_service.py": "",
}


def _run(root: Path, target: Path | None = None, **options: object):
    settings = Settings(select=["FAPI101"], rule_options={"FAPI101": dict(options)})
    result = Engine(settings, RunOptions(), cwd=root).run([target or root])
    assert not result.internal_errors, result.internal_errors
    return [d for d in result.diagnostics if d.code == "FAPI101"]


def test_message_names_package_features_and_files(project) -> None:
    root = project(LAYERED)
    [finding] = _run(root)
    assert finding.path == "app/__init__.py"
    assert (finding.line, finding.column) == (1, 1)
    assert "Package `app`" in finding.message
    assert "(api/v1/endpoints/, crud/, models/, schemas/, services/)" in finding.message
    assert (
        "`user` (api/v1/endpoints/users.py, crud/crud_user.py, models/user.py, schemas/users.py, "
        "services/user_service.py)"
    ) in finding.message
    assert "`item` (api/v1/endpoints/items.py, crud/crud_item.py, models/item.py)" in finding.message
    # The most spread feature comes first, and plumbing modules are not features.
    assert finding.message.index("`user`") < finding.message.index("`item`")
    assert "deps" not in finding.message and "api.py" not in finding.message
    assert "`users/router.py`" in finding.message


def test_noqa_in_package_init_silences(project) -> None:
    root = project({**LAYERED, "app/__init__.py": "# Layered on purpose.  # noqa: FAPI101\n"})
    assert _run(root) == []


def test_noqa_for_another_code_does_not_silence(project) -> None:
    root = project({**LAYERED, "app/__init__.py": "# noqa: FAPI201\n"})
    assert len(_run(root)) == 1


def test_ignored_by_config(project) -> None:
    root = project(LAYERED)
    settings = Settings(select=["FAPI101"], per_file_ignores={"app/__init__.py": ["FAPI101"]}, base_directory=root)
    result = Engine(settings, RunOptions(), cwd=root).run([root])
    assert [d for d in result.diagnostics if d.code == "FAPI101"] == []


def test_two_layered_packages_reported_once_each(project) -> None:
    files = {f"svc_a/{path}": text for path, text in LAYERED.items()}
    files.update({f"svc_b/{path}": text for path, text in LAYERED.items()})
    root = project(files)
    findings = _run(root)
    assert sorted(d.path for d in findings) == ["svc_a/app/__init__.py", "svc_b/app/__init__.py"]
    assert all(d.message.count("`user` (") == 1 for d in findings)
    assert all("Package `app`" in d.message and "models/user.py" in d.message for d in findings)


def test_nested_project_is_reported_by_its_own_index_only(project) -> None:
    files = {f"examples/layered/{path}": text for path, text in LAYERED.items()}
    files["examples/layered/pyproject.toml"] = '[project]\nname = "layered"\n'
    files["src/tool/__init__.py"] = ""
    root = project(files)
    findings = _run(root)
    assert [d.path for d in findings] == ["examples/layered/app/__init__.py"]


def test_src_layout_names_the_package(project) -> None:
    root = project({f"src/{path}": text for path, text in LAYERED.items()})
    [finding] = _run(root)
    assert finding.path == "src/app/__init__.py"
    assert "Package `app`" in finding.message


def test_nested_layer_folders_are_one_package(project) -> None:
    root = project(
        {
            "app/__init__.py": "",
            "app/api/routes/users.py": "",
            "app/api/routes/items.py": "",
            "app/api/schemas/user.py": "",
            "app/api/schemas/item.py": "",
            "app/models/user.py": "",
        }
    )
    [finding] = _run(root)
    assert finding.path == "app/__init__.py"
    assert "`user` (api/routes/users.py, api/schemas/user.py, models/user.py)" in finding.message


def test_realworld_layout(project) -> None:
    # nsidnev/fastapi-realworld-example-app: db/repositories, models/domain and models/schemas.
    root = project(
        {
            "app/__init__.py": "",
            "app/main.py": "",
            "app/api/routes/api.py": "",
            "app/api/routes/articles/__init__.py": "",
            "app/api/routes/articles/articles_resource.py": "",
            "app/api/routes/authentication.py": "",
            "app/api/routes/profiles.py": "",
            "app/db/events.py": "",
            "app/db/repositories/base.py": "",
            "app/db/repositories/articles.py": "",
            "app/db/repositories/profiles.py": "",
            "app/models/domain/articles.py": "",
            "app/models/domain/profiles.py": "",
            "app/models/schemas/articles.py": "",
            "app/services/authentication.py": "",
            "app/services/jwt.py": "",
        }
    )
    [finding] = _run(root)
    assert "(api/routes/, db/repositories/, models/, models/schemas/, services/)" in finding.message
    assert "`article` (api/routes/articles/__init__.py" in finding.message
    assert "`authentication` (api/routes/authentication.py, services/authentication.py)" in finding.message
    assert "`domain`" not in finding.message


def test_api_versions_are_not_layers(project) -> None:
    root = project(
        {
            "app/__init__.py": "",
            "app/api/v1/endpoints/users.py": "",
            "app/api/v1/endpoints/items.py": "",
            "app/api/v2/endpoints/users.py": "",
            "app/api/v2/endpoints/items.py": "",
        }
    )
    assert _run(root) == []


def test_flat_project_at_the_root(project) -> None:
    root = project(
        {
            "main.py": "",
            "routers/users.py": "",
            "routers/orders.py": "",
            "models/user.py": "",
            "models/order.py": "",
        }
    )
    [finding] = _run(root)
    assert finding.path == "main.py"
    assert finding.message.startswith("The project root is organised by layer (models/, routers/)")
    assert "`order`" in finding.message and "`user`" in finding.message


def test_feature_package_with_inner_layers(project) -> None:
    # ``users/`` holding ``models/user.py`` and ``routers/users.py``: the feature itself, not a spread.
    root = project(
        {
            "app/__init__.py": "",
            "app/users/__init__.py": "",
            "app/users/models/user.py": "",
            "app/users/routers/users.py": "",
            "app/items/__init__.py": "",
            "app/items/router.py": "",
        }
    )
    assert _run(root) == []


def test_feature_subpackages_inside_layers(project) -> None:
    root = project(
        {
            "app/__init__.py": "",
            "app/routers/users/__init__.py": "",
            "app/routers/users/admin.py": "",
            "app/routers/items/__init__.py": "",
            "app/models/user.py": "",
            "app/models/item.py": "",
        }
    )
    [finding] = _run(root)
    assert "`user` (models/user.py, routers/users/__init__.py, routers/users/admin.py)" in finding.message


def test_finding_outside_the_linted_paths_is_dropped(project) -> None:
    root = project({**LAYERED, "other/__init__.py": "", "other/x.py": ""})
    assert _run(root, root / "other") == []


@pytest.mark.parametrize(
    "word, expected",
    [("users", "user"), ("categories", "category"), ("addresses", "address"), ("boxes", "box"),
     ("status", "status"), ("statuses", "status"), ("matches", "match"), ("item", "item")],
)
def test_singular(word: str, expected: str) -> None:
    assert singular(word) == expected


@pytest.mark.parametrize(
    "stem, expected",
    [
        ("crud_user", "user"),
        ("user_service", "user"),
        ("users_router", "user"),
        ("UserProfiles", "userprofile"),
        ("user_profiles", "user_profile"),
        ("api_keys", "api_key"),
        ("user_api", "user"),
        ("__init__", None),
        ("crud_base", None),
        ("base_model", None),
        ("deps", None),
        ("api", None),
        ("router", None),
        ("v1", None),
        ("database", None),
    ],
)
def test_feature_name(stem: str, expected: str | None) -> None:
    assert feature_name(stem) == expected


def test_extra_layer_words_are_stripped() -> None:
    assert feature_name("user_manager", frozenset({"manager", "managers"})) == "user"


# -- the restructure (unsafe fix) --------------------------------------------------

from fastapi_lint.rules._import_rewrite import relative_from, resolve_relative  # noqa: E402

SMALL = {
    "app/__init__.py": "",
    "app/routers/__init__.py": "",
    "app/routers/users.py": "",
    "app/routers/items.py": "",
    "app/models/__init__.py": "",
    "app/models/user.py": "",
    "app/models/item.py": "",
}


def _fix(root: Path, **options: object):
    settings = Settings(select=["FAPI101"], rule_options={"FAPI101": dict(options)})
    result = Engine(settings, RunOptions(fix=True, unsafe_fixes=True), cwd=root).run([root])
    assert not result.internal_errors and not result.errors, (result.internal_errors, result.errors)
    return result


def test_relative_names() -> None:
    assert resolve_relative("app.api.v1.endpoints", 1, "") == "app.api.v1.endpoints"
    assert resolve_relative("app.api.v1.endpoints", 3, "deps") == "app.api.deps"
    assert resolve_relative("app", 2, "x") is None
    assert relative_from("app.users", "app.crud.base") == (2, "crud.base")
    assert relative_from("app.users", "app.users.models") == (1, "models")
    assert relative_from("app.users", "app.users") == (1, "")
    assert relative_from("app.users", "other.mod") is None


def test_fix_is_unsafe_and_lists_every_file(project) -> None:
    root = project(SMALL)
    [finding] = _run(root)
    assert finding.fix is not None and finding.fix.applicability == "unsafe"
    assert finding.fix.message == "Move 4 modules into feature packages (app/items/, app/users/) and rewrite their imports"
    moves = {(edit.source, edit.path) for edit in finding.fix.edits if edit.kind == "move"}
    assert ("app/routers/users.py", "app/users/router.py") in moves
    assert ("app/models/item.py", "app/items/models.py") in moves
    assert {edit.path for edit in finding.fix.edits if edit.kind == "create"} == {
        "app/users/__init__.py",
        "app/items/__init__.py",
    }


def test_an_import_cycle_the_move_would_create_blocks_the_fix(project) -> None:
    # app/models/__init__.py re-exports User and defines Base, which user.py imports from the
    # package: fine while user.py lives inside it, a cycle once it has moved out.
    root = project(
        {
            **SMALL,
            "app/models/__init__.py": "class Base:\n    pass\n\n\nfrom .user import User\n",
            "app/models/user.py": "from app.models import Base\n\n\nclass User(Base):\n    pass\n",
        }
    )
    [finding] = _run(root)
    assert finding.fix is None
    assert "No fix: the restructure would create the import cycle app.users.models -> app.models -> app.users.models" in (
        finding.message
    )


def test_module_discovery_and_dunder_import_are_listed(project) -> None:
    root = project(
        {
            **SMALL,
            "app/loader.py": (
                "import pkgutil\n\nfrom app import routers\n\n"
                "NAMES = [m.name for m in pkgutil.iter_modules(routers.__path__)]\nX = __import__('app.models.user')\n"
            ),
        }
    )
    [finding] = _run(root)
    assert finding.fix is None
    assert "app/loader.py:5 (`pkgutil.iter_modules` finds modules by folder)" in finding.message
    assert "app/loader.py:6 (dynamic import with `__import__`)" in finding.message


def test_docstrings_and_unrelated_strings_are_not_references(project) -> None:
    root = project(
        {
            **SMALL,
            "app/routers/users.py": '"""Uses app.models.user."""\n\nNAME = "app.models"\n',
            "app/models/user.py": 'def f():\n    """See app.routers.users."""\n',
        }
    )
    [finding] = _run(root)
    assert finding.fix is not None, finding.message


def test_names_a_package_defines_and_odd_statements(project) -> None:
    root = project(
        {
            **SMALL,
            # ``user`` here is the package's own name, not the submodule: left alone.
            "app/models/__init__.py": "user = 1\n",
            "app/api.py": (
                "from app.routers import (  # the routers\n    items,\n    users,\n    health,\n)\n"
                "if True: from app.models import user; import app.models.item\n"
            ),
            "app/routers/health.py": "",
        }
    )
    _fix(root)
    assert (root / "app/api.py").read_text() == (
        "from app.routers import health\nfrom app.items import router as items\nfrom app.users import router as users\n"
        "if True: from app.models import user; import app.items.models\n"
    )
    assert (root / "app/routers/health.py").exists()


def test_no_fix_for_two_layered_packages_in_one_project(project) -> None:
    root = project({**SMALL, **{path.replace("app/", "admin/"): text for path, text in SMALL.items()}})
    findings = _run(root)
    assert len(findings) == 2
    assert all(finding.fix is None for finding in findings)
    assert all("No fix: the project has 2 layered packages (the fix restructures one)." in f.message for f in findings)


def test_single_layer_modules_and_shared_modules_stay(project) -> None:
    root = project({**SMALL, "app/routers/health.py": "", "app/models/base.py": "", "app/services/email_service.py": ""})
    _fix(root)
    for stays in ("app/routers/health.py", "app/models/base.py", "app/services/email_service.py"):
        assert (root / stays).exists(), stays
    assert (root / "app/users/router.py").exists() and not (root / "app/routers/users.py").exists()
    assert _run(root) == []


def test_root_level_layers_never_shadow_the_standard_library(project) -> None:
    # At the project root a feature package is a top-level package: ``email/`` would hide the stdlib's.
    root = project({"routers/email.py": "", "models/email.py": "", "routers/users.py": "", "models/user.py": ""})
    [finding] = _run(root)
    assert finding.fix is None
    assert "No fix: a top-level package `email` would shadow the standard library." in finding.message


def test_root_level_feature_packages_with_other_names_are_fine(project) -> None:
    root = project({"routers/emails.py": "", "models/email.py": "", "routers/users.py": "", "models/user.py": ""})
    [finding] = _run(root)
    assert finding.fix is not None, finding.message


def test_a_moved_module_reached_through_its_old_package_is_listed(project) -> None:
    root = project(
        {
            **SMALL,
            "app/models/__init__.py": "from .user import User\n",
            "app/main.py": "from app import models\nimport app.models as m\n\nX = models.user\nY = m.item.Item\nZ = models.User\n",
        }
    )
    [finding] = _run(root)
    assert finding.fix is None
    assert "app/main.py:4 (`models.user` reaches a moved module through its old package)" in finding.message
    assert "app/main.py:5 (`m.item` reaches a moved module through its old package)" in finding.message
    assert "main.py:6" not in finding.message


def test_fix_message_names_feature_packages_and_shared_moves(project) -> None:
    root = project(
        {
            **SMALL,
            "app/models/__init__.py": "from .user import User\n",
            "app/models/base.py": "class Base:\n    pass\n",
            "app/models/user.py": "from app.models.base import Base\n\n\nclass User(Base):\n    pass\n",
        }
    )
    [finding] = _run(root)
    assert finding.fix is not None, finding.message
    assert finding.fix.message == (
        "Move 4 modules into feature packages (app/items/, app/users/) and rewrite their imports; "
        "move 1 shared module(s) they import into app/core/"
    )


def test_split_imports_keep_their_style(project) -> None:
    root = project(
        {
            **SMALL,
            "app/routers/health.py": "",
            "app/routers/admin.py": "",
            "app/models/__init__.py": "Base = 1\n",
            "app/api.py": (
                "from app.routers import (\n    items,\n    health,\n    users,\n    admin,\n)\n"
                "from app.models import (user, Base)  # models\n"
            ),
        }
    )
    _fix(root)
    assert (root / "app/api.py").read_text() == (
        "from app.routers import (\n    health,\n    admin,\n)\n"
        "from app.items import router as items\nfrom app.users import router as users\n"
        "from app.models import Base  # models\nfrom app.users import models as user\n"
    )
