"""FAPI303's fix: open a function's unmanaged session in a ``with`` / ``async with`` block.

Two shapes are rewritten, both only when the session's whole life is provably inside
one block of the function:

- ``db = SessionLocal()`` followed, in the same block, by every use of ``db``: the
  rest of the block (up to a plain ``db.close()`` statement, which the block makes
  redundant) moves into ``with SessionLocal() as db:``;
- a session created inline for one statement, ``f(SessionLocal())`` or
  ``SessionLocal().query(...)``: that statement moves into
  ``with SessionLocal() as session:`` (a name the function does not use yet).
"""

from __future__ import annotations

import builtins
from typing import Iterator, Sequence

import libcst as cst

from fastapi_lint.linter.context import FileContext
from fastapi_lint.linter.project_edits import edits_between
from fastapi_lint.linter.rule import FixSpec
from fastapi_lint.rules._sqlalchemy import Flavour

# Expressions that evaluate their parts conditionally, lazily or in another scope:
# an inline session inside one cannot be moved out in front of the statement.
_CONDITIONAL = (
    cst.Lambda,
    cst.IfExp,
    cst.BooleanOperation,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
    cst.GeneratorExp,
    cst.Yield,
    cst.FunctionDef,
    cst.ClassDef,
)
_NESTED_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
_NAME_CANDIDATES = ("session", "db", "db_session")


def _walk(node: cst.CSTNode, above: tuple[cst.CSTNode, ...] = ()) -> Iterator[tuple[cst.CSTNode, tuple[cst.CSTNode, ...]]]:
    """Every node under ``node`` (itself included) with its ancestors, outermost first."""
    stack = [(node, above)]
    while stack:
        current, ancestors = stack.pop()
        yield current, ancestors
        below = (*ancestors, current)
        stack.extend((child, below) for child in reversed(current.children))


def _is_name_load(node: cst.Name, parent: cst.CSTNode) -> bool:
    """A read of a variable (not an attribute name, a keyword, an import or a target)."""
    if isinstance(parent, cst.Attribute):
        return parent.value is node
    if isinstance(parent, cst.Arg):
        return parent.value is node
    if isinstance(parent, (cst.Param, cst.FunctionDef, cst.ClassDef, cst.ImportAlias, cst.NameItem, cst.AsName, cst.ImportFrom)):
        return False
    if isinstance(parent, (cst.AssignTarget, cst.AugAssign, cst.CompFor, cst.For)):
        return getattr(parent, "target", None) is not node
    if isinstance(parent, (cst.AnnAssign, cst.NamedExpr)):
        return parent.target is not node
    return True


def _is_close_statement(statement: cst.CSTNode, name: str) -> bool:
    """``name.close()`` or ``await name.close()`` as a whole statement."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if not isinstance(small, cst.Expr):
        return False
    value = small.value.expression if isinstance(small.value, cst.Await) else small.value
    return (
        isinstance(value, cst.Call)
        and not value.args
        and isinstance(value.func, cst.Attribute)
        and value.func.attr.value == "close"
        and isinstance(value.func.value, cst.Name)
        and value.func.value.value == name
    )


def _with(call: cst.Call, name: str, body: Sequence[cst.BaseStatement], flavour: Flavour, line: cst.SimpleStatementLine) -> cst.With:
    return cst.With(
        items=[cst.WithItem(call, asname=cst.AsName(cst.Name(name)))],
        body=cst.IndentedBlock(body=list(body), header=line.trailing_whitespace),
        asynchronous=cst.Asynchronous() if flavour == "async" else None,
        leading_lines=line.leading_lines,
    )


def _fix(context: FileContext, block: cst.IndentedBlock, body: list[cst.BaseStatement], message: str) -> FixSpec:
    if not context.index.fix_edits:
        return FixSpec("unsafe", message, edits=())
    tree = context.tree.deep_replace(block, block.with_changes(body=body))
    assert isinstance(tree, cst.Module)
    return FixSpec("unsafe", message, edits=edits_between(context.display_path, context.text, tree.code))


def _usable(flavour: Flavour | None, function: cst.CSTNode) -> bool:
    """An async session needs an ``async with``, hence an ``async def``."""
    if flavour is None or not isinstance(function, cst.FunctionDef):
        return False
    return flavour == "sync" or function.asynchronous is not None


def with_block_fix(
    context: FileContext,
    function: cst.CSTNode,
    call: cst.Call,
    name: str,
    creation: Sequence[cst.CSTNode],
    flavour: Flavour | None,
) -> FixSpec | None:
    """``name = call`` (``creation``: its ancestors, the assignment last) and the rest of
    its block, into ``with call as name:``; None when the control flow does not allow it."""
    if not _usable(flavour, function) or len(creation) < 4:
        return None
    assignment, line, block = creation[-1], creation[-2], creation[-3]
    if not isinstance(assignment, (cst.Assign, cst.AnnAssign)) or assignment.value is not call:
        return None
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1 or not isinstance(block, cst.IndentedBlock):
        return None
    statements = list(block.body)
    position = next(i for i, statement in enumerate(statements) if statement is line)
    rest = statements[position + 1 :]
    close = next((i for i, statement in enumerate(rest) if _is_close_statement(statement, name)), None)
    inside, after = (rest, []) if close is None else (rest[:close], rest[close + 1 :])
    dropped = rest[close] if close is not None else None
    unwrapped = _uses_only_inside(function, name, assignment, inside, dropped) if inside else None
    if unwrapped is None:
        return None
    if unwrapped:
        inside = list(cst.IndentedBlock(body=inside).visit(_UnwrapTries(unwrapped)).body)  # type: ignore[attr-defined]
    with_node = _with(call, name, inside, flavour, line)  # type: ignore[arg-type]
    keyword = "async with" if flavour == "async" else "with"
    message = f"Open `{name}` with `{keyword} {context.tree.code_for_node(call)} as {name}:`"
    return _fix(context, block, [*statements[:position], with_node, *after], message)


def _uses_only_inside(
    function: cst.CSTNode, name: str, assignment: cst.CSTNode, inside: list[cst.BaseStatement], dropped: cst.CSTNode | None
) -> set[int] | None:
    """Every read of ``name`` in ``function`` is in ``inside`` (not in a nested scope, not a
    ``close``) or in the ``dropped`` close statement, and nothing else binds ``name``.

    A ``try: ... finally: name.close()`` (no handler, no ``else``) after which ``name`` is
    not read again is allowed: the ``with`` block closes the session in its stead. The
    answer is the ids of those ``try`` statements (to unwrap), or None when not allowed."""
    inside_ids = {id(statement) for statement in inside}
    closing_tries: list[cst.Try] = []
    for node, ancestors in _walk(function):
        if isinstance(node, cst.Try) and _closes_only(node, name):
            closing_tries.append(node)
        if not isinstance(node, cst.Name) or node.value != name or not ancestors or node is function.name:  # type: ignore[attr-defined]
            continue
        if dropped is not None and any(step is dropped for step in ancestors):
            continue
        parent = ancestors[-1]
        if isinstance(parent, cst.Attribute) and parent.attr is node:
            continue
        if isinstance(parent, cst.Arg) and parent.keyword is node:
            continue
        if isinstance(parent, (cst.AssignTarget, cst.AnnAssign)) and any(step is assignment for step in ancestors):
            if isinstance(parent, cst.AssignTarget) or parent.target is node:
                continue  # the creation itself
        if not _is_name_load(node, parent):
            return None  # rebound, deleted, imported, a parameter...
        if not any(id(step) in inside_ids for step in ancestors):
            return None
        if any(isinstance(step, _NESTED_SCOPES) and step is not function for step in ancestors):
            return None
        # The walk goes in source order: a ``try`` seen before and not around this read ended before it.
        if any(all(step is not earlier for step in ancestors) for earlier in closing_tries):
            return None  # read after a ``finally`` closed it
        if isinstance(parent, cst.Attribute) and parent.attr.value == "close":
            if not any(step is earlier.finalbody for earlier in closing_tries for step in ancestors):
                return None  # a close inside the block: the code after it would use a closed session
    return {id(node) for node in closing_tries}


def _closes_only(node: cst.Try, name: str) -> bool:
    """``try: ... finally: name.close()``, nothing else in the ``finally``, no handler, no ``else``."""
    final = node.finalbody
    if node.handlers or node.orelse is not None or final is None or not isinstance(final.body, cst.IndentedBlock):
        return False
    return len(final.body.body) == 1 and _is_close_statement(final.body.body[0], name)


class _UnwrapTries(cst.CSTTransformer):
    """Each ``try`` of ``ids`` replaced by its body (its ``finally`` only closed the session)."""

    def __init__(self, ids: set[int]) -> None:
        self.ids = ids

    def leave_Try(
        self, original: cst.Try, updated: cst.Try
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        if id(original) not in self.ids or not isinstance(updated.body, cst.IndentedBlock):
            return updated
        statements = list(updated.body.body)
        statements[0] = statements[0].with_changes(leading_lines=[*updated.leading_lines, *statements[0].leading_lines])
        return cst.FlattenSentinel(statements)


def inline_fix(
    context: FileContext,
    function: cst.CSTNode,
    call: cst.Call,
    ancestors: Sequence[cst.CSTNode],
    flavour: Flavour | None,
) -> FixSpec | None:
    """The statement holding an inline ``call`` (``f(SessionLocal())``) into
    ``with call as session:`` with ``session`` in place of the call."""
    if not _usable(flavour, function):
        return None
    position = next((i for i in range(len(ancestors) - 1, -1, -1) if isinstance(ancestors[i], cst.SimpleStatementLine)), None)
    if position is None or position == 0:
        return None
    line, block = ancestors[position], ancestors[position - 1]
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1 or not isinstance(block, cst.IndentedBlock):
        return None
    if any(isinstance(node, _CONDITIONAL) for node in ancestors[position:]):
        return None
    if not any(node is function for node in ancestors[:position]):
        return None
    name = _fresh_name(context, function)
    statement = line.deep_replace(call, cst.Name(name))
    assert isinstance(statement, cst.SimpleStatementLine)
    inner = statement.with_changes(leading_lines=(), trailing_whitespace=cst.TrailingWhitespace())
    with_node = _with(call, name, [inner], flavour, line)  # type: ignore[arg-type]
    statements = [with_node if statement is line else statement for statement in block.body]
    keyword = "async with" if flavour == "async" else "with"
    message = f"Open the session with `{keyword} {context.tree.code_for_node(call)} as {name}:`"
    return _fix(context, block, statements, message)


def _fresh_name(context: FileContext, function: cst.CSTNode) -> str:
    """A name neither the function nor its module uses (nor a builtin)."""
    taken = {node.value for node, _ in _walk(function) if isinstance(node, cst.Name)}
    taken |= set(context.module_scope.names) | set(dir(builtins))
    for candidate in _NAME_CANDIDATES:
        if candidate not in taken:
            return candidate
    number = 2
    while f"session_{number}" in taken:
        number += 1
    return f"session_{number}"
