"""Positions of a few nodes, without LibCST's metadata machinery.

``MetadataWrapper(...).resolve(PositionProvider)`` walks the whole tree once with a
visitor (even for a provider that needs no visit), then generates the code of the
whole module while splitting every token on newlines. Findings need the positions of
a handful of nodes: one code generation that records token counts instead of lines
and columns, stops after the last wanted node, and turns token counts into lines and
columns at the end gives the same ranges (``PositionProvider`` for findings,
``WhitespaceInclusivePositionProvider`` for the spans of edits) several times cheaper.
Given the top-level statements holding those nodes and the source text, only those
statements are generated: the code before each is found in the text.
"""

from __future__ import annotations

import re
from typing import Iterable

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst._position import CodePosition, CodeRange

# The same newline rule as LibCST's position providers.
_NEWLINE = re.compile(r"\r\n?|\n")


class _Finished(Exception):
    """Every wanted node has been generated: the rest of the module is not needed."""


class _TokenCountingState(CodegenState):
    """Records, for every node, the number of tokens before its start and after its end."""

    __slots__ = ("syntactic", "inclusive", "pending", "_starts")

    def __init__(self, module: cst.Module, wanted: set[int]) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.syntactic: dict[int, tuple[int, int]] = {}
        self.inclusive: dict[int, tuple[int, int]] = {}
        self.pending = set(wanted)
        self._starts: list[int] = []

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._starts.append(len(self.tokens))

    def after_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        pair = (self._starts.pop(), len(self.tokens))
        # Like the providers: the first (outermost) generation of a node counts, and
        # a syntactic position already recorded by the node itself wins.
        self.inclusive.setdefault(key, pair)
        self.syntactic.setdefault(key, pair)
        if key in self.pending:
            self.pending.discard(key)
            if not self.pending:
                raise _Finished

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> "_SyntacticRecord":
        return _SyntacticRecord(self, node, start_node, end_node)

    def pop_trailing_newline(self) -> None:
        # The text is not needed, and token counts recorded before must stay valid.
        pass


class _SyntacticRecord:
    """``record_syntactic_position``'s context: a plain object is cheaper than a generator
    made into a context manager, and this is entered for most nodes."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(
        self, state: _TokenCountingState, node: cst.CSTNode, start_node: cst.CSTNode | None, end_node: cst.CSTNode | None
    ) -> None:
        self.state = state
        self.node = node
        self.start_node = start_node
        self.end_node = end_node
        self.start = 0

    def __enter__(self) -> None:
        self.start = len(self.state.tokens)

    def __exit__(self, kind: object, value: object, traceback: object) -> bool:
        if kind is not None:
            # The generation stopped early: nothing more is recorded.
            return False
        state = self.state
        start, end = self.start, len(state.tokens)
        if self.start_node is not None:
            start = state.syntactic[id(self.start_node)][0]
        if self.end_node is not None:
            end = state.syntactic[id(self.end_node)][1]
        state.syntactic[id(self.node)] = (start, end)
        return False


def node_positions(
    module: cst.Module,
    nodes: Iterable[cst.CSTNode],
    spans: Iterable[cst.CSTNode] = (),
    statements: Iterable[cst.CSTNode] = (),
    source: str | None = None,
) -> tuple[dict[int, CodeRange], dict[int, CodeRange]]:
    """The ranges of ``nodes`` as ``PositionProvider`` gives them and of ``spans`` as
    ``WhitespaceInclusivePositionProvider`` does, keyed by ``id(node)``.

    ``statements``: top-level statements that likely hold every node (a hint): only they
    are recorded; when a node is not found in them, the whole module is recorded.
    ``source``: the text ``module`` was parsed from (its code: LibCST round-trips it),
    where the hinted statements are looked up instead of generating the code before them."""
    nodes = list(nodes)
    spans = list(spans)
    wanted = {id(node) for node in (*nodes, *spans)}
    state = _TokenCountingState(module, wanted)
    if state.pending and not _record_statements(module, state, statements, source):
        state = _TokenCountingState(module, wanted)
        try:
            module._codegen(state)
        except _Finished:
            pass
    counts = [state.syntactic[id(node)] for node in nodes if id(node) in state.syntactic]
    counts += [state.inclusive[id(node)] for node in spans if id(node) in state.inclusive]
    where = _line_columns(state.tokens, {count for pair in counts for count in pair})

    def ranges(table: dict[int, tuple[int, int]], wanted: list[cst.CSTNode]) -> dict[int, CodeRange]:
        found = {}
        for node in wanted:
            pair = table.get(id(node))
            if pair is not None:
                found[id(node)] = CodeRange(where[pair[0]], where[pair[1]])
        return found

    return ranges(state.syntactic, nodes), ranges(state.inclusive, spans)


def _record_statements(
    module: cst.Module, state: _TokenCountingState, statements: Iterable[cst.CSTNode], source: str | None
) -> bool:
    """Record positions within ``statements`` (top-level ones) only. The code before each
    of them (the header, statements not hinted) becomes one token, so the tokens joined
    are the module's code, as with ``module._codegen(state)``, and line and column
    counts come out the same. That token is the stretch of ``source`` before the
    statement when the statement's code occurs once only in what is left of ``source``
    (it is the module's code: the statement can only be there); else it is generated.
    False when a wanted node was not met (it is elsewhere): the caller starts again."""
    marked = {id(statement) for statement in statements}
    if not marked or id(module) in state.pending:
        return False
    tokens = state.tokens
    # Nodes generated since ``cursor`` (the end of the last recorded statement in
    # ``source``), whose code is not among the tokens yet.
    skipped: list[cst.CSTNode] = list(module.header)
    cursor = 0
    for statement in module.body:
        if id(statement) not in marked:
            skipped.append(statement)
            continue
        # A place for the code before the statement, known once the statement's is.
        gap = len(tokens)
        tokens.append("")
        findable = _findable(module, statement, source)
        try:
            statement._codegen(state)
        except _Finished:
            # Only a beginning of the statement's code is known: it starts in the same
            # place (and where it occurs once, so does the whole).
            tokens[gap] = _code_before(module, skipped, "".join(tokens[gap + 1 :]), findable, cursor)
            return True
        code = "".join(tokens[gap + 1 :])
        tokens[gap] = _code_before(module, skipped, code, findable, cursor)
        cursor += len(tokens[gap]) + len(code)
        skipped = []
    return False


def _findable(module: cst.Module, statement: cst.CSTNode, source: str | None) -> str | None:
    """``source``, unless ``statement``'s code may not be in it as generated: the module's
    last newline is left out of its code (``pop_trailing_newline``) and the last
    statement's code, generated alone, ends with it; it could then be found elsewhere."""
    if not module.has_trailing_newline and not module.footer and statement is module.body[-1]:
        return None
    return source


def _code_before(module: cst.Module, skipped: list[cst.CSTNode], code: str, source: str | None, cursor: int) -> str:
    """The code of ``skipped`` (nodes just before a statement whose code starts with
    ``code``), which starts at ``cursor`` in ``source``."""
    if not skipped:
        return ""
    if source is not None and code:
        found = source.find(code, cursor)
        if found >= 0 and source.find(code, found + 1) < 0:
            return source[cursor:found]
    # Not found once only (a repeated ``pass``, a last line without its newline): the
    # code is generated, as the module's generation would.
    plain = CodegenState(default_indent=module.default_indent, default_newline=module.default_newline)
    for node in skipped:
        node._codegen(plain)
    return "".join(plain.tokens)


def _line_columns(tokens: list[str], counts: set[int]) -> dict[int, CodePosition]:
    """Line (1-based) and column (0-based) after the first ``count`` tokens, for each count."""
    result: dict[int, CodePosition] = {}
    line, column, done = 1, 0, 0
    for count in sorted(counts):
        chunk = "".join(tokens[done:count])
        done = count
        segments = _NEWLINE.split(chunk)
        if len(segments) == 1:
            column += len(chunk)
        else:
            line += len(segments) - 1
            column = len(segments[-1])
        result[count] = CodePosition(line, column)
    return result
