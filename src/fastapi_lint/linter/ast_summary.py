"""Summarise a module for the project index from CPython's ``ast`` instead of LibCST.

The project index only needs each module's ``ModuleSummary`` (imports, functions with
the calls they make, classes, assignments). CPython's parser builds an ``ast`` tree
some ten times faster than LibCST builds its tree, and needs no ``import libcst``.
This module mirrors, node for node, what ``summary.SummaryCollector`` does with
``names`` and ``walk`` on a LibCST tree: the same scopes, bound at the same moments
of the same traversal order, so that the summaries are equal (a test compares both
on the standard library and on a generated project).
"""

from __future__ import annotations

import ast
import builtins
import io
import re
import tokenize
import warnings
from dataclasses import dataclass, field
from typing import Iterator, Literal

from fastapi_lint.linter.index import AssignSummary, ClassSummary, FunctionSummary, ModuleSummary

_BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True)
class Ref:
    """A keyword value that is a name: its qualified name (None when unresolved)."""

    qualname: str | None


def _assignment_lines(text: str) -> dict[str, int]:
    """Lines of top-level ``NAME = ...`` / ``NAME: T = ...`` statements, first occurrence."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _ASSIGN_LINE.match(line)
        if match:
            lines.setdefault(match.group(1), number)
    return lines


def _definition_lines(text: str) -> dict[str, list[int]]:
    """Lines of ``def``/``class`` statements by name, in source order."""
    lines: dict[str, list[int]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _DEF_LINE.match(line)
        if match:
            lines.setdefault(match.group(1), []).append(number)
    return lines


_ASSIGN_LINE = re.compile(r"^([A-Za-z_][A-Za-z_0-9]*)\s*(?::[^=]*)?=(?!=)")
_DEF_LINE = re.compile(r"^[ \t]*(?:async[ \t]+def|def|class)[ \t]+([A-Za-z_][A-Za-z_0-9]*)")
_MAX_ALIAS_DEPTH = 8
UNKNOWN = ...

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
# What LibCST calls ``With`` and ``For`` covers the ``async`` forms; ``try``/``except*``
# is another class there (``TryStar``), which the scan of module bindings skips.
_COMPOUND = (ast.If, ast.Try, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)


@dataclass
class Binding:
    kind: str
    qualname: str | None = None
    node: ast.AST | None = None
    value: ast.AST | None = None


@dataclass
class Scope:
    kind: Literal["module", "class", "function"]
    parent: "Scope | None"
    node: ast.AST | None = None
    names: dict[str, Binding] = field(default_factory=dict)

    def bind(self, name: str, binding: Binding) -> None:
        existing = self.names.get(name)
        if existing is not None and existing.kind == "global":
            return
        self.names[name] = binding


def summarise_source(text: str, module: str, is_package: bool, path: str) -> ModuleSummary | None:
    """The module's summary, or None when CPython cannot parse it (or it nests too
    deeply to walk): the caller then falls back to LibCST."""
    surveyed = _summarise(text, module, is_package, path, None)
    return surveyed[0] if surveyed is not None else None


# A census being collected: callees, makers, entered callees.
_CensusLists = tuple[list[str | None], list[str | None], list[str | None]]


@dataclass(frozen=True)
class CallCensus:
    """What every call of a module calls, resolved as the rules resolve it during
    their traversal (the same scopes, bound at the same moments).

    ``callees``: the qualified names of called names and attributes (``SessionLocal``
    in ``SessionLocal()``, as ``FileContext.resolve`` gives it). ``makers``: the names
    whose call result is called in turn: ``sessionmaker`` in ``sessionmaker(...)()``,
    and in ``maker()`` after a function-local ``maker = sessionmaker(...)``. A call
    whose callee resolves to nothing is left out: no rule can know what it calls.

    A call that is the item of a ``with`` (``with SessionLocal() as db:``, also under
    ``await``) is the managed pattern itself: its callee goes to ``entered`` instead,
    for rules that judge a call whatever holds it; as a maker it is left out."""

    callees: frozenset[str]
    makers: frozenset[str]
    entered: frozenset[str] = frozenset()


def survey_source(text: str, module: str, is_package: bool, path: str) -> tuple[ModuleSummary, CallCensus] | None:
    """The module's summary and its call census, from one ``ast`` walk; None when
    CPython cannot parse the module (or it nests too deeply to walk)."""
    return _summarise(text, module, is_package, path, ([], [], []))


def _summarise(
    text: str, module: str, is_package: bool, path: str, census: _CensusLists | None
) -> tuple[ModuleSummary, CallCensus] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
        collector = _Collector(text, module, is_package, _definition_lines(text), census)
        summary = collector.collect(tree, path, _assignment_lines(text))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if census is None:
        return summary, CallCensus(frozenset(), frozenset())
    callees, makers, entered = census
    return summary, CallCensus(
        frozenset(filter(None, callees)), frozenset(filter(None, makers)), frozenset(filter(None, entered))
    )


# -- names -------------------------------------------------------------------------


def _name(node: ast.AST | None) -> str | None:
    """The identifier of a name; ``True``, ``False`` and ``None`` count as names, as in
    LibCST (``ast`` makes them constants)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, bool)):
        return str(node.value)
    return None


def _is_name_or_attribute(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Attribute) or _name(node) is not None


def _resolve_relative(module: str, is_package: bool, level: int, target: str | None) -> str | None:
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        if level - 1 > len(parts):
            return None
        parts = parts[: len(parts) - (level - 1)]
    if target:
        parts.append(target)
    return ".".join(parts) or None


def _import_bindings(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> Iterator[tuple[str, str]]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname is not None:
                yield alias.asname, alias.name
            else:
                head = alias.name.split(".", 1)[0]
                yield head, head
        return
    if any(alias.name == "*" for alias in node.names):
        return
    base = node.module
    if node.level:
        base = _resolve_relative(module, is_package, node.level, base)
    if base is None:
        return
    for alias in node.names:
        yield alias.asname if alias.asname is not None else alias.name, f"{base}.{alias.name}"


def _target_names(target: ast.AST) -> Iterator[ast.Name]:
    if isinstance(target, ast.Name):
        yield target
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _target_names(element)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


def _lookup(scope: Scope, name: str) -> tuple[Scope, Binding] | None:
    current: Scope | None = scope
    first = True
    while current is not None:
        if current.kind != "class" or first:
            binding = current.names.get(name)
            if binding is not None:
                if binding.kind == "global":
                    root = current
                    while root.parent is not None:
                        root = root.parent
                    found = root.names.get(name)
                    return (root, found) if found is not None else None
                return current, binding
        first = False
        current = current.parent
    return None


def _resolve(scope: Scope, node: ast.AST | None, depth: int = 0) -> str | None:
    if isinstance(node, ast.Attribute):
        base = _resolve(scope, node.value, depth)
        return f"{base}.{node.attr}" if base is not None else None
    identifier = _name(node)
    if identifier is None:
        return None
    found = _lookup(scope, identifier)
    if found is None:
        return f"builtins.{identifier}" if identifier in _BUILTINS else None
    owner, binding = found
    if binding.kind == "import":
        return binding.qualname
    is_alias = binding.kind == "assign" and _is_name_or_attribute(binding.value)
    if is_alias and depth < _MAX_ALIAS_DEPTH:
        if _name(binding.value) != identifier:
            aliased = _resolve(owner, binding.value, depth + 1)
            if aliased is not None:
                return aliased
    if owner.kind == "module":
        return binding.qualname
    return None


def _resolve_callee(scope: Scope, func: ast.AST) -> str | None:
    qualified = _resolve(scope, func)
    if qualified is not None or not isinstance(func, ast.Attribute):
        return qualified
    base = func.value
    if isinstance(base, ast.Call):
        owner = _resolve_callee(scope, base.func)
        return f"{owner}.{func.attr}" if owner else None
    if _name(base) is not None:
        found = _lookup(scope, _name(base))  # type: ignore[arg-type]
        if found is not None:
            binding = found[1]
            value = binding.value
            if isinstance(value, ast.Await):
                value = value.value
            if binding.kind in ("assign", "with") and isinstance(value, ast.Call):
                owner = _resolve(found[0], value.func)
                return f"{owner}.{func.attr}" if owner else None
    return None


# -- literals ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    lines: list[str]

    def is_indented_block(self, body: list[ast.stmt]) -> bool:
        """Whether a block is indented on lines of its own (LibCST's ``IndentedBlock``)
        rather than written after the colon (a ``SimpleStatementSuite``)."""
        first = body[0]
        line = self.lines[first.lineno - 1] if first.lineno - 1 < len(self.lines) else ""
        return line[: first.col_offset].strip() == ""

    def is_simple_string(self, node: ast.Constant) -> bool:
        """A string or bytes literal written as one token (not ``"a" "b"``)."""
        segment = self.segment(node)
        if segment is None:
            return False
        try:
            tokens = [
                token
                for token in tokenize.generate_tokens(io.StringIO(segment).readline)
                if token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT)
            ]
        except (tokenize.TokenError, SyntaxError):
            return False
        return len(tokens) == 1 and tokens[0].type == tokenize.STRING

    def segment(self, node: ast.AST) -> str | None:
        start, end = node.lineno - 1, node.end_lineno - 1  # type: ignore[attr-defined]
        if end is None or end >= len(self.lines):
            return None
        if start == end:
            return _utf8_slice(self.lines[start], node.col_offset, node.end_col_offset)  # type: ignore[attr-defined]
        first = _utf8_slice(self.lines[start], node.col_offset, None)
        last = _utf8_slice(self.lines[end], 0, node.end_col_offset)  # type: ignore[attr-defined]
        return "".join([first, *self.lines[start + 1 : end], last])


def _utf8_slice(line: str, start: int, end: int | None) -> str:
    encoded = line.encode("utf-8")
    return encoded[start:end].decode("utf-8", "replace")


def _literal_value(source: _Source, node: ast.AST | None) -> object:
    """As ``summary.literal_value`` on the LibCST node: strings and bytes written as one
    token, integers, True, False and None; ``...`` otherwise."""
    if not isinstance(node, ast.Constant):
        return UNKNOWN
    value = node.value
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, (str, bytes)):
        return value if source.is_simple_string(node) else UNKNOWN
    return UNKNOWN


# -- the walk ----------------------------------------------------------------------


class _Frame:
    def __init__(self, name: str, node: ast.AST, line: int, decorators: tuple[str, ...]) -> None:
        self.name = name
        self.node = node
        self.line = line
        self.decorators = decorators
        self.calls: list[str] = []
        self.returns: list[str] = []
        self.is_generator = False


class _Collector:
    def __init__(
        self,
        text: str,
        module: str,
        is_package: bool,
        def_lines: dict[str, list[int]],
        census: _CensusLists | None = None,
    ) -> None:
        self.census = census
        # ``id`` of each call that is a ``with`` item, marked before the walk reaches it.
        self.entered_calls: set[int] = set()
        self.source = _Source(text.splitlines())
        self.module = module
        self.is_package = is_package
        self.def_lines = def_lines
        self.frames: list[_Frame] = []
        self.class_stack: list[str] = []
        self.functions: dict[str, FunctionSummary] = {}
        self.classes: dict[str, ClassSummary] = {}
        self.module_scope = Scope("module", None)
        self.scope = self.module_scope

    def collect(self, tree: ast.Module, path: str, assign_lines: dict[str, int]) -> ModuleSummary:
        self.module_scope.node = tree
        self._scan_module(tree)
        for stmt in tree.body:
            self._walk(stmt)
        imports: dict[str, str] = {}
        assigns: dict[str, AssignSummary] = {}
        for name, binding in self.module_scope.names.items():
            if binding.kind == "import" and binding.qualname:
                imports[name] = binding.qualname
            elif binding.kind == "assign":
                assigns[name] = self._assign_summary(name, binding.value, assign_lines.get(name, 1))
        return ModuleSummary(self.module, path, self.is_package, imports, self.functions, self.classes, assigns)

    # -- module bindings (names.scan_module_bindings) ----------------------------------

    def _scan_module(self, tree: ast.Module) -> None:
        scope = self.module_scope
        conditional: dict[str, Binding] = {}
        module = self.module

        def bind(name: str, binding: Binding, nested: bool) -> None:
            if nested:
                conditional.setdefault(name, binding)
            else:
                scope.names[name] = binding

        def visit_block(statements: list[ast.stmt], nested: bool) -> None:
            for stmt in statements:
                if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                    for local, qualified in _import_bindings(stmt, module, self.is_package):
                        bind(local, Binding("import", qualified, stmt), nested)
                elif isinstance(stmt, ast.Assign):
                    for target in stmt.targets:
                        for name in _target_names(target):
                            value = stmt.value if name is target else None
                            bind(name.id, Binding("assign", f"{module}.{name.id}", stmt, value), nested)
                elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                    name = stmt.target.id
                    bind(name, Binding("assign", f"{module}.{name}", stmt, stmt.value), nested)
                elif isinstance(stmt, _FUNCTIONS):
                    bind(stmt.name, Binding("def", f"{module}.{stmt.name}", stmt), nested)
                elif isinstance(stmt, ast.ClassDef):
                    bind(stmt.name, Binding("class", f"{module}.{stmt.name}", stmt), nested)
                elif isinstance(stmt, _COMPOUND):
                    for block in self._sub_blocks(stmt):
                        visit_block(block, True)  # noqa: F821 (deleted after use, to break the cycle)

        visit_block(tree.body, False)
        # The recursive closure refers to itself: without this, the scope and the whole
        # tree would wait for the cyclic garbage collector.
        del visit_block
        for name, binding in conditional.items():
            scope.names.setdefault(name, binding)

    def _sub_blocks(self, stmt: ast.stmt) -> Iterator[list[ast.stmt]]:
        """As ``names.sub_blocks``: body, else (``elif`` chains followed), finally, then
        the handlers; blocks written after their colon are not scanned."""
        if self.source.is_indented_block(stmt.body):  # type: ignore[attr-defined]
            yield stmt.body  # type: ignore[attr-defined]
        orelse = getattr(stmt, "orelse", [])
        if orelse:
            if isinstance(stmt, ast.If) and len(orelse) == 1 and isinstance(orelse[0], ast.If) and self._is_elif(orelse[0]):
                yield from self._sub_blocks(orelse[0])
            elif self.source.is_indented_block(orelse):
                yield orelse
        finalbody = getattr(stmt, "finalbody", [])
        if finalbody and self.source.is_indented_block(finalbody):
            yield finalbody
        for handler in getattr(stmt, "handlers", ()):
            if self.source.is_indented_block(handler.body):
                yield handler.body

    def _is_elif(self, node: ast.If) -> bool:
        line = self.source.lines[node.lineno - 1] if node.lineno - 1 < len(self.source.lines) else ""
        return _utf8_slice(line, node.col_offset, None).startswith("elif")

    # -- the traversal (walk.Walker) ---------------------------------------------------

    def _bind(self, name: str, binding: Binding) -> None:
        if self.scope.kind != "module":
            self.scope.bind(name, binding)

    def _walk(self, node: ast.AST) -> None:
        cls = type(node)
        method = _DISPATCH.get(cls)
        if method is not None:
            method(self, node)
            return
        # ``ast.iter_child_nodes`` without its generators (the same children, in order).
        fields = _CHILD_FIELDS.get(cls)
        if fields is None:
            fields = _CHILD_FIELDS[cls] = _child_fields(cls)
        for name in fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                self._walk(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self._walk(item)

    def _walk_all(self, nodes: list) -> None:  # type: ignore[type-arg]
        for node in nodes:
            if node is not None:
                self._walk(node)

    def _walk_function_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._visit_function(node)
        self._bind(node.name, Binding("def", None, node))
        self._walk_all(node.decorator_list)
        self._walk_function(node, node.args, node.returns, node.body)
        self._leave_function(node)

    def _walk_lambda(self, node: ast.Lambda) -> None:
        self._walk_function(node, node.args, None, [node.body])

    def _walk_function(self, node: ast.AST, args: ast.arguments, returns: ast.AST | None, body: list) -> None:  # type: ignore[type-arg]
        params = _params(args)
        for param, default in params:
            if default is not None:
                self._walk(default)
            if param.annotation is not None:
                self._walk(param.annotation)
        if returns is not None:
            self._walk(returns)
        outer = self.scope
        self.scope = Scope("function", outer, node)
        for param, _ in params:
            self.scope.names[param.arg] = Binding("param", None, param)
        self._walk_all(body)
        self.scope = outer

    def _walk_class_def(self, node: ast.ClassDef) -> None:
        self._visit_class(node)
        self._bind(node.name, Binding("class", None, node))
        self._walk_all(node.decorator_list)
        self._walk_all(node.bases)
        for keyword in node.keywords:
            self._walk(keyword.value)
        outer = self.scope
        self.scope = Scope("class", outer, node)
        self._walk_all(node.body)
        self.scope = outer
        self.class_stack.pop()

    def _walk_global(self, node: ast.Global | ast.Nonlocal) -> None:
        if self.scope.kind != "module":
            kind = "global" if isinstance(node, ast.Global) else "other"
            for name in node.names:
                self.scope.names[name] = Binding(kind)

    def _walk_for(self, node: ast.For | ast.AsyncFor) -> None:
        for name in _target_names(node.target):
            self._bind(name.id, Binding("other", None, node))
        self._walk(node.iter)
        self._walk(node.target)
        self._walk_all(node.body)
        self._walk_all(node.orelse)

    def _walk_comprehension(self, node: ast.comprehension) -> None:
        for name in _target_names(node.target):
            self._bind(name.id, Binding("other", None, node))
        self._walk(node.target)
        self._walk(node.iter)
        self._walk_all(node.ifs)

    def _walk_import(self, node: ast.Import | ast.ImportFrom) -> None:
        for local, qualified in _import_bindings(node, self.module, self.is_package):
            self._bind(local, Binding("import", qualified, node))

    def _walk_assign(self, node: ast.Assign) -> None:
        self._walk(node.value)
        self._walk_all(node.targets)
        for target in node.targets:
            for name in _target_names(target):
                value = node.value if name is target else None
                self._bind(name.id, Binding("assign", None, node, value))

    def _walk_ann_assign(self, node: ast.AnnAssign) -> None:
        self._walk(node.annotation)
        if node.value is not None:
            self._walk(node.value)
        self._walk(node.target)
        if isinstance(node.target, ast.Name):
            self._bind(node.target.id, Binding("assign", None, node, node.value))

    def _walk_aug_assign(self, node: ast.AugAssign) -> None:
        self._walk(node.value)
        self._walk(node.target)
        for name in _target_names(node.target):
            self._bind(name.id, Binding("other", None, node))

    def _walk_named_expr(self, node: ast.NamedExpr) -> None:
        self._walk(node.target)
        self._walk(node.value)
        self._bind(node.target.id, Binding("assign", None, node, node.value))  # type: ignore[attr-defined]

    def _walk_withitem(self, node: ast.withitem) -> None:
        item = node.context_expr
        while isinstance(item, ast.Await):
            item = item.value
        if isinstance(item, ast.Call):
            self.entered_calls.add(id(item))
        self._walk(node.context_expr)
        if node.optional_vars is not None:
            self._walk(node.optional_vars)
            for name in _target_names(node.optional_vars):
                self._bind(name.id, Binding("with", None, node, node.context_expr))

    def _walk_try(self, node: ast.Try) -> None:
        self._walk_all(node.body)
        for handler in node.handlers:
            self._walk_handler(handler, bind=True)
        self._walk_all(node.orelse)
        self._walk_all(node.finalbody)

    def _walk_try_star(self, node: ast.AST) -> None:
        # LibCST's ``ExceptStarHandler`` binds no name in the traversal.
        self._walk_all(node.body)  # type: ignore[attr-defined]
        for handler in node.handlers:  # type: ignore[attr-defined]
            self._walk_handler(handler, bind=False)
        self._walk_all(node.orelse)  # type: ignore[attr-defined]
        self._walk_all(node.finalbody)  # type: ignore[attr-defined]

    def _walk_handler(self, handler: ast.ExceptHandler, bind: bool) -> None:
        # LibCST's field order: the body before the exception type.
        self._walk_all(handler.body)
        if handler.type is not None:
            self._walk(handler.type)
        if bind and handler.name is not None:
            self._bind(handler.name, Binding("other", None, handler))

    def _walk_match_case(self, node: ast.match_case) -> None:
        # LibCST's field order: the body before the guard.
        self._walk(node.pattern)
        self._walk_all(node.body)
        if node.guard is not None:
            self._walk(node.guard)

    def _walk_call(self, node: ast.Call) -> None:
        self._visit_call(node)
        self._walk(node.func)
        # LibCST keeps positional and keyword arguments in one list, in source order.
        arguments: list[ast.AST] = [*node.args, *node.keywords]
        if node.args and node.keywords:
            arguments.sort(key=lambda argument: (argument.lineno, argument.col_offset))  # type: ignore[attr-defined]
        for argument in arguments:
            self._walk(argument.value if isinstance(argument, ast.keyword) else argument)

    def _walk_dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values):
            if key is not None:
                self._walk(key)
            self._walk(value)

    def _walk_return(self, node: ast.Return) -> None:
        self._visit_return(node)
        if node.value is not None:
            self._walk(node.value)

    def _walk_yield(self, node: ast.Yield | ast.YieldFrom) -> None:
        self._visit_yield(node)
        if node.value is not None:
            self._walk(node.value)

    # -- what the summary records (summary.SummaryCollector) ---------------------------

    def _line_of(self, name: str) -> int:
        lines = self.def_lines.get(name)
        return lines.pop(0) if lines else 1

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        line = self._line_of(node.name)
        if self.frames:
            return
        scope = self.scope
        if scope.kind == "module":
            name = node.name
        elif scope.kind == "class" and len(self.class_stack) == 1 and scope.parent is self.module_scope:
            name = f"{self.class_stack[0]}.{node.name}"
        else:
            return
        decorators = tuple(
            qualified
            for decorator in node.decorator_list
            if (qualified := _resolve(scope, decorator.func if isinstance(decorator, ast.Call) else decorator))
        )
        self.frames.append(_Frame(name, node, line, decorators))

    def _leave_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if not self.frames or self.frames[-1].node is not node:
            return
        frame = self.frames.pop()
        args = node.args
        params = tuple(arg.arg for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs))
        self.functions[frame.name] = FunctionSummary(
            frame.name,
            frame.line,
            isinstance(node, ast.AsyncFunctionDef),
            frame.is_generator,
            frame.decorators,
            tuple(dict.fromkeys(frame.calls)),
            tuple(dict.fromkeys(frame.returns)),
            params,
        )

    def _keyword_value(self, scope: Scope, node: ast.AST) -> object:
        value = _literal_value(self.source, node)
        if value is UNKNOWN and _is_name_or_attribute(node):
            return Ref(_resolve(scope, node))
        return value

    def _call_config(self, call: ast.Call, scope: Scope) -> dict[str, object]:
        return {keyword.arg: self._keyword_value(scope, keyword.value) for keyword in call.keywords if keyword.arg is not None}

    def _visit_class(self, node: ast.ClassDef) -> None:
        line = self._line_of(node.name)
        self.class_stack.append(node.name)
        if len(self.class_stack) != 1 or self.scope is not self.module_scope:
            return
        scope = self.scope
        bases = tuple(qualified for base in node.bases if (qualified := _resolve(scope, base)))
        fields: list[str] = []
        methods: list[str] = []
        config: dict[str, object] = {}
        for keyword in node.keywords:
            if keyword.arg is not None:
                config[keyword.arg] = self._keyword_value(scope, keyword.value)
        body = node.body if self.source.is_indented_block(node.body) else []
        for stmt in body:
            if isinstance(stmt, _FUNCTIONS):
                methods.append(stmt.name)
            elif isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
                config.update(self._class_config(stmt, scope))
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                if stmt.target.id != "model_config":
                    fields.append(stmt.target.id)
                elif isinstance(stmt.value, ast.Call):
                    config.update(self._call_config(stmt.value, scope))
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if isinstance(target, ast.Name) and target.id == "model_config" and isinstance(stmt.value, ast.Call):
                    config.update(self._call_config(stmt.value, scope))
        self.classes[node.name] = ClassSummary(node.name, line, bases, tuple(fields), tuple(methods), tuple(config.items()))

    def _class_config(self, node: ast.ClassDef, scope: Scope) -> dict[str, object]:
        config: dict[str, object] = {}
        body = node.body if self.source.is_indented_block(node.body) else []
        for stmt in body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                config[stmt.targets[0].id] = self._keyword_value(scope, stmt.value)
        return config

    def _visit_call(self, node: ast.Call) -> None:
        if self.census is not None:
            self._count_call(node)
        if self.frames:
            callee = _resolve_callee(self.scope, node.func)
            if callee is not None:
                self.frames[-1].calls.append(callee)

    def _count_call(self, node: ast.Call) -> None:
        """The census entry of a call, mirroring ``_sqlalchemy.session_call_origin``."""
        callees, makers, entered = self.census  # type: ignore[misc]
        func = node.func
        is_entered = id(node) in self.entered_calls
        if isinstance(func, ast.Call):
            if not is_entered:
                makers.append(_resolve(self.scope, func.func))
            return
        qualname = _resolve(self.scope, func)
        if qualname is not None:
            (entered if is_entered else callees).append(qualname)
            return
        if is_entered:
            return
        identifier = _name(func)
        found = _lookup(self.scope, identifier) if identifier is not None else None
        if found is not None and found[1].kind == "assign":
            value = found[1].value
            if isinstance(value, ast.Await):
                value = value.value
            if isinstance(value, ast.Call) and not isinstance(value.func, ast.Call):
                makers.append(_resolve(found[0], value.func))

    def _returned_callee(self, scope: Scope, value: ast.AST | None) -> str | None:
        if isinstance(value, ast.Await):
            value = value.value
        if isinstance(value, ast.Call):
            return _resolve_callee(scope, value.func)
        if _name(value) is not None:
            found = _lookup(scope, _name(value))  # type: ignore[arg-type]
            if found is not None and found[0].kind == "function":
                bound = found[1].value
                if isinstance(bound, ast.Await):
                    bound = bound.value
                if found[1].kind in ("assign", "with") and isinstance(bound, ast.Call):
                    return _resolve_callee(found[0], bound.func)
        return None

    def _visit_return(self, node: ast.Return) -> None:
        if self.frames and self.scope.node is self.frames[-1].node:
            callee = self._returned_callee(self.scope, node.value)
            if callee is not None:
                self.frames[-1].returns.append(callee)

    def _visit_yield(self, node: ast.Yield | ast.YieldFrom) -> None:
        if self.frames and self.scope.node is self.frames[-1].node:
            self.frames[-1].is_generator = True
            if isinstance(node, ast.Yield) and node.value is not None:
                callee = self._returned_callee(self.scope, node.value)
                if callee is not None:
                    self.frames[-1].returns.append(callee)

    def _assign_summary(self, name: str, value: ast.AST | None, line: int) -> AssignSummary:
        if isinstance(value, ast.Await):
            value = value.value
        if isinstance(value, ast.Call):
            keywords = tuple(
                (keyword.arg, self._keyword_value(self.module_scope, keyword.value))
                for keyword in value.keywords
                if keyword.arg is not None
            )
            double_star = any(keyword.arg is None for keyword in value.keywords)
            return AssignSummary(name, line, _resolve_callee(self.module_scope, value.func), keywords, double_star)
        if _is_name_or_attribute(value):
            return AssignSummary(name, line, alias=_resolve(self.module_scope, value))
        return AssignSummary(name, line)


def _params(args: ast.arguments) -> list[tuple[ast.arg, ast.AST | None]]:
    """Parameters with their defaults, in ``walk._all_params`` order: positional-only,
    ordinary, keyword-only, then ``*args`` and ``**kwargs``."""
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.AST | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    result: list[tuple[ast.arg, ast.AST | None]] = list(zip(positional, defaults))
    result.extend(zip(args.kwonlyargs, args.kw_defaults))
    if args.vararg is not None:
        result.append((args.vararg, None))
    if args.kwarg is not None:
        result.append((args.kwarg, None))
    return result


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    """The fields that can hold child nodes; ``ctx`` (``Load``, ``Store``, ``Del``: no
    children, no handler) is left out."""
    return tuple(name for name in getattr(cls, "_fields", ()) if name != "ctx")


_DISPATCH = {
    ast.FunctionDef: _Collector._walk_function_def,
    ast.AsyncFunctionDef: _Collector._walk_function_def,
    ast.Lambda: _Collector._walk_lambda,
    ast.ClassDef: _Collector._walk_class_def,
    ast.Global: _Collector._walk_global,
    ast.Nonlocal: _Collector._walk_global,
    ast.For: _Collector._walk_for,
    ast.AsyncFor: _Collector._walk_for,
    ast.comprehension: _Collector._walk_comprehension,
    ast.Import: _Collector._walk_import,
    ast.ImportFrom: _Collector._walk_import,
    ast.Assign: _Collector._walk_assign,
    ast.AnnAssign: _Collector._walk_ann_assign,
    ast.AugAssign: _Collector._walk_aug_assign,
    ast.NamedExpr: _Collector._walk_named_expr,
    ast.withitem: _Collector._walk_withitem,
    ast.Try: _Collector._walk_try,
    ast.match_case: _Collector._walk_match_case,
    ast.Call: _Collector._walk_call,
    ast.Dict: _Collector._walk_dict,
    ast.Return: _Collector._walk_return,
    ast.Yield: _Collector._walk_yield,
    ast.YieldFrom: _Collector._walk_yield,
}
if hasattr(ast, "TryStar"):
    _DISPATCH[ast.TryStar] = _Collector._walk_try_star
