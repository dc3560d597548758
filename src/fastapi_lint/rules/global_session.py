"""FAPI301 global-session: a session instance held at module level or as a class attribute."""

from __future__ import annotations

import libcst as cst

from fastapi_lint.linter.names import Scope
from fastapi_lint.linter.rule import Invalid, Rule, Valid
from fastapi_lint.rules._sqlalchemy import session_call_origin
from fastapi_lint.rules.unmanaged_session import analyse_session_name, argument_fate, is_with_item


class GlobalSession(Rule):
    """## What it does
    Flags a SQLAlchemy/SQLModel session created once and shared: a session
    assigned at module level (`db = SessionLocal()`, `session =
    AsyncSession(engine)`, `session = Session(bind=engine)`), as a class
    attribute, as a parameter default (`def f(db=SessionLocal()):`, evaluated
    once at import time), anywhere else at import time, or to a module global
    from inside a function (`global db; db = SessionLocal()`).

    A session is created by SQLAlchemy's or SQLModel's `Session` /
    `AsyncSession` (or a project subclass), by calling a `sessionmaker(...)` /
    `async_sessionmaker(...)` factory (`SessionLocal` defined in
    `app/db/session.py` and imported anywhere, through relative imports and
    re-exports, is still a factory), by `sessionmaker(...)()` inline, or by a
    project helper whose body returns a new session.

    Not flagged: the factories themselves (`SessionLocal = sessionmaker(...)`,
    `async_sessionmaker(...)`, `create_engine(...)`), `scoped_session(...)` /
    `async_scoped_session(...)` registries and what they return, `requests.Session()`,
    `aiohttp.ClientSession()` and any other class that is not a SQLAlchemy
    session, a module-level `with SessionLocal() as db:` or a session closed in a
    module-level `try/finally` (a script), code under `if __name__ ==
    "__main__":`, and `self.db = SessionLocal()` (one session per instance: see
    FAPI303).

    ## Why is this bad?
    A session is a unit of work for one request: it is not safe to share across
    threads or concurrent tasks, it keeps a connection checked out while a
    transaction is open, and its identity map carries objects (and failed
    transactions) from one request into the next. A session held at module level
    is shared by every request the process serves.

    ## Example
    ```python
    from sqlalchemy.orm import Session

    from app.db.session import SessionLocal, engine

    db = SessionLocal()


    class UserRepository:
        session = Session(engine)


    def get_user(user_id: int, db=SessionLocal()):
        return db.get(User, user_id)
    ```

    ## Use instead
    ```python
    from typing import Annotated, Iterator

    from fastapi import Depends
    from sqlalchemy.orm import Session

    from app.db.session import SessionLocal


    def get_db() -> Iterator[Session]:
        with SessionLocal() as db:
            yield db


    def get_user(user_id: int, db: Annotated[Session, Depends(get_db)]):
        return db.get(User, user_id)
    ```

    ## Fix safety
    There is no fix: moving the session into a dependency changes every
    function that uses it.

    ## Options
    None.
    """

    code = "FAPI301"
    name = "global-session"
    summary = "Session instance held at module level or as a class attribute"
    fix_availability = None
    # Session classes and factories mention "session"/"Session"/"maker"; project
    # helpers returning sessions are most often called ``get_db``/``db_session``.
    triggers = ("ession", "maker", "db", "DB", "Db")

    MESSAGE = (
        "{subject} holds a SQLAlchemy session from `{call}`{origin}, created once{when} and shared by every "
        "request: a session is not safe across threads or concurrent tasks, keeps a database connection "
        "checked out and carries objects and failed transactions from one request into the next. Create one "
        "session per request in a dependency (`with {call} as session: yield session`) and inject it with "
        "`Depends`."
    )

    def visit_Call(self, node: cst.Call) -> None:
        scope = self.context.scope
        if scope.kind == "function":
            self._check_global_assignment(node, scope)
        elif not self._under_main_guard():
            self._check_import_time(node, scope)

    def _check_import_time(self, call: cst.Call, scope: Scope) -> None:
        origin = session_call_origin(self.context, call)
        if origin is None:
            return
        child, parent, above = self._site(call)
        if is_with_item(call, self.context.ancestors):
            return
        if isinstance(parent, cst.Arg) and above and isinstance(above[-1], cst.Call):
            if argument_fate(self.context, above[-1], above[:-1]) == "managed":
                return
        subject = "A call run at import time"
        if isinstance(parent, cst.Parameters):
            subject = self._default_subject(parent, child, above)
        elif (name := _assigned_name(parent, child)) is not None:
            if scope.kind == "class" and isinstance(scope.node, cst.ClassDef):
                subject = f"Class attribute `{scope.node.name.value}.{name}`"
            else:
                if self._closed_by_module(name, [*above, parent]):
                    return
                subject = f"Module-level `{name}`"
        self._report(call, subject, " at import time", origin.note())

    def _check_global_assignment(self, call: cst.Call, scope: Scope) -> None:
        child, parent, _ = self._site(call)
        name = _assigned_name(parent, child)
        binding = scope.names.get(name) if name is not None else None
        if binding is None or binding.kind != "global":
            return
        origin = session_call_origin(self.context, call)
        if origin is None:
            return
        function = scope.node.name.value if isinstance(scope.node, cst.FunctionDef) else "a lambda"
        self._report(call, f"Global `{name}` (assigned in `{function}()`)", "", origin.note())

    def _report(self, call: cst.Call, subject: str, when: str, origin: str) -> None:
        text = self.context.tree.code_for_node(call.func) + "()"
        self.report(call, self.MESSAGE.format(subject=subject, call=text, origin=origin, when=when))

    def _site(self, call: cst.Call) -> tuple[cst.CSTNode, cst.CSTNode | None, list[cst.CSTNode]]:
        """The call (or the ``await`` around it), its parent, and the parent's ancestors."""
        ancestors = self.context.ancestors
        child: cst.CSTNode = call
        position = len(ancestors) - 1
        while position > 0 and isinstance(ancestors[position], cst.Await):
            child = ancestors[position]
            position -= 1
        parent = ancestors[position] if position >= 0 else None
        return child, parent, list(ancestors[:position])

    def _default_subject(self, params: cst.Parameters, child: cst.CSTNode, above: list[cst.CSTNode]) -> str:
        owner = above[-1] if above else None
        function = f"`{owner.name.value}()`" if isinstance(owner, cst.FunctionDef) else "a lambda"
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            if param.default is child:
                return f"The default of parameter `{param.name.value}` of {function}"
        return f"A parameter default of {function}"

    def _closed_by_module(self, name: str, creation: list[cst.CSTNode]) -> bool:
        """A script-style ``db = SessionLocal(); try: ... finally: db.close()`` at module level."""
        uses = analyse_session_name(self.context, self.context.tree, name)
        return uses.managed or uses.closed_in_finally(creation)

    def _under_main_guard(self) -> bool:
        return any(isinstance(node, cst.If) and _is_main_test(node.test) for node in self.context.ancestors)

    VALID = [
        Valid(
            """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()
            db = SessionLocal()
            """,
            line=4,
        ),
    ]


def _assigned_name(parent: cst.CSTNode | None, child: cst.CSTNode) -> str | None:
    """``name`` for ``name = <child>`` / ``name: T = <child>``, else None."""
    if isinstance(parent, cst.Assign) and parent.value is child and len(parent.targets) == 1:
        target = parent.targets[0].target
        return target.value if isinstance(target, cst.Name) else None
    if isinstance(parent, cst.AnnAssign) and parent.value is child and isinstance(parent.target, cst.Name):
        return parent.target.value
    return None


def _is_main_test(test: cst.BaseExpression) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    if not isinstance(test.comparisons[0].operator, cst.Equal):
        return False
    sides = (test.left, test.comparisons[0].comparator)
    names = [side for side in sides if isinstance(side, cst.Name) and side.value == "__name__"]
    strings = [side for side in sides if isinstance(side, cst.SimpleString) and side.evaluated_value == "__main__"]
    return len(names) == 1 and len(strings) == 1
