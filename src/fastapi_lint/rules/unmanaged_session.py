"""FAPI303 unmanaged-session: a session created in a function and never reliably closed."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator, Literal, Mapping, Sequence

import libcst as cst

from fastapi_lint.linter.context import FileContext
from fastapi_lint.linter.rule import FixSpec, Invalid, Rule, Valid
from fastapi_lint.rules._sqlalchemy import SESSION_TRIGGERS, SessionOrigin, may_create_session, origin_flavour, session_call_origin

if TYPE_CHECKING:
    from fastapi_lint.linter.ast_summary import CallCensus
    from fastapi_lint.linter.index import ProjectIndex

# Wrappers that close what they are given when their block ends.
_CLOSERS = frozenset({"contextlib.closing", "contextlib.aclosing"})
# ``ExitStack.enter_context(session)``: the stack closes it.
_ENTER_METHODS = frozenset({"enter_context", "enter_async_context"})
# Handing the session to a container or a callable built for later: it outlives
# this code, and whoever takes it out owns it.
_ESCAPE_CALLEES = frozenset(
    {"builtins.dict", "builtins.list", "builtins.tuple", "builtins.set", "functools.partial"}
)
_CONTAINER_METHODS = frozenset({"append", "appendleft", "extend", "insert", "add", "put", "put_nowait", "setdefault"})
# ``background_tasks.add_task(work, db)``, ``executor.submit(work, db)``: the work
# runs after this function returns, so closing here would be wrong.
_DEFERRING_METHODS = frozenset(
    {"add_task", "submit", "start_soon", "call_soon", "call_soon_threadsafe", "create_task"}
)
_DEFERRING_CALLEES = frozenset(
    {
        "asyncio.create_task",
        "asyncio.ensure_future",
        "starlette.background.BackgroundTask",
        "fastapi.background.BackgroundTask",
    }
)
# pytest runs the code after a fixture's ``yield`` even when the test fails.
_FIXTURE_DECORATORS = frozenset({"pytest.fixture", "pytest_asyncio.fixture"})
# Attributes of an unnamed session that never check out a connection.
_HARMLESS_ATTRIBUTES = frozenset({"bind", "get_bind", "close", "info"})
# Node kinds by class name, so that importing this module does not load LibCST.
_TRANSPARENT = frozenset({"Element", "DictElement", "StarredElement"})
_NESTED_SCOPES = frozenset({"FunctionDef", "Lambda", "ClassDef"})
_TRIES = frozenset({"Try", "TryStar"})
_LOOPS = frozenset({"For", "While"})

Fate = Literal["managed", "escape", "use"]
Ancestors = Sequence["cst.CSTNode"]


# -- what happens to a session held in a name ------------------------------------------


@dataclass
class SessionUses:
    """What a scope does with the session bound to one name."""

    # Handed to something that outlives this code (returned, stored, captured by a closure).
    escapes: bool = False
    # Entered as a context manager, wrapped in ``closing()``, given to an ExitStack.
    managed: bool = False
    # Declared ``global``/``nonlocal``: not this scope's to close.
    not_local: bool = False
    # Ancestors (outermost first) of each ``name.close()`` and each ``yield name``.
    closes: list[tuple[cst.CSTNode, ...]] = field(default_factory=list)
    yields: list[tuple[cst.CSTNode, ...]] = field(default_factory=list)
    # The block holding each ``try`` statement (for "a later ``try`` in the same block").
    try_blocks: dict[int, cst.CSTNode] = field(default_factory=dict)

    def closed_in_finally(self, creation: Ancestors) -> bool:
        """Whether a ``finally`` (or a handler, with a close on the normal path too)
        closes the session for the code following its creation."""
        for close in self.closes:
            for position, node in enumerate(close):
                if type(node).__name__ not in _TRIES or position + 1 >= len(close):
                    continue
                inner = close[position + 1]
                in_finally = inner is node.finalbody
                in_handler = isinstance(inner, (cst.ExceptHandler, cst.ExceptStarHandler))
                if in_handler and not any(all(step is not inner for step in other) for other in self.closes):
                    continue
                if (in_finally or in_handler) and self._covers(node, creation):
                    return True
        return False

    def _covers(self, try_node: cst.Try | cst.TryStar, creation: Ancestors) -> bool:
        # The creation is inside the ``try`` (not in its ``finally``)...
        if any(node is try_node for node in creation):
            return not any(node is try_node.finalbody for node in creation)
        # ...or the ``try`` comes after it, in the same block or an enclosing one.
        block = self.try_blocks.get(id(try_node))
        body = getattr(block, "body", None)
        if block is None or not isinstance(body, (tuple, list)) or not any(node is block for node in creation):
            return False
        creation_ids = {id(node) for node in creation}
        statements = list(body)
        where = next((i for i, stmt in enumerate(statements) if id(stmt) in creation_ids), None)
        here = next((i for i, stmt in enumerate(statements) if stmt is try_node), None)
        return where is not None and here is not None and here > where


def analyse_session_name(
    context: FileContext, root: cst.CSTNode, name: str, is_fixture: bool = False
) -> SessionUses:
    """Follow every reference to ``name`` in ``root`` (a function or the module),
    not descending into nested scopes (a reference there is an escape)."""
    uses = SessionUses()
    body = root.body if isinstance(root, (cst.FunctionDef, cst.Lambda)) else root
    for node, ancestors in _walk(body, (root,) if body is not root else ()):
        if isinstance(node, (cst.Try, cst.TryStar)) and ancestors:
            uses.try_blocks[id(node)] = ancestors[-1]
        elif isinstance(node, (cst.Global, cst.Nonlocal)) and not _in_nested_scope(ancestors, root):
            if any(item.name.value == name for item in node.names):
                uses.not_local = True
        elif isinstance(node, cst.Name) and node.value == name and _is_reference(node, ancestors):
            if _in_nested_scope(ancestors, root):
                uses.escapes = True
            else:
                _classify(context, uses, node, ancestors)
    if is_fixture and uses.closes and uses.yields:
        uses.managed = True
    return uses


def _classify(context: FileContext, uses: SessionUses, node: cst.Name, ancestors: Ancestors) -> None:
    parent = ancestors[-1]
    if isinstance(parent, cst.Attribute) and parent.value is node:
        _classify_attribute(uses, parent, ancestors)
    elif isinstance(parent, cst.WithItem) and parent.item is node:
        uses.managed = True
    elif isinstance(parent, cst.Arg) and parent.value is node and len(ancestors) > 1 and isinstance(ancestors[-2], cst.Call):
        call = ancestors[-2]
        if _in_finally(ancestors):
            # ``finally: close_session(db)``: a cleanup helper.
            uses.closes.append((*ancestors, node))
            return
        fate = argument_fate(context, call, ancestors[:-2])
        uses.managed |= fate == "managed"
        uses.escapes |= fate == "escape"
    elif isinstance(parent, cst.Yield) and parent.value is node:
        if any(type(ancestor).__name__ in _LOOPS for ancestor in ancestors):
            uses.escapes = True  # a generator handing out sessions: its consumer owns them
        else:
            uses.yields.append((*ancestors, node))
    elif isinstance(parent, (cst.Return, cst.Assign, cst.AnnAssign, cst.NamedExpr)) and parent.value is node:
        uses.escapes = True
    elif isinstance(parent, cst.IfExp) and node is not parent.test or type(parent).__name__ in _TRANSPARENT:
        uses.escapes = True  # ``return db, engine``, ``self.pair = (db, x)``: handed on


def _classify_attribute(uses: SessionUses, attribute: cst.Attribute, ancestors: Ancestors) -> None:
    grandparent = ancestors[-2] if len(ancestors) > 1 else None
    called = isinstance(grandparent, cst.Call) and grandparent.func is attribute
    attr = attribute.attr.value
    if attr == "close":
        if called:
            uses.closes.append(tuple(ancestors))
        else:
            uses.escapes = True  # ``stack.callback(db.close)``: closed by someone else
    elif attr == "begin" and called and is_with_item(grandparent, ancestors[:-2]):  # type: ignore[arg-type]
        uses.managed = True  # the transaction ends (and releases the connection) on any exit


def argument_fate(context: FileContext, call: cst.Call, call_ancestors: Ancestors) -> Fate:
    """What passing a session to ``call`` does to it: "managed" (``closing``,
    ``ExitStack.enter_context``, a context manager entered right away),
    "escape" (stored in an object or a container, or handed to code that runs
    later: a background task, an executor, a partial) or "use"."""
    func = call.func
    callee = context.canonical(func)
    method = func.attr.value if isinstance(func, cst.Attribute) else None
    if callee in _CLOSERS or method in _ENTER_METHODS or is_with_item(call, call_ancestors):
        return "managed"
    if callee in _ESCAPE_CALLEES or callee in _DEFERRING_CALLEES:
        return "escape"
    if method in _CONTAINER_METHODS or method in _DEFERRING_METHODS:
        return "escape"
    if _is_deferred(context, call, call_ancestors):
        return "escape"  # ``asyncio.create_task(work(db))``: the coroutine runs later
    symbol = context.symbol(func)
    if symbol is not None and symbol.kind == "class":
        return "escape"  # an object now holds the session; its own lifecycle decides
    return "use"


def _is_deferred(context: FileContext, call: cst.Call, call_ancestors: Ancestors) -> bool:
    """Whether ``call`` (a coroutine or a callable's arguments) is handed to code that runs later."""
    if len(call_ancestors) < 2 or not isinstance(call_ancestors[-1], cst.Arg):
        return False
    outer = call_ancestors[-2]
    if not isinstance(outer, cst.Call):
        return False
    method = outer.func.attr.value if isinstance(outer.func, cst.Attribute) else None
    return method in _DEFERRING_METHODS or context.canonical(outer.func) in _DEFERRING_CALLEES


def is_with_item(node: cst.CSTNode, ancestors: Ancestors) -> bool:
    """Whether ``node`` (under ``ancestors``, innermost last) is the item of a ``with``."""
    for parent in reversed(ancestors):
        if isinstance(parent, cst.Await):
            node = parent
            continue
        return isinstance(parent, cst.WithItem) and parent.item is node
    return False


def _in_finally(ancestors: Ancestors) -> bool:
    return any(type(node).__name__ in _TRIES and node.finalbody is ancestors[i + 1] for i, node in enumerate(ancestors[:-1]))


def _in_nested_scope(ancestors: Ancestors, root: cst.CSTNode) -> bool:
    return any(type(node).__name__ in _NESTED_SCOPES and node is not root for node in ancestors)


def _is_reference(node: cst.Name, ancestors: Ancestors) -> bool:
    """A load of the name, not an attribute name, a keyword, or a binding target."""
    if not ancestors:
        return False
    parent = ancestors[-1]
    if isinstance(parent, cst.Attribute):
        return parent.value is node
    if isinstance(parent, cst.Arg):
        return parent.value is node
    if isinstance(parent, (cst.Param, cst.FunctionDef, cst.ClassDef, cst.ImportAlias, cst.NameItem)):
        return False
    return not isinstance(parent, (cst.AssignTarget, cst.AsName, cst.AugAssign)) and not (
        isinstance(parent, (cst.AnnAssign, cst.NamedExpr)) and parent.target is node
    )


_SKIPPED = frozenset(
    {
        "lpar", "rpar", "lbracket", "rbracket", "lbrace", "rbrace", "comma", "semicolon", "colon", "dot",
        "equal", "operator", "header", "footer", "leading_lines", "lines_after_decorators", "newline",
        "trailing_whitespace", "asynchronous", "star", "relative", "posonly_ind",
    }
)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = tuple(
            f.name for f in dataclasses.fields(cls) if f.name not in _SKIPPED and not f.name.startswith("whitespace")
        )
        _FIELDS[cls] = names
    return names


def _walk(node: cst.CSTNode, ancestors: tuple[cst.CSTNode, ...]) -> Iterator[tuple[cst.CSTNode, tuple[cst.CSTNode, ...]]]:
    """Every code node under ``node`` (itself included), with its ancestors, outermost first."""
    stack: list[tuple[cst.CSTNode, tuple[cst.CSTNode, ...]]] = [(node, ancestors)]
    while stack:
        current, above = stack.pop()
        yield current, above
        below = (*above, current)
        children: list[cst.CSTNode] = []
        for name in _fields(type(current)):
            value = getattr(current, name, None)
            if isinstance(value, cst.CSTNode):
                children.append(value)
            elif isinstance(value, (tuple, list)):
                children.extend(item for item in value if isinstance(item, cst.CSTNode))
        stack.extend((child, below) for child in reversed(children))


# -- the rule ------------------------------------------------------------------------------


class UnmanagedSession(Rule):
    """## What it does
    Flags a SQLAlchemy/SQLModel session created inside a function that nothing
    reliably closes: not opened with `with`/`async with`, not closed in a
    `finally`, not returned (or yielded from a `try/finally`) to a caller that owns it.

    A session is created by `Session(...)` / `AsyncSession(...)` (SQLAlchemy's,
    SQLModel's, or a project subclass), by calling a `sessionmaker(...)` /
    `async_sessionmaker(...)` factory defined anywhere in the project (followed
    through imports, relative imports and re-exports), by `sessionmaker(...)()`
    inline, or by calling a project helper whose body returns a new session
    (`def new_session(): return SessionLocal()`), across modules.

    Flagged:
    - `db = SessionLocal()` that is never closed, or closed with a plain
      `db.close()` outside `finally`;
    - `yield db` without an enclosing `try/finally` that closes `db` (in a
      FastAPI dependency or an `@contextmanager`, the code after `yield` does not
      run when the caller raises);
    - a session passed inline, `create_user(SessionLocal(), data)`, or used for
      one call, `SessionLocal().query(User).all()`.

    Not flagged: `with SessionLocal() as db`, `async with`, `with
    SessionLocal.begin()`, `with db.begin()`, `contextlib.closing(...)`,
    `ExitStack.enter_context(...)`, a `try/finally` that closes (or `await`s the
    close of) the session, `return SessionLocal()` / `return db` (a factory: its
    callers own the session and are checked in turn), pytest fixtures (pytest
    runs their teardown after `yield`), and sessions handed to something that
    outlives the function: stored on an attribute (`self.db = SessionLocal()` in
    `__init__`: the object owns it, and whether it closes it cannot be told from
    one function), put in a container, given to a project class's constructor,
    handed to work that runs later (`background_tasks.add_task(work, db)`,
    `asyncio.create_task(work(db))`), captured by a nested function, or declared
    `global` (FAPI301's business). `scoped_session`
    registries are not session factories. A generator or `@contextmanager` that
    yields a session is a managed dependency, not a factory: `next(get_db())` is
    not followed.

    ## Why is this bad?
    A session checks a connection out of the pool as soon as it runs a query and
    keeps it until it is closed (or its transaction ends). When an exception
    skips the `close()`, the connection stays checked out until garbage
    collection gets to the session, possibly never if the traceback keeps it
    alive. Under load the pool runs dry and every request waits for
    `QueuePool limit ... overflow ... reached, connection timed out`.

    ## Example
    ```python
    from app.db.session import SessionLocal


    def create_user(data: UserCreate) -> User:
        db = SessionLocal()
        user = User(**data.model_dump())
        db.add(user)
        db.commit()
        db.close()
        return user


    def get_db():
        db = SessionLocal()
        yield db
        db.close()
    ```

    ## Use instead
    ```python
    from app.db.session import SessionLocal


    def create_user(data: UserCreate) -> User:
        with SessionLocal() as db:
            user = User(**data.model_dump())
            db.add(user)
            db.commit()
            return user


    def get_db():
        db = SessionLocal()
        try:
            yield db
        finally:
            db.close()
    ```

    ## Fix safety
    An unsafe fix (applied with `--unsafe-fixes`) opens the session in a
    `with` block (`async with` for an async session in an `async def`):

    - `db = SessionLocal()` followed by its uses: the rest of the block (up to a
      `db.close()` statement of that block, which the `with` makes redundant
      and which is removed) moves into `with SessionLocal() as db:`; a
      `try/finally` whose `finally` only closes the session is unwrapped (its
      body stays, in the `with` block). Offered
      only when every use of `db` is in that part of the same block, `db` is not
      bound again, not used in a nested function and not closed elsewhere;
    - `f(SessionLocal())` or `SessionLocal().query(...)`: the statement moves
      into `with SessionLocal() as session:` (a name the function does not use
      yet: `session`, `db`, `db_session`, `session_2`...). Not offered inside a
      comprehension, a lambda, a conditional expression or `and`/`or`.

    It is unsafe because the session is now closed when the block ends, also
    on exceptions: objects loaded through it are detached from then on, and
    reading an expired attribute of one after the block (after a `commit()`
    with the default `expire_on_commit=True`) raises `DetachedInstanceError`
    where the open session used to reload it. A session whose factory is not
    known to be sync or async (one built by a project function, a
    function-local `sessionmaker`) gets no fix.

    ## Options
    None.
    """

    code = "FAPI303"
    name = "unmanaged-session"
    summary = "Session created in a function and not closed on every path"
    fix_availability = "unsafe"
    triggers = SESSION_TRIGGERS
    triggers_in_code = True
    surveys_calls = True

    @classmethod
    def may_fire(cls, census: CallCensus, index: ProjectIndex) -> bool:
        return may_create_session(census, index)

    NEVER_CLOSED = (
        "Session `{name}` from `{call}`{origin} in `{function}` is never closed: it leaks a database "
        "connection on exceptions (and until garbage collection otherwise). Open it with "
        "`{with_} {call} as {name}:` or close it in a `finally`."
    )
    CLOSED_WITHOUT_FINALLY = (
        "Session `{name}` from `{call}`{origin} in `{function}` is closed only on the success path "
        "(`{name}.close()` is not in a `finally`): it leaks a database connection on exceptions. "
        "Open it with `{with_} {call} as {name}:` or move the close into `try: ... finally: {close}`."
    )
    YIELDED_WITHOUT_FINALLY = (
        "Session `{name}` from `{call}`{origin} is yielded by `{function}` outside a `try/finally`: when "
        "the caller raises, the code after `yield` never runs and the session leaks a database connection "
        "on exceptions. Use `try: yield {name} finally: {close}` or `{with_} {call} as {name}: yield {name}`."
    )
    YIELDED_INLINE = (
        "Session created by `{call}`{origin} is yielded by `{function}` with nothing to close it: it leaks "
        "a database connection on exceptions (and after every request). Use "
        "`{with_} {call} as session: yield session`."
    )
    PASSED_INLINE = (
        "Session created inline by `{call}`{origin} and passed to `{callee}` is never closed: it leaks a "
        "database connection on exceptions (and until garbage collection otherwise). Open it with "
        "`{with_} {call} as session:` and pass `session`."
    )
    USED_ONCE = (
        "Session created by `{call}`{origin} for a single `.{attr}(...)` is never closed: it leaks a database "
        "connection on exceptions (and until garbage collection otherwise). Open it with "
        "`{with_} {call} as session:`."
    )

    def __init__(self, context: FileContext, settings: Mapping[str, Any]) -> None:
        super().__init__(context, settings)
        self._origins: dict[str, SessionOrigin | None] = {}

    def visit_Call(self, node: cst.Call) -> None:
        scope = self.context.scope
        if scope.kind != "function" or not isinstance(scope.node, (cst.FunctionDef, cst.Lambda)):
            return
        ancestors = self.context.ancestors
        child: cst.CSTNode = node
        position = len(ancestors) - 1
        while position > 0 and isinstance(ancestors[position], cst.Await):
            child = ancestors[position]
            position -= 1
        parent, above = ancestors[position], ancestors[:position]
        # Where the call stands decides first: most calls cannot hold a session
        # that leaks, and asking whether they create one may parse other modules.
        check = self._site_check(node, scope.node, child, parent, above)
        if check is None:
            return
        origin = session_call_origin(self.context, node, self._origins)
        if origin is not None:
            self._origin = origin
            check(self._fields(node, origin, scope.node))

    def _site_check(
        self,
        call: cst.Call,
        function: cst.FunctionDef | cst.Lambda,
        child: cst.CSTNode,
        parent: cst.CSTNode,
        above: Ancestors,
    ) -> Callable[[dict[str, str]], None] | None:
        """The check for a session created at this place, or None when a session
        created here is managed or handed on (``return``, ``with``, a lambda's
        body, a container, a conditional expression...)."""
        if isinstance(parent, (cst.Assign, cst.AnnAssign)) and parent.value is child:
            target = parent.targets[0].target if isinstance(parent, cst.Assign) and len(parent.targets) == 1 else None
            target = parent.target if isinstance(parent, cst.AnnAssign) else target
            if not isinstance(target, cst.Name):
                return None  # ``self.db = SessionLocal()``: the object owns it
            name, creation = target.value, [*above, parent]
            return lambda fields: self._check_name(call, function, name, creation, fields)
        if isinstance(parent, cst.Arg) and parent.value is child and above and isinstance(above[-1], cst.Call):
            outer = above[-1]
            return lambda fields: self._check_argument(call, outer, above[:-1], fields)
        if isinstance(parent, cst.Attribute) and parent.value is child:
            attr = parent.attr.value
            grandparent = above[-1] if above else None
            entered = attr == "begin" and isinstance(grandparent, cst.Call) and is_with_item(grandparent, above[:-1])
            if attr in _HARMLESS_ATTRIBUTES or entered:
                return None
            return lambda fields: self.report(call, self.USED_ONCE.format(attr=attr, **fields), self._inline_fix(call, function))
        if isinstance(parent, cst.Yield) and parent.value is child:
            if any(type(node).__name__ in _LOOPS for node in _inside(above, function)):
                return None  # a generator handing out sessions: its consumer owns them
            return lambda fields: self.report(call, self.YIELDED_INLINE.format(**fields))
        return None

    def _check_argument(self, call: cst.Call, outer: cst.Call, outer_ancestors: Ancestors, fields: dict[str, str]) -> None:
        if argument_fate(self.context, outer, outer_ancestors) == "use":
            callee = self._code(outer.func) + "()"
            self.report(call, self.PASSED_INLINE.format(callee=callee, **fields), self._inline_fix(call, self._function()))

    def _function(self) -> cst.FunctionDef | cst.Lambda:
        return self.context.scope.node  # type: ignore[return-value]

    def _inline_fix(self, call: cst.Call, function: cst.FunctionDef | cst.Lambda) -> FixSpec | None:
        from fastapi_lint.rules._session_fix import inline_fix  # only once a session is flagged

        flavour = origin_flavour(self.context.index, self._origin)
        return inline_fix(self.context, function, call, self.context.ancestors, flavour)

    def _fields(self, call: cst.Call, origin: SessionOrigin, function: cst.FunctionDef | cst.Lambda) -> dict[str, str]:
        is_async = isinstance(function, cst.FunctionDef) and function.asynchronous is not None
        return {
            "call": call_text(self.context, call),
            "origin": origin.note(),
            "function": _function_name(function),
            "with_": "async with" if is_async else "with",
        }

    def _check_name(
        self, call: cst.Call, function: cst.FunctionDef | cst.Lambda, name: str, creation: Ancestors, fields: dict[str, str]
    ) -> None:
        uses = analyse_session_name(self.context, function, name, self._is_fixture(function))
        if uses.escapes or uses.managed or uses.not_local or uses.closed_in_finally(creation):
            return
        if uses.yields:
            message = self.YIELDED_WITHOUT_FINALLY
        elif uses.closes:
            message = self.CLOSED_WITHOUT_FINALLY
        else:
            message = self.NEVER_CLOSED
        close = f"await {name}.close()" if fields["with_"] == "async with" else f"{name}.close()"
        fix = None
        if not uses.yields:
            from fastapi_lint.rules._session_fix import with_block_fix  # only once a session is flagged

            flavour = origin_flavour(self.context.index, self._origin)
            fix = with_block_fix(self.context, function, call, name, creation, flavour)
        self.report(call, message.format(name=name, close=close, **fields), fix)

    def _is_fixture(self, function: cst.FunctionDef | cst.Lambda) -> bool:
        if not isinstance(function, cst.FunctionDef):
            return False
        for decorator in function.decorators:
            expression = decorator.decorator
            callee = expression.func if isinstance(expression, cst.Call) else expression
            if self.context.canonical(callee) in _FIXTURE_DECORATORS:
                return True
        return False

    def _code(self, node: cst.CSTNode) -> str:
        return self.context.tree.code_for_node(node)

    VALID = [
        # ``with`` / ``async with`` / ``begin()`` / ``closing()`` / ExitStack.
        Valid(
            """
            import contextlib
            from contextlib import ExitStack, closing

            from sqlalchemy import create_engine
            from sqlalchemy.ext.asyncio import async_sessionmaker
            from sqlalchemy.orm import Session, sessionmaker

            engine = create_engine("sqlite://")
            SessionLocal = sessionmaker(bind=engine)
            AsyncSessionLocal = async_sessionmaker()

            def a():
                with SessionLocal() as db:
                    db.commit()

            async def b():
                async with AsyncSessionLocal() as session:
                    await session.commit()

            def c():
                with SessionLocal.begin() as db:
                    db.add(object())

            def d():
                with Session(engine) as session, session.begin():
                    session.add(object())

            def e():
                with closing(SessionLocal()) as db:
                    db.commit()
                with contextlib.closing(SessionLocal()) as other:
                    other.commit()

            def f():
                with ExitStack() as stack:
                    db = stack.enter_context(SessionLocal())
                    db.commit()

            def g():
                db = SessionLocal()
                with db.begin():
                    db.add(object())

            def h():
                with SessionLocal().begin():
                    pass
            """
        ),
        # ``try/finally``, sync and async, including dependencies and context managers.
        Valid(
            """
            from contextlib import asynccontextmanager, contextmanager

            from sqlalchemy.ext.asyncio import async_sessionmaker
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()
            AsyncSessionLocal = async_sessionmaker()

            def create(user):
                db = SessionLocal()
                try:
                    db.add(user)
                    db.commit()
                finally:
                    db.close()

            def get_db():
                db = SessionLocal()
                try:
                    yield db
                finally:
                    db.close()

            @contextmanager
            def session_scope():
                session = SessionLocal()
                try:
                    yield session
                    session.commit()
                except Exception:
                    session.rollback()
                    raise
                finally:
                    session.close()

            @asynccontextmanager
            async def async_scope():
                session = AsyncSessionLocal()
                try:
                    yield session
                finally:
                    await session.close()

            def lazily(user):
                db = None
                try:
                    db = SessionLocal()
                    db.add(user)
                finally:
                    if db is not None:
                        db.close()

            def configured_first():
                db = SessionLocal()
                db.info["tenant"] = 1
                try:
                    db.commit()
                finally:
                    db.close()

            def on_every_path():
                db = SessionLocal()
                try:
                    db.commit()
                except BaseException:
                    db.close()
                    raise
                db.close()
            """
        ),
        # Factories hand the session to their caller.
        Valid(
            """
            from sqlalchemy.orm import Session, sessionmaker

            SessionLocal = sessionmaker()

            def new_session():
                return SessionLocal()

            def configured_session() -> Session:
                db = SessionLocal()
                db.info["tenant"] = 1
                return db

            def pair():
                return SessionLocal(), 1

            override = lambda: SessionLocal()

            def every_tenant(tenants):
                for tenant in tenants:
                    yield SessionLocal()
            """
        ),
        # Helpers returning sessions are followed: their callers manage them here.
        Valid(
            """
            from app.db.helpers import new_session

            def create(user):
                with new_session() as db:
                    db.add(user)
            """,
            files={
                "app/__init__.py": "",
                "app/db/__init__.py": "",
                "app/db/session.py": "from sqlalchemy.orm import sessionmaker\nSessionLocal = sessionmaker()\n",
                "app/db/helpers.py": """
                    from .session import SessionLocal

                    def new_session():
                        return SessionLocal()
                    """,
            },
        ),
        # Ownership handed on: an attribute, a project class, a container, a closure, a global.
        Valid(
            """
            import asyncio

            from fastapi import BackgroundTasks
            from sqlalchemy.orm import sessionmaker

            from app.repositories import UserRepository

            SessionLocal = sessionmaker()
            registry = []
            current = None

            class Service:
                def __init__(self):
                    self.db = SessionLocal()

            def build():
                return UserRepository(SessionLocal())

            def remember():
                db = SessionLocal()
                registry.append(db)

            def install(app):
                app.state.db = SessionLocal()

            def deferred(tasks):
                db = SessionLocal()
                tasks.add_task(db.close)
                return db.query(User).all()

            def background(tasks: BackgroundTasks, user_id):
                tasks.add_task(send_welcome, SessionLocal(), user_id)
                db = SessionLocal()
                asyncio.create_task(audit(db, user_id))

            def closure():
                db = SessionLocal()

                def cleanup():
                    db.close()

                return cleanup

            def init():
                global current
                current = SessionLocal()
            """,
            files={
                "app/__init__.py": "",
                "app/repositories.py": """
                    class UserRepository:
                        def __init__(self, db):
                            self.db = db
                    """,
            },
        ),
        # pytest runs a fixture's teardown after ``yield`` even when the test fails.
        Valid(
            """
            import pytest
            from sqlalchemy.orm import sessionmaker

            TestingSessionLocal = sessionmaker()

            @pytest.fixture()
            def db():
                session = TestingSessionLocal()
                yield session
                session.close()
            """,
            path="tests/conftest.py",
        ),
        # Not SQLAlchemy sessions, registries, out-of-scope ``next(get_db())``, shadowing names.
        Valid(
            """
            import aiohttp
            import requests
            from sqlalchemy.orm import scoped_session, sessionmaker

            from app.db.session import SessionLocal
            from app.deps import get_db
            from app.models import Session

            ScopedSession = scoped_session(sessionmaker())

            def fetch():
                http = requests.Session()
                return http.get("https://example.com")

            async def fetch_async():
                client = aiohttp.ClientSession()
                return await client.get("https://example.com")

            def record(token):
                session = Session(token=token)
                return session.token

            def scoped():
                db = ScopedSession()
                return db.query(User).all()

            def from_dependency():
                db = next(get_db())
                return db.query(User).all()

            def shadowed_param(SessionLocal):
                db = SessionLocal()
                return db.query(User).all()

            def shadowed_local():
                SessionLocal = dict
                db = SessionLocal()
                return db.items()
            """,
            files={
                "app/__init__.py": "",
                "app/db/__init__.py": "",
                "app/db/session.py": "from sqlalchemy.orm import sessionmaker\nSessionLocal = sessionmaker()\n",
                "app/models.py": """
                    class Session:
                        def __init__(self, token):
                            self.token = token
                    """,
                "app/deps.py": """
                    from app.db.session import SessionLocal

                    def get_db():
                        with SessionLocal() as db:
                            yield db
                    """,
            },
        ),
    ]
    INVALID = [
        Invalid(
            """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()

            def create(data):
                db = SessionLocal()
                db.add(data)
                db.commit()
                db.close()
            """,
            line=7,
            message_contains="is closed only on the success path (`db.close()` is not in a `finally`)",
        ),
        Invalid(
            """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()

            def list_users():
                db = SessionLocal()
                return db.query(User).all()
            """,
            line=7,
            message_contains="Session `db` from `SessionLocal()` (a sessionmaker, app/module.py:4) in `list_users()` is never closed",
        ),
        # A dependency or context manager whose cleanup after ``yield`` is not in ``finally``.
        Invalid(
            """
            from contextlib import contextmanager

            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()

            def get_db():
                db = SessionLocal()
                yield db
                db.close()

            @contextmanager
            def session_scope():
                session = SessionLocal()
                yield session
                session.commit()
                session.close()
            """,
            line=9,
            count=2,
            message_contains="is yielded by `get_db()` outside a `try/finally`",
        ),
        # Passed inline, used for one query, yielded bare.
        Invalid(
            """
            from sqlalchemy.orm import sessionmaker

            from app.crud import create_user

            SessionLocal = sessionmaker()

            def signup(data):
                return create_user(SessionLocal(), data)

            def count():
                return SessionLocal().query(User).count()

            def get_db():
                yield SessionLocal()
            """,
            line=9,
            count=3,
            message_contains="passed to `create_user()`",
            files={"app/__init__.py": "", "app/crud.py": "def create_user(db, data):\n    return db\n"},
        ),
        # Aliases, SQLModel and async sessions, ``sessionmaker(...)()`` and a local maker.
        Invalid(
            """
            from sqlalchemy.ext.asyncio import AsyncSession
            from sqlalchemy.orm import Session as S, sessionmaker
            from sqlmodel import Session as ModelSession

            def a(engine):
                db: S = S(engine)
                db.commit()

            async def b(engine):
                session = AsyncSession(engine)
                await session.commit()
                await session.close()

            def c(engine):
                session = ModelSession(engine)
                session.commit()

            def d(engine):
                db = sessionmaker(bind=engine)()
                db.commit()

            def e(engine):
                maker = sessionmaker(bind=engine)
                db = maker()
                db.commit()
            """,
            line=7,
            count=5,
        ),
        # A factory re-exported through app/db/__init__.py and imported relatively.
        Invalid(
            """
            from ..db import SessionLocal

            async def create(data):
                session = SessionLocal()
                session.add(data)
                await session.commit()
            """,
            path="app/api/routes.py",
            line=5,
            files={
                "app/__init__.py": "",
                "app/api/__init__.py": "",
                "app/db/__init__.py": "from .session import SessionLocal\n",
                "app/db/session.py": """
                    from sqlalchemy.ext.asyncio import async_sessionmaker

                    SessionLocal = async_sessionmaker()
                    """,
            },
        ),
        # A project helper returning a new session, in another module.
        Invalid(
            """
            from app.db.helpers import new_session

            def create(user):
                db = new_session()
                db.add(user)
                db.commit()
            """,
            line=5,
            message_contains="(returns a new session, app/db/helpers.py:4)",
            files={
                "app/__init__.py": "",
                "app/db/__init__.py": "",
                "app/db/session.py": "from sqlalchemy.orm import sessionmaker\nSessionLocal = sessionmaker()\n",
                "app/db/helpers.py": """
                    from .session import SessionLocal

                    def new_session():
                        session = SessionLocal()
                        return session
                    """,
            },
        ),
        # ``finally`` blocks that do not cover the session.
        Invalid(
            """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()

            def before(lock):
                try:
                    lock.acquire()
                finally:
                    lock.release()
                db = SessionLocal()
                db.commit()

            def other_name(lock):
                db = SessionLocal()
                try:
                    db.commit()
                finally:
                    lock.release()
            """,
            line=11,
            count=2,
        ),
        # A function-local name shadowing an import does not hide a real factory.
        Invalid(
            """
            from sqlalchemy.orm import sessionmaker

            def create(engine, data):
                Session = sessionmaker(bind=engine)
                session = Session()
                session.add(data)
                session.commit()
            """,
            line=6,
        ),
        # Fixes: the rest of the block moves into ``with``; the closing ``db.close()`` goes.
        Invalid(
            """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()

            def create(data):
                # One unit of work.
                db = SessionLocal()  # short-lived
                user = User(**data)
                db.add(user)
                if data:
                    db.commit()
                db.close()
                return user
            """,
            line=8,
            unsafe_fixes=True,
            expected_fix="""
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()

            def create(data):
                # One unit of work.
                with SessionLocal() as db:  # short-lived
                    user = User(**data)
                    db.add(user)
                    if data:
                        db.commit()
                return user
            """,
        ),
        # An async factory re-exported by a package, imported relatively under an alias:
        # ``async with`` (and ``await db.close()`` dropped); a nested block is fixed in place.
        Invalid(
            """
            from ..db import SessionLocal as make_session

            async def create(items):
                for item in items:
                    db: AsyncSession = make_session()
                    db.add(item)
                    await db.commit()
                    await db.close()
                return len(items)
            """,
            path="app/api/routes.py",
            line=6,
            unsafe_fixes=True,
            files={
                "app/__init__.py": "",
                "app/api/__init__.py": "",
                "app/db/__init__.py": "from .session import SessionLocal\n",
                "app/db/session.py": """
                    from sqlalchemy.ext.asyncio import async_sessionmaker

                    SessionLocal = async_sessionmaker()
                    """,
            },
            expected_fix="""
            from ..db import SessionLocal as make_session

            async def create(items):
                for item in items:
                    async with make_session() as db:
                        db.add(item)
                        await db.commit()
                return len(items)
            """,
        ),
        # Inline sessions get their own block, under a name the function does not use yet.
        Invalid(
            """
            from sqlalchemy.orm import sessionmaker

            from app.crud import create_user

            SessionLocal = sessionmaker()

            def signup(data):
                user = create_user(SessionLocal(), data)
                return user

            def count(session):
                return SessionLocal().query(User).count() + session
            """,
            line=9,
            count=2,
            unsafe_fixes=True,
            files={"app/__init__.py": "", "app/crud.py": "def create_user(db, data):\n    return db\n"},
            expected_fix="""
            from sqlalchemy.orm import sessionmaker

            from app.crud import create_user

            SessionLocal = sessionmaker()

            def signup(data):
                with SessionLocal() as session:
                    user = create_user(session, data)
                return user

            def count(session):
                with SessionLocal() as db:
                    return db.query(User).count() + session
            """,
        ),
        # A ``try/finally`` whose ``finally`` only closes the session (and does not cover
        # its creation) is unwrapped: the ``with`` block closes it, on every path.
        Invalid(
            """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()

            def save(user, notify):
                db = SessionLocal()
                db.add(user)
                if notify:
                    # Only then.
                    try:
                        db.commit()
                    finally:
                        db.close()
            """,
            line=7,
            unsafe_fixes=True,
            expected_fix="""
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()

            def save(user, notify):
                with SessionLocal() as db:
                    db.add(user)
                    if notify:
                        # Only then.
                        db.commit()
            """,
        ),
        # No fix where the control flow does not allow one: used after the block that
        # creates it, used after ``close()``, created in a condition, an async session in a
        # sync function.
        Invalid(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()
            AsyncSessionLocal = async_sessionmaker()

            def outside(data):
                if data:
                    db = SessionLocal()
                    db.add(data)
                db.commit()

            def after_close(data):
                db = SessionLocal()
                db.add(data)
                db.close()
                print(db.info)

            def conditional(data):
                results = [create_user(SessionLocal(), item) for item in data]
                return data and create_user(SessionLocal(), data)

            def wrong_kind(data):
                session = AsyncSessionLocal()
                session.add(data)
            """,
            line=10,
            count=5,
            unsafe_fixes=True,
            expected_fix=None,
        ),
    ]


def call_text(context: FileContext, call: cst.Call) -> str:
    """The call as written when short (``SessionLocal()``, ``Session(engine)``), else abridged."""
    code = context.tree.code_for_node(call)
    if len(code) <= 60 and "\n" not in code:
        return code
    return context.tree.code_for_node(call.func) + "(...)"


def _function_name(function: cst.FunctionDef | cst.Lambda) -> str:
    return f"{function.name.value}()" if isinstance(function, cst.FunctionDef) else "lambda"


def _inside(ancestors: Ancestors, function: cst.CSTNode) -> Ancestors:
    """The part of ``ancestors`` below ``function``."""
    for position, node in enumerate(ancestors):
        if node is function:
            return ancestors[position + 1 :]
    return ancestors
