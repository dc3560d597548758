"""FAPI401 heavy-background-task: a FastAPI/Starlette background task that does heavy work."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any, Iterable, Literal, Mapping, Sequence

import libcst as cst

from fastapi_lint.linter.index import ModuleSummary, Symbol
from fastapi_lint.linter.names import Binding, Scope, lookup, resolve_callee, scan_module_bindings
from fastapi_lint.linter.rule import Invalid, Option, Rule, Valid
from fastapi_lint.linter.source import parse_module
from fastapi_lint.linter.walk import Walker
from fastapi_lint.rules._task_queue_cases import TASK_QUEUE_CASES
from fastapi_lint.rules._heavy_calls import (
    ANNOTATED,
    BACKGROUND_TASK_CLASSES,
    BACKGROUND_TASKS_CLASSES,
    CHEAP_CALLS,
    HEAVY_CALLS,
    HEAVY_NAME_PATTERNS,
    LONG_SLEEP_SECONDS,
    PARTIALS,
    SLEEP_CALLS,
    TASK_QUEUES,
)

if TYPE_CHECKING:
    from libcst.metadata import CodeRange

    from fastapi_lint.linter.context import FileContext

# How many project functions deep the search for heavy work goes below the task.
MAX_DEPTH = 4
# Bound on alias / partial / re-export hops while resolving one name.
_MAX_HOPS = 8
_MAX_SHOWN = 60


@dataclass(frozen=True)
class _Facts:
    """What one function does, as far as this rule cares."""

    label: str
    calls: tuple[str, ...]
    long_sleep: str | None = None


@dataclass(frozen=True)
class _Callee:
    """What a called name turned out to be."""

    # "heavy": a known heavy call; "function": a project function (``symbol``);
    # "external": an unknown callable outside the project.
    kind: Literal["heavy", "function", "external"]
    name: str
    symbol: Symbol | None = None


@dataclass(frozen=True)
class _Verdict:
    chain: tuple[str, ...]
    # The name pattern, when the task was judged heavy by its name alone.
    by_name: str | None = None
    known: bool = False

    def after(self, step: str) -> _Verdict:
        return _Verdict((step, *self.chain), self.by_name, self.known)


class HeavyBackgroundTask(Rule):
    """## What it does
    Flags a background task that does heavy work: `background_tasks.add_task(fn, ...)`
    on a parameter annotated `BackgroundTasks` (any name, any alias, also
    `Annotated[BackgroundTasks, ...]`) or on a `BackgroundTasks()` built in code, and
    `starlette.background.BackgroundTask(fn, ...)`, when `fn` does network I/O, runs a
    subprocess, generates a report or file, or sleeps for a second or more.

    `fn` is resolved to its definition in the project (same module, imported,
    re-exported, a variable bound to it, `functools.partial(fn, ...)`, the calls
    inside a `lambda`, a method of an instance whose class is known) and searched,
    through the project's own functions up to 4 calls deep, for a heavy call. The
    message names the chain of evidence, such as
    `send_welcome_email (app/utils/email.py:6) -> smtplib.SMTP.sendmail`.

    A task defined outside the project is judged by the lists of known heavy and
    cheap callables, then by its name (`send_*mail*`, `*report*`, `*webhook*`,
    `*notify*`, `*export*`, `*sync*`); the message then says it was decided by name.
    A project function is judged by what it does, never by its name: one that only
    logs or writes a row is not flagged.

    With `--unsafe-fixes` the fix moves the task to a task queue, ARQ (the default) or
    Celery, editing the route, the worker and the dependencies (see *Fix safety*).

    ## Why is this bad?
    Background tasks run inside the web server process, after the response is sent.
    They have no retry, no persistence and no concurrency limit: a slow SMTP server or
    API holds a worker (a sync task holds a thread of the shared pool, an async one can
    stall the event loop), a crash or a deploy silently drops the pending work, and a
    traffic spike starts as many report builds as there are requests. Heavy or
    must-not-be-lost work belongs on a task queue such as ARQ or Celery.

    ## Example
    ```python
    import smtplib

    from fastapi import BackgroundTasks, FastAPI

    app = FastAPI()


    def send_welcome_email(address: str) -> None:
        with smtplib.SMTP("mail.example.com") as server:
            server.sendmail("hello@example.com", [address], "Welcome!")


    @app.post("/users")
    def create_user(address: str, background_tasks: BackgroundTasks) -> dict:
        background_tasks.add_task(send_welcome_email, address)
        return {"ok": True}
    ```

    ## Use instead
    ```python
    from arq.connections import ArqRedis
    from fastapi import Depends, FastAPI

    from app.dependencies import get_arq_pool

    app = FastAPI()


    @app.post("/users")
    async def create_user(address: str, arq_pool: ArqRedis = Depends(get_arq_pool)) -> dict:
        # The worker process runs send_welcome_email, with retries.
        await arq_pool.enqueue_job("send_welcome_email_task", address)
        return {"ok": True}
    ```

    ## Fix safety
    The fix is unsafe (applied with `--unsafe-fixes`; preview it with `--diff`): the work
    moves to another process, which needs a broker and a running worker, runs later, and
    receives copies of the arguments. It edits several files at once.

    With `task-queue = "arq"` (the default), in an `async def` route:
    - `background_tasks.add_task(fn, *args, **kwargs)` becomes
      `await arq_pool.enqueue_job("fn_task", *args, **kwargs)`;
    - the route gets `arq_pool: ArqRedis = Depends(get_arq_pool)` (the
      `Annotated[ArqRedis, Depends(get_arq_pool)]` form when the module declares its
      dependencies that way). A parameter already typed `ArqRedis` is used as it is; the
      project's own pool dependency (a function returning or yielding `create_pool(...)`,
      or annotated to return `ArqRedis`) is reused; otherwise `get_arq_pool` is added to
      the dependencies module (`<pkg>/api/deps.py`, `<pkg>/dependencies.py`,
      `<pkg>/deps.py`), created as `<pkg>/dependencies.py` when there is none. It opens a
      pool with `RedisSettings()` for each request and closes it after;
    - the `BackgroundTasks` parameter (and its import) goes when nothing else in the route
      uses it, and so does the import of `fn` when the module no longer uses it;
    - `fn` is registered in the project's ARQ worker settings (the class with a
      `functions` list, named `WorkerSettings` or in a module importing `arq`; created in
      `<pkg>/worker.py` when missing) through a wrapper taking ARQ's `ctx` first:
      `async def fn_task(ctx, *args, **kwargs)`, which awaits `fn` when it is
      `async def` and otherwise runs it with `asyncio.to_thread`, so a blocking task does
      not stop the worker's other jobs (on a job timeout ARQ stops waiting, the thread
      runs on).
    A sync route gets no fix with ARQ (the enqueue needs `await`; making the route async
    would run its other blocking code on the event loop).

    With `task-queue = "celery"`, in any route, the call becomes `fn.delay(*args,
    **kwargs)` and `fn` gets the project's Celery app decorator (`@celery_app.task`, with
    its import) unless it is already a task of it or a `@shared_task`. The app is the
    module-level `Celery(...)` instance (or the result of a project factory returning one). No fix when the
    project has no `Celery(...)` app (or several), when `fn` is `async def` or has other
    decorators, or when importing the app into `fn`'s module would make an import cycle.

    No fix, and the message says why, when an argument may not survive the trip to the
    worker: a database session, the `Request`/`WebSocket`, an `UploadFile` or `open(...)`
    file, the `BackgroundTasks`, a function or lambda, a pydantic model passed whole, or
    any value whose type the rule cannot prove plain (literals, and route parameters or
    pydantic fields typed `str`, `int`, `float`, `bool`, `EmailStr`, `UUID`, or lists,
    dicts, `Optional` and `Literal` of those, are accepted). Nor when the task is not a
    module-level project function (a method, a local function, a `partial`), when the call
    is not directly in a route function, when the route's module is not in a package (the
    worker module needs one), or when a needed name is already taken.

    ## Options
    - `task-queue` (str, default `"arq"`): the task queue the fix moves the work to,
      `"arq"` or `"celery"`.
    - `heavy-calls` (list of str, default `[]`): more `fnmatch` patterns of qualified
      names counted as heavy (`"app.reports.render_pdf"`, `"mycorp_sdk.*"`). They
      apply to project functions too.
    - `cheap-calls` (list of str, default `[]`): more patterns counted as cheap; a
      cheap callable is never flagged nor searched. They win over heavy patterns.

    Patterns are case-sensitive; `*` crosses dots. The defaults are always applied
    (to names outside the project), and the options extend them.

    Default heavy calls: `requests.*`, `httpx.*`, `aiohttp.*`, `urllib.request.*`,
    `urllib3.*`, `http.client.*`, `smtplib.*`, `aiosmtplib.*`, `fastapi_mail.*`,
    `emails.*`, `sendgrid.*`, `boto3.*`, `botocore.*`, `aioboto3.*`,
    `aiobotocore.*`, `google.cloud.*`, `azure.*`, `firebase_admin.*`, `openai.*`,
    `anthropic.*`, `litellm.*`, `cohere.*`, `mistralai.*`, `google.generativeai.*`,
    `google.genai.*`, `slack_sdk.*`, `twilio.*`, `stripe.*`, `subprocess.*`,
    `asyncio.create_subprocess_exec`, `asyncio.create_subprocess_shell`,
    `anyio.run_process`, `anyio.open_process`, `os.system`, `os.popen`,
    `os.spawn*`, `pandas.*`, `openpyxl.*`, `xlsxwriter.*`, `reportlab.*`,
    `weasyprint.*`, `PIL.*`, `matplotlib.*`, `fpdf.*`, `pdfkit.*`, `xhtml2pdf.*`;
    and `time.sleep`, `asyncio.sleep`, `anyio.sleep`, `trio.sleep` with a literal
    delay of 1 second or more.

    Default cheap calls: `builtins.*`, `logging.*`, `structlog.*`, `loguru.*`,
    `warnings.*`, `os.remove`, `os.unlink`, `os.rmdir`, `shutil.rmtree`,
    `pathlib.Path.unlink`.
    """

    code = "FAPI401"
    name = "heavy-background-task"
    summary = "Background task doing network I/O, subprocesses, report generation or long sleeps"
    fix_availability = "unsafe"
    triggers = ("add_task", "BackgroundTask")
    triggers_in_code = True
    options = {
        "task-queue": Option(
            str, "arq", 'The task queue the fix moves the work to: "arq" or "celery".', choices=TASK_QUEUES
        ),
        "heavy-calls": Option(list, [], "More fnmatch patterns of qualified names counted as heavy work.", item_type=str),
        "cheap-calls": Option(list, [], "More fnmatch patterns of qualified names counted as cheap.", item_type=str),
    }

    _WHY = (
        "background tasks run in the web worker after the response, with no retry, no persistence "
        "and no concurrency limit, so slow or failing work holds the server and is lost on a restart. "
    )
    MESSAGE = "Background task `{task}` does heavy work: {chain}; " + _WHY + "Run it on a task queue such as ARQ or Celery."
    MESSAGE_KNOWN = (
        "Background task `{task}` does heavy work: {chain} is a known heavy call; " + _WHY + "Run it on a task queue such as ARQ or Celery."
    )
    MESSAGE_BY_NAME = (
        "Background task `{task}` looks heavy, decided by name: {chain} is not defined in this project "
        "and its name matches `{pattern}`; " + _WHY + "Run it on a task queue such as ARQ or Celery, "
        "or list it in `cheap-calls` if it is cheap."
    )

    NO_FIX = " No automatic fix: {reason}."

    def __init__(self, context: FileContext, settings: Mapping[str, Any]) -> None:
        super().__init__(context, settings)
        self._user_heavy: tuple[str, ...] = tuple(settings.get("heavy-calls", ()))
        self._user_cheap: tuple[str, ...] = tuple(settings.get("cheap-calls", ()))
        self._task_queue: str = settings.get("task-queue", "arq")
        self._trees: dict[str, cst.Module | None] = {}
        self._positions: Mapping[cst.CSTNode, CodeRange] | None = None
        self._roots: frozenset[str] | None = None
        self._scopes: dict[str, Scope | None] = {}
        self._settled: dict[str, _Callee | None] = {}
        self._own_summary_added = False

    # -- the check ---------------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        task = self._scheduled_task(node)
        if task is None:
            return
        if not self._own_summary_added:
            # The linted module's summary from the tree already parsed, not from the file again.
            self.context.index.add_tree(self.context.module_name, self.context.tree, self.context.text)
            self._own_summary_added = True
        verdict = self._judge_task(task, self.context.scope, 0)
        if verdict is None:
            return
        shown = _shorten(self.context.tree.code_for_node(task))
        chain = " -> ".join(verdict.chain)
        if verdict.by_name is not None:
            message = self.MESSAGE_BY_NAME.format(task=shown, chain=verdict.chain[-1], pattern=verdict.by_name)
        elif verdict.known:
            message = self.MESSAGE_KNOWN.format(task=shown, chain=chain)
        else:
            message = self.MESSAGE.format(task=shown, chain=chain)
        # Imported here: the fix's machinery costs start-up time on runs that find nothing.
        from fastapi_lint.rules._task_queue_fix import NoFix, TaskQueueFix

        fix = None
        try:
            fix = TaskQueueFix(self, self._task_queue).build(node)
        except NoFix as reason:
            message += self.NO_FIX.format(reason=reason)
        self.report(node, message, fix)

    def _scheduled_task(self, node: cst.Call) -> cst.BaseExpression | None:
        """The callable handed to ``add_task`` / ``BackgroundTask``, if this is such a call."""
        func = node.func
        scope = self.context.scope
        if isinstance(func, cst.Attribute) and func.attr.value == "add_task":
            if not self._is_background_tasks(func.value, scope, 0):
                return None
        elif not self._names_class(func, scope, BACKGROUND_TASK_CLASSES):
            return None
        return _task_argument(node)

    # -- is this a BackgroundTasks? -----------------------------------------------------

    def _names_class(self, node: cst.BaseExpression, scope: Scope, classes: frozenset[str]) -> bool:
        qualname = self.context.resolve(node, scope)
        if qualname is None:
            return False
        if qualname in classes:
            return True
        # Only a project name can be a re-export of the class.
        return self.context.index.split(qualname) is not None and self.context.index.canonical(qualname) in classes

    def _is_background_tasks(self, node: cst.BaseExpression, scope: Scope, hops: int) -> bool:
        if isinstance(node, cst.Call):
            return self._names_class(node.func, scope, BACKGROUND_TASKS_CLASSES)
        if not isinstance(node, cst.Name) or hops > _MAX_HOPS:
            return False
        found = lookup(scope, node.value)
        if found is None:
            return False
        owner, binding = found
        if binding.kind == "param":
            # Annotations are evaluated where the function is defined.
            where = owner.parent or owner
            return binding.annotation is not None and self._is_background_tasks_annotation(binding.annotation, where, hops)
        if binding.kind != "assign":
            return False
        if binding.annotation is not None:
            return self._is_background_tasks_annotation(binding.annotation, owner, hops)
        value = binding.value
        if isinstance(value, cst.Call):
            return self._names_class(value.func, owner, BACKGROUND_TASKS_CLASSES)
        if isinstance(value, cst.Name) and value.value != node.value:
            return self._is_background_tasks(value, owner, hops + 1)
        return False

    def _is_background_tasks_annotation(self, annotation: cst.BaseExpression, scope: Scope, hops: int) -> bool:
        return self._type_of(annotation, scope, hops) in BACKGROUND_TASKS_CLASSES

    def _type_of(self, annotation: cst.BaseExpression, scope: Scope, hops: int) -> str | None:
        """The class an annotation names, through quotes, ``Annotated[X, ...]`` and
        module-level aliases in any project module (``SessionDep = Annotated[...]``)."""
        if hops > _MAX_HOPS:
            return None
        annotation = _unquote(annotation) or annotation
        inner = self._unwrap_annotated(annotation, scope)
        if inner is not None:
            return self._type_of(inner, scope, hops + 1)
        if not isinstance(annotation, (cst.Name, cst.Attribute)):
            return None
        qualname = self.context.resolve(annotation, scope)
        if qualname is None:
            return None
        alias = self._alias_value(qualname)
        if alias is not None:
            return self._type_of(alias[0], alias[1], hops + 1)
        return self.context.index.canonical(qualname)

    def _alias_value(self, qualname: str) -> tuple[cst.BaseExpression, Scope] | None:
        """The subscripted value of a module-level alias, with its module's scope."""
        symbol = self.context.index.lookup(qualname)
        if symbol is None or symbol.kind != "assign":
            return None
        scope = self._module_scope(symbol.module.name, symbol.module.is_package)
        if scope is None:
            return None
        binding = scope.names.get(symbol.qualname.rsplit(".", 1)[-1])
        if binding is None or binding.kind != "assign" or not isinstance(binding.value, cst.Subscript):
            return None
        return binding.value, scope

    def _module_scope(self, module: str, is_package: bool) -> Scope | None:
        if module == self.context.module_name:
            return self.context.module_scope
        if module not in self._scopes:
            tree = self._tree_for(module)
            self._scopes[module] = scan_module_bindings(tree, module, is_package) if tree is not None else None
        return self._scopes[module]

    def _unwrap_annotated(self, annotation: cst.BaseExpression, scope: Scope) -> cst.BaseExpression | None:
        """``X`` for ``Annotated[X, ...]``, else None."""
        if not isinstance(annotation, cst.Subscript) or not annotation.slice:
            return None
        if not self._names_class(annotation.value, scope, ANNOTATED):
            return None
        first = annotation.slice[0].slice
        return first.value if isinstance(first, cst.Index) else None

    # -- judging the task ---------------------------------------------------------------

    def _judge_task(self, task: cst.BaseExpression, scope: Scope, hops: int) -> _Verdict | None:
        if hops > _MAX_HOPS:
            return None
        if isinstance(task, cst.Lambda):
            return self._judge_lambda(task, scope)
        if isinstance(task, cst.Call):
            # ``functools.partial(fn, ...)`` runs ``fn``; any other call builds an unknown callable.
            if self._names_class(task.func, scope, PARTIALS):
                inner = _task_argument(task)
                return self._judge_task(inner, scope, hops + 1) if inner is not None else None
            return None
        if isinstance(task, cst.Name):
            found = lookup(scope, task.value)
            if found is not None:
                owner, binding = found
                if binding.kind == "def" and owner.kind != "module" and isinstance(binding.node, cst.FunctionDef):
                    return self._judge_local_def(binding.node, owner)
                if binding.kind == "assign" and isinstance(binding.value, (cst.Lambda, cst.Call)):
                    return self._judge_task(binding.value, owner, hops + 1)
        qualname = self._callable_name(task, scope)
        return self._judge_qualname(qualname) if qualname is not None else None

    def _judge_qualname(self, qualname: str) -> _Verdict | None:
        """Judge a task known only by its qualified name."""
        callee = self._settle(qualname)
        if callee is None:
            return None
        if callee.kind == "heavy":
            return _Verdict((callee.name,), known=True)
        if callee.symbol is not None:
            return self._search(self._facts_of(callee.symbol))
        name = callee.name.rsplit(".", 1)[-1].lower()
        for pattern, regex in HEAVY_NAME_PATTERNS:
            if regex.search(name):
                return _Verdict((callee.name,), by_name=pattern)
        return None

    def _judge_lambda(self, node: cst.Lambda, scope: Scope) -> _Verdict | None:
        """A lambda's task is the calls in its body; each is judged as if it were the task."""
        by_name: _Verdict | None = None
        for qualname, sleep in self._calls_in(node, scope, self.context.module_name, self.context.is_package):
            verdict = _Verdict((sleep,)) if sleep is not None else self._judge_qualname(qualname)
            if verdict is None:
                continue
            if verdict.by_name is None:
                return verdict.after("lambda")
            by_name = by_name or verdict.after("lambda")
        return by_name

    def _judge_local_def(self, node: cst.FunctionDef, scope: Scope) -> _Verdict | None:
        calls = self._calls_in(node, scope, self.context.module_name, self.context.is_package)
        sleep = next((sleep for _, sleep in calls if sleep is not None), None)
        where = f"{self.context.index.relative_path(self.context.path)}:{self._line_of(node)}"
        facts = _Facts(f"{node.name.value} ({where})", tuple(dict.fromkeys(q for q, _ in calls)), sleep)
        return self._search(facts)

    def _search(self, start: _Facts) -> _Verdict | None:
        """Breadth first through the project's functions, so the shortest chain is shown."""
        queue: deque[tuple[_Facts, tuple[str, ...], int]] = deque([(start, (start.label,), 0)])
        seen: set[str] = {start.label}
        while queue:
            facts, chain, depth = queue.popleft()
            if facts.long_sleep is not None:
                return _Verdict((*chain, facts.long_sleep))
            heavy: list[str] = []
            for call in facts.calls:
                callee = self._settle(call)
                if callee is None:
                    continue
                if callee.kind == "heavy":
                    heavy.append(callee.name)
                elif callee.symbol is not None and depth < MAX_DEPTH:
                    inner = self._facts_of(callee.symbol)
                    if inner.label not in seen:
                        seen.add(inner.label)
                        queue.append((inner, (*chain, inner.label), depth + 1))
            if heavy:
                return _Verdict((*chain, _most_specific(heavy)))
        return None

    # -- names ----------------------------------------------------------------------------

    def _settle(self, qualname: str) -> _Callee | None:
        """What a callee is; None when it is cheap or a project object this rule cannot see into."""
        if qualname not in self._settled:
            self._settled[qualname] = self._settle_uncached(qualname)
        return self._settled[qualname]

    def _settle_uncached(self, qualname: str) -> _Callee | None:
        index = self.context.index
        for _ in range(_MAX_HOPS):
            canonical = index.canonical(qualname) or qualname
            if _matches(qualname, self._user_cheap) or _matches(canonical, self._user_cheap):
                return None
            if _matches(qualname, self._user_heavy) or _matches(canonical, self._user_heavy):
                return _Callee("heavy", canonical)
            qualname = canonical
            symbol = index.lookup(qualname)
            if symbol is not None:
                return _Callee("function", qualname, symbol) if symbol.kind == "function" else None
            moved = self._through_instance(qualname) or self._inherited(qualname, 0)
            if moved is not None and moved != qualname:
                qualname = moved
                continue
            in_project = index.split(qualname) is not None
            # A project module may share a library's name (``app/schemas/requests.py``);
            # only a name rooted at a project top-level package is surely the project's.
            if not in_project or qualname.split(".", 1)[0] not in self._project_roots():
                if _matches(qualname, CHEAP_CALLS):
                    return None
                if _matches(qualname, HEAVY_CALLS):
                    return _Callee("heavy", qualname)
            return None if in_project else _Callee("external", qualname)
        return None

    def _through_instance(self, qualname: str) -> str | None:
        """``app.mail.mailer.send`` -> ``fastapi_mail.FastMail.send`` when the module
        assigns ``mailer = FastMail(...)``: a method of a module-level instance."""
        index = self.context.index
        split = index.split(qualname)
        if split is None or len(split[1]) < 2:
            return None
        module = index.summary(split[0])
        assign = module.assigns.get(split[1][0]) if module is not None else None
        if assign is None or assign.call is None:
            return None
        return ".".join([assign.call, *split[1][1:]])

    def _inherited(self, qualname: str, depth: int) -> str | None:
        """``app.mail.Mailer.send`` -> where a project class inherits ``send`` from:
        a project base defining it, or the class's only base when that is a library's."""
        index = self.context.index
        split = index.split(qualname)
        if split is None or len(split[1]) != 2 or depth > MAX_DEPTH:
            return None
        module = index.summary(split[0])
        cls = module.classes.get(split[1][0]) if module is not None else None
        if cls is None:
            return None
        method = split[1][1]
        for base in cls.bases:
            candidate = index.canonical(f"{base}.{method}") or f"{base}.{method}"
            symbol = index.lookup(candidate)
            if symbol is not None:
                return candidate if symbol.kind == "function" else None
            deeper = self._inherited(candidate, depth + 1)
            if deeper is not None:
                return deeper
        # With several bases the method may come from any of them: no guess.
        if len(cls.bases) == 1:
            base = index.canonical(cls.bases[0]) or cls.bases[0]
            if index.split(base) is None:
                return f"{base}.{method}"
        return None

    def _project_roots(self) -> frozenset[str]:
        # Asked of the index each time: it records, for the cache, that the file's findings depend on them.
        return self.context.index.module_roots()

    def _callable_name(self, node: cst.BaseExpression, scope: Scope, module: str | None = None) -> str | None:
        """``resolve_callee``, and a method of a parameter whose class is known: from its
        annotation, or ``self`` in a method of a module-level class."""
        qualname = resolve_callee(scope, node)
        if qualname is not None or not isinstance(node, cst.Attribute) or not isinstance(node.value, cst.Name):
            return qualname
        found = lookup(scope, node.value.value)
        if found is None or found[1].kind != "param":
            return None
        owner, binding = found
        if binding.annotation is not None:
            cls = self._type_of(binding.annotation, owner.parent or owner, 0)
        else:
            cls = self._self_class(owner, binding, module or self.context.module_name)
        return f"{cls}.{node.attr.value}" if cls is not None else None

    def _self_class(self, owner: Scope, binding: Binding, module: str) -> str | None:
        """The class of ``self``: the first parameter of a plain method of a module-level class."""
        function, cls_scope = owner.node, owner.parent
        if not isinstance(function, cst.FunctionDef) or cls_scope is None or cls_scope.kind != "class":
            return None
        if cls_scope.parent is None or cls_scope.parent.kind != "module" or not isinstance(cls_scope.node, cst.ClassDef):
            return None
        params = function.params.params
        if not params or params[0] is not binding.node:
            return None
        for decorator in function.decorators:
            if self.context.resolve(decorator.decorator, cls_scope) in ("builtins.staticmethod", "builtins.classmethod"):
                return None
        return f"{module}.{cls_scope.node.name.value}"

    # -- what functions do ------------------------------------------------------------

    def _facts_of(self, symbol: Symbol) -> _Facts:
        function = symbol.function
        assert function is not None
        sleep = None
        if any(call in SLEEP_CALLS for call in function.calls):
            sleep = self._long_sleep_in(symbol.module, function.name)
        return _Facts(f"{function.name} ({symbol.location})", function.calls, sleep)

    def _calls_in(self, node: cst.CSTNode, scope: Scope, module: str, is_package: bool) -> list[tuple[str, str | None]]:
        """(callee, long sleep shown or None) for every resolvable call in ``node``."""
        found: list[tuple[str, str | None]] = []
        tree = self._tree_for(module)
        walker: Walker

        def on_call(call: cst.CSTNode) -> None:
            assert isinstance(call, cst.Call)
            qualname = self._callable_name(call.func, walker.scope, module)
            if qualname is not None:
                found.append((qualname, _long_sleep(call, qualname, tree)))

        # A throwaway scope keeps the definition's own name out of the real scopes.
        walker = Walker(Scope("function", scope, None), module, is_package, {cst.Call: [on_call]}, {})
        walker.walk(node)
        return found

    def _long_sleep_in(self, module: ModuleSummary, function: str) -> str | None:
        """The first long literal sleep in a project function (parses its module)."""
        tree = self._tree_for(module.name)
        if tree is None:
            return None
        target = _find_function(tree, module.name, module.is_package, function)
        if target is None:
            return None
        module_scope = scan_module_bindings(tree, module.name, module.is_package)
        for _, sleep in self._calls_in(target, module_scope, module.name, module.is_package):
            if sleep is not None:
                return sleep
        return None

    def _tree_for(self, module: str) -> cst.Module | None:
        if module == self.context.module_name:
            return self.context.tree
        if module not in self._trees:
            # Through the index: the finding then depends on the module's whole text (a
            # sleep's literal), recorded for the cache.
            source = self.context.index.source(module)
            tree = parse_module(source.text) if source is not None else None
            self._trees[module] = tree if isinstance(tree, cst.Module) else None
        return self._trees[module]

    def _line_of(self, node: cst.CSTNode) -> int:
        # Positions cost a pass over the tree: computed once, only for a finding that needs one.
        if self._positions is None:
            from libcst.metadata import MetadataWrapper, PositionProvider

            self._positions = MetadataWrapper(self.context.tree, unsafe_skip_copy=True).resolve(PositionProvider)
        return self._positions[node].start.line

    # -- cases --------------------------------------------------------------------------

    VALID = [
        # A cheap task: logging only.
        Valid(
            """
            import logging

            from fastapi import BackgroundTasks, FastAPI

            app = FastAPI()
            logger = logging.getLogger(__name__)


            def log_signup(user_id: int) -> None:
                logger.info("signed up %s", user_id)


            @app.post("/users")
            def create_user(user_id: int, background_tasks: BackgroundTasks) -> None:
                background_tasks.add_task(log_signup, user_id)
            """
        ),
        # A project function whose name looks heavy but which only writes one row.
        Valid(
            """
            from fastapi import BackgroundTasks

            from app.db import SessionLocal
            from app.models import Notification


            def send_notification_email(user_id: int) -> None:
                with SessionLocal() as session:
                    session.add(Notification(user_id=user_id))
                    session.commit()


            def endpoint(user_id: int, tasks: BackgroundTasks) -> None:
                tasks.add_task(send_notification_email, user_id)
            """,
            files={
                "app/__init__.py": "",
                "app/db.py": "from sqlalchemy.orm import sessionmaker\nSessionLocal = sessionmaker()\n",
                "app/models.py": "class Notification:\n    pass\n",
            },
        ),
        # A parameter of another type with an ``add_task`` method.
        Valid(
            """
            import smtplib

            from app.scheduler import Scheduler


            def send_email(to: str) -> None:
                smtplib.SMTP("localhost").sendmail("a@b.c", [to], "hi")


            def endpoint(to: str, scheduler: Scheduler) -> None:
                scheduler.add_task(send_email, to)
            """,
            files={"app/__init__.py": "", "app/scheduler.py": "class Scheduler:\n    def add_task(self, fn, *args): ...\n"},
        ),
        # A local class named BackgroundTasks is not FastAPI's.
        Valid(
            """
            import httpx


            class BackgroundTasks:
                def add_task(self, fn, *args): ...


            def ping() -> None:
                httpx.post("https://example.com")


            def endpoint(tasks: BackgroundTasks) -> None:
                tasks.add_task(ping)
            """
        ),
        # Unannotated: not known to be a BackgroundTasks.
        Valid(
            """
            import httpx


            def ping() -> None:
                httpx.post("https://example.com")


            def schedule(tasks) -> None:
                tasks.add_task(ping)
            """
        ),
        # A short sleep and a cache pop.
        Valid(
            """
            import time

            from fastapi import BackgroundTasks

            CACHE: dict[str, int] = {}


            def evict(key: str) -> None:
                time.sleep(0.2)
                CACHE.pop(key, None)


            def endpoint(key: str, background_tasks: BackgroundTasks) -> None:
                background_tasks.add_task(evict, key)
            """
        ),
        # Deleting a temp file, via starlette's BackgroundTask in a response.
        Valid(
            """
            import os

            from starlette.background import BackgroundTask
            from starlette.responses import FileResponse


            def download(path: str) -> FileResponse:
                return FileResponse(path, background=BackgroundTask(os.remove, path))
            """
        ),
        # A third-party callable with an innocent name is not guessed at.
        Valid(
            """
            from fastapi import BackgroundTasks
            from cachetools_ext import invalidate


            def endpoint(background_tasks: BackgroundTasks) -> None:
                background_tasks.add_task(invalidate, "users")
            """
        ),
        # A known cheap callable whose name matches a heavy pattern is not flagged.
        Valid(
            """
            from fastapi import BackgroundTasks
            from mylib import notify_admins


            def endpoint(background_tasks: BackgroundTasks) -> None:
                background_tasks.add_task(notify_admins, "hi")
            """,
            options={"cheap-calls": ["mylib.notify_admins"]},
        ),
        # A task that enqueues on Celery is the fix, not the problem.
        Valid(
            """
            from fastapi import BackgroundTasks

            from app.worker import send_email_task


            def enqueue(to: str) -> None:
                send_email_task.delay(to)


            def endpoint(to: str, background_tasks: BackgroundTasks) -> None:
                background_tasks.add_task(enqueue, to)
            """,
            files={
                "app/__init__.py": "",
                "app/worker.py": """
                    from celery import Celery

                    celery = Celery()


                    @celery.task
                    def send_email_task(to):
                        import smtplib
                        smtplib.SMTP("localhost").sendmail("a@b.c", [to], "hi")
                """,
            },
        ),
        # A parameter shadows the imported heavy helper.
        Valid(
            """
            from fastapi import BackgroundTasks

            from app.mail import send_email


            def endpoint(background_tasks: BackgroundTasks, send_email) -> None:
                background_tasks.add_task(send_email, "x")
            """,
            files={"app/__init__.py": "", "app/mail.py": "import smtplib\n\ndef send_email(to):\n    smtplib.SMTP('h')\n"},
        ),
        # The cheap-calls option silences a library the team considers cheap here.
        Valid(
            """
            import httpx
            from fastapi import BackgroundTasks


            def ping_sidecar() -> None:
                httpx.post("http://localhost:9000/ping")


            def endpoint(background_tasks: BackgroundTasks) -> None:
                background_tasks.add_task(ping_sidecar)
            """,
            options={"cheap-calls": ["httpx.*"]},
        ),
        # A method of an instance of unknown type is not guessed at by name.
        Valid(
            """
            from fastapi import BackgroundTasks


            def endpoint(service, background_tasks: BackgroundTasks) -> None:
                background_tasks.add_task(service.send_email, "a@b.c")
            """
        ),
        # A class with several bases: the method may come from any of them.
        Valid(
            """
            from fastapi import BackgroundTasks

            from app.clients import crm


            def endpoint(background_tasks: BackgroundTasks) -> None:
                background_tasks.add_task(crm.send_report)
            """,
            files={
                "app/__init__.py": "",
                "app/clients.py": """
                    from pydantic import BaseModel
                    from ext import Mixin


                    class Crm(BaseModel, Mixin):
                        pass


                    crm = Crm()
                """,
            },
        ),
        # ``self`` in a static method is not an instance.
        Valid(
            """
            import httpx
            from fastapi import BackgroundTasks


            class Notifier:
                @staticmethod
                def schedule(self, background_tasks: BackgroundTasks) -> None:
                    background_tasks.add_task(self.push, "hi")

                def push(self, text: str) -> None:
                    httpx.post("https://push.example.com", json={"text": text})
            """
        ),
    ]

    INVALID = [
        # The example: the chain names the function and the heavy call.
        Invalid(
            """
            from fastapi import BackgroundTasks, FastAPI

            from app.utils.email import send_welcome_email

            app = FastAPI()


            @app.post("/users")
            def create_user(address: str, background_tasks: BackgroundTasks) -> None:
                background_tasks.add_task(send_welcome_email, address)
            """,
            line=11,
            message_contains="send_welcome_email (app/utils/email.py:7) -> smtplib.SMTP.sendmail",
            files={
                "app/__init__.py": "",
                "app/utils/__init__.py": "",
                "app/utils/email.py": """
                    import smtplib

                    SENDER = "hello@example.com"


                    def send_welcome_email(address: str) -> None:
                        with smtplib.SMTP("mail.example.com") as server:
                            server.sendmail(SENDER, [address], "Welcome!")
                """,
            },
        ),
        # Aliased BackgroundTasks, Annotated, and a relative import of the task.
        Invalid(
            """
            from typing import Annotated

            from fastapi import BackgroundTasks as BT, Depends

            from .tasks import export_users


            def endpoint(bg: Annotated[BT, Depends()]) -> None:
                bg.add_task(export_users)
            """,
            line=10,
            path="app/api/routes.py",
            message_contains="export_users (app/api/tasks.py:5) -> pandas.DataFrame.to_excel",
            files={
                "app/__init__.py": "",
                "app/api/__init__.py": "",
                "app/api/tasks.py": """
                    import pandas as pd


                    def export_users() -> None:
                        pd.DataFrame([]).to_excel("users.xlsx")
                """,
            },
        ),
        # ``fastapi.BackgroundTasks`` spelled in full, and a re-export through __init__.py.
        Invalid(
            """
            import fastapi

            from app.services import notify_slack


            def endpoint(tasks: fastapi.BackgroundTasks) -> None:
                tasks.add_task(notify_slack, "hi")
            """,
            line=8,
            message_contains="notify_slack (app/services/slack.py:5) -> slack_sdk.WebClient.chat_postMessage",
            files={
                "app/__init__.py": "",
                "app/services/__init__.py": "from .slack import notify_slack\n",
                "app/services/slack.py": """
                    from slack_sdk import WebClient


                    def notify_slack(text: str) -> None:
                        client = WebClient()
                        client.chat_postMessage(channel="#ops", text=text)
                """,
            },
        ),
        # Starlette's BackgroundTasks; a helper that calls a helper that calls httpx.post.
        Invalid(
            """
            from starlette.background import BackgroundTasks

            from app.hooks import on_signup


            def endpoint(background_tasks: BackgroundTasks) -> None:
                background_tasks.add_task(on_signup, 1)
            """,
            line=8,
            message_contains="on_signup (app/hooks.py:5) -> post_event (app/hooks.py:9) -> httpx.post",
            files={
                "app/__init__.py": "",
                "app/hooks.py": """
                    import httpx


                    def on_signup(user_id: int) -> None:
                        post_event("signup", user_id)


                    def post_event(kind: str, user_id: int) -> None:
                        httpx.post("https://hooks.example.com", json={"kind": kind, "id": user_id})
                """,
            },
        ),
        # A task bound to a variable.
        Invalid(
            """
            import subprocess

            from fastapi import BackgroundTasks


            def rebuild_index() -> None:
                subprocess.run(["make", "index"], check=True)


            def endpoint(background_tasks: BackgroundTasks) -> None:
                job = rebuild_index
                background_tasks.add_task(job)
            """,
            line=13,
            message_contains="rebuild_index (app/module.py:7) -> subprocess.run",
        ),
        # An unresolvable third-party send_email: decided by name.
        Invalid(
            """
            from fastapi import BackgroundTasks
            from mailer_lib import send_email


            def endpoint(to: str, background_tasks: BackgroundTasks) -> None:
                background_tasks.add_task(send_email, to)
            """,
            line=7,
            message_contains="decided by name: mailer_lib.send_email is not defined in this project and its name matches `send_*mail*`",
        ),
        # Starlette's BackgroundTask in a response.
        Invalid(
            """
            import aiosmtplib
            from starlette.background import BackgroundTask
            from starlette.responses import JSONResponse


            async def send_receipt(to: str) -> None:
                await aiosmtplib.send("receipt", recipients=[to], hostname="smtp")


            async def checkout(to: str) -> JSONResponse:
                return JSONResponse({"ok": True}, background=BackgroundTask(send_receipt, to))
            """,
            line=12,
            message_contains="send_receipt (app/module.py:7) -> aiosmtplib.send",
        ),
        # The heavy-calls option names a project function as heavy.
        Invalid(
            """
            from fastapi import BackgroundTasks

            from app.pdf import render


            def endpoint(background_tasks: BackgroundTasks) -> None:
                background_tasks.add_task(render, 1)
            """,
            line=8,
            options={"heavy-calls": ["app.pdf.render"]},
            message_contains="app.pdf.render is a known heavy call",
            files={"app/__init__.py": "", "app/pdf.py": "def render(n):\n    return n\n"},
        ),
        # The heavy-calls option names an in-house SDK called by the task.
        Invalid(
            """
            from fastapi import BackgroundTasks
            import corp_sdk


            def push(user_id: int) -> None:
                corp_sdk.Client().push(user_id)


            def endpoint(background_tasks: BackgroundTasks) -> None:
                background_tasks.add_task(push, 1)
            """,
            line=11,
            options={"heavy-calls": ["corp_sdk.*"]},
            message_contains="push (app/module.py:6) -> corp_sdk.Client.push",
        ),
        # BackgroundTasks built in code.
        Invalid(
            """
            import requests
            from fastapi import BackgroundTasks
            from fastapi.responses import JSONResponse


            def call_webhook(url: str) -> None:
                requests.post(url, timeout=10)


            def endpoint(url: str) -> JSONResponse:
                tasks = BackgroundTasks()
                tasks.add_task(call_webhook, url)
                return JSONResponse({}, background=tasks)
            """,
            line=13,
            message_contains="call_webhook (app/module.py:7) -> requests.post",
        ),
        # functools.partial and a lambda: the callable inside is judged.
        Invalid(
            """
            from functools import partial

            from fastapi import BackgroundTasks
            from openai import OpenAI


            def summarise(text: str) -> None:
                OpenAI().chat.completions.create(model="m", messages=[])


            def endpoint(text: str, background_tasks: BackgroundTasks) -> None:
                background_tasks.add_task(partial(summarise, text))
                background_tasks.add_task(lambda: summarise(text))
            """,
            line=13,
            count=2,
            message_contains="summarise (app/module.py:8) -> openai.OpenAI",
        ),
        # A long literal sleep, in a local function.
        Invalid(
            """
            import asyncio

            from fastapi import BackgroundTasks


            async def endpoint(background_tasks: BackgroundTasks) -> None:
                async def retry_later() -> None:
                    await asyncio.sleep(30)

                background_tasks.add_task(retry_later)
            """,
            line=11,
            message_contains="retry_later (app/module.py:8) -> asyncio.sleep(30)",
        ),
        # A method of a module-level instance of a third-party client.
        Invalid(
            """
            from fastapi import BackgroundTasks
            from fastapi_mail import ConnectionConfig, FastMail, MessageSchema

            mail = FastMail(ConnectionConfig())


            async def endpoint(background_tasks: BackgroundTasks) -> None:
                background_tasks.add_task(mail.send_message, MessageSchema())
            """,
            line=9,
            message_contains="fastapi_mail.FastMail.send_message is a known heavy call",
        ),
        # A method of an injected service whose class is in the project.
        Invalid(
            """
            from typing import Annotated

            from fastapi import BackgroundTasks, Depends

            from app.services import EmailService


            def endpoint(service: Annotated[EmailService, Depends()], background_tasks: BackgroundTasks) -> None:
                background_tasks.add_task(service.send_email, "a@b.c")
            """,
            line=10,
            message_contains="EmailService.send_email (app/services.py:6) -> smtplib.SMTP.sendmail",
            files={
                "app/__init__.py": "",
                "app/services.py": """
                    import smtplib


                    class EmailService:
                        def send_email(self, to: str) -> None:
                            smtplib.SMTP("localhost").sendmail("a@b.c", [to], "hi")
                """,
            },
        ),
        # BackgroundTasks re-exported by a project module, a string annotation, ``func=``.
        Invalid(
            """
            from app.deps import Tasks


            def build_report() -> None:
                import openpyxl
                openpyxl.Workbook().save("report.xlsx")


            def endpoint(background_tasks: "Tasks") -> None:
                background_tasks.add_task(func=build_report)
            """,
            line=11,
            message_contains="build_report (app/module.py:5) -> openpyxl.Workbook.save",
            files={"app/__init__.py": "", "app/deps.py": "from fastapi import BackgroundTasks as Tasks\n"},
        ),
        # A type alias of Annotated[BackgroundTasks, ...], in a dependency function.
        Invalid(
            """
            from typing import Annotated

            import boto3
            from fastapi import BackgroundTasks, Depends

            BgTasks = Annotated[BackgroundTasks, Depends()]


            def upload(key: str) -> None:
                boto3.client("s3").upload_file("/tmp/x", "bucket", key)


            def audit(tasks: BgTasks) -> None:
                tasks.add_task(upload, "audit.log")
            """,
            line=15,
            message_contains="upload (app/module.py:10) -> boto3.client.upload_file",
        ),
        # A method that a project class inherits from a library client.
        Invalid(
            """
            from fastapi import BackgroundTasks

            from app.clients import crm


            def endpoint(background_tasks: BackgroundTasks) -> None:
                background_tasks.add_task(crm.post, "/contacts")
            """,
            line=8,
            message_contains="httpx.Client.post is a known heavy call",
            files={
                "app/__init__.py": "",
                "app/clients.py": """
                    import httpx


                    class CrmClient(httpx.Client):
                        pass


                    crm = CrmClient(base_url="https://crm.example.com")
                """,
            },
        ),
        # A project module named like a library does not hide the library.
        Invalid(
            """
            import requests
            from fastapi import BackgroundTasks


            def ping(url: str) -> None:
                requests.get(url, timeout=5)


            def endpoint(background_tasks: BackgroundTasks) -> None:
                background_tasks.add_task(ping, "https://example.com")
            """,
            line=11,
            message_contains="ping (app/module.py:6) -> requests.get",
            files={"app/__init__.py": "", "app/schemas/__init__.py": "", "app/schemas/requests.py": "class SignupRequest:\n    pass\n"},
        ),
        # Dependency aliases from another module: ``Tasks`` and ``ReportServiceDep``.
        Invalid(
            """
            from app.deps import ReportServiceDep, Tasks


            def make_report(month: int, service: ReportServiceDep, tasks: Tasks) -> None:
                tasks.add_task(service.build, month)
            """,
            line=6,
            message_contains="ReportService.build (app/reports.py:6) -> reportlab.pdfgen.canvas.Canvas.save",
            files={
                "app/__init__.py": "",
                "app/deps.py": """
                    from typing import Annotated

                    from fastapi import BackgroundTasks, Depends

                    from app.reports import ReportService

                    ReportServiceDep = Annotated[ReportService, Depends()]
                    Tasks = Annotated[BackgroundTasks, Depends()]
                """,
                "app/reports.py": """
                    from reportlab.pdfgen import canvas


                    class ReportService:
                        def build(self, month: int) -> None:
                            canvas.Canvas(f"{month}.pdf").save()
                """,
            },
        ),
        # A method of ``self`` in a module-level class.
        Invalid(
            """
            import httpx
            from fastapi import BackgroundTasks


            class Notifier:
                def schedule(self, background_tasks: BackgroundTasks) -> None:
                    background_tasks.add_task(self.push, "hi")

                def push(self, text: str) -> None:
                    httpx.post("https://push.example.com", json={"text": text})
            """,
            line=8,
            message_contains="Notifier.push (app/module.py:10) -> httpx.post",
        ),
        *TASK_QUEUE_CASES,
    ]


def _task_argument(call: cst.Call) -> cst.BaseExpression | None:
    """The first positional argument, or ``func=``."""
    for arg in call.args:
        if arg.keyword is None:
            return arg.value if not arg.star else None
        if arg.keyword.value == "func":
            return arg.value
    return None


def _unquote(annotation: cst.BaseExpression) -> cst.BaseExpression | None:
    """The expression inside a string annotation, or None."""
    if not isinstance(annotation, cst.SimpleString):
        return None
    value = annotation.evaluated_value
    if not isinstance(value, str):
        return None
    try:
        return cst.parse_expression(value)
    except cst.ParserSyntaxError:
        return None


def _matches(qualname: str, patterns: Iterable[str]) -> bool:
    return any(fnmatchcase(qualname, pattern) for pattern in patterns)


def _most_specific(calls: Sequence[str]) -> str:
    """``smtplib.SMTP.sendmail`` rather than ``smtplib.SMTP`` when both are called."""
    for call in calls:
        if not any(other.startswith(call + ".") for other in calls):
            return call
    return calls[0]


def _shorten(code: str) -> str:
    code = " ".join(code.split())
    return code if len(code) <= _MAX_SHOWN else code[: _MAX_SHOWN - 3] + "..."


def _long_sleep(call: cst.Call, qualname: str, tree: cst.Module | None) -> str | None:
    """``time.sleep(30)`` when the call sleeps a literal LONG_SLEEP_SECONDS or more."""
    if qualname not in SLEEP_CALLS or not call.args or call.args[0].star:
        return None
    seconds = _number(call.args[0].value)
    if seconds is None or seconds < LONG_SLEEP_SECONDS:
        return None
    shown = tree.code_for_node(call.args[0].value) if tree is not None else f"{seconds:g}"
    return f"{qualname}({shown})"


def _number(node: cst.BaseExpression) -> float | None:
    """The value of a numeric literal or of simple arithmetic on literals (``60 * 5``)."""
    if isinstance(node, (cst.Integer, cst.Float)):
        return float(node.evaluated_value)
    if isinstance(node, cst.BinaryOperation):
        left, right = _number(node.left), _number(node.right)
        if left is None or right is None:
            return None
        if isinstance(node.operator, cst.Multiply):
            return left * right
        if isinstance(node.operator, cst.Add):
            return left + right
        if isinstance(node.operator, cst.Subtract):
            return left - right
        if isinstance(node.operator, cst.Divide) and right:
            return left / right
    return None


def _find_function(tree: cst.Module, module: str, is_package: bool, name: str) -> cst.FunctionDef | None:
    """The definition the index summarised as ``name`` (``f`` or ``Class.method``): the last one."""
    found: list[cst.FunctionDef] = []
    walker: Walker
    owner, _, leaf = name.rpartition(".")

    def on_def(node: cst.CSTNode) -> None:
        assert isinstance(node, cst.FunctionDef)
        if node.name.value != leaf:
            return
        scope = walker.scope
        if not owner and scope.kind == "module":
            found.append(node)
        elif owner and scope.kind == "class" and scope.parent is not None and scope.parent.kind == "module":
            if isinstance(scope.node, cst.ClassDef) and scope.node.name.value == owner:
                found.append(node)

    walker = Walker(scan_module_bindings(tree, module, is_package), module, is_package, {cst.FunctionDef: [on_def]}, {})
    walker.walk(tree)
    return found[-1] if found else None
