"""Name resolution through imports and local bindings, without LibCST's scope metadata.

A per-module table of module-level bindings is built by a shallow scan of the
top-level statements; function and class scopes are filled in source order while
the single traversal walks the tree.  That resolves ``import os as o``,
``from os import getenv as ge``, relative imports and shadowing local names at a
fraction of the cost of ``ScopeProvider`` + ``QualifiedNameProvider``.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import Iterator, Literal

import libcst as cst

BindingKind = Literal["import", "def", "class", "assign", "param", "with", "global", "other"]

_BUILTINS = frozenset(dir(builtins))


@dataclass
class Binding:
    """What a name is bound to in one scope."""

    kind: BindingKind
    # Imports: the imported qualified name.  Module-level definitions: ``module.name``.
    qualname: str | None = None
    # The defining node: FunctionDef, ClassDef, Param, or the statement that assigns.
    node: cst.CSTNode | None = None
    # For assignments and ``with ... as name``: the value expression.
    value: cst.BaseExpression | None = None
    annotation: cst.BaseExpression | None = None


@dataclass
class Scope:
    kind: Literal["module", "class", "function"]
    parent: Scope | None
    node: cst.CSTNode | None = None
    names: dict[str, Binding] = field(default_factory=dict)

    def bind(self, name: str, binding: Binding) -> None:
        if self.names.get(name, None) is not None and self.names[name].kind == "global":
            return
        self.names[name] = binding

    def enclosing_function(self) -> Scope | None:
        scope: Scope | None = self
        while scope is not None and scope.kind != "function":
            scope = scope.parent
        return scope


def dotted_name(node: cst.CSTNode | None) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def resolve_relative(module: str, is_package: bool, level: int, target: str | None) -> str | None:
    """The absolute module named by ``from <dots><target> import ...`` inside ``module``."""
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


def import_bindings(
    node: cst.Import | cst.ImportFrom, module: str, is_package: bool
) -> Iterator[tuple[str, str]]:
    """(local name, qualified name) pairs that an import statement binds."""
    if isinstance(node, cst.Import):
        for alias in node.names:
            full = dotted_name(alias.name)
            if full is None:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                yield alias.asname.name.value, full
            else:
                head = full.split(".", 1)[0]
                yield head, head
        return
    if isinstance(node.names, cst.ImportStar):
        return
    base = dotted_name(node.module) if node.module is not None else None
    if node.relative:
        base = resolve_relative(module, is_package, len(node.relative), base)
    if base is None:
        return
    for alias in node.names:
        imported = dotted_name(alias.name)
        if imported is None:
            continue
        local = imported
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            local = alias.asname.name.value
        yield local, f"{base}.{imported}"


def target_names(target: cst.BaseExpression) -> Iterator[cst.Name]:
    """Names bound by an assignment target (tuples and starred unpacking included)."""
    if isinstance(target, cst.Name):
        yield target
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from target_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from target_names(target.value)


def scan_module_bindings(module_node: cst.Module, module: str, is_package: bool) -> Scope:
    """Module-level bindings from a shallow scan of top-level statements.

    The last binding that runs unconditionally wins; a name bound only inside
    ``if``/``try``/``with`` blocks keeps its first such binding (the usual
    ``try: import x`` / ``except ImportError: x = None`` fallback).
    """
    scope = Scope("module", None, module_node)
    conditional: dict[str, Binding] = {}

    def bind(name: str, binding: Binding, nested: bool) -> None:
        if nested:
            conditional.setdefault(name, binding)
        else:
            scope.names[name] = binding

    def visit_block(statements: tuple[cst.CSTNode, ...] | list[cst.CSTNode], nested: bool) -> None:
        for stmt in statements:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    visit_small(small, stmt, nested)
            elif isinstance(stmt, cst.FunctionDef):
                name = stmt.name.value
                bind(name, Binding("def", f"{module}.{name}", stmt), nested)
            elif isinstance(stmt, cst.ClassDef):
                name = stmt.name.value
                bind(name, Binding("class", f"{module}.{name}", stmt), nested)
            elif isinstance(stmt, (cst.If, cst.Try, cst.With, cst.For, cst.While)):
                for block in sub_blocks(stmt):
                    visit_block(block, True)  # noqa: F821 (deleted after use, to break the cycle)

    def visit_small(small: cst.CSTNode, stmt: cst.CSTNode, nested: bool) -> None:
        if isinstance(small, (cst.Import, cst.ImportFrom)):
            for local, qualified in import_bindings(small, module, is_package):
                bind(local, Binding("import", qualified, small), nested)
        elif isinstance(small, cst.Assign):
            for assign_target in small.targets:
                for name in target_names(assign_target.target):
                    value = small.value if name is assign_target.target else None
                    bind(name.value, Binding("assign", f"{module}.{name.value}", small, value), nested)
        elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
            name = small.target.value
            bind(name, Binding("assign", f"{module}.{name}", small, small.value, small.annotation.annotation), nested)

    visit_block(module_node.body, False)
    # The recursive closure refers to itself: without this, the scope and the whole tree
    # would wait for the cyclic garbage collector.
    del visit_block
    for name, binding in conditional.items():
        scope.names.setdefault(name, binding)
    return scope


def sub_blocks(stmt: cst.CSTNode) -> Iterator[tuple[cst.CSTNode, ...]]:
    """The statement lists of a compound statement's blocks (body, else, except, finally)."""
    body = getattr(stmt, "body", None)
    if isinstance(body, cst.IndentedBlock):
        yield body.body
    for attr in ("orelse", "finalbody"):
        other = getattr(stmt, attr, None)
        if isinstance(other, cst.If):
            yield from sub_blocks(other)
        elif other is not None and isinstance(getattr(other, "body", None), cst.IndentedBlock):
            yield other.body.body
    for handler in getattr(stmt, "handlers", ()):
        if isinstance(handler.body, cst.IndentedBlock):
            yield handler.body.body


def lookup(scope: Scope, name: str) -> tuple[Scope, Binding] | None:
    """Find the binding of ``name`` as Python would from code running in ``scope``."""
    current: Scope | None = scope
    first = True
    while current is not None:
        # Class bodies are not enclosing scopes for the functions defined in them.
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


_MAX_ALIAS_DEPTH = 8


def resolve(scope: Scope, node: cst.CSTNode | None, _depth: int = 0) -> str | None:
    """The qualified name an expression refers to (``os.getenv``), or None.

    Module-level definitions of the linted module resolve to ``module.name``;
    a local variable assigned a plain name or attribute resolves through it.
    """
    if isinstance(node, cst.Attribute):
        base = resolve(scope, node.value, _depth)
        return f"{base}.{node.attr.value}" if base is not None else None
    if not isinstance(node, cst.Name):
        return None
    found = lookup(scope, node.value)
    if found is None:
        return f"builtins.{node.value}" if node.value in _BUILTINS else None
    owner, binding = found
    if binding.kind == "import":
        return binding.qualname
    is_alias = binding.kind == "assign" and isinstance(binding.value, (cst.Name, cst.Attribute))
    if is_alias and _depth < _MAX_ALIAS_DEPTH:
        if not (isinstance(binding.value, cst.Name) and binding.value.value == node.value):
            aliased = resolve(owner, binding.value, _depth + 1)
            if aliased is not None:
                return aliased
    if owner.kind == "module":
        return binding.qualname
    return None


def resolve_callee(scope: Scope, func: cst.BaseExpression) -> str | None:
    """Like ``resolve``, and a method called on a local instance resolves through
    its class: ``client = httpx.Client(); client.post`` gives ``httpx.Client.post``."""
    qualified = resolve(scope, func)
    if qualified is not None or not isinstance(func, cst.Attribute):
        return qualified
    base = func.value
    if isinstance(base, cst.Call):
        owner = resolve_callee(scope, base.func)
        return f"{owner}.{func.attr.value}" if owner else None
    if isinstance(base, cst.Name):
        found = lookup(scope, base.value)
        if found is not None:
            binding = found[1]
            value = binding.value
            if isinstance(value, cst.Await):
                value = value.expression
            if binding.kind in ("assign", "with") and isinstance(value, cst.Call):
                owner = resolve(found[0], value.func)
                return f"{owner}.{func.attr.value}" if owner else None
    return None
