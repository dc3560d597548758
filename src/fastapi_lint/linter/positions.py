"""Positions of a few nodes, without LibCST's metadata machinery.

``MetadataWrapper(...).resolve(PositionProvider)`` walks the whole tree once with a
visitor (even for a provider that needs no visit), then generates the code of the
whole module while splitting every token on newlines. Findings need the positions of
a handful of nodes: one code generation that records token counts instead of lines
and columns, stops after the last wanted node, and turns token counts into lines and
columns at the end gives the same ranges (``PositionProvider`` for findings,
``WhitespaceInclusivePositionProvider`` for the spans of edits) several times cheaper.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Iterable, Iterator

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
        start = self._starts.pop()
        key = id(node)
        end = len(self.tokens)
        # Like the providers: the first (outermost) generation of a node counts, and
        # a syntactic position already recorded by the node itself wins.
        if key not in self.inclusive:
            self.inclusive[key] = (start, end)
        if key not in self.syntactic:
            self.syntactic[key] = (start, end)
        if key in self.pending:
            self.pending.discard(key)
            if not self.pending:
                raise _Finished

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        start = len(self.tokens)
        # No ``finally``: once the generation stops early, nothing more is recorded.
        yield
        end = len(self.tokens)
        if start_node is not None:
            start = self.syntactic[id(start_node)][0]
        if end_node is not None:
            end = self.syntactic[id(end_node)][1]
        self.syntactic[id(node)] = (start, end)

    def pop_trailing_newline(self) -> None:
        # The text is not needed, and token counts recorded before must stay valid.
        pass


def node_positions(
    module: cst.Module, nodes: Iterable[cst.CSTNode], spans: Iterable[cst.CSTNode] = ()
) -> tuple[dict[int, CodeRange], dict[int, CodeRange]]:
    """The ranges of ``nodes`` as ``PositionProvider`` gives them and of ``spans`` as
    ``WhitespaceInclusivePositionProvider`` does, keyed by ``id(node)``."""
    nodes = list(nodes)
    spans = list(spans)
    state = _TokenCountingState(module, {id(node) for node in (*nodes, *spans)})
    if state.pending:
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
