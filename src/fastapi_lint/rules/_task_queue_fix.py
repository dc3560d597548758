"""FAPI401's fix: hand a heavy background task to ARQ or Celery.

``background_tasks.add_task(fn, *args, **kwargs)`` in a route becomes
``await arq_pool.enqueue_job("fn_task", *args, **kwargs)`` (ARQ) or
``fn.delay(*args, **kwargs)`` (Celery), and the project is set up for it: the route's
pool dependency, the worker's task wrapper and its registration in ``WorkerSettings``,
or the ``@celery_app.task`` decorator. Whatever the fix cannot prove right (an argument
that cannot cross to another process, a name clash, an import cycle, two candidate
workers) means no fix, and the reason is returned for the message.
"""

from __future__ import annotations

import re
import weakref
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

import libcst as cst

from fastapi_lint.linter.diagnostics import Edit
from fastapi_lint.linter.names import Binding, Scope, dotted_name, lookup, resolve, resolve_callee, scan_module_bindings
from fastapi_lint.linter.project_edits import create_file, edits_between
from fastapi_lint.linter.rule import FixSpec
from fastapi_lint.linter.walk import parameters_of
from fastapi_lint.rules._heavy_calls import ANNOTATED, BACKGROUND_TASKS_CLASSES
from fastapi_lint.rules._source_edits import add_from_import, add_plain_import, reflow, remove_import_alias
from fastapi_lint.rules._sqlalchemy import creates_session, is_session_class

if TYPE_CHECKING:
    from fastapi_lint.linter.context import FileContext
    from fastapi_lint.linter.index import ProjectIndex, Symbol

ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "options", "head", "trace", "api_route"})
ROUTERS = frozenset(
    {
        "fastapi.FastAPI",
        "fastapi.applications.FastAPI",
        "fastapi.APIRouter",
        "fastapi.routing.APIRouter",
    }
)
ARQ_REDIS = frozenset({"arq.ArqRedis", "arq.connections.ArqRedis"})
ARQ_CREATE_POOL = frozenset({"arq.create_pool", "arq.connections.create_pool"})
ASYNC_ITERATORS = frozenset(
    {
        "typing.AsyncIterator",
        "typing.AsyncGenerator",
        "collections.abc.AsyncIterator",
        "collections.abc.AsyncGenerator",
    }
)
CELERY_APPS = frozenset({"celery.Celery", "celery.app.Celery", "celery.app.base.Celery"})
CELERY_SHARED_TASK = frozenset({"celery.shared_task", "celery.app.shared_task"})
DEPENDS = frozenset({"fastapi.Depends", "fastapi.param_functions.Depends"})
REQUESTS = frozenset(
    {
        "fastapi.Request",
        "fastapi.requests.Request",
        "starlette.requests.Request",
        "starlette.requests.HTTPConnection",
        "fastapi.requests.HTTPConnection",
    }
)
WEBSOCKETS = frozenset({"fastapi.WebSocket", "fastapi.websockets.WebSocket", "starlette.websockets.WebSocket"})
UPLOAD_FILES = frozenset(
    {"fastapi.UploadFile", "fastapi.datastructures.UploadFile", "starlette.datastructures.UploadFile"}
)
OPEN_CALLS = frozenset({"builtins.open", "io.open", "pathlib.Path.open", "tempfile.TemporaryFile", "tempfile.NamedTemporaryFile"})
PYDANTIC_MODELS = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel"})
# Types whose values any queue serialiser (pickle for ARQ, JSON for Celery) carries.
JSON_SCALARS = frozenset(
    {
        "builtins.str",
        "builtins.int",
        "builtins.float",
        "builtins.bool",
        "pydantic.EmailStr",
        "pydantic.networks.EmailStr",
        "uuid.UUID",
    }
)
JSON_CONTAINERS = frozenset(
    {
        "builtins.list",
        "builtins.tuple",
        "typing.List",
        "typing.Tuple",
        "typing.Sequence",
        "collections.abc.Sequence",
        "typing.Optional",
        "typing.Union",
        "typing.Annotated",
        "typing_extensions.Annotated",
    }
)
JSON_MAPPINGS = frozenset({"builtins.dict", "typing.Dict", "typing.Mapping", "collections.abc.Mapping"})
LITERALS = frozenset({"typing.Literal", "typing_extensions.Literal"})
# Calls whose result is a plain value whatever they are given.
PLAIN_RESULT_CALLS = frozenset({"builtins.str", "builtins.int", "builtins.float", "builtins.bool", "builtins.len"})

_AWAITED_CREATE_POOL = re.compile(r"\bawait\s+[\w.]*\bcreate_pool\s*\(")

POOL_PARAMETER = "arq_pool"
POOL_DEPENDENCY = "get_arq_pool"
DEPENDENCY_MODULES = ("api.deps", "dependencies", "deps", "api.dependencies")
WORKER_MODULE = "worker"
_MAX_IMPORT_WALK = 400
_MAX_HOPS = 6

NOT_SERIALISABLE = "argument `{arg}` {what}"
CROSS = ", which cannot be sent to another process"
HINT = (
    " (literals, and route parameters or pydantic fields typed `str`, `int`, `float`, `bool`, `EmailStr`, "
    "`UUID` or lists and dicts of them, are)"
)
UNPROVEN = "has a type the linter cannot prove serialisable" + HINT

GET_ARQ_POOL = '''async def get_arq_pool() -> AsyncIterator[ArqRedis]:
    """A connection to the ARQ queue for one request (Redis from `RedisSettings`)."""
    pool = await create_pool(RedisSettings())
    try:
        yield pool
    finally:
        await pool.close()
'''

ASYNC_WRAPPER = '''async def {wrapper}(ctx, *args, **kwargs):
    return await {fn}(*args, **kwargs)
'''

SYNC_WRAPPER = '''async def {wrapper}(ctx, *args, **kwargs):
    # {fn} is a regular function: run it in a thread so the worker keeps serving other jobs.
    return await asyncio.to_thread({fn}, *args, **kwargs)
'''

WORKER_CLASS = '''class WorkerSettings:
    functions = [{wrapper}]
    redis_settings = RedisSettings()
'''

WORKER_DOCSTRING = '"""The ARQ worker: `arq {module}.WorkerSettings` runs the jobs the web app enqueues."""\n'


class NoFix(Exception):
    """Why no fix is offered (the text completes "No automatic fix: ...")."""


# Project-wide answers by project index (see ``TaskQueueFix._project_wide``).
_PROJECT_WIDE: "weakref.WeakKeyDictionary[ProjectIndex, dict[tuple[str, ...], tuple[Any, tuple[Any, ...] | None]]]" = (
    weakref.WeakKeyDictionary()
)


@dataclass
class _Files:
    """The new text of every file the fix touches, by module (created ones apart)."""

    texts: dict[str, tuple[Path | str, str, str]] = field(default_factory=dict)  # module -> (path, old, new)
    created: dict[str, tuple[Path, str]] = field(default_factory=dict)

    def edits(self) -> list[Edit]:
        found: list[Edit] = []
        for path, old, new in self.texts.values():
            if old != new:
                found.extend(edits_between(str(path), old, new))
        for path, content in self.created.values():
            found.append(create_file(path, content))
        return found


@dataclass(frozen=True)
class _Worker:
    """A class with ARQ's ``functions`` list: the project's worker settings."""

    module: str
    shown: str
    cls: str
    scope: Scope


@dataclass(frozen=True)
class _Task:
    """The function the background task runs: a module-level project function."""

    module: str
    name: str
    is_async: bool
    symbol: Symbol
    # The definition, for the fixes that edit it (Celery's); None otherwise.
    node: cst.FunctionDef | None


class TaskQueueFix:
    """Builds the fix for one ``add_task`` call; ``rule`` is the FAPI401 instance."""

    def __init__(self, rule: "_RuleView", queue: str) -> None:
        self.rule = rule
        self.context: FileContext = rule.context
        self.index: ProjectIndex = rule.context.index
        self.queue = queue
        self._roots = self.index.module_roots()
        # Without edits (a run that prints only whether there is a fix, and its message),
        # every check that can refuse the fix still runs; the new texts are not made.
        self.edits_wanted = self.index.fix_edits

    def _project_wide(self, key: tuple[str, ...], find: Callable[[], Any]) -> Any:
        """What ``find`` finds in the whole project (the worker settings, the pool
        dependencies, the Celery app): the same for every finding of a run, so found once
        per project when nothing records what each file consults (no cache)."""
        if self.index.recorder is not None:
            return find()
        known = _PROJECT_WIDE.setdefault(self.index, {})
        if key not in known:
            try:
                known[key] = (find(), None)
            except NoFix as reason:
                known[key] = (None, reason.args)
        found, refused = known[key]
        if refused is not None:
            raise NoFix(*refused)
        return found

    # -- the entry point --------------------------------------------------------------

    def build(self, call: cst.Call) -> FixSpec:
        """The fix for ``call``; raises NoFix with the reason when there is none."""
        route, receiver = self._route_and_receiver(call)
        task = self._task(call)
        self._check_arguments(call)
        if self.queue == "celery":
            return self._celery(call, route, receiver, task)
        return self._arq(call, route, receiver, task)

    # -- what is scheduled, and where -------------------------------------------------

    def _route_and_receiver(self, call: cst.Call) -> tuple[cst.FunctionDef, Binding]:
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "add_task":
            raise NoFix("only `background_tasks.add_task(...)` calls are rewritten")
        ancestors = self.context.ancestors
        if len(ancestors) < 2 or not isinstance(ancestors[-1], cst.Expr) or not isinstance(ancestors[-2], cst.SimpleStatementLine):
            raise NoFix("the `add_task` call is not a statement of its own")
        route = next((node for node in reversed(ancestors) if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef))), None)
        if not isinstance(route, cst.FunctionDef) or any(
            isinstance(node, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)) for node in ancestors
        ):
            raise NoFix("the `add_task` call is not directly in a route function")
        scope = self.context.scope
        if scope.node is not route or scope.parent is None or scope.parent.kind != "module" or not self._is_route(route, scope.parent):
            raise NoFix(f"`{route.name.value}` is not a route function (a `@router.post(...)`-style decorated function)")
        if not isinstance(func.value, cst.Name):
            raise NoFix("the `BackgroundTasks` object is not a parameter of the route")
        found = lookup(scope, func.value.value)
        if found is None or found[0] is not scope or found[1].kind != "param" or found[1].annotation is None:
            raise NoFix("the `BackgroundTasks` object is not a parameter of the route")
        return route, found[1]

    def _is_route(self, function: cst.FunctionDef, module_scope: Scope) -> bool:
        for decorator in function.decorators:
            expression = decorator.decorator
            if not isinstance(expression, cst.Call) or not isinstance(expression.func, cst.Attribute):
                continue
            if expression.func.attr.value not in ROUTE_METHODS:
                continue
            owner = resolve(module_scope, expression.func.value)
            symbol = self.index.lookup(owner) if owner is not None else None
            if symbol is not None and symbol.assign is not None and symbol.assign.call is not None:
                if (self.index.canonical(symbol.assign.call) or symbol.assign.call) in ROUTERS:
                    return True
        return False

    def _task(self, call: cst.Call) -> _Task:
        if not call.args or call.args[0].keyword is not None or call.args[0].star:
            raise NoFix("the task is not the first positional argument of `add_task`")
        expression = call.args[0].value
        if not isinstance(expression, (cst.Name, cst.Attribute)):
            raise NoFix("the task is not a plain function name (a lambda or `partial` cannot be sent to a worker)")
        shown = self.context.tree.code_for_node(expression)
        if isinstance(expression, cst.Name):
            found = lookup(self.context.scope, expression.value)
            if found is not None and found[0].kind != "module":
                raise NoFix(f"`{shown}` is defined inside the route; the worker can only import module-level functions")
        qualname = self.context.resolve(expression)
        symbol = self.index.lookup(self.index.canonical(qualname)) if qualname is not None else None
        if symbol is None:
            raise NoFix(f"`{shown}` is not a function defined in this project")
        if symbol.kind != "function" or symbol.function is None or "." in symbol.function.name:
            raise NoFix(f"`{shown}` is not a module-level function (a method needs its instance in the worker)")
        node: cst.FunctionDef | None = None
        if self.queue == "celery":
            # Celery decorates the task: its definition is edited.
            tree = self.index.tree(symbol.module.name)
            node = _top_level_function(tree, symbol.function.name) if tree is not None else None
            found = node is not None
        else:
            # ARQ imports the task from a job wrapper: it must be a top-level ``def`` (the
            # module's summary comes from CPython's parse: no LibCST parse is needed).
            found = _defines_top_level_function(self.index, symbol.module.name, symbol.function.name)
        if not found:
            raise NoFix(f"the definition of `{shown}` could not be read")
        return _Task(symbol.module.name, symbol.function.name, symbol.function.is_async, symbol, node)

    # -- can the arguments cross to another process? ----------------------------------

    def _check_arguments(self, call: cst.Call) -> None:
        for arg in call.args[1:]:
            shown = self.context.tree.code_for_node(arg.value)
            if arg.star:
                raise NoFix(f"argument `{arg.star}{shown}` is unpacked: its values cannot be checked")
            reserved = arg.keyword is not None and (arg.keyword.value.startswith("_") or arg.keyword.value == "function")
            if reserved and self.queue == "arq":
                assert arg.keyword is not None
                raise NoFix(f"keyword `{arg.keyword.value}` is one of `enqueue_job`'s own arguments, not the task's")
            problem = self._problem(arg.value, self.context.scope, 0)
            if problem is not None:
                raise NoFix(NOT_SERIALISABLE.format(arg=shown, what=problem))

    def _problem(self, node: cst.BaseExpression, scope: Scope, hops: int) -> str | None:
        """Why the value of ``node`` may not survive serialisation; None when it surely does."""
        if hops > _MAX_HOPS:
            return UNPROVEN
        if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString, cst.ConcatenatedString)):
            if isinstance(node, cst.SimpleString) and "b" in node.prefix.lower() and self.queue == "celery":
                return "is bytes, which Celery's JSON messages cannot carry"
            return None
        if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
            return None
        if isinstance(node, cst.UnaryOperation) and isinstance(node.expression, (cst.Integer, cst.Float)):
            return None
        if isinstance(node, cst.FormattedString):
            for part in node.parts:
                if isinstance(part, cst.FormattedStringExpression):
                    inner = self._problem(part.expression, scope, hops + 1)
                    if inner is not None:
                        return inner
            return None
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            if isinstance(node, cst.Set) and self.queue == "celery":
                return "is a set, which Celery's JSON messages cannot carry"
            for element in node.elements:
                if isinstance(element, cst.StarredElement):
                    return "unpacks values the linter cannot check"
                inner = self._problem(element.value, scope, hops + 1)
                if inner is not None:
                    return inner
            return None
        if isinstance(node, cst.Dict):
            for element in node.elements:
                if not isinstance(element, cst.DictElement):
                    return "unpacks values the linter cannot check"
                for part in (element.key, element.value):
                    inner = self._problem(part, scope, hops + 1)
                    if inner is not None:
                        return inner
            return None
        if isinstance(node, cst.Lambda):
            return "is a function" + CROSS
        if isinstance(node, cst.Call):
            return self._call_problem(node, scope)
        if isinstance(node, cst.Name):
            return self._name_problem(node, scope, hops)
        if isinstance(node, cst.Attribute):
            return self._attribute_problem(node, scope)
        return UNPROVEN

    def _call_problem(self, node: cst.Call, scope: Scope) -> str | None:
        callee = resolve_callee(scope, node.func)
        if callee in PLAIN_RESULT_CALLS:
            return None
        if callee is not None and (callee in OPEN_CALLS or callee.endswith((".open", ".TemporaryFile"))):
            return "is an open file" + CROSS
        if callee is not None and creates_session(self.index, callee) is not None:
            return "is a database session" + CROSS
        return "is the result of a call, whose type the linter cannot prove serialisable" + HINT

    def _name_problem(self, node: cst.Name, scope: Scope, hops: int) -> str | None:
        found = lookup(scope, node.value)
        if found is None:
            return UNPROVEN
        owner, binding = found
        if owner.kind == "function" and isinstance(owner.node, cst.FunctionDef):
            # A name bound again elsewhere in the function (a loop, a branch) may hold another value here.
            sites = _binding_sites(owner.node.body, node.value) + (1 if binding.kind == "param" or _is_param(owner.node, node.value) else 0)
            if sites > 1:
                return "is bound more than once in the function, so its value here is not certain"
        if binding.kind == "param":
            return self._parameter_problem(binding, owner)
        if binding.kind in ("assign", "with") and binding.value is not None:
            if binding.annotation is not None:
                return self._annotation_problem(binding.annotation, owner)
            return self._problem(binding.value, owner, hops + 1)
        if binding.kind in ("def", "class"):
            return ("is a function" if binding.kind == "def" else "is a class") + CROSS
        if binding.kind == "import":
            symbol = self.index.lookup(self.index.canonical(binding.qualname))
            if symbol is not None and symbol.kind in ("function", "class"):
                return f"is a {symbol.kind}" + CROSS
        return UNPROVEN

    def _parameter_problem(self, binding: Binding, owner: Scope) -> str | None:
        where = owner.parent or owner
        if binding.annotation is None:
            param = binding.node
            if isinstance(param, cst.Param) and isinstance(param.default, cst.Call) and param.default.args:
                if self._names(param.default.func, where, DEPENDS) and self._dependency_gives_session(param.default.args[0].value, where):
                    return "is a database session" + CROSS
            return "has no type annotation, so the linter cannot prove it serialisable"
        return self._annotation_problem(binding.annotation, where)

    def _dependency_gives_session(self, dependency: cst.BaseExpression, scope: Scope) -> bool:
        symbol = self.index.lookup(self.index.canonical(resolve(scope, dependency)))
        function = symbol.function if symbol is not None else None
        return function is not None and any(creates_session(self.index, returned) is not None for returned in function.returns)

    def _annotation_problem(self, annotation: cst.BaseExpression, scope: Scope) -> str | None:
        cls = self.rule._type_of(annotation, scope, 0)
        if cls is not None:
            if is_session_class(self.index, cls):
                return "is a database session" + CROSS
            if cls in REQUESTS:
                return "is the request" + CROSS
            if cls in WEBSOCKETS:
                return "is the WebSocket connection" + CROSS
            if cls in UPLOAD_FILES:
                return "is an uploaded file (an open file)" + CROSS
            if cls in BACKGROUND_TASKS_CLASSES:
                return "is the `BackgroundTasks` object" + CROSS
            if self.index.is_subclass(cls, PYDANTIC_MODELS):
                return f"is a pydantic model (`{cls.rsplit('.', 1)[-1]}`), which is not sent whole; pass the fields the task needs instead"
        if self._plain_annotation(annotation, scope, 0):
            return None
        shown = self.context.tree.code_for_node(annotation)
        return f"is a `{shown}`, a type the linter cannot prove serialisable" + HINT

    def _plain_annotation(self, annotation: cst.BaseExpression, scope: Scope, depth: int) -> bool:
        """Whether values of this type are plain data: str, int, EmailStr, UUID, and lists,
        dicts, unions and ``Annotated`` of those."""
        if depth > _MAX_HOPS:
            return False
        if isinstance(annotation, cst.SimpleString):
            try:
                return self._plain_annotation(cst.parse_expression(str(annotation.evaluated_value)), scope, depth + 1)
            except (cst.ParserSyntaxError, TypeError):
                return False
        if isinstance(annotation, cst.Name) and annotation.value == "None":
            return True
        if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
            return self._plain_annotation(annotation.left, scope, depth + 1) and self._plain_annotation(annotation.right, scope, depth + 1)
        if isinstance(annotation, (cst.Name, cst.Attribute)):
            qualname = resolve(scope, annotation)
            return qualname is not None and (self.index.canonical(qualname) or qualname) in JSON_SCALARS
        if isinstance(annotation, cst.Subscript):
            outer = resolve(scope, annotation.value)
            outer = self.index.canonical(outer) if outer is not None else None
            items = [element.slice.value for element in annotation.slice if isinstance(element.slice, cst.Index)]
            if outer in LITERALS:
                return True
            if outer in ANNOTATED:
                return bool(items) and self._plain_annotation(items[0], scope, depth + 1)
            if outer in JSON_CONTAINERS:
                return all(
                    (isinstance(item, cst.Ellipsis)) or self._plain_annotation(item, scope, depth + 1) for item in items
                )
            if outer in JSON_MAPPINGS and len(items) == 2:
                return self._plain_annotation(items[0], scope, depth + 1) and self._plain_annotation(items[1], scope, depth + 1)
        return False

    def _attribute_problem(self, node: cst.Attribute, scope: Scope) -> str | None:
        """``user.email`` for a route parameter whose pydantic model declares ``email: str``."""
        shown = UNPROVEN
        if not isinstance(node.value, cst.Name):
            return shown
        found = lookup(scope, node.value.value)
        if found is None or found[1].kind != "param" or found[1].annotation is None:
            return shown
        owner, binding = found
        cls = self.rule._type_of(binding.annotation, owner.parent or owner, 0)
        if cls is None or not self.index.is_subclass(cls, PYDANTIC_MODELS):
            return shown
        field_type = self._field_annotation(cls, node.attr.value, 0)
        if field_type is None:
            return shown
        annotation, field_scope = field_type
        if self._plain_annotation(annotation, field_scope, 0):
            return None
        return f"is the field `{node.attr.value}` of `{cls.rsplit('.', 1)[-1]}`, whose type the linter cannot prove serialisable"

    def _field_annotation(self, cls: str, name: str, depth: int) -> tuple[cst.BaseExpression, Scope] | None:
        symbol = self.index.lookup(cls)
        if symbol is None or symbol.cls is None or depth > _MAX_HOPS:
            return None
        tree = self.index.tree(symbol.module.name)
        if tree is None:
            return None
        scope = scan_module_bindings(tree, symbol.module.name, symbol.module.is_package)
        for statement in tree.body:
            if isinstance(statement, cst.ClassDef) and statement.name.value == symbol.cls.name:
                for line in statement.body.body if isinstance(statement.body, cst.IndentedBlock) else ():
                    if isinstance(line, cst.SimpleStatementLine):
                        for small in line.body:
                            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.target.value == name:
                                return small.annotation.annotation, scope
        for base in symbol.cls.bases:
            inherited = self._field_annotation(self.index.canonical(base) or base, name, depth + 1)
            if inherited is not None:
                return inherited
        return None

    def _names(self, node: cst.BaseExpression, scope: Scope, qualnames: frozenset[str]) -> bool:
        qualname = resolve(scope, node)
        return qualname is not None and (qualname in qualnames or self.index.canonical(qualname) in qualnames)

    # -- ARQ --------------------------------------------------------------------------

    def _arq(self, call: cst.Call, route: cst.FunctionDef, receiver: Binding, task: _Task) -> FixSpec:
        if route.asynchronous is None:
            raise NoFix(
                f"`{route.name.value}` is a sync route and ARQ jobs are enqueued with `await`; "
                'make the route `async def` first, or set `task-queue = "celery"`'
            )
        own = self.context.module_name
        package = self._package()
        files = _Files()
        worker = self._project_wide(("worker", package), lambda: self._worker(package))
        wrapper = f"{task.name}_task"
        if worker is not None and worker.module == own:
            raise NoFix("the route's module defines the ARQ `WorkerSettings`")
        if worker is None:
            files.created[f"{package}.{WORKER_MODULE}"] = (
                self._new_module_path(package, WORKER_MODULE),
                self._new_worker(package, task, wrapper),
            )
        else:
            wrapper = self._register(worker, task, wrapper, files)
        pool_param = self._existing_pool_parameter(route)
        dependency: tuple[str, str] | None = None  # (module, name) to import in the route
        if pool_param is None:
            dependency = self._pool_dependency(package, files)
        own_tree = self._rewrite_route(call, route, receiver, pool_param or POOL_PARAMETER, dependency, wrapper, None)
        if self.edits_wanted:
            files.texts[own] = (self._own_path(), self.context.text, own_tree.code)
        where = self.index.relative_path(files.created[f"{package}.{WORKER_MODULE}"][0]) if worker is None else worker.shown
        return FixSpec(
            "unsafe",
            f"Enqueue `{task.name}` on ARQ as job `{wrapper}` (registered in {where})",
            edits=files.edits() if self.edits_wanted else (),
        )

    def _own_path(self) -> str:
        """The linted file as its findings name it: a fix that edits only this file is then
        applied with the file's other fixes."""
        return self.context.display_path

    def _package(self) -> str:
        module = self.context.module_name
        top = module.split(".", 1)[0]
        if top in self.index.packages and top in self.index.paths:
            return top
        raise NoFix("the route is not inside a package, so there is no place for the worker module")

    def _new_module_path(self, package: str, name: str) -> Path:
        module = f"{package}.{name}"
        if self.index.find_module(module) is not None:
            raise NoFix(f"`{module}` exists but has no ARQ `WorkerSettings` with a `functions` list")
        return self.index.paths[package].parent / f"{name}.py"

    def _new_worker(self, package: str, task: _Task, wrapper: str) -> str:
        template = ASYNC_WRAPPER if task.is_async else SYNC_WRAPPER
        return "".join(
            [
                WORKER_DOCSTRING.format(module=f"{package}.{WORKER_MODULE}"),
                "" if task.is_async else "\nimport asyncio\n",
                "\nfrom arq.connections import RedisSettings\n",
                f"\nfrom {task.module} import {task.name}\n",
                "\n\n" + template.format(wrapper=wrapper, fn=task.name),
                "\n\n" + WORKER_CLASS.format(wrapper=wrapper),
            ]
        )

    # -- the worker -------------------------------------------------------------------

    def _worker(self, package: str) -> "_Worker | None":
        found: list[_Worker] = []
        for module in sorted(self.index.modules_mentioning(("WorkerSettings", "arq"))):
            tree = self.index.tree(module)
            if tree is None:
                continue
            summary = self.index.summary(module)
            is_package = summary.is_package if summary is not None else False
            scope = scan_module_bindings(tree, module, is_package)
            uses_arq = any(b.kind == "import" and (b.qualname or "").split(".", 1)[0] == "arq" for b in scope.names.values())
            for statement in tree.body:
                if isinstance(statement, cst.ClassDef) and _class_functions(statement) is not None:
                    if statement.name.value == "WorkerSettings" or uses_arq:
                        shown = self.index.relative_path(self.index.paths[module])
                        found.append(_Worker(module, shown, statement.name.value, scope))
        if len(found) > 1:
            named = [worker for worker in found if worker.cls == "WorkerSettings"]
            if len(named) != 1:
                listed = ", ".join(f"{w.shown}:{w.cls}" for w in found)
                raise NoFix(f"the project has several ARQ worker settings ({listed})")
            return named[0]
        return found[0] if found else None

    def _register(self, worker: _Worker, task: _Task, wrapper: str, files: _Files) -> str:
        """Add the wrapper to an existing worker module; the job name to enqueue."""
        tree = self.index.tree(worker.module)
        source = self.index.source(worker.module)
        assert tree is not None and source is not None
        cls = next(s for s in tree.body if isinstance(s, cst.ClassDef) and s.name.value == worker.cls)
        listed = _class_functions(cls)
        assert listed is not None
        existing = worker.scope.names.get(wrapper)
        if existing is not None:
            # Already there (an earlier fix): reuse it when it wraps this function and is registered.
            if (
                existing.kind == "def"
                and isinstance(existing.node, cst.FunctionDef)
                and self._wraps(existing.node, worker.scope, task)
                and any(isinstance(e.value, cst.Name) and e.value.value == wrapper for e in listed.elements)
            ):
                return wrapper
            raise NoFix(f"`{wrapper}` is already defined in {worker.shown}")
        if self._imports_transitively(task.module, worker.module):
            raise NoFix(f"{worker.shown} would import `{task.module}`, which imports it (an import cycle)")
        fn_name = task.name
        if task.module != worker.module:
            bound = worker.scope.names.get(task.name)
            if bound is not None and not (bound.kind == "import" and self.index.canonical(bound.qualname) == task.symbol.qualname):
                raise NoFix(f"`{task.name}` already names something else in {worker.shown}")
        if not task.is_async:
            bound = worker.scope.names.get("asyncio")
            if bound is not None and not (bound.kind == "import" and bound.qualname == "asyncio"):
                raise NoFix(f"`asyncio` names something else in {worker.shown}")
        if not self.edits_wanted:
            return wrapper
        template = ASYNC_WRAPPER if task.is_async else SYNC_WRAPPER
        function = cst.parse_statement(template.format(wrapper=wrapper, fn=fn_name), config=tree.config_for_parsing)
        function = function.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
        body = list(tree.body)
        at = body.index(cls)
        new_elements = reflow(
            [*listed.elements, cst.Element(cst.Name(wrapper))],
            list(listed.elements),
            cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
            listed.lbracket.whitespace_after if isinstance(listed, cst.List) else None,
        )
        new_cls = cls.deep_replace(listed, listed.with_changes(elements=new_elements))
        body[at] = new_cls
        body.insert(at, function)
        new_tree = tree.with_changes(body=body)
        if task.module != worker.module and task.name not in worker.scope.names:
            new_tree = add_from_import(new_tree, task.module, task.name, self._roots, (worker.module, worker.module in self.index.packages))
        if not task.is_async and "asyncio" not in worker.scope.names:
            new_tree = add_plain_import(new_tree, "asyncio", self._roots)
        files.texts[worker.module] = (self.index.paths[worker.module], source.text, new_tree.code)
        return wrapper

    def _wraps(self, function: cst.FunctionDef, scope: Scope, task: _Task) -> bool:
        """Whether a worker function's body calls (or hands to a thread) the task's function."""
        for name in _names_in(function.body):
            qualname = resolve(scope, cst.Name(name))
            if qualname is not None and self.index.canonical(qualname) == task.symbol.qualname:
                return True
        return False

    # -- the pool dependency ----------------------------------------------------------

    def _existing_pool_parameter(self, route: cst.FunctionDef) -> str | None:
        where = self.context.scope.parent or self.context.scope
        for param in parameters_of(route.params):
            if param.annotation is not None and self.rule._type_of(param.annotation.annotation, where, 0) in ARQ_REDIS:
                return param.name.value
        if re.search(rf"\b{POOL_PARAMETER}\b", self.context.tree.code_for_node(route)):
            raise NoFix(f"the route already uses the name `{POOL_PARAMETER}`")
        return None

    def _pool_dependency(self, package: str, files: _Files) -> tuple[str, str]:
        """The project's ARQ pool dependency (module, name), created when there is none."""
        found = self._project_wide(("pool dependencies",), self._find_pool_dependencies)
        if len(found) > 1:
            preferred = [item for item in found if item[1] == POOL_DEPENDENCY]
            if len(preferred) != 1:
                listed = ", ".join(f"{module}.{name}" for module, name in found)
                raise NoFix(f"the project has several ARQ pool dependencies ({listed})")
            found = preferred
        if found:
            module, name = found[0]
            if module != self.context.module_name and self._imports_transitively(module, self.context.module_name):
                raise NoFix(f"`{module}` imports the route's module: importing `{name}` from it would make an import cycle")
            return module, name
        for suffix in DEPENDENCY_MODULES:
            module = self.index.find_module(f"{package}.{suffix}")
            if module is not None:
                return self._add_pool_dependency(module, files)
        module = f"{package}.dependencies"
        path = self.index.paths[package].parent / "dependencies.py"
        files.created[module] = (path, _new_dependencies_module())
        return module, POOL_DEPENDENCY

    def _find_pool_dependencies(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for module in sorted(self.index.modules_mentioning(("create_pool", "ArqRedis"))):
            summary = self.index.summary(module)
            tree = self.index.tree(module)
            if summary is None or tree is None:
                continue
            scope = scan_module_bindings(tree, module, summary.is_package)
            for statement in tree.body:
                if isinstance(statement, cst.FunctionDef) and self._is_pool_dependency(statement, summary.functions.get(statement.name.value), scope):
                    found.append((module, statement.name.value))
        return found

    def _is_pool_dependency(self, function: cst.FunctionDef, summary: object, scope: Scope) -> bool:
        params = parameters_of(function.params)
        # A worker's startup hook takes ``ctx``; a dependency takes nothing FastAPI cannot fill.
        for param in params:
            if param.default is not None:
                continue
            annotation = param.annotation.annotation if param.annotation is not None else None
            if annotation is None or not self._names(annotation, scope, REQUESTS):
                return False
        if function.returns is not None and self._returns_pool(function.returns.annotation, scope):
            return True
        returns = getattr(summary, "returns", ())
        if not any((self.index.canonical(callee) or callee) in ARQ_CREATE_POOL for callee in returns):
            return False
        # ``create_pool`` is a coroutine: only an async function that awaits it hands out a pool.
        return function.asynchronous is not None and _AWAITED_CREATE_POOL.search(cst.Module([]).code_for_node(function)) is not None

    def _returns_pool(self, annotation: cst.BaseExpression, scope: Scope) -> bool:
        if isinstance(annotation, cst.Subscript) and self._names(annotation.value, scope, ASYNC_ITERATORS):
            first = annotation.slice[0].slice if annotation.slice else None
            return isinstance(first, cst.Index) and self._names(first.value, scope, ARQ_REDIS)
        return self._names(annotation, scope, ARQ_REDIS)

    def _add_pool_dependency(self, module: str, files: _Files) -> tuple[str, str]:
        if module == self.context.module_name:
            raise NoFix("the route's module is the project's dependencies module")
        tree = self.index.tree(module)
        source = self.index.source(module)
        summary = self.index.summary(module)
        if tree is None or source is None or summary is None:
            raise NoFix(f"`{module}` could not be read")
        shown = self.index.relative_path(self.index.paths[module])
        if self._imports_transitively(module, self.context.module_name):
            raise NoFix(f"{shown} imports the route's module: importing from it would make an import cycle")
        scope = scan_module_bindings(tree, module, summary.is_package)
        needed = {
            POOL_DEPENDENCY: None,
            "AsyncIterator": "collections.abc.AsyncIterator",
            "create_pool": "arq.create_pool",
            "ArqRedis": "arq.connections.ArqRedis",
            "RedisSettings": "arq.connections.RedisSettings",
        }
        new_tree = tree
        for name, qualname in needed.items():
            bound = scope.names.get(name)
            if bound is None:
                if qualname is not None and self.edits_wanted:
                    source_module, _, imported = qualname.rpartition(".")
                    new_tree = add_from_import(new_tree, source_module, imported, self._roots, (module, summary.is_package))
                continue
            same = bound.kind == "import" and qualname is not None and (
                bound.qualname == qualname or {bound.qualname, qualname} <= ARQ_REDIS | ARQ_CREATE_POOL
                or {bound.qualname, qualname} <= ASYNC_ITERATORS
            )
            if not same or bound.qualname in ("typing.AsyncGenerator", "collections.abc.AsyncGenerator"):
                raise NoFix(f"`{name}` already names something else in {shown}")
        if not self.edits_wanted:
            return module, POOL_DEPENDENCY
        function = cst.parse_statement(GET_ARQ_POOL, config=new_tree.config_for_parsing)
        function = function.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
        new_tree = new_tree.with_changes(body=[*new_tree.body, function])
        files.texts[module] = (self.index.paths[module], source.text, new_tree.code)
        return module, POOL_DEPENDENCY

    # -- Celery -----------------------------------------------------------------------

    def _celery(self, call: cst.Call, route: cst.FunctionDef, receiver: Binding, task: _Task) -> FixSpec:
        if task.is_async:
            raise NoFix(f"`{task.name}` is `async def`, and Celery runs only regular functions")
        app = self._project_wide(("celery app",), self._celery_app)
        decorated = self._celery_decorated(task, app)
        files = _Files()
        own = self.context.module_name
        own_extra: Callable[[cst.Module], cst.Module] | None = None
        if not decorated:
            assert task.node is not None
            if task.node.decorators:
                raise NoFix(f"`{task.name}` already has decorators; adding `@{app[1]}.task` above them is not provably right")
            app_module, app_name = app
            if task.module != app_module and self._imports_transitively(app_module, task.module):
                raise NoFix(f"`{app_module}` imports `{task.module}`: importing the Celery app there would make an import cycle")
            if task.module == own:
                own_extra = lambda tree: self._decorate(tree, task, app)  # noqa: E731
            else:
                tree = self.index.tree(task.module)
                source = self.index.source(task.module)
                assert tree is not None and source is not None
                decorated_tree = self._decorate(tree, task, app)
                if self.edits_wanted:
                    files.texts[task.module] = (self.index.paths[task.module], source.text, decorated_tree.code)
        own_tree = self._rewrite_route(call, route, receiver, None, None, None, own_extra)
        if self.edits_wanted:
            files.texts[own] = (self._own_path(), self.context.text, own_tree.code)
        return FixSpec(
            "unsafe",
            f"Run `{task.name}` on Celery with `{task.name}.delay(...)`",
            edits=files.edits() if self.edits_wanted else (),
        )

    def _celery_app(self) -> tuple[str, str]:
        found: list[tuple[str, str]] = []
        for module in sorted(self.index.modules_mentioning(("Celery", "celery"))):
            summary = self.index.summary(module)
            if summary is None:
                continue
            for name, assign in summary.assigns.items():
                if assign.call is not None and self._makes_celery_app(assign.call):
                    found.append((module, name))
        if not found:
            raise NoFix('the project has no Celery app (`celery_app = Celery(...)`) to run the task; create one, or use `task-queue = "arq"`')
        if len(found) > 1:
            raise NoFix("the project has several Celery apps (" + ", ".join(f"{m}.{n}" for m, n in found) + ")")
        return found[0]

    def _makes_celery_app(self, callee: str) -> bool:
        """``Celery(...)``, or a project factory function returning ``Celery(...)``."""
        canonical = self.index.canonical(callee) or callee
        if canonical in CELERY_APPS:
            return True
        symbol = self.index.lookup(canonical)
        function = symbol.function if symbol is not None else None
        return function is not None and any((self.index.canonical(r) or r) in CELERY_APPS for r in function.returns)

    def _celery_decorated(self, task: _Task, app: tuple[str, str]) -> bool:
        app_qualname = f"{app[0]}.{app[1]}"
        for decorator in task.symbol.function.decorators if task.symbol.function is not None else ():
            canonical = self.index.canonical(decorator) or decorator
            if canonical in CELERY_SHARED_TASK:
                return True
            owner, _, method = canonical.rpartition(".")
            if method == "task" and (self.index.canonical(owner) or owner) == app_qualname:
                return True
        return False

    def _decorate(self, tree: cst.Module, task: _Task, app: tuple[str, str]) -> cst.Module:
        """``@celery_app.task`` on the task's function, and the app's import."""
        app_module, app_name = app
        summary = self.index.summary(task.module)
        scope = scan_module_bindings(tree, task.module, summary.is_package if summary is not None else False)
        local = app_name
        if app_module != task.module:
            bound = scope.names.get(app_name)
            if bound is not None and not (bound.kind == "import" and self.index.canonical(bound.qualname) == f"{app_module}.{app_name}"):
                raise NoFix(f"`{app_name}` already names something else in `{task.module}`")
        decorator = cst.Decorator(cst.parse_expression(f"{local}.task"))
        body = list(tree.body)
        node = _top_level_function(tree, task.name)
        assert node is not None
        body[body.index(node)] = node.with_changes(decorators=[decorator])
        new_tree = tree.with_changes(body=body)
        if app_module != task.module and app_name not in scope.names:
            new_tree = add_from_import(new_tree, app_module, app_name, self._roots, (task.module, task.module in self.index.packages))
        return new_tree

    # -- the route --------------------------------------------------------------------

    def _rewrite_route(
        self,
        call: cst.Call,
        route: cst.FunctionDef,
        receiver: Binding,
        pool: str | None,
        dependency: tuple[str, str] | None,
        job: str | None,
        extra: Callable[[cst.Module], cst.Module] | None,
    ) -> cst.Module:
        """The linted module with the call rewritten, the route's parameters updated and
        its imports added or dropped."""
        tree = self.context.tree
        scope = self.context.module_scope
        imports: list[tuple[str, str]] = []
        if job is not None:
            assert pool is not None
            replacement: cst.BaseExpression = cst.Await(
                call.with_changes(
                    func=cst.Attribute(cst.Name(pool), cst.Name("enqueue_job")),
                    args=[call.args[0].with_changes(value=cst.SimpleString(f'"{job}"')), *call.args[1:]],
                ),
                whitespace_after_await=cst.SimpleWhitespace(" "),
            )
        else:
            rest = list(call.args[1:])
            replacement = call.with_changes(func=cst.Attribute(call.args[0].value, cst.Name("delay")), args=rest)
        bt_param = receiver.node
        assert isinstance(bt_param, cst.Param)
        if route.params.posonly_params or not any(p is bt_param for p in (*route.params.params, *route.params.kwonly_params)):
            raise NoFix("the route's parameters are laid out in a way the fix does not rewrite (positional-only)")
        if not self.edits_wanted:
            # What can still refuse the fix: the names the pool parameter needs, and the
            # Celery decorator of a task defined here (the rewrite leaves the module's
            # top-level names as they are, so the unchanged tree shows the same ones).
            if pool is not None and dependency is not None:
                self._pool_param(pool, dependency, self._annotated_style(bt_param), [])
            if extra is not None:
                extra(tree)
            return tree
        uses = len(re.findall(rf"\b{re.escape(bt_param.name.value)}\b", tree.code_for_node(route.body)))
        remove = bt_param if uses == 1 else None
        new_param: cst.Param | None = None
        annotated = False
        if pool is not None and dependency is not None:
            annotated = self._annotated_style(bt_param)
            new_param = self._pool_param(pool, dependency, annotated, imports)
        new_params = _edit_params(route.params, bt_param, remove is not None, new_param, annotated, route.whitespace_before_params)
        new_route = route.deep_replace(call, replacement)
        assert isinstance(new_route, cst.FunctionDef)
        new_tree = tree.deep_replace(route, new_route.with_changes(params=new_params))
        assert isinstance(new_tree, cst.Module)
        if extra is not None:
            new_tree = extra(new_tree)
        here = (self.context.module_name, self.context.is_package)
        for module, name in imports:
            new_tree = add_from_import(new_tree, module, name, self._roots, here)
        if remove is not None and remove.annotation is not None:
            new_tree = self._drop_unused_imports(new_tree, remove.annotation.annotation, scope)
        if job is not None and not self.context.is_package:
            # The job is named by a string now: an import of the task used nowhere else goes.
            new_tree = self._drop_unused_imports(new_tree, call.args[0].value, scope)
        return new_tree

    def _annotated_style(self, bt_param: cst.Param) -> bool:
        """Whether the module declares dependencies as ``Annotated[T, Depends(...)]``."""
        annotated = defaults = 0
        for node in _functions(self.context.tree):
            for param in parameters_of(node.params):
                if param.annotation is not None and "Depends(" in self.context.tree.code_for_node(param.annotation.annotation):
                    annotated += 1
                if param.default is not None and "Depends(" in self.context.tree.code_for_node(param.default):
                    defaults += 1
        if annotated or defaults:
            return annotated > defaults
        annotation = bt_param.annotation.annotation if bt_param.annotation is not None else None
        if isinstance(annotation, (cst.Name, cst.Attribute)):
            # ``tasks: Tasks`` with ``Tasks = Annotated[BackgroundTasks, Depends()]`` somewhere.
            qualname = self.context.resolve(annotation, self.context.module_scope)
            alias = self.rule._alias_value(qualname) if qualname is not None else None
            if alias is not None:
                annotation, scope = alias
                return isinstance(annotation, cst.Subscript) and self._names(annotation.value, scope, ANNOTATED)
        return isinstance(annotation, cst.Subscript) and self._names(annotation.value, self.context.module_scope, ANNOTATED)

    def _pool_param(self, pool: str, dependency: tuple[str, str], annotated: bool, imports: list[tuple[str, str]]) -> cst.Param:
        depends = self._spell(DEPENDS, "fastapi", "Depends", imports)
        arq_redis = self._spell(ARQ_REDIS, "arq.connections", "ArqRedis", imports)
        module, name = dependency
        if module == self.context.module_name:
            getter = name
        else:
            getter = self._spell(frozenset({f"{module}.{name}"}), module, name, imports)
        if annotated:
            wrapper = self._spell(ANNOTATED, "typing", "Annotated", imports)
            code = f"def _({pool}: {wrapper}[{arq_redis}, {depends}({getter})]): pass"
        else:
            code = f"def _({pool}: {arq_redis} = {depends}({getter})): pass"
        function = cst.parse_statement(code)
        assert isinstance(function, cst.FunctionDef)
        return function.params.params[0]

    def _spell(self, qualnames: frozenset[str], module: str, name: str, imports: list[tuple[str, str]]) -> str:
        """How the linted module names one of ``qualnames``; an import is queued when it
        does not name it yet."""
        for local, binding in self.context.module_scope.names.items():
            if binding.kind == "import" and binding.qualname is not None:
                if binding.qualname in qualnames or self.index.canonical(binding.qualname) in qualnames:
                    return local
                # ``import fastapi`` -> ``fastapi.Depends``
                for qualname in qualnames:
                    if qualname.startswith(binding.qualname + ".") and binding.qualname == local and qualname.count(".") == 1:
                        return qualname
        if name in self.context.module_scope.names or re.search(rf"\b{name}\b", self.context.text):
            raise NoFix(f"`{name}` already names something else in the route's module")
        imports.append((module, name))
        return name

    def _drop_unused_imports(self, tree: cst.Module, expression: cst.BaseExpression, scope: Scope) -> cst.Module:
        """Drop the imports of the names in ``expression`` that the module no longer uses: a
        name still written anywhere, or imported from this module by another, stays."""
        for name in sorted(_names_in(expression)):
            binding = scope.names.get(name)
            if binding is None or binding.kind != "import" or not isinstance(binding.node, (cst.Import, cst.ImportFrom)):
                continue
            if len(re.findall(rf"\b{re.escape(name)}\b", tree.code)) != 1 or self._imported_from_here(name):
                continue
            statement, alias = _import_alias(tree, name)
            if statement is not None and alias is not None:
                tree = remove_import_alias(tree, statement, alias)
        return tree

    # -- the import graph ---------------------------------------------------------------

    def _imported_from_here(self, name: str) -> bool:
        """Whether another project module imports ``name`` from the linted module (or all of it)."""
        own = self.context.module_name
        for module in self.index.modules_mentioning((own.rsplit(".", 1)[-1],)):
            if module == own:
                continue
            summary = self.index.summary(module)
            if summary is None:
                continue
            imported = set(summary.imports.values())
            if f"{own}.{name}" in imported:
                return True
            source = self.index.source(module)
            text = source.text if source is not None else ""
            # ``from own import *``, or ``import own`` then ``own.name``.
            if re.search(r"import\s+\*", text) or (own in imported and re.search(rf"\.{re.escape(name)}\b", text)):
                return True
        return False

    def _imports_transitively(self, start: str, target: str) -> bool:
        """Whether importing ``start`` runs ``target`` (through the project's imports)."""
        seen = {start}
        queue = deque([start])
        while queue and len(seen) < _MAX_IMPORT_WALK:
            module = queue.popleft()
            if module == target:
                return True
            summary = self.index.summary(module)
            if summary is None:
                continue
            for imported in summary.imports.values():
                split = self.index.split(imported)
                if split is None:
                    continue
                parts = split[0].split(".")
                # Importing a.b.c runs a/__init__ and a/b/__init__ first.
                for cut in range(1, len(parts) + 1):
                    name = ".".join(parts[:cut])
                    if name in self.index.paths and name not in seen:
                        seen.add(name)
                        queue.append(name)
                if split[1]:
                    submodule = f"{split[0]}.{split[1][0]}"
                    if submodule in self.index.paths and submodule not in seen:
                        seen.add(submodule)
                        queue.append(submodule)
        return target in seen


class _RuleView:
    """What the fix needs from the rule (FAPI401's class provides it)."""

    context: "FileContext"

    def _type_of(self, annotation: cst.BaseExpression, scope: Scope, hops: int) -> str | None: ...

    def _alias_value(self, qualname: str) -> tuple[cst.BaseExpression, Scope] | None: ...


def _edit_params(
    params: cst.Parameters,
    background: cst.Param,
    remove: bool,
    add: cst.Param | None,
    annotated: bool,
    opening: cst.BaseParenthesizableWhitespace,
) -> cst.Parameters:
    """Drop the ``BackgroundTasks`` parameter when ``remove``, and add ``add``: next to
    where it was when that is legal (an ``Annotated`` parameter has no default, so it may
    stand where a parameter without one stood), else last (keyword-only if there are any)."""
    positional = list(params.params)
    keyword = list(params.kwonly_params)
    has_star = isinstance(params.star_arg, (cst.Param, cst.ParamStar))
    original_order = [*positional, *([params.star_arg] if has_star else []), *keyword]
    if params.star_kwarg is not None:
        original_order.append(params.star_kwarg)
    holder = positional if any(p is background for p in positional) else keyword
    place = next(i for i, p in enumerate(holder) if p is background)
    if remove:
        del holder[place]
    if add is not None:
        if annotated:
            holder.insert(place if remove else place + 1, add)
        elif keyword or has_star:
            keyword.append(add)
        elif remove and all(p.default is not None for p in holder[place:]):
            holder.insert(place, add)
        else:
            positional.append(add)
    star = params.star_arg if isinstance(params.star_arg, (cst.Param, cst.ParamStar)) else None
    order = [*positional, *([star] if star is not None else []), *keyword]
    if params.star_kwarg is not None:
        order.append(params.star_kwarg)
    flowed = reflow(order, original_order, cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")), opening)
    by_position = iter(flowed)
    new_positional = [next(by_position) for _ in positional]
    new_star = next(by_position) if star is not None else params.star_arg
    new_keyword = [next(by_position) for _ in keyword]
    new_star_kwarg = next(by_position) if params.star_kwarg is not None else None
    return params.with_changes(params=new_positional, star_arg=new_star, kwonly_params=new_keyword, star_kwarg=new_star_kwarg)


_TOP_LEVEL_FUNCTIONS: "weakref.WeakKeyDictionary[ProjectIndex, dict[str, frozenset[str] | None]]" = weakref.WeakKeyDictionary()


def _defines_top_level_function(index: ProjectIndex, module: str, name: str) -> bool:
    """Whether ``module``'s body defines a function ``name`` (``def``/``async def``),
    read with CPython's ``ast`` (once per module and run)."""
    known = _TOP_LEVEL_FUNCTIONS.setdefault(index, {})
    source = index.source(module)  # also records the module as what the linted file depends on
    if module not in known:
        known[module] = _top_level_function_names(source.text) if source is not None else None
    names = known[module]
    return names is not None and name in names


def _top_level_function_names(text: str) -> frozenset[str] | None:
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return frozenset(s.name for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)))


def _top_level_function(tree: cst.Module, name: str) -> cst.FunctionDef | None:
    found = [s for s in tree.body if isinstance(s, cst.FunctionDef) and s.name.value == name]
    return found[-1] if found else None


def _class_functions(cls: cst.ClassDef) -> cst.List | cst.Tuple | None:
    """The literal list assigned to ``functions`` in a class body."""
    body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target = small.targets[0].target
                    if isinstance(target, cst.Name) and target.value == "functions" and isinstance(small.value, (cst.List, cst.Tuple)):
                        return small.value
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.target.value == "functions":
                    if isinstance(small.value, (cst.List, cst.Tuple)):
                        return small.value
    return None


def _functions(tree: cst.Module) -> Iterable[cst.FunctionDef]:
    for statement in tree.body:
        if isinstance(statement, cst.FunctionDef):
            yield statement
        elif isinstance(statement, cst.ClassDef) and isinstance(statement.body, cst.IndentedBlock):
            yield from (s for s in statement.body.body if isinstance(s, cst.FunctionDef))


def _names_in(node: cst.CSTNode) -> set[str]:
    """The names an expression or block reads (not attribute names, not keyword names)."""
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            found.add(current.value)
        elif isinstance(current, cst.Attribute):
            stack.append(current.value)
        elif isinstance(current, cst.Arg):
            stack.append(current.value)
        else:
            stack.extend(current.children)
    return found


def _binding_sites(body: cst.CSTNode, name: str) -> int:
    """How many times ``name`` is bound in a function body (nested scopes included: conservative)."""
    count = 0
    stack: list[cst.CSTNode] = [body]
    while stack:
        current = stack.pop()
        targets: list[cst.CSTNode] = []
        if isinstance(current, cst.Assign):
            targets = [target.target for target in current.targets]
        elif isinstance(current, (cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor)):
            targets = [current.target]
        elif isinstance(current, cst.WithItem) and current.asname is not None:
            targets = [current.asname.name]
        elif isinstance(current, cst.NamedExpr):
            targets = [current.target]
        elif isinstance(current, (cst.Global, cst.Nonlocal)):
            count += sum(1 for item in current.names if item.name.value == name)
        elif isinstance(current, cst.ExceptHandler) and current.name is not None:
            targets = [current.name.name]
        elif isinstance(current, (cst.FunctionDef, cst.ClassDef)) and current.name.value == name:
            count += 1
        elif isinstance(current, (cst.Import, cst.ImportFrom)) and not isinstance(current.names, cst.ImportStar):
            for alias in current.names:
                bound = alias.asname.name if alias.asname is not None else alias.name
                if isinstance(bound, cst.Name) and bound.value == name or dotted_name(bound) == name:
                    count += 1
        for target in targets:
            count += sum(1 for found in _target_names(target) if found == name)
        stack.extend(current.children)
    return count


def _target_names(target: cst.CSTNode) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [name for element in target.elements for name in _target_names(element.value)]
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return []


def _is_param(function: cst.FunctionDef, name: str) -> bool:
    return any(param.name.value == name for param in parameters_of(function.params))


def _import_alias(tree: cst.Module, local: str) -> tuple[cst.SimpleStatementLine | None, cst.ImportAlias | None]:
    for statement in tree.body:
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        small = statement.body[0]
        if not isinstance(small, (cst.Import, cst.ImportFrom)) or isinstance(small.names, cst.ImportStar):
            continue
        for alias in small.names:
            bound = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else dotted_name(alias.name)
            if bound == local:
                return statement, alias
    return None, None


def _new_dependencies_module() -> str:
    return (
        '"""FastAPI dependencies."""\n\n'
        "from collections.abc import AsyncIterator\n\n"
        "from arq import create_pool\n"
        "from arq.connections import ArqRedis, RedisSettings\n\n\n" + GET_ARQ_POOL
    )
