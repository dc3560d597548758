"""FAPI301's fix: a module-level session replaced by a per-request dependency.

``db = SessionLocal()`` at module level, read by functions of the project, becomes:

- a ``get_db`` dependency: the project's own (a parameterless generator, found in any
  module, that yields a session from the same factory), or a new one beside the
  factory (``def get_db(): with SessionLocal() as db: yield db``; ``async def`` /
  ``async with`` for an ``async_sessionmaker``);
- in every route that reads the global, a ``db: Session = Depends(get_db)`` parameter
  (``Annotated[Session, Depends(get_db)]`` when the project writes its dependencies that
  way), named as the global so that the body is unchanged;
- in every other function that reads it (a service), a first parameter ``db: Session``,
  and at each of its calls a first argument: the caller's session. Callers that are not
  routes are threaded the same way, up to the routes;
- the global removed, with the imports that only served it.

The fix is offered only when the whole call graph from the routes to the users is in
the project and made of plain calls; otherwise ``plan`` says why not.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

import libcst as cst

from fastapi_lint.linter import names
from fastapi_lint.linter.context import FileContext
from fastapi_lint.linter.diagnostics import Edit
from fastapi_lint.linter.index import ProjectIndex
from fastapi_lint.linter.project_edits import edits_between
from fastapi_lint.linter.rule import FixSpec
from fastapi_lint.rules._import_edit import add_from_import, drop_statements, without_names
from fastapi_lint.rules._session_fix import _is_name_load, _walk
from fastapi_lint.rules._sqlalchemy import ASYNC_SESSION_CLASSES, SYNC_SESSION_CLASSES, Flavour, factory_flavour

_ROUTE_OWNERS = frozenset({"fastapi.APIRouter", "fastapi.routing.APIRouter", "fastapi.FastAPI", "fastapi.applications.FastAPI"})
_ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "options", "head", "trace", "api_route"})
_DEPENDS = frozenset({"fastapi.Depends", "fastapi.param_functions.Depends"})
_ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
_DEPENDENCY_NAMES = ("get_db", "get_session")


class NoFix(Exception):
    """Why the fix cannot be offered (the text ends the finding's message)."""


# -- the project's modules, parsed -------------------------------------------------------


@dataclass
class View:
    """One project module as the fix sees it."""

    name: str
    path: Path
    shown: str  # the path in messages (and, for the linted module, in its own edits)
    text: str
    tree: cst.Module
    scope: names.Scope
    is_package: bool


@dataclass
class Ref:
    """A read of a name in some module: the node, its ancestors, and the top-level function around it."""

    view: View
    node: cst.CSTNode
    ancestors: tuple[cst.CSTNode, ...]
    function: cst.FunctionDef | None


@dataclass
class Holder:
    """A function that gets the session: a route (a ``Depends`` parameter) or a service (a first parameter)."""

    view: View
    function: cst.FunctionDef
    session: str  # the name of the session inside it
    is_route: bool


@dataclass
class Changes:
    """What happens to one module."""

    view: View
    routes: dict[int, str] = field(default_factory=dict)  # id(FunctionDef) -> session name
    services: dict[int, str] = field(default_factory=dict)
    calls: dict[int, str] = field(default_factory=dict)  # id(Call) -> session name passed first
    removed: set[int] = field(default_factory=set)  # id(SimpleStatementLine)
    dependency_after: int | None = None  # id(statement) after which get_db is defined
    imports: list[tuple[str, str]] = field(default_factory=list)
    unused_candidates: set[str] = field(default_factory=set)
    # Names used in the new code: session type, Depends, Annotated, get_db.
    type_name: str = "Session"
    depends_name: str = "Depends"
    annotated_name: str | None = None
    dependency_name: str = "get_db"


_NAMED = (cst.Name, cst.Attribute, cst.Import, cst.ImportFrom)
Located = list[tuple[cst.CSTNode, tuple[cst.CSTNode, ...]]]
# Per project index, per module parsed by it (the index keeps one tree per module for
# the run): the module's names, attributes and imports with their ancestors, in walk
# order. Every finding's planner looks through the same modules; walking each tree once
# per finding cost minutes on large projects.
_NAMED_NODES: "weakref.WeakKeyDictionary[ProjectIndex, dict[str, tuple[cst.Module, Located]]]" = weakref.WeakKeyDictionary()


def _named_nodes(view: "View", index: ProjectIndex, own_module: str) -> Located:
    """``_walk(view.tree)`` reduced to the nodes the reference and import checks look at."""
    if view.name == own_module:  # the module being linted: its tree is not the index's
        return [(node, ancestors) for node, ancestors in _walk(view.tree) if isinstance(node, _NAMED)]
    known = _NAMED_NODES.setdefault(index, {})
    found = known.get(view.name)
    if found is None or found[0] is not view.tree:
        located = [(node, ancestors) for node, ancestors in _walk(view.tree) if isinstance(node, _NAMED)]
        found = known[view.name] = (view.tree, located)
    return found[1]


# Per project index, per module: the import statements that are not top-level simple
# statements (inside a function, a class or a compound statement), in source order.
_NESTED_IMPORTS: "weakref.WeakKeyDictionary[ProjectIndex, dict[str, tuple[cst.Module, list[cst.Import | cst.ImportFrom]]]]" = (
    weakref.WeakKeyDictionary()
)
_SUITE_FIELDS = ("body", "handlers", "orelse", "finalbody", "cases")
# A line that may start an import below the top level: after an indent, or after the
# ``:`` of a one-line suite or a ``;`` (a backslash may continue the line in between).
_NESTED_IMPORT_LINE = re.compile(r"(?:^[ \t\f]+|[:;](?:[ \t\f]|\\\r?\n)*)(?:import|from)\b", re.MULTILINE)
# An attribute access of a name: ``.`` then the name, with whitespace, line continuations
# or comments (inside brackets) in between.
_ATTRIBUTE_GAP = r"\.(?:\s|\\|#[^\n]*)*"


def _nested_imports(view: "View", index: ProjectIndex, own_module: str) -> list[cst.Import | cst.ImportFrom]:
    """The imports ``_check_local_imports`` judges; only statements are visited (an import
    is never inside an expression), a fraction of the nodes of a full walk."""
    if view.name == own_module:
        return _imports_below(view.tree)
    known = _NESTED_IMPORTS.setdefault(index, {})
    found = known.get(view.name)
    if found is None or found[0] is not view.tree:
        found = known[view.name] = (view.tree, _imports_below(view.tree))
    return found[1]


def _imports_below(tree: cst.Module) -> list[cst.Import | cst.ImportFrom]:
    found: list[cst.Import | cst.ImportFrom] = []

    def statements(body: Sequence[cst.CSTNode], top_level: bool) -> None:
        for statement in body:
            if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
                if not top_level or isinstance(statement, cst.SimpleStatementSuite):
                    found.extend(small for small in statement.body if isinstance(small, (cst.Import, cst.ImportFrom)))
            else:
                parts(statement)

    def parts(node: cst.CSTNode) -> None:
        # A compound statement's suites, and the clauses holding suites (``else``,
        # ``except``, ``finally``, ``case``, an ``elif``), in source order.
        for name in _SUITE_FIELDS:
            value = getattr(node, name, None)
            if value is None:
                continue
            for part in value if isinstance(value, Sequence) else (value,):
                if isinstance(part, cst.IndentedBlock):
                    statements(part.body, False)
                elif isinstance(part, cst.SimpleStatementSuite):
                    statements((part,), False)
                elif isinstance(part, cst.BaseCompoundStatement):  # an ``elif``
                    statements((part,), False)
                elif isinstance(part, cst.CSTNode):
                    parts(part)

    statements(tree.body, True)
    return found


class _Project:
    def __init__(self, context: FileContext) -> None:
        self.context = context
        self.index: ProjectIndex = context.index
        self._views: dict[str, View | None] = {}

    def view(self, module: str) -> View | None:
        if module not in self._views:
            self._views[module] = self._load(module)
        return self._views[module]

    def _load(self, module: str) -> View | None:
        context = self.context
        if module == context.module_name:
            return View(module, context.path, context.display_path, context.text, context.tree, context.module_scope, context.is_package)
        path = self.index.paths.get(module)
        source = self.index.source(module)
        tree = self.index.tree(module)
        if path is None or source is None or tree is None:
            return None
        is_package = module in self.index.packages
        scope = names.scan_module_bindings(tree, module, is_package)
        return View(module, path, self.index.relative_path(path), source.text, tree, scope, is_package)

    def modules_mentioning(self, word: str, worth_a_view: Callable[[str], bool] | None = None) -> Iterator[View]:
        """The modules whose text holds ``word`` (those ``worth_a_view`` accepts, when given),
        in name order, as views (each parsed once per run)."""
        for module in sorted(self.index.modules_mentioning((word,))):
            if worth_a_view is not None and not worth_a_view(module):
                continue
            view = self.view(module)
            if view is not None:
                yield view

    # -- references ------------------------------------------------------------

    def references(self, target: str) -> list[Ref]:
        """Every read, anywhere in the project, of the module-level name ``target``
        (``pkg.module.name``): through imports, aliases, re-exports and attributes."""
        module, _, simple = target.rpartition(".")
        found: list[Ref] = []
        for view in self.modules_mentioning(simple, lambda name: self._may_reference(name, target, simple)):
            local = {
                name
                for name, binding in view.scope.names.items()
                if binding.kind == "import" and binding.qualname and self.index.canonical(binding.qualname) == target
            }
            if view.name == module:
                local.add(simple)
            if local or self._may_reach_as_attribute(view, target, simple):
                found.extend(self._references_in(view, target, simple, local))
        return found

    def _may_reference(self, module: str, target: str, simple: str) -> bool:
        """``references``' question asked of the module's summary before it is parsed:
        False when no import binds the target and no attribute chain can reach it."""
        if module == target.rpartition(".")[0]:
            return True
        summary = self.index.summary(module)
        source = self.index.source(module)
        if summary is None or source is None:
            return True
        imported = list(summary.imports.values())
        if any(self.index.canonical(qualname) == target for qualname in imported):
            return True
        return self._reaches_as_attribute(source.text, imported, target, simple)

    def _may_reach_as_attribute(self, view: View, target: str, simple: str) -> bool:
        imported = [binding.qualname for binding in view.scope.names.values() if binding.kind == "import" and binding.qualname]
        return self._reaches_as_attribute(view.text, imported, target, simple)

    def _reaches_as_attribute(self, text: str, imported: list[str], target: str, simple: str) -> bool:
        """Whether an attribute chain of the module (``session.db``, ``app.db.session.db``) can
        resolve to ``target``: only where the text has ``.<simple>``, through an imported
        module (one the target is under, or a project module, which may re-export it). Most
        modules have neither, and then the walk of all their names is skipped."""
        if re.search(_ATTRIBUTE_GAP + re.escape(simple) + r"\b", text) is None:
            return False
        for qualname in imported:
            canonical = self.index.canonical(qualname) or qualname
            if target.startswith(qualname + ".") or target.startswith(canonical + "."):
                return True
            if qualname in self.index.paths or canonical in self.index.paths:
                return True
        return False

    def _references_in(self, view: View, target: str, simple: str, local: set[str]) -> Iterator[Ref]:
        for node, ancestors in _named_nodes(view, self.index, self.context.module_name):
            if not ancestors:
                continue
            parent = ancestors[-1]
            if any(isinstance(step, (cst.Import, cst.ImportFrom)) for step in ancestors):
                continue
            if isinstance(node, cst.Name) and node.value in local:
                if isinstance(parent, cst.Attribute) and parent.attr is node:
                    continue
                if isinstance(parent, cst.Arg) and parent.keyword is node:
                    continue
                if not _is_name_load(node, parent) or _shadowed(node.value, ancestors):
                    continue
            elif isinstance(node, cst.Attribute) and node.attr.value == simple:
                qualname = names.resolve(view.scope, node)
                if qualname is None or self.index.canonical(qualname) != target:
                    continue
            else:
                continue
            function = ancestors[1] if len(ancestors) > 1 and isinstance(ancestors[1], cst.FunctionDef) else None
            yield Ref(view, node, ancestors, function)

    def star_imports(self, module: str) -> str | None:
        """A module doing ``from <module> import *`` (it sees the global unseen)."""
        for view in self.modules_mentioning("import *"):
            for statement in view.tree.body:
                if not isinstance(statement, cst.SimpleStatementLine):
                    continue
                for small in statement.body:
                    if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
                        base = names.dotted_name(small.module) if small.module is not None else None
                        if small.relative:
                            base = names.resolve_relative(view.name, view.is_package, len(small.relative), base)
                        if base is not None and self.index.find_module(base) == module:
                            return view.shown
        return None

    # -- routes ----------------------------------------------------------------

    def is_route(self, view: View, function: cst.FunctionDef) -> bool:
        """Decorated ``@router.get(...)`` / ``@app.post(...)`` with ``router``/``app`` a
        ``fastapi.APIRouter()`` / ``fastapi.FastAPI()`` of the project."""
        for decorator in function.decorators:
            expression = decorator.decorator
            if not isinstance(expression, cst.Call) or not isinstance(expression.func, cst.Attribute):
                continue
            if expression.func.attr.value not in _ROUTE_METHODS:
                continue
            owner = names.resolve(view.scope, expression.func.value)
            symbol = self.index.lookup(owner)
            if symbol is not None and symbol.assign is not None and self.index.canonical(symbol.assign.call) in _ROUTE_OWNERS:
                return True
        return False

    # -- imports between modules ---------------------------------------------------

    def imports_transitively(self, start: str, target: str) -> bool:
        """Whether importing ``start`` runs ``target`` (project imports, packages included)."""
        seen: set[str] = set()
        pending = [start]
        while pending:
            module = pending.pop()
            if module in seen:
                continue
            seen.add(module)
            if module == target:
                return True
            parts = module.split(".")
            pending.extend(".".join(parts[:cut]) for cut in range(1, len(parts)) if ".".join(parts[:cut]) in self.index.paths)
            summary = self.index.summary(module)
            if summary is None:
                continue
            for qualname in summary.imports.values():
                split = self.index.split(qualname)
                if split is not None:
                    pending.append(split[0])
                    if split[1] and f"{split[0]}.{split[1][0]}" in self.index.paths:
                        pending.append(f"{split[0]}.{split[1][0]}")
        return False


def _shadowed(name: str, ancestors: Sequence[cst.CSTNode]) -> bool:
    """Whether the innermost function around a read binds ``name`` itself (and does not
    declare it ``global``)."""
    function = next((node for node in reversed(ancestors) if isinstance(node, (cst.FunctionDef, cst.Lambda))), None)
    return function is not None and name in _local_bindings(function)


def _local_bindings(function: cst.FunctionDef | cst.Lambda) -> set[str]:
    bound = {param.name.value for param in _params(function.params)}
    declared_global: set[str] = set()
    for node, ancestors in _walk(function.body):
        if any(isinstance(step, _SCOPES) for step in ancestors):
            continue
        if isinstance(node, (cst.Global, cst.Nonlocal)):
            declared_global.update(item.name.value for item in node.names)
        elif isinstance(node, cst.Name) and ancestors and not _is_name_load(node, ancestors[-1]):
            parent = ancestors[-1]
            if not isinstance(parent, (cst.Attribute, cst.Arg, cst.NameItem)):
                bound.add(node.value)
        elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            bound.add(node.name.value)
    return bound - declared_global


def _params(parameters: cst.Parameters) -> list[cst.Param]:
    found = [*parameters.posonly_params, *parameters.params, *parameters.kwonly_params]
    for star in (parameters.star_arg, parameters.star_kwarg):
        if isinstance(star, cst.Param):
            found.append(star)
    return found


def _mentions_name(function: cst.FunctionDef, name: str) -> bool:
    return any(isinstance(node, cst.Name) and node.value == name for node, _ in _walk(function))


def _declares_global(function: cst.FunctionDef, name: str) -> bool:
    return any(
        isinstance(node, cst.Global) and any(item.name.value == name for item in node.names)
        for node, _ in _walk(function.body)
    )


# -- planning ------------------------------------------------------------------------------


@dataclass
class Dependency:
    module: str  # where ``get_db`` is (or will be) defined
    name: str
    created: bool
    # For a created one: the factory's name in that module and the statement defining it.
    factory_name: str = ""
    after: cst.CSTNode | None = None


class Planner:
    def __init__(self, context: FileContext, statement: cst.SimpleStatementLine, name: str, call: cst.Call, factory: str) -> None:
        self.project = _Project(context)
        self.context = context
        self.index = context.index
        self.statement = statement
        self.name = name
        self.call = call
        self.factory = factory  # canonical qualname of the sessionmaker
        self.target = f"{context.module_name}.{name}"
        self.holders: dict[tuple[str, int], Holder] = {}
        self.changes: dict[str, Changes] = {}

    def plan(self) -> FixSpec:
        flavour = factory_flavour(self.index, self.factory)
        if flavour is None:
            raise NoFix("the session's factory is not a plain `sessionmaker(...)`/`async_sessionmaker(...)`")
        if self.call.args:
            raise NoFix(f"the session is created with arguments (`{self.context.tree.code_for_node(self.call)}`)")
        star = self.project.star_imports(self.context.module_name)
        if star is not None:
            raise NoFix(f"{star} imports `*` from this module")
        self._collect_users()
        self._factory_import_candidate()
        dependency = self._dependency(flavour)
        annotated = self._uses_annotated()
        self._changes(self.context.module_name).removed.add(id(self.statement))
        self._prepare_modules(dependency, flavour, annotated)
        return self._fix(dependency)

    # -- who reads the global, who calls them --------------------------------------

    def _collect_users(self) -> None:
        self._importers()
        refs = self.project.references(self.target)
        if not refs:
            raise NoFix(f"no function reads `{self.name}`")
        pending: list[Holder] = []
        for ref in refs:
            function = self._top_function(ref, f"`{self.name}`")
            if _declares_global(function, self._local_name(ref)):
                raise NoFix(f"`{function.name.value}()` in {ref.view.shown} assigns `{self.name}` (`global`)")
            holder = self._holder(ref.view, function, self._local_name(ref))
            if holder is not None:
                pending.append(holder)
            if isinstance(ref.node, cst.Attribute):
                raise NoFix(f"{ref.view.shown} reads `{self.name}` as an attribute of its module")
            self._changes(ref.view.name).unused_candidates.add(self._local_name(ref))
        while pending:
            holder = pending.pop()
            if holder.is_route:
                self._check_route_not_called(holder)
                continue
            for caller in self._callers(holder):
                pending.append(caller)

    def _importers(self) -> None:
        """Every import of the global goes with it (re-exports included); a name listed in an
        ``__all__`` would break ``import *``: no fix then."""
        for view in self.project.modules_mentioning(self.name, self._may_import_global):
            imported = {
                local
                for local, binding in view.scope.names.items()
                if binding.kind == "import" and binding.qualname and self.index.canonical(binding.qualname) == self.target
            }
            defines = view.name == self.context.module_name
            if (imported or defines) and "__all__" in view.text and any(
                quote + self.name + quote in view.text for quote in ("'", '"')
            ):
                raise NoFix(f"`{self.name}` is listed in the `__all__` of {view.shown}")
            if imported:
                self._changes(view.name).unused_candidates.update(imported)
            self._check_local_imports(view)

    def _may_import_global(self, module: str) -> bool:
        """False when ``module`` can neither import the global at its top level (by its
        summary) nor hold an import below it (no line of its text starts one after an
        indent, a ``:`` or a ``;``): ``_importers`` has nothing to look at there, and the
        module is not parsed."""
        if module == self.context.module_name:
            return True
        summary = self.index.summary(module)
        source = self.index.source(module)
        if summary is None or source is None:
            return True
        if any(self.index.canonical(qualname) == self.target for qualname in summary.imports.values()):
            return True
        return _NESTED_IMPORT_LINE.search(source.text) is not None

    def _check_local_imports(self, view: View) -> None:
        """An import inside a function or a class (of the global, or of its module) hides
        reads the fix would not see."""
        module = self.context.module_name
        for node in _nested_imports(view, self.index, module):
            for _, qualname in names.import_bindings(node, view.name, view.is_package):
                if self.index.canonical(qualname) == self.target or self.index.find_module(qualname) == module:
                    raise NoFix(f"{view.shown} imports `{qualname}` inside a function or a class")
            if isinstance(node, cst.Import):
                for alias in node.names:
                    if names.dotted_name(alias.name) == module:
                        raise NoFix(f"{view.shown} imports `{module}` inside a function or a class")

    def _factory_import_candidate(self) -> None:
        """The import of the factory in this module, dropped if the global was its only use
        (and no other module imports the factory from here)."""
        func = self.call.func
        binding = self.context.module_scope.names.get(func.value) if isinstance(func, cst.Name) else None
        if binding is None or binding.kind != "import" or self.context.is_package:
            return
        here = f"{self.context.module_name}.{func.value}"
        for view in self.project.modules_mentioning(func.value):
            summary = self.index.summary(view.name)
            if summary is not None and here in summary.imports.values():
                return
        self._changes(self.context.module_name).unused_candidates.add(func.value)

    def _local_name(self, ref: Ref) -> str:
        return ref.node.value if isinstance(ref.node, cst.Name) else self.name

    def _top_function(self, ref: Ref, what: str) -> cst.FunctionDef:
        function = ref.function
        if function is None or not any(node is function for node in ref.view.tree.body):
            owner = next((node for node in ref.ancestors if isinstance(node, cst.ClassDef)), None)
            if owner is not None:
                raise NoFix(f"{what} is used in the class `{owner.name.value}` ({ref.view.shown}): only functions are given the session")
            raise NoFix(f"{what} is used outside a module-level function in {ref.view.shown}")
        if len(ref.ancestors) < 3 or ref.ancestors[2] is not function.body:
            raise NoFix(f"{what} is used in the signature or a decorator of `{function.name.value}()` ({ref.view.shown})")
        if any(isinstance(node, _SCOPES) for node in ref.ancestors[2:]):
            raise NoFix(f"{what} is used in a nested function, lambda or class in `{function.name.value}()` ({ref.view.shown})")
        return function

    def _holder(self, view: View, function: cst.FunctionDef, session: str) -> Holder | None:
        """Record that ``function`` gets the session; None when it already does."""
        key = (view.name, id(function))
        known = self.holders.get(key)
        if known is not None:
            return None
        is_route = self.project.is_route(view, function) or (not function.decorators and self._is_dependency(view, function))
        if not is_route and function.decorators:
            decorator = view.tree.code_for_node(function.decorators[0].decorator)
            raise NoFix(f"`{function.name.value}()` ({view.shown}) is decorated (`@{decorator}`): a new parameter may not reach it")
        self._check_free(view, function, session)
        holder = Holder(view, function, session, is_route)
        self.holders[key] = holder
        changes = self._changes(view.name)
        (changes.routes if is_route else changes.services)[id(function)] = session
        return holder

    def _check_free(self, view: View, function: cst.FunctionDef, session: str) -> None:
        """``session`` means the global (or nothing) everywhere in ``function``."""
        if session in _local_bindings(function):
            raise NoFix(f"`{function.name.value}()` ({view.shown}) already uses the name `{session}` for something else")

    def _callers(self, service: Holder) -> Iterator[Holder]:
        qualname = f"{service.view.name}.{service.function.name.value}"
        refs = self.project.references(qualname)
        shown = f"`{service.function.name.value}()` ({service.view.shown})"
        if not refs:
            raise NoFix(f"{shown} needs the session and no function of the project calls it: its callers cannot pass it one")
        for ref in refs:
            parent = ref.ancestors[-1]
            if not isinstance(parent, cst.Call) or parent.func is not ref.node:
                raise NoFix(f"{shown} is used as a value, not called, in {ref.view.shown}: its callers cannot be given the session")
            function = self._top_function(ref, shown)
            known = self.holders.get((ref.view.name, id(function)))
            session = known.session if known is not None else self.name
            if known is None and _mentions_name(function, session):
                raise NoFix(f"`{function.name.value}()` ({ref.view.shown}) already uses the name `{session}`")
            holder = self._holder(ref.view, function, session)
            self._changes(ref.view.name).calls[id(parent)] = session
            if holder is not None:
                yield holder

    def _check_route_not_called(self, route: Holder) -> None:
        qualname = f"{route.view.name}.{route.function.name.value}"
        for ref in self.project.references(qualname):
            if not self._is_depends_argument(ref):
                raise NoFix(f"the route `{route.function.name.value}()` ({route.view.shown}) is also used directly in {ref.view.shown}")

    def _is_dependency(self, view: View, function: cst.FunctionDef) -> bool:
        """A function FastAPI calls as a dependency: every use is ``Depends(function)``.
        FastAPI solves its parameters like a route's (and caches ``get_db`` for the request,
        so the route and its dependencies share one session)."""
        refs = self.project.references(f"{view.name}.{function.name.value}")
        return bool(refs) and all(self._is_depends_argument(ref) for ref in refs)

    def _is_depends_argument(self, ref: Ref) -> bool:
        if len(ref.ancestors) < 2:
            return False
        arg, call = ref.ancestors[-1], ref.ancestors[-2]
        if not isinstance(arg, cst.Arg) or not isinstance(call, cst.Call) or arg.value is not ref.node:
            return False
        first = call.args[0] is arg and arg.keyword is None
        if not first and not (arg.keyword is not None and arg.keyword.value == "dependency"):
            return False
        return self.index.canonical(names.resolve(ref.view.scope, call.func)) in _DEPENDS

    def _changes(self, module: str) -> Changes:
        if module not in self.changes:
            view = self.project.view(module)
            assert view is not None
            self.changes[module] = Changes(view)
        return self.changes[module]

    # -- the dependency ------------------------------------------------------------------

    def _dependency(self, flavour: Flavour) -> Dependency:
        factory_module, _, factory_name = self.factory.rpartition(".")
        existing = self._existing_dependency(factory_name, flavour)
        needing = {changes.view.name for changes in self.changes.values() if changes.routes}
        if existing is not None:
            dependency = existing
            view = self.project.view(existing.module)
            definition = next((s for s in view.tree.body if isinstance(s, cst.FunctionDef) and s.name.value == existing.name), None) if view else None
            if view is None or definition is None:
                raise NoFix(f"the dependency `{existing.name}` in `{existing.module}` cannot be read")
            self._check_defined_before_use(view, definition, needing)
        else:
            view = self.project.view(factory_module)
            if view is None:
                raise NoFix("the module defining the session factory cannot be read")
            name = next((n for n in _DEPENDENCY_NAMES if n not in view.scope.names), None)
            if name is None:
                raise NoFix(f"{view.shown} already defines `get_db` and `get_session`")
            after = next((s for s in view.tree.body if _assigns(s, factory_name)), None)
            if after is None:
                raise NoFix(f"the factory `{factory_name}` is not assigned at the top level of {view.shown}")
            dependency = Dependency(factory_module, name, True, factory_name, after)
            self._check_defined_before_use(view, after, needing)
        for module in needing - {dependency.module}:
            if self.project.imports_transitively(dependency.module, module):
                view = self.project.view(module)
                shown = view.shown if view is not None else module
                raise NoFix(f"importing `{dependency.name}` from `{dependency.module}` into {shown} would create an import cycle")
        return dependency

    def _existing_dependency(self, factory_name: str, flavour: Flavour) -> Dependency | None:
        """A parameterless, undecorated generator yielding a session from the factory."""
        found: list[tuple[int, str, str]] = []
        for view in self.project.modules_mentioning(factory_name):
            summary = self.index.summary(view.name)
            if summary is None or "yield" not in view.text:
                continue
            for function in summary.functions.values():
                if "." in function.name or not function.is_generator or function.decorators or function.params:
                    continue
                if function.is_async != (flavour == "async"):
                    continue
                if any(self.index.canonical(returned) == self.factory for returned in function.returns):
                    rank = 0 if function.name in _DEPENDENCY_NAMES else 1
                    found.append((rank, view.name, function.name))
        if not found:
            return None
        _, module, name = min(found)
        return Dependency(module, name, False)

    def _check_defined_before_use(self, view: View, after: cst.CSTNode, needing: set[str]) -> None:
        """A dependency defined in a module with routes must come before them (``Depends(get_db)``
        runs when the route is defined)."""
        if view.name not in needing:
            return
        body = list(view.tree.body)
        position = next(i for i, statement in enumerate(body) if statement is after)
        for statement in body[:position]:
            if isinstance(statement, cst.FunctionDef) and id(statement) in self._changes(view.name).routes:
                raise NoFix(f"the route `{statement.name.value}()` comes before `{after.name.value if isinstance(after, cst.FunctionDef) else 'the factory'}` in {view.shown}")

    def _uses_annotated(self) -> bool:
        """The project writes ``Annotated[T, Depends(...)]``: new parameters follow suit."""
        annotated = set(self.index.modules_mentioning(("Annotated[",)))
        return any(module in annotated for module in self.index.modules_mentioning(("Depends(",)))

    # -- names in each module ------------------------------------------------------------

    def _prepare_modules(self, dependency: Dependency, flavour: Flavour, annotated: bool) -> None:
        if dependency.created:
            changes = self._changes(dependency.module)
            changes.dependency_after = id(dependency.after)
        session_module, session_class = (
            ("sqlalchemy.ext.asyncio", "AsyncSession") if flavour == "async" else ("sqlalchemy.orm", "Session")
        )
        classes = ASYNC_SESSION_CLASSES if flavour == "async" else SYNC_SESSION_CLASSES
        for changes in self.changes.values():
            view = changes.view
            if changes.routes or changes.services:
                changes.type_name = self._name_for(changes, frozenset(classes), session_module, session_class)
            if changes.routes:
                changes.depends_name = self._name_for(changes, _DEPENDS, "fastapi", "Depends")
                if annotated:
                    changes.annotated_name = self._name_for(changes, _ANNOTATED, "typing", "Annotated")
                if view.name == dependency.module:
                    changes.dependency_name = dependency.name
                else:
                    target = f"{dependency.module}.{dependency.name}"
                    changes.dependency_name = self._name_for(changes, frozenset({target}), dependency.module, dependency.name)

    def _name_for(self, changes: Changes, wanted: frozenset[str], module: str, name: str) -> str:
        """The module's name for one of ``wanted``; imported as ``name`` when it has none."""
        view = changes.view
        for local, binding in view.scope.names.items():
            if binding.kind == "import" and self.index.canonical(binding.qualname) in wanted:
                return local
        if name in view.scope.names:
            raise NoFix(f"`{name}` already names something else in {view.shown}")
        changes.imports.append((module, name))
        return name

    # -- rewriting ---------------------------------------------------------------------------

    def _fix(self, dependency: Dependency) -> FixSpec:
        edits: list[Edit] = []
        for module in sorted(self.changes):
            changes = self.changes[module]
            view = changes.view
            tree = view.tree.visit(_Rewrite(changes, dependency, factory_flavour(self.index, self.factory) == "async"))
            tree = _drop_unused(tree, changes)
            for import_module, import_name in changes.imports:
                tree = add_from_import(tree, import_module, import_name, self._is_project)
            is_linted = module == self.context.module_name
            edits.extend(edits_between(view.shown if is_linted else str(view.path), view.text, tree.code))
        routes = sorted(f"`{h.function.name.value}()`" for h in self.holders.values() if h.is_route)
        message = f"Replace `{self.name}` with a `{dependency.name}` dependency in {', '.join(routes)}"
        return FixSpec("unsafe", message, edits=edits)

    def _is_project(self, top: str) -> bool:
        return self.index.find_module(top) is not None


def _assigns(statement: cst.CSTNode, name: str) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    for small in statement.body:
        if isinstance(small, cst.Assign) and any(isinstance(t.target, cst.Name) and t.target.value == name for t in small.targets):
            return True
        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.target.value == name:
            return True
    return False


def _dependency_source(dependency: Dependency, is_async: bool) -> cst.FunctionDef:
    if is_async:
        code = f"async def {dependency.name}():\n    async with {dependency.factory_name}() as session:\n        yield session\n"
    else:
        code = f"def {dependency.name}():\n    with {dependency.factory_name}() as db:\n        yield db\n"
    statement = cst.parse_statement(code)
    assert isinstance(statement, cst.FunctionDef)
    return statement.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])


class _Rewrite(cst.CSTTransformer):
    def __init__(self, changes: Changes, dependency: Dependency, is_async: bool) -> None:
        self.changes = changes
        self.dependency = dependency
        self.is_async = is_async

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        key = id(original)
        if key in self.changes.routes:
            return updated.with_changes(params=self._route_params(updated, self.changes.routes[key]))
        if key in self.changes.services:
            param = cst.Param(cst.Name(self.changes.services[key]), cst.Annotation(cst.Name(self.changes.type_name)))
            params = updated.params
            if params.posonly_params:
                return updated.with_changes(params=params.with_changes(posonly_params=[param, *params.posonly_params]))
            return updated.with_changes(params=params.with_changes(params=[param, *params.params]))
        return updated

    def _route_params(self, function: cst.FunctionDef, session: str) -> cst.Parameters:
        changes = self.changes
        params = function.params
        existing = list(params.params)
        depends = f"{changes.depends_name}({changes.dependency_name})"
        if changes.annotated_name is not None:
            annotation = cst.parse_expression(f"{changes.annotated_name}[{changes.type_name}, {depends}]")
            param = cst.Param(cst.Name(session), cst.Annotation(annotation))
            if any(p.default is not None for p in params.posonly_params):
                raise NoFix(f"`{function.name.value}()` has positional-only parameters with defaults")
            # A parameter without a default goes before the first one with a default.
            position = next((i for i, p in enumerate(existing) if p.default is not None), None)
            if position is not None:
                return params.with_changes(params=[*existing[:position], param, *existing[position:]])
        else:
            param = cst.Param(
                cst.Name(session),
                cst.Annotation(cst.Name(changes.type_name)),
                default=cst.parse_expression(depends),
                equal=cst.AssignEqual(cst.SimpleWhitespace(" "), cst.SimpleWhitespace(" ")),
            )
        if existing and isinstance(existing[-1].comma, cst.Comma):
            # A trailing comma (one parameter a line): the new parameter goes on its own line.
            last = existing[-1]
            if len(existing) > 1 and isinstance(existing[-2].comma, cst.Comma):
                between = existing[-2].comma
            else:
                between = cst.Comma(whitespace_after=function.whitespace_before_params)
            existing[-1] = last.with_changes(comma=between)
            param = param.with_changes(comma=last.comma)
        return params.with_changes(params=[*existing, param])

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        session = self.changes.calls.get(id(original))
        if session is None:
            return updated
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")) if updated.args else cst.MaybeSentinel.DEFAULT
        return updated.with_changes(args=[cst.Arg(cst.Name(session), comma=comma), *updated.args])

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        body: list[cst.BaseStatement] = []
        dropped: set[int] = set()
        inserted: cst.FunctionDef | None = None
        for before, after in zip(original.body, updated.body):
            if id(before) in self.changes.removed:
                dropped.add(id(after))
            body.append(after)
            if id(before) == self.changes.dependency_after:
                inserted = _dependency_source(self.dependency, self.is_async)
                body.append(inserted)
        tree = drop_statements(updated.with_changes(body=body), lambda s: None if id(s) in dropped else s)
        if inserted is None:
            return tree
        body = list(tree.body)
        position = next(i for i, statement in enumerate(body) if statement is inserted)
        if position + 1 < len(body):
            following = body[position + 1]
            blank = 0
            for line in following.leading_lines:
                if line.comment is not None:
                    break
                blank += 1
            if blank < 2:
                body[position + 1] = following.with_changes(leading_lines=[*[cst.EmptyLine()] * (2 - blank), *following.leading_lines])
        return tree.with_changes(body=body)


def _drop_unused(tree: cst.Module, changes: Changes) -> cst.Module:
    """Without the global's statement, and the imports the module no longer reads."""
    unused = set()
    if changes.unused_candidates:
        used = {
            node.value
            for node, ancestors in _walk(tree)
            if isinstance(node, cst.Name)
            and node.value in changes.unused_candidates
            and ancestors
            and not any(isinstance(step, (cst.Import, cst.ImportFrom)) for step in ancestors)
            and _is_name_load(node, ancestors[-1])
            and not (isinstance(ancestors[-1], cst.Attribute) and ancestors[-1].attr is node)
            and not (isinstance(ancestors[-1], cst.Arg) and ancestors[-1].keyword is node)
            and not _shadowed(node.value, ancestors)
        }
        unused = changes.unused_candidates - used
    if not unused:
        return tree
    return drop_statements(tree, lambda statement: without_names(statement, unused))


def plan_global_fix(context: FileContext, statement: cst.SimpleStatementLine, name: str, call: cst.Call, factory: str) -> FixSpec | str:
    """The fix for ``name = call`` at module level (``factory``: the sessionmaker's
    canonical name), or why there is none."""
    try:
        return Planner(context, statement, name, call, factory).plan()
    except NoFix as reason:
        return str(reason)
