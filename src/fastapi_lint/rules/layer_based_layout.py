"""FAPI101 layer-based-layout: a package split by technical layer, each feature spread across it."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

from fastapi_lint.linter import observe
from fastapi_lint.linter.diagnostics import Edit, Fix
from fastapi_lint.linter.index import PROJECT_MARKERS
from fastapi_lint.linter.project_edits import create_file, move_file
from fastapi_lint.linter.rule import Invalid, Option, ProjectFinding, ProjectRule, Valid
from fastapi_lint.rules._restructure_plan import LayerFile, RestructurePlan, plan_restructure, relocate_shared_modules

if TYPE_CHECKING:
    from fastapi_lint.linter.index import ProjectIndex
    from fastapi_lint.rules._import_graph import ImportGraph
    from fastapi_lint.rules._import_rewrite import Problem


# Folder name -> the layer it stands for; synonyms share a layer, so that
# ``api/v1/endpoints/users.py`` and ``routers/users.py`` are never two layers.
LAYER_KINDS: Mapping[str, str] = {
    **dict.fromkeys(
        ("routers", "router", "routes", "route", "endpoints", "endpoint", "api", "apis", "views", "controllers",
         "controller", "handlers"),
        "routes",
    ),
    **dict.fromkeys(("models", "model", "entities", "entity", "orm", "tables"), "models"),
    **dict.fromkeys(("schemas", "schema", "dtos", "dto", "serializers"), "schemas"),
    **dict.fromkeys(("services", "service", "usecases", "use_cases", "interactors"), "services"),
    **dict.fromkeys(("crud", "cruds", "repositories", "repository", "repos", "repo", "dal", "dao", "daos"), "crud"),
}

# Words that name a layer rather than a feature: ``crud_user``, ``user_service``, ``users_router``.
_LAYER_WORDS = frozenset(
    {
        "crud", "repo", "repos", "repository", "repositories", "service", "services", "svc", "router", "routers",
        "route", "routes", "endpoint", "endpoints", "view", "views", "controller", "controllers", "handler",
        "handlers", "model", "models", "schema", "schemas", "dao", "dal", "dto", "dtos", "entity", "entities",
        "table", "tables", "orm", "usecase", "usecases", "serializer", "serializers",
    }
)
# Stripped only at the end (``user_api``): as a prefix they start real names (``api_key``).
_SUFFIX_ONLY_WORDS = frozenset({"api"})

# Modules that hold shared plumbing, not a feature, wherever they sit.
GENERIC_NAMES = frozenset(
    {
        "", "__init__", "__main__", "base", "bases", "base_class", "deps", "dependencies", "dependency", "utils",
        "util", "utilities", "helpers", "helper", "common", "core", "shared", "api", "apis", "main", "app",
        "application", "session", "sessions", "database", "db", "config", "configs", "settings", "constants",
        "const", "exceptions", "exception", "errors", "error", "enums", "enum", "types", "typing", "mixins",
        "mixin", "meta", "metadata", "registry", "init_db", "init", "version", "__version__", "generic", "generics",
        "abstract", "interfaces", "interface", "protocols", "protocol", "validators", "fields", "pagination",
        "paginations", "page", "paging", "responses", "response", "requests", "request", "all", "index", "conftest",
        "engine", "logging", "logger", "setup", "domain", "infra", "infrastructure", "persistence", "internal",
        "external", "public", "private",
        # Layer names used as module names: ``api/v1/router.py``, ``models/model.py``.
        *LAYER_KINDS,
        *_LAYER_WORDS,
    }
)

# Folders that only group by API version (``api/v1/endpoints``): looked through.
_VERSION = re.compile(r"^(?:v|version|api_v|api)\d+(?:_\d+)*$")
# Folders that only group layers (``app/db/repositories``): looked through, never layers themselves.
_GROUPING_FOLDERS = frozenset({"db", "database", "persistence"})
# Test trees mirror the app's layout; they are not the layout itself.
_SKIPPED_FOLDERS = frozenset({"tests", "test"})
_MAX_FEATURES_SHOWN = 6
_MAX_FILES_SHOWN = 6
_MAX_PROBLEMS_SHOWN = 8


def singular(word: str) -> str:
    """``users`` -> ``user``, ``categories`` -> ``category``, ``addresses`` -> ``address``."""
    if len(word) <= 3:
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zzes", "uses", "oes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _match_key(word: str) -> str:
    # Irregular plurals leave a trailing e/y behind (``movies`` -> ``movy``, ``caches`` -> ``cach``):
    # dropping it makes both numbers of a word meet.
    if word.endswith("e"):
        word = word[:-1]
    if word.endswith("y"):
        word = word[:-1] + "i"
    return word


def feature_name(stem: str, extra_words: frozenset[str] = frozenset()) -> str | None:
    """The feature a module or folder name stands for, singular, or None when it is
    plumbing (``crud_user`` -> ``user``, ``user_service`` -> ``user``, ``deps`` -> None).

    ``extra_words`` are more layer words (from ``extra-layers``), stripped like ``service``."""
    lowered = stem.lower()
    if lowered in GENERIC_NAMES or lowered in extra_words or lowered.startswith("_"):
        return None
    layer_words = _LAYER_WORDS | extra_words
    tokens = [token for token in lowered.split("_") if token]
    while tokens and tokens[0] in layer_words:
        tokens.pop(0)
    while tokens and (tokens[-1] in layer_words or tokens[-1] in _SUFFIX_ONLY_WORDS or _VERSION.match(tokens[-1])):
        tokens.pop()
    if not tokens:
        return None
    tokens[-1] = singular(tokens[-1])
    name = "_".join(tokens)
    if name in GENERIC_NAMES or name in extra_words or singular(lowered) in GENERIC_NAMES:
        return None
    if len(name) < 2 or name.isdigit():
        return None
    return name


@dataclass
class _Package:
    """A folder holding layer folders, and what they hold."""

    parts: tuple[str, ...]
    # Feature key -> layer -> files (relative posix paths).
    features: dict[str, dict[str, list[str]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    # Feature key -> the name shown (the shortest spelling met).
    shown: dict[str, str] = field(default_factory=dict)
    layer_folders: set[str] = field(default_factory=set)
    # Every (module, feature, layer) met, for the fix.
    entries: list[LayerFile] = field(default_factory=list)

    def add(self, feature: str, layer: str, path: str) -> None:
        key = _match_key(feature)
        self.entries.append(LayerFile(path, key, layer))
        files = self.features[key][layer]
        if path not in files:
            files.append(path)
        current = self.shown.get(key)
        if current is None or (len(feature), feature) < (len(current), current):
            self.shown[key] = feature

    def spread(self) -> list[str]:
        """The features found in two layers or more, most spread first."""
        keys = [key for key, layers in self.features.items() if len(layers) >= 2]
        return sorted(keys, key=lambda key: (-len(self.features[key]), self.shown[key]))


class LayerBasedLayout(ProjectRule):
    """## What it does
    Flags a package organised by technical layer (`routers/`, `models/`, `schemas/`,
    `services/`, `crud/`, `repositories/`...) where the same feature is spread across
    several of these folders: `routers/users.py`, `models/user.py`, `schemas/user.py`,
    `crud/crud_user.py`. Layers nested under version or `db/` folders
    (`api/v1/endpoints/`, `db/repositories/`) are looked through, and names are
    matched across singular/plural and layer prefixes or suffixes (`crud_`,
    `_service`, `_router`). The finding is reported once per
    package, on its `__init__.py` (or its first file when it has none); a
    `# noqa: FAPI101` comment anywhere in that file silences it.

    Only folders count as layers: single modules such as `models.py` or `crud.py`
    hold no features to compare. A feature-based layout (`users/router.py`,
    `users/service.py`), a project with a single feature and test packages
    (`tests/`, `test/`) are never flagged.

    ## Why is this bad?
    Code that changes together lives apart. Adding a field to "users" means editing a
    file in every layer folder, the boundaries between features are invisible (any
    router can import any model), and a feature cannot be moved, owned or deleted as
    one unit. As the application grows, each layer folder turns into a long list of
    unrelated modules. Grouping by feature keeps each domain's router, schemas,
    models and service together, with a small public surface.

    ## Example
    ```python
    # app/
    #     routers/users.py      routers/items.py
    #     models/user.py        models/item.py
    #     schemas/user.py       schemas/item.py
    #     crud/crud_user.py     crud/crud_item.py
    ```

    ## Use instead
    ```python
    # app/
    #     users/router.py  users/models.py  users/schemas.py  users/service.py
    #     items/router.py  items/models.py  items/schemas.py  items/service.py
    #     core/config.py   core/database.py
    ```

    ## Fix safety
    An unsafe fix (`--unsafe-fixes`; preview it with `--diff`) restructures the
    package, when it is the only layered package of the project. Each module of a
    feature spread across layers moves into a feature package in the same parent
    package (`app/users/`), named after the feature as the project spells it:
    plural when one of its modules has a plural name (`routers/users.py`), else
    singular (`models/auth.py` + `services/auth_service.py` -> `auth/`). The
    file name comes from the layer:

    | from | to |
    | --- | --- |
    | `routers/users.py`, `api/v1/endpoints/users.py`, `views/`, `controllers/`... | `users/router.py` |
    | `models/user.py`, `entities/`, `orm/`... | `users/models.py` |
    | `schemas/user.py`, `dtos/`, `serializers/`... | `users/schemas.py` |
    | `services/user_service.py`, `usecases/`... | `users/service.py` |
    | `crud/crud_user.py` | `users/crud.py` |
    | `repositories/user_repository.py`, `repos/` | `users/repository.py` |
    | an `extra-layers` folder (`managers/user_manager.py`) | `users/manager.py` |

    Prefixes and suffixes naming the layer (`crud_`, `_service`, `_router`,
    `_repository`...) are dropped and singular and plural are one feature.
    A module alone in its layer (`services/email_service.py`, `schemas/token.py`,
    `endpoints/login.py`) is not a spread feature and stays. Shared modules
    (`core/`, `db/`, `config.py`, base classes, `deps.py`, aggregators such as
    `api/v1/api.py`) and the layer packages' `__init__.py` files stay where they
    are, with one exception: a shared module that moved modules import from a
    layer package whose `__init__.py` imports moved modules (`crud/base.py` next
    to a `crud/__init__.py` holding `from .crud_user import user`) moves to
    `core/` (`core/crud_base.py`), because importing it from its old place
    would run that `__init__.py` while the moved module is half initialised, an
    import cycle the layered layout never had. Any other new cycle of that kind
    blocks the fix. A `__init__.py` (a one-line docstring) is created in each new
    package when the parent package has one. Moves are plain moves (`git mv`
    inside a git work tree), so history follows the files. A layer package left
    with only an empty `__init__.py` keeps it (fixes never delete files): remove
    it by hand once nothing imports it.

    Every reference to a moved module in the project (tests included) is
    rewritten: absolute and relative imports (`from app.routers import users`
    becomes `from app.users import router as users`, so the code using the name
    is unchanged), `import app.models.user as m`, `import app.models.user` and
    its dotted uses, the relative imports inside the moved modules (their package
    changed), re-exports in `__init__.py` files, and strings that are provably
    module paths (the first argument of `importlib.import_module`,
    `unittest.mock.patch`, `monkeypatch.setattr`, `mocker.patch`,
    `pkgutil.resolve_name`, `uvicorn.run`).

    It is unsafe because importing a moved module no longer runs its old layer
    package's `__init__.py` (code relying on that side effect, such as a
    `models/__init__.py` importing every model, must be imported elsewhere),
    and because code outside the project (scripts, other repositories,
    configuration files) may name the old modules.

    No fix is offered when the planner cannot place every module (a feature
    folder inside a layer, two modules becoming the same file, a target that
    exists, two layered packages in one project); the message says why. When some
    references cannot be rewritten safely (`importlib.import_module` with a
    computed name, `__import__`, `pkgutil.iter_modules`/`walk_packages`, a string
    naming a moved module elsewhere, `models.user` reaching a moved module as an
    attribute of its old package after `from app import models`) they are listed
    in the message and the fix is offered only with the `force-restructure` option.

    Planning the restructure rewrites every import of the project, so a plain
    report (text output) leaves it out, with its reasons: it is planned with
    `--fix`, `--diff` and the JSON, JSON-lines and SARIF output formats (the
    reason "two layered packages in one project" is given everywhere).

    ## Options
    - `extra-layers` (list of str, default `[]`): more folder names to treat as
      layers, each as its own layer (`["managers", "adapters"]`).
    - `force-restructure` (bool, default `false`): offer the restructure even when
      some references to the moved modules cannot be rewritten safely; they are
      listed in the message for you to check by hand.
    """

    code = "FAPI101"
    name = "layer-based-layout"
    summary = "Package organised by layer, with features spread across layer folders"
    fix_availability = "unsafe"
    options = {
        "extra-layers": Option(list, [], "More folder names to treat as layers (each its own layer).", item_type=str),
        "force-restructure": Option(
            bool,
            False,
            "Offer the restructure even when some references to the moved modules cannot be rewritten "
            "(dynamic imports, unproven module-path strings); they are listed in the message for you to check.",
        ),
    }

    MESSAGE = (
        "{package} is organised by layer ({layers}) and spreads features across them: {features}. "
        "Code that changes together lives in separate folders, so every change to a feature touches every layer "
        "and features have no boundaries. Group each feature in its own package instead "
        "(`{example}/router.py`, `{example}/schemas.py`, `{example}/service.py`...)."
    )

    FIX_MESSAGE = "Move {count} modules into feature packages ({packages}) and rewrite their imports"
    FIX_SHARED = "; move {count} shared module(s) they import into {folder}"
    NO_FIX = " No fix: {reasons}."
    UNSAFE_REFERENCES = (
        " The restructure is not offered: these references to the moved modules cannot be rewritten safely: "
        "{problems}. Set `force-restructure = true` under `[tool.fastapi-lint.rules.FAPI101]` to restructure anyway."
    )
    FORCED_REFERENCES = " Check these references by hand after the restructure (`force-restructure` is set): {problems}."

    def check_project(self, index: ProjectIndex) -> Iterable[ProjectFinding]:
        extra = self._extra_layers()
        kinds = {**LAYER_KINDS, **{name: name for name in extra}}
        # ``managers`` as a layer also makes ``user_manager`` the feature ``user``.
        words = extra | {singular(name) for name in extra}
        relative = self._project_files(index)
        packages: dict[tuple[str, ...], _Package] = {}
        for parts in relative:
            self._place(parts, kinds, words, packages)
        findings = []
        flagged = []
        for package in sorted(packages.values(), key=lambda package: package.parts):
            finding = self._judge(package, index, relative)
            if finding is not None:
                findings.append(finding)
                flagged.append(package)
        # One restructure per project: two layered packages in one project are left to do by hand.
        if len(findings) == 1:
            # Planning rewrites every import of the project with LibCST (seconds on a
            # large project): left to runs that fix, preview or report fixes as data.
            if index.plan_project_fixes:
                findings[0] = self._with_fix(findings[0], flagged[0], index, kinds, words)
        else:
            reason = self.NO_FIX.format(reasons=f"the project has {len(findings)} layered packages (the fix restructures one)")
            findings = [replace(finding, message=finding.message + reason) for finding in findings]
        return findings

    def _with_fix(
        self, finding: ProjectFinding, package: _Package, index: ProjectIndex, kinds: Mapping[str, str], words: frozenset[str]
    ) -> ProjectFinding:
        """The finding with the restructure attached, or with the reasons it has none."""
        # Imported here: LibCST is loaded only when a layered package is found.
        from fastapi_lint.rules._import_graph import cycle_through
        from fastapi_lint.rules._import_rewrite import rewrite_project_imports

        # Only the features spread across layers move: a module alone in its layer
        # (``services/email_service.py``, ``schemas/token.py``) is shared plumbing as often as a feature.
        spread = set(package.spread())
        entries = [entry for entry in package.entries if entry.feature_key in spread]
        plan = plan_restructure(
            index,
            package.parts,
            entries,
            package.shown,
            kinds,
            plural,
            lambda stem: feature_name(stem, words),
        )
        before = _import_graph(index, {})
        if not plan.blockers:
            moved = {move.old_module for move in plan.moves}
            relocate_shared_modules(
                plan,
                index,
                package.parts,
                package.layer_folders,
                before.direct,
                lambda layer: any(before.reaches(layer, module, set()) for module in moved),
            )
        if plan.blockers:
            return replace(finding, message=finding.message + self.NO_FIX.format(reasons="; ".join(plan.blockers)))
        rewrite = rewrite_project_imports(index, plan.renames)
        after = _import_graph(index, plan.renames, rewrite.texts)
        for move in plan.moves:
            cycle = cycle_through(after, move.new_module)
            if cycle is not None and cycle_through(before, move.old_module) is None:
                plan.blockers.append("the restructure would create the import cycle " + " -> ".join(cycle))
        if plan.blockers:
            return replace(finding, message=finding.message + self.NO_FIX.format(reasons="; ".join(plan.blockers)))
        message = finding.message
        if rewrite.problems:
            shown = _problems_shown(rewrite.problems)
            if not self.settings.get("force-restructure"):
                return replace(finding, message=message + self.UNSAFE_REFERENCES.format(problems=shown))
            message += self.FORCED_REFERENCES.format(problems=shown)
        return replace(finding, message=message, fix=self._fix(plan, rewrite.edits, index))

    def _fix(self, plan: RestructurePlan, edits: list[Edit], index: ProjectIndex) -> Fix:
        moves = [move_file(move.source, move.target) for move in plan.moves]
        creates = [create_file(path, plan.init_text(path)) for path in plan.creates]
        features = [move for move in plan.moves if not move.shared]
        packages = sorted({index.relative_path(move.target.parent) + "/" for move in features})
        message = self.FIX_MESSAGE.format(count=len(features), packages=", ".join(packages))
        shared = [move for move in plan.moves if move.shared]
        if shared:
            message += self.FIX_SHARED.format(
                count=len(shared), folder=index.relative_path(shared[0].target.parent) + "/"
            )
        return Fix("unsafe", message, (*edits, *creates, *moves))

    def _extra_layers(self) -> frozenset[str]:
        return frozenset(str(name).lower() for name in self.settings.get("extra-layers") or ())

    @staticmethod
    def _project_files(index: ProjectIndex) -> list[tuple[str, ...]]:
        """Every module of the project as path parts relative to the root, tests left out."""
        files: set[Path] = set(index.names_by_path) | set(index.paths.values())
        nested: dict[Path, bool] = {}
        relative = []
        for path in files:
            if path.suffix != ".py":
                continue
            try:
                parts = path.relative_to(index.root).parts
            except ValueError:
                continue
            folders = parts[:-1]
            if any(folder.lower() in _SKIPPED_FOLDERS or folder.startswith(".") for folder in folders):
                continue
            if _in_nested_project(index.root, folders, nested):
                continue
            relative.append(parts)
        return sorted(relative)

    @staticmethod
    def _place(
        parts: tuple[str, ...], kinds: Mapping[str, str], words: frozenset[str], packages: dict[tuple[str, ...], _Package]
    ) -> None:
        """File a module under its package, layer and features, when it sits in a layer folder."""
        folders = [folder.lower() for folder in parts[:-1]]
        innermost = next((i for i in range(len(folders) - 1, -1, -1) if folders[i] in kinds), None)
        if innermost is None:
            return
        # Walk up through layer and version folders (``api/v1/endpoints``) to the package holding them.
        top = innermost
        while top > 0 and (
            folders[top - 1] in kinds or folders[top - 1] in _GROUPING_FOLDERS or _VERSION.match(folders[top - 1])
        ):
            top -= 1
        features = {name for name in [feature_name(PurePosixPath(parts[-1]).stem, words)] if name}
        # Folders between the layer and the module name features too (``routers/users/__init__.py``).
        for folder in folders[innermost + 1 :]:
            if not _VERSION.match(folder) and (name := feature_name(folder, words)):
                features.add(name)
        if not features:
            return
        package = packages.setdefault(parts[:top], _Package(parts[:top]))
        package.layer_folders.add("/".join(parts[top : innermost + 1]))
        path = "/".join(parts)
        for name in features:
            package.add(name, kinds[folders[innermost]], path)

    def _judge(self, package: _Package, index: ProjectIndex, relative: list[tuple[str, ...]]) -> ProjectFinding | None:
        # A feature package with layer folders inside (``users/models/``) is not spreading itself.
        own = feature_name(package.parts[-1]) if package.parts else None
        if own is not None:
            package.features.pop(_match_key(own), None)
        spread = package.spread()
        # One feature is too small to tell a layered layout from a feature package.
        if not spread or len(package.features) < 2:
            return None
        location = self._location(package, relative)
        if location is None:
            return None
        return ProjectFinding(location, self._message(package, spread, index))

    @staticmethod
    def _location(package: _Package, relative: list[tuple[str, ...]]) -> str | None:
        """The package's ``__init__.py``, else its first module directly inside, else its first module."""
        depth = len(package.parts)
        inside = [parts for parts in relative if parts[:depth] == package.parts and len(parts) > depth]
        for candidates in (
            [parts for parts in inside if len(parts) == depth + 1 and parts[-1] == "__init__.py"],
            [parts for parts in inside if len(parts) == depth + 1],
            inside,
        ):
            if candidates:
                return "/".join(candidates[0])
        return None

    def _message(self, package: _Package, spread: list[str], index: ProjectIndex) -> str:
        shown = []
        for key in spread[:_MAX_FEATURES_SHOWN]:
            files = sorted(path for paths in package.features[key].values() for path in paths)
            files = [path.split("/", len(package.parts))[-1] for path in files]
            listed = ", ".join(files[:_MAX_FILES_SHOWN]) + (", ..." if len(files) > _MAX_FILES_SHOWN else "")
            shown.append(f"`{package.shown[key]}` ({listed})")
        if len(spread) > _MAX_FEATURES_SHOWN:
            shown.append(f"and {len(spread) - _MAX_FEATURES_SHOWN} more")
        return self.MESSAGE.format(
            package=self._package_name(package, index),
            layers=", ".join(f"{folder}/" for folder in sorted(package.layer_folders)),
            features="; ".join(shown),
            example=plural(package.shown[spread[0]]),
        )

    @staticmethod
    def _package_name(package: _Package, index: ProjectIndex) -> str:
        if not package.parts:
            return "The project root"
        name = index.names_by_path.get(index.root.joinpath(*package.parts, "__init__.py"))
        return f"Package `{name or '/'.join(package.parts)}`"

    VALID = [
        # Feature-based: each feature owns its router, service and models.
        Valid(
            "",
            files={
                "app/__init__.py": "",
                "app/users/__init__.py": "",
                "app/users/router.py": "",
                "app/users/service.py": "",
                "app/users/models.py": "",
                "app/items/__init__.py": "",
                "app/items/router.py": "",
                "app/items/service.py": "",
                "app/items/schemas.py": "",
            },
        ),
        # Netflix dispatch style: feature packages with models/service/views modules.
        Valid(
            "",
            files={
                "src/dispatch/__init__.py": "",
                "src/dispatch/api.py": "",
                "src/dispatch/models.py": "",
                "src/dispatch/incident/__init__.py": "",
                "src/dispatch/incident/models.py": "",
                "src/dispatch/incident/service.py": "",
                "src/dispatch/incident/views.py": "",
                "src/dispatch/incident/priority/__init__.py": "",
                "src/dispatch/incident/priority/models.py": "",
                "src/dispatch/incident/priority/service.py": "",
                "src/dispatch/individual/__init__.py": "",
                "src/dispatch/individual/models.py": "",
                "src/dispatch/individual/views.py": "",
            },
        ),
        # full-stack-fastapi-template: only routes/ is a folder; models.py and crud.py are modules.
        Valid(
            "",
            files={
                "backend/app/__init__.py": "",
                "backend/app/main.py": "",
                "backend/app/models.py": "",
                "backend/app/crud.py": "",
                "backend/app/api/__init__.py": "",
                "backend/app/api/main.py": "",
                "backend/app/api/deps.py": "",
                "backend/app/api/routes/__init__.py": "",
                "backend/app/api/routes/items.py": "",
                "backend/app/api/routes/users.py": "",
                "backend/app/api/routes/login.py": "",
                "backend/app/tests/__init__.py": "",
                "backend/app/tests/crud/__init__.py": "",
                "backend/app/tests/crud/test_user.py": "",
                "backend/app/tests/api/routes/test_users.py": "",
            },
        ),
        # A single feature: too small to tell.
        Valid(
            "",
            files={
                "app/__init__.py": "",
                "app/routers/__init__.py": "",
                "app/routers/users.py": "",
                "app/models/__init__.py": "",
                "app/models/user.py": "",
                "app/schemas/user.py": "",
            },
        ),
        # Layer folders holding only plumbing, and distinct features in each layer.
        Valid(
            "",
            files={
                "app/__init__.py": "",
                "app/models/__init__.py": "",
                "app/models/base.py": "",
                "app/schemas/base.py": "",
                "app/crud/crud_base.py": "",
                "app/api/deps.py": "",
                "app/api/v1/api.py": "",
                "app/api/v1/endpoints/health.py": "",
                "app/services/email.py": "",
                "app/db/session.py": "",
            },
        ),
        # A test package mirroring layers is not the app's layout.
        Valid(
            "",
            files={
                "app/__init__.py": "",
                "app/main.py": "",
                "tests/__init__.py": "",
                "tests/routers/test_users.py": "",
                "tests/routers/test_items.py": "",
                "tests/models/test_user.py": "",
                "tests/models/test_item.py": "",
            },
        ),
        # An extra layer name is not a layer by default.
        Valid(
            "",
            files={
                "app/__init__.py": "",
                "app/routers/users.py": "",
                "app/routers/items.py": "",
                "app/managers/user_manager.py": "",
                "app/managers/item_manager.py": "",
            },
        ),
    ]

    INVALID = [
        # The classic: api/v1/endpoints, crud_ prefix, _service suffix, singular/plural.
        Invalid(
            "",
            line=1,
            message_contains="`user` (api/v1/endpoints/users.py, crud/crud_user.py, models/user.py, schemas/users.py, "
            "services/user_service.py)",
            files={
                "app/__init__.py": "",
                "app/api/__init__.py": "",
                "app/api/deps.py": "",
                "app/api/v1/__init__.py": "",
                "app/api/v1/api.py": "",
                "app/api/v1/endpoints/__init__.py": "",
                "app/api/v1/endpoints/users.py": "",
                "app/api/v1/endpoints/items.py": "",
                "app/api/v1/endpoints/login.py": "",
                "app/crud/__init__.py": "",
                "app/crud/base.py": "",
                "app/crud/crud_user.py": "",
                "app/crud/crud_item.py": "",
                "app/models/__init__.py": "",
                "app/models/user.py": "",
                "app/models/item.py": "",
                "app/schemas/__init__.py": "",
                "app/schemas/users.py": "",
                "app/schemas/items.py": "",
                "app/schemas/token.py": "",
                "app/services/user_service.py": "",
            },
        ),
        # Flat routers/models/schemas, reported on the package's __init__.py.
        Invalid(
            "",
            message_contains="Package `app` is organised by layer (models/, routers/, schemas/)",
            files={
                "app/__init__.py": "",
                "app/main.py": "",
                "app/routers/users.py": "",
                "app/routers/items.py": "",
                "app/models/user.py": "",
                "app/models/item.py": "",
                "app/schemas/user.py": "",
            },
        ),
        # src layout, namespace layer folders (no __init__.py).
        Invalid(
            "",
            message_contains="`category` (repositories/category_repository.py, routes/categories.py)",
            files={
                "src/shop/__init__.py": "",
                "src/shop/routes/categories.py": "",
                "src/shop/routes/orders.py": "",
                "src/shop/repositories/category_repository.py": "",
                "src/shop/repositories/order_repo.py": "",
            },
        ),
        # Two layered services in one repository: one finding each.
        Invalid(
            "",
            count=2,
            files={
                "billing/app/__init__.py": "",
                "billing/app/routers/invoices.py": "",
                "billing/app/routers/payments.py": "",
                "billing/app/models/invoice.py": "",
                "billing/app/models/payment.py": "",
                "accounts/app/__init__.py": "",
                "accounts/app/routers/users.py": "",
                "accounts/app/routers/teams.py": "",
                "accounts/app/services/user_service.py": "",
            },
        ),
        # No __init__.py: reported on the package's first module.
        Invalid(
            "",
            message_contains="Package `app` ",
            files={
                "app/main.py": "",
                "app/routers/users.py": "",
                "app/routers/items.py": "",
                "app/models/user.py": "",
            },
        ),
        # Extra layer names from the options.
        Invalid(
            "",
            options={"extra-layers": ["managers"]},
            message_contains="(managers/, routers/)",
            files={
                "app/__init__.py": "",
                "app/routers/users.py": "",
                "app/routers/items.py": "",
                "app/managers/user_manager.py": "",
                "app/managers/item_manager.py": "",
            },
        ),
        # The fix: every kind of import of a moved module is rewritten, shared modules stay.
        Invalid(
            "",
            unsafe_fixes=True,
            files={
                "app/__init__.py": "",
                "app/main.py": (
                    "from fastapi import FastAPI\n\nfrom app.routers import items, users\n\napp = FastAPI()\n"
                    "app.include_router(users.router)\napp.include_router(items.router)\n"
                ),
                "app/core/__init__.py": "",
                "app/core/config.py": "DEBUG = False\n",
                "app/routers/__init__.py": "",
                "app/routers/deps.py": "def get_db():\n    return None\n",
                "app/routers/users.py": (
                    "from fastapi import APIRouter\n\nimport app.models.user\nfrom ..schemas.user import UserOut\n"
                    "from .deps import get_db\n\nrouter = APIRouter()\n\n\n@router.get('/')\ndef read() -> UserOut:\n"
                    "    return UserOut(name=app.models.user.User.__name__)\n"
                ),
                "app/routers/items.py": (
                    "from fastapi import APIRouter\n\nimport app.models.item as m\nfrom app.core.config import DEBUG\n"
                    "from app.routers.users import router as users_router\n\nrouter = APIRouter()\nTABLE = m.Item\n"
                ),
                "app/models/__init__.py": "",
                "app/models/user.py": "class User:\n    pass\n",
                "app/models/item.py": (
                    "from app.models import user\nfrom . import user as owner_models\n\n\n"
                    "class Item:\n    owner = user.User\n    same = owner_models.User\n"
                ),
                "app/schemas/__init__.py": "from .user import UserOut\n",
                "app/schemas/user.py": "from pydantic import BaseModel\n\n\nclass UserOut(BaseModel):\n    name: str\n",
                "tests/test_users.py": (
                    "import importlib\nfrom unittest import mock\n\n\ndef test_patch():\n"
                    "    with mock.patch('app.models.user.User'):\n"
                    "        importlib.import_module('app.routers.users')\n"
                ),
            },
            expected_files={
                "app/main.py": (
                    "from fastapi import FastAPI\n\nfrom app.items import router as items\n"
                    "from app.users import router as users\n\napp = FastAPI()\n"
                    "app.include_router(users.router)\napp.include_router(items.router)\n"
                ),
                "app/routers/users.py": None,
                "app/routers/items.py": None,
                "app/models/user.py": None,
                "app/models/item.py": None,
                "app/schemas/user.py": None,
                "app/routers/deps.py": "def get_db():\n    return None\n",
                "app/routers/__init__.py": "",
                "app/models/__init__.py": "",
                "app/schemas/__init__.py": "from ..users.schemas import UserOut\n",
                "app/users/__init__.py": '"""The `users` feature: models, router, schemas."""\n',
                "app/items/__init__.py": '"""The `items` feature: models, router."""\n',
                "app/users/router.py": (
                    "from fastapi import APIRouter\n\nimport app.users.models\nfrom .schemas import UserOut\n"
                    "from ..routers.deps import get_db\n\nrouter = APIRouter()\n\n\n@router.get('/')\ndef read() -> UserOut:\n"
                    "    return UserOut(name=app.users.models.User.__name__)\n"
                ),
                "app/items/router.py": (
                    "from fastapi import APIRouter\n\nimport app.items.models as m\nfrom app.core.config import DEBUG\n"
                    "from app.users.router import router as users_router\n\nrouter = APIRouter()\nTABLE = m.Item\n"
                ),
                "app/users/models.py": "class User:\n    pass\n",
                "app/items/models.py": (
                    "from app.users import models as user\nfrom ..users import models as owner_models\n\n\n"
                    "class Item:\n    owner = user.User\n    same = owner_models.User\n"
                ),
                "app/users/schemas.py": "from pydantic import BaseModel\n\n\nclass UserOut(BaseModel):\n    name: str\n",
                "tests/test_users.py": (
                    "import importlib\nfrom unittest import mock\n\n\ndef test_patch():\n"
                    "    with mock.patch('app.users.models.User'):\n"
                    "        importlib.import_module('app.users.router')\n"
                ),
            },
        ),
        # A shared module imported by moved modules from a layer package whose __init__
        # re-exports them moves to core/: left there, it would make an import cycle.
        Invalid(
            "",
            unsafe_fixes=True,
            files={
                "app/__init__.py": "",
                "app/crud/__init__.py": "from .crud_item import item\nfrom .crud_user import user\n",
                "app/crud/base.py": "class CRUDBase:\n    pass\n",
                "app/crud/crud_user.py": "from app.crud.base import CRUDBase\n\nuser = CRUDBase()\n",
                "app/crud/crud_item.py": "from .base import CRUDBase\n\nitem = CRUDBase()\n",
                "app/routers/users.py": "from app import crud\n\nUSERS = crud.user\n",
                "app/routers/items.py": "from app.crud import item\n",
            },
            expected_files={
                "app/crud/__init__.py": "from ..items.crud import item\nfrom ..users.crud import user\n",
                "app/crud/base.py": None,
                "app/core/crud_base.py": "class CRUDBase:\n    pass\n",
                "app/core/__init__.py": '"""Shared modules: crud_base."""\n',
                "app/users/crud.py": "from app.core.crud_base import CRUDBase\n\nuser = CRUDBase()\n",
                "app/items/crud.py": "from ..core.crud_base import CRUDBase\n\nitem = CRUDBase()\n",
                "app/users/router.py": "from app import crud\n\nUSERS = crud.user\n",
                "app/items/router.py": "from app.crud import item\n",
            },
        ),
        # Dynamic imports and unproven module-path strings: listed, and no fix without consent.
        Invalid(
            "",
            unsafe_fixes=True,
            message_contains="The restructure is not offered: these references to the moved modules cannot be "
            "rewritten safely: app/main.py:7 (dynamic import with `importlib.import_module`)",
            files={
                "app/__init__.py": "",
                "app/main.py": (
                    "import importlib\n\nfrom fastapi import FastAPI\n\napp = FastAPI()\nfor name in ('users', 'items'):\n"
                    "    app.include_router(importlib.import_module(f'app.routers.{name}').router)\n"
                ),
                "app/routers/users.py": "",
                "app/routers/items.py": "",
                "app/models/user.py": "",
                "app/models/item.py": "",
            },
        ),
        Invalid(
            "",
            unsafe_fixes=True,
            message_contains="app/settings.py:1 (string 'app.routers.users' names a moved module)",
            files={
                "app/__init__.py": "",
                "app/settings.py": "ROUTERS = ['app.routers.users']\n",
                "app/routers/users.py": "",
                "app/routers/items.py": "",
                "app/models/user.py": "",
                "app/models/item.py": "",
            },
        ),
        # ... unless `force-restructure` is set: the fix is offered, the references listed to check.
        Invalid(
            "",
            unsafe_fixes=True,
            options={"force-restructure": True},
            message_contains="Check these references by hand after the restructure (`force-restructure` is set): "
            "app/settings.py:1",
            files={
                "app/__init__.py": "",
                "app/settings.py": "ROUTERS = ['app.routers.users']\n",
                "app/routers/users.py": "",
                "app/routers/items.py": "",
                "app/models/user.py": "",
                "app/models/item.py": "",
            },
            expected_files={
                "app/settings.py": "ROUTERS = ['app.routers.users']\n",
                "app/routers/users.py": None,
                "app/users/router.py": "",
                "app/users/models.py": "",
                "app/items/router.py": "",
                "app/items/models.py": "",
            },
        ),
        # No fix when a module cannot be placed: a feature folder inside a layer, a target that exists.
        Invalid(
            "",
            unsafe_fixes=True,
            message_contains="No fix: `app/routers/admin/users.py` sits in a feature folder inside a layer or holds "
            "several features; `app/users.py` already exists.",
            files={
                "app/__init__.py": "",
                "app/users.py": "",
                "app/routers/users.py": "",
                "app/routers/items.py": "",
                "app/routers/admin/users.py": "",
                "app/models/user.py": "",
                "app/models/item.py": "",
            },
        ),
    ]


def _in_nested_project(root: Path, folders: tuple[str, ...], cache: dict[Path, bool]) -> bool:
    """Whether a folder below the root holds its own ``pyproject.toml``: that project
    has its own index, and would otherwise be reported twice."""
    directory = root
    for folder in folders:
        directory = directory / folder
        if directory not in cache:
            cache[directory] = any(observe.is_file(directory / marker) for marker in PROJECT_MARKERS)
        if cache[directory]:
            return True
    return False


def _import_graph(index: ProjectIndex, renames: Mapping[str, str], texts: Mapping[str, str] | None = None) -> ImportGraph:
    """The project's module-level imports, under the new module names and texts when given
    (each module read only when a search reaches it)."""
    from fastapi_lint.rules._import_graph import ImportGraph

    def reader(module: str, shown: str) -> Callable[[], str | None]:
        def read() -> str | None:
            text = (texts or {}).get(shown)
            if text is not None:
                return text
            source = index.source(module)
            return source.text if source is not None else None

        return read

    modules = {
        renames.get(module, module): (reader(module, index.relative_path(path)), module in index.packages)
        for module, path in index.paths.items()
        if path.suffix == ".py"
    }
    return ImportGraph(modules)


def _problems_shown(problems: list[Problem]) -> str:
    shown = [problem.shown() for problem in problems[:_MAX_PROBLEMS_SHOWN]]
    if len(problems) > _MAX_PROBLEMS_SHOWN:
        shown.append(f"and {len(problems) - _MAX_PROBLEMS_SHOWN} more")
    return "; ".join(shown)


def plural(name: str) -> str:
    """The package name suggested for a feature: ``user`` -> ``users``."""
    if name.endswith(("s", "x", "z", "ch", "sh")):
        return name + "es" if not name.endswith("s") or name.endswith("ss") else name
    if name.endswith("y") and len(name) > 1 and name[-2] not in "aeiou":
        return name[:-1] + "ies"
    return name + "s"
