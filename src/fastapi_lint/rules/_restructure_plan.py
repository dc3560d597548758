"""FAPI101's fix, part 1: where each module of a layered package goes.

A module ``<package>/<layer folders>/<stem>.py`` of feature ``user`` moves to
``<package>/<feature package>/<layer file>``: ``routers/users.py`` -> ``users/router.py``,
``crud/crud_user.py`` -> ``users/crud.py``. The planner only decides; the imports are
rewritten by ``_import_rewrite``. Anything it cannot place with certainty is a
*blocker*: the fix is then not offered and the message says why.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

if TYPE_CHECKING:
    from fastapi_lint.linter.index import ProjectIndex

# The file a layer's module becomes inside its feature package, by layer kind.
LAYER_FILES: Mapping[str, str] = {
    "routes": "router.py",
    "models": "models.py",
    "schemas": "schemas.py",
    "services": "service.py",
    "crud": "crud.py",
}
# Some folder names keep their own word: ``repositories/user_repo.py`` -> ``users/repository.py``.
FOLDER_FILES: Mapping[str, str] = {
    **dict.fromkeys(("repositories", "repository", "repos", "repo"), "repository.py"),
    **dict.fromkeys(("dao", "daos"), "dao.py"),
    "dal": "dal.py",
}


@dataclass(frozen=True)
class Move:
    source: Path
    target: Path
    old_module: str
    new_module: str
    # A shared module moved to ``core/`` (not part of a feature).
    shared: bool = False


@dataclass
class RestructurePlan:
    moves: list[Move] = field(default_factory=list)
    # ``__init__.py`` files to create for the new feature packages.
    creates: list[Path] = field(default_factory=list)
    # Why no fix can be offered (empty: the plan is complete).
    blockers: list[str] = field(default_factory=list)

    def init_text(self, init: Path) -> str:
        """The new feature package's ``__init__.py``: a docstring naming what it gathers
        (not empty, so that ``--diff`` shows the file being created)."""
        folder = init.parent.name
        modules = ", ".join(sorted(move.target.stem for move in self.moves if move.target.parent == init.parent))
        if folder == SHARED_FOLDER:
            return f'"""Shared modules: {modules}."""\n'
        return f'"""The `{folder}` feature: {modules}."""\n'

    @property
    def renames(self) -> dict[str, str]:
        return {move.old_module: move.new_module for move in self.moves}


@dataclass(frozen=True)
class LayerFile:
    """A module of a layered package with the feature it belongs to."""

    path: str  # relative posix path from the project root
    feature_key: str
    layer: str  # layer kind (``routes``, ``models``...)


def plan_restructure(
    index: ProjectIndex,
    package_parts: tuple[str, ...],
    files: list[LayerFile],
    feature_names: Mapping[str, str],
    kinds: Mapping[str, str],
    plural_of: Callable[[str], str],
    feature_of: Callable[[str], str | None],
) -> RestructurePlan:
    """Plan the moves of ``files`` (every featured module of the package) into feature packages.

    ``feature_names`` maps a feature key to its shown (singular) name; ``feature_of(stem)``
    names a module's feature; ``plural_of`` pluralises a feature name."""
    plan = RestructurePlan()
    root = index.root
    package_dir = root.joinpath(*package_parts)
    by_path: dict[str, list[LayerFile]] = {}
    for layer_file in files:
        by_path.setdefault(layer_file.path, []).append(layer_file)
    spellings_plural: dict[str, bool] = {}
    placed: list[tuple[LayerFile, str]] = []  # file, target file name
    misplaced: list[str] = []
    for path, entries in sorted(by_path.items()):
        relative = PurePosixPath(path).parts[len(package_parts) :]
        folder = relative[-2].lower() if len(relative) >= 2 else ""
        stem = PurePosixPath(path).stem
        if len(entries) > 1 or folder not in kinds or feature_of(stem) is None:
            misplaced.append(path)
            continue
        entry = entries[0]
        target_name = FOLDER_FILES.get(folder) or LAYER_FILES.get(entry.layer) or f"{_singular_word(folder)}.py"
        placed.append((entry, target_name))
        name = feature_names[entry.feature_key]
        spellings_plural[entry.feature_key] = spellings_plural.get(entry.feature_key, False) or _spelled_plural(
            stem, plural_of(name)
        )
    if misplaced:
        plan.blockers.append(_misplaced_reason(misplaced))
    package_names: dict[str, str] = {}
    for key, is_plural in spellings_plural.items():
        name = feature_names[key]
        package_names[key] = plural_of(name) if is_plural else name
    taken: dict[str, str] = {}
    for key, package_name in sorted(package_names.items()):
        if package_name in taken:
            plan.blockers.append(f"features `{feature_names[key]}` and `{feature_names[taken[package_name]]}` "
                                 f"would share the package `{package_name}`")
        taken[package_name] = key
        if not package_name.isidentifier():
            plan.blockers.append(f"`{package_name}` is not a valid package name")
        if (package_dir / f"{package_name}.py").exists():
            plan.blockers.append(f"`{_shown(root, package_dir / package_name)}.py` already exists")
        if not package_parts or package_parts == ("src",):
            if package_name in sys.stdlib_module_names:
                plan.blockers.append(f"a top-level package `{package_name}` would shadow the standard library")
    prefix = _package_prefix(index, package_parts, [entry for entry, _ in placed])
    if prefix is None:
        plan.blockers.append("the module names of the layer folders do not follow their paths")
        return plan
    has_init = (package_dir / "__init__.py").is_file()
    targets: dict[Path, str] = {}
    for entry, target_name in placed:
        package_name = package_names[entry.feature_key]
        source = root / entry.path
        target = package_dir / package_name / target_name
        if target in targets:
            plan.blockers.append(f"`{targets[target]}` and `{entry.path}` would both become `{_shown(root, target)}`")
            continue
        targets[target] = entry.path
        if target.exists():
            plan.blockers.append(f"`{_shown(root, target)}` already exists")
            continue
        old_module = index.names_by_path.get(source)
        if old_module is None:
            plan.blockers.append(f"`{entry.path}` is not a module of the project")
            continue
        new_module = ".".join(part for part in (prefix, package_name, target.stem) if part)
        plan.moves.append(Move(source, target, old_module, new_module))
        init = package_dir / package_name / "__init__.py"
        wants_init = has_init or (source.parent / "__init__.py").is_file()
        if wants_init and not init.exists() and init not in plan.creates:
            plan.creates.append(init)
    new_names = {move.new_module for move in plan.moves}
    clashes = sorted(name for name in new_names if name in index.paths)
    for name in clashes:
        plan.blockers.append(f"the module `{name}` already exists")
    return plan


def _package_prefix(index: ProjectIndex, package_parts: tuple[str, ...], entries: list[LayerFile]) -> str | None:
    """The dotted name of the layered package, checked against every module moved:
    ``app/api/v1/endpoints/users.py`` named ``app.api.v1.endpoints.users`` gives ``app``."""
    prefixes = set()
    for entry in entries:
        module = index.names_by_path.get(index.root / entry.path)
        if module is None:
            return None
        relative = [*PurePosixPath(entry.path).parts[len(package_parts) :]]
        relative[-1] = PurePosixPath(relative[-1]).stem
        names = module.split(".")
        if len(names) < len(relative) or names[len(names) - len(relative) :] != relative:
            return None
        prefixes.add(".".join(names[: len(names) - len(relative)]))
    if len(prefixes) > 1:
        return None
    return prefixes.pop() if prefixes else ""


def _spelled_plural(stem: str, plural: str) -> bool:
    return f"_{plural}_" in f"_{stem.lower()}_"


def _singular_word(word: str) -> str:
    from fastapi_lint.rules.layer_based_layout import singular

    return singular(word)


def _shown(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


SHARED_FOLDER = "core"


def relocate_shared_modules(
    plan: RestructurePlan,
    index: ProjectIndex,
    package_parts: tuple[str, ...],
    layer_folders: Iterable[str],
    imports_of: Callable[[str], set[str]],
    reaches_moved: Callable[[str], bool],
) -> None:
    """Move into ``core/`` the shared modules (``crud/base.py``) that moved modules import
    from a layer package whose ``__init__.py`` imports moved modules, directly or not
    (``from .crud_user import user``): left there, importing them would run that ``__init__.py`` while the moved module
    is half initialised, an import cycle the layered layout never had."""
    root = index.root
    package_dir = root.joinpath(*package_parts)
    moved = {move.old_module for move in plan.moves}
    prefix = plan.moves[0].new_module.rsplit(".", 2)[0] if plan.moves and plan.moves[0].new_module.count(".") >= 2 else ""
    core_dir = package_dir / SHARED_FOLDER
    relocated: dict[str, Move] = {}
    for folder in sorted(layer_folders):
        layer = index.names_by_path.get(package_dir / folder / "__init__.py")
        if layer is None or not reaches_moved(layer):
            continue
        for move in list(plan.moves):
            for shared in sorted(imports_of(move.old_module)):
                path = index.paths.get(shared)
                if shared in moved or shared in relocated or path is None or path.parent != package_dir / folder:
                    continue
                if path.name == "__init__.py":
                    continue
                stem = path.stem
                leaf = folder.replace("/", "_")
                name = stem if stem.startswith(leaf) else f"{leaf}_{stem}"
                target = core_dir / f"{name}.py"
                new_module = ".".join(part for part in (prefix, SHARED_FOLDER, name) if part)
                if target.exists() or new_module in index.paths or (package_dir / f"{SHARED_FOLDER}.py").exists():
                    plan.blockers.append(f"`{index.relative_path(path)}` would have to move to `{_shown(root, target)}`")
                    continue
                relocated[shared] = Move(path, target, shared, new_module, shared=True)
    plan.moves.extend(relocated.values())
    init = core_dir / "__init__.py"
    if relocated and (package_dir / "__init__.py").is_file() and not init.exists():
        plan.creates.append(init)


_LISTED = 4


def _misplaced_reason(paths: list[str]) -> str:
    """One reason for every module the planner cannot place, the first few by name."""
    if len(paths) == 1:
        return f"`{paths[0]}` sits in a feature folder inside a layer or holds several features"
    shown = ", ".join(f"`{path}`" for path in paths[:_LISTED])
    more = f" and {len(paths) - _LISTED} more" if len(paths) > _LISTED else ""
    return f"{shown}{more} sit in feature folders inside a layer or hold several features"
