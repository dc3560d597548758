"""One traversal of a LibCST tree that tracks scopes and dispatches to every rule.

LibCST's ``CSTVisitor`` rebuilds each node's children as it goes; a read-only
walk over the dataclass fields that can hold code is several times cheaper and
visits the same nodes.  Whitespace, comments and punctuation are not visited.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Callable, Iterable

import libcst as cst

from fastapi_lint.linter.names import Binding, Scope, import_bindings, target_names

Handler = Callable[["cst.CSTNode"], None]

_SKIPPED_FIELDS = frozenset(
    {
        "leading_lines",
        "lines_after_decorators",
        "lpar",
        "rpar",
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
        "comma",
        "semicolon",
        "header",
        "footer",
        "operator",
        "dot",
        "colon",
        "equal",
        "asynchronous",
        "trailing_whitespace",
        "newline",
        "star",
        "relative",
        "posonly_ind",
        "whitespace_before",
        "whitespace_after",
    }
)

# Visit order for nodes that open a scope or whose fields are not in source order.
_FIELD_ORDER: dict[str, tuple[str, ...]] = {
    "FunctionDef": ("decorators", "params", "returns", "body"),
    "ClassDef": ("decorators", "bases", "keywords", "body"),
    "Assign": ("value", "targets"),
    "AnnAssign": ("annotation", "value", "target"),
    "AugAssign": ("value", "target"),
    "For": ("iter", "target", "body", "orelse"),
}

_fields_cache: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    fields = _fields_cache.get(cls)
    if fields is None:
        fields = _FIELD_ORDER.get(cls.__name__) or tuple(
            f.name
            for f in dataclasses.fields(cls)
            # A ``str`` field (``Name.value``) holds no node.
            if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace") and f.type not in (str, "str")
        )
        _fields_cache[cls] = fields
    return fields


# Whether a field value's class is a node class: ``isinstance`` against LibCST's abstract
# base class goes through ``ABCMeta.__instancecheck__``, a cost on every field visited.
_node_classes: dict[type, bool] = {}


def _is_node_class(cls: type) -> bool:
    known = _node_classes.get(cls)
    if known is None:
        known = _node_classes[cls] = issubclass(cls, cst.CSTNode)
    return known


@functools.lru_cache(maxsize=None)
def _binding_classes() -> tuple[frozenset[type], frozenset[type]]:
    """The node classes ``_before_children`` / ``_after_children`` bind names for: most
    nodes are none of them, and a set lookup is cheaper than the chain of tests. (Made on
    first use: reading LibCST's classes imports LibCST, which a warm run never does.)"""
    before = {cst.FunctionDef, cst.ClassDef, cst.Global, cst.Nonlocal, cst.For, cst.CompFor, cst.Import, cst.ImportFrom}
    after = {cst.Assign, cst.AnnAssign, cst.AugAssign, cst.NamedExpr, cst.WithItem, cst.ExceptHandler}
    return frozenset(before), frozenset(after)


class Walker:
    """Walks a module once, keeping ``scope`` current and calling the handlers."""

    def __init__(
        self,
        module_scope: Scope,
        module_name: str,
        is_package: bool,
        visit: dict[type, list[Handler]],
        leave: dict[type, list[Handler]],
    ) -> None:
        self.scope = module_scope
        self.module_name = module_name
        self.is_package = is_package
        self._visit = visit
        self._leave = leave
        self._binds_before, self._binds_after = _binding_classes()
        # Parents of the node being visited, innermost last.
        self.ancestors: list[cst.CSTNode] = []

    def walk(self, node: cst.CSTNode) -> None:
        cls = type(node)
        handlers = self._visit.get(cls)
        if handlers:
            for handler in handlers:
                handler(node)
        if cls in self._binds_before:
            self._before_children(node, cls)
        self.ancestors.append(node)
        if cls is cst.FunctionDef or cls is cst.Lambda:
            self._walk_function(node)  # type: ignore[arg-type]
        elif cls is cst.ClassDef:
            self._walk_class(node)  # type: ignore[arg-type]
        else:
            self._walk_fields(node, _child_fields(cls))
        self.ancestors.pop()
        if cls in self._binds_after:
            self._after_children(node, cls)
        handlers = self._leave.get(cls)
        if handlers:
            for handler in handlers:
                handler(node)

    @property
    def parent(self) -> cst.CSTNode | None:
        return self.ancestors[-1] if self.ancestors else None

    def _walk_fields(self, node: cst.CSTNode, fields: Iterable[str]) -> None:
        walk = self.walk
        for name in fields:
            value = getattr(node, name, None)
            if value is None:
                continue
            cls = type(value)
            if cls is tuple or cls is list:
                for item in value:
                    if _is_node_class(type(item)):
                        walk(item)
            elif _is_node_class(cls):
                walk(value)

    def _walk_function(self, node: cst.FunctionDef | cst.Lambda) -> None:
        params = node.params
        if isinstance(node, cst.FunctionDef):
            for decorator in node.decorators:
                self.walk(decorator)
        # Defaults and annotations are evaluated in the enclosing scope.
        all_params = parameters_of(params)
        for param in all_params:
            self.ancestors.append(params)
            if param.default is not None:
                self.walk(param.default)
            if param.annotation is not None:
                self.walk(param.annotation)
            self.ancestors.pop()
        if isinstance(node, cst.FunctionDef) and node.returns is not None:
            self.walk(node.returns)
        outer = self.scope
        self.scope = Scope("function", outer, node)
        for param in all_params:
            annotation = param.annotation.annotation if param.annotation is not None else None
            self.scope.names[param.name.value] = Binding("param", None, param, None, annotation)
        self.walk(node.body)
        self.scope = outer

    def _walk_class(self, node: cst.ClassDef) -> None:
        for decorator in node.decorators:
            self.walk(decorator)
        for arg in (*node.bases, *node.keywords):
            self.walk(arg)
        outer = self.scope
        self.scope = Scope("class", outer, node)
        self.walk(node.body)
        self.scope = outer

    def _bind(self, name: str, binding: Binding) -> None:
        # Module-level names come from the shallow scan, which knows the final binding.
        if self.scope.kind != "module":
            self.scope.bind(name, binding)

    def _before_children(self, node: cst.CSTNode, cls: type) -> None:
        if cls is cst.FunctionDef or cls is cst.ClassDef:
            name = node.name.value  # type: ignore[attr-defined]
            kind = "def" if cls is cst.FunctionDef else "class"
            self._bind(name, Binding(kind, None, node))  # type: ignore[arg-type]
        elif cls is cst.Global or cls is cst.Nonlocal:
            if self.scope.kind != "module":
                for item in node.names:  # type: ignore[attr-defined]
                    self.scope.names[item.name.value] = Binding("global" if cls is cst.Global else "other")
        elif cls is cst.For or cls is cst.CompFor:
            for name in target_names(node.target):  # type: ignore[attr-defined]
                self._bind(name.value, Binding("other", None, node))
        elif cls is cst.Import or cls is cst.ImportFrom:
            for local, qualified in import_bindings(node, self.module_name, self.is_package):  # type: ignore[arg-type]
                self._bind(local, Binding("import", qualified, node))

    def _after_children(self, node: cst.CSTNode, cls: type) -> None:
        if cls is cst.Assign:
            for assign_target in node.targets:  # type: ignore[attr-defined]
                for name in target_names(assign_target.target):
                    value = node.value if name is assign_target.target else None  # type: ignore[attr-defined]
                    self._bind(name.value, Binding("assign", None, node, value))
        elif cls is cst.AnnAssign:
            target = node.target  # type: ignore[attr-defined]
            if isinstance(target, cst.Name):
                annotation = node.annotation.annotation  # type: ignore[attr-defined]
                self._bind(target.value, Binding("assign", None, node, node.value, annotation))  # type: ignore[attr-defined]
        elif cls is cst.AugAssign:
            for name in target_names(node.target):  # type: ignore[attr-defined]
                self._bind(name.value, Binding("other", None, node))
        elif cls is cst.NamedExpr:
            if isinstance(node.target, cst.Name):  # type: ignore[attr-defined]
                self._bind(node.target.value, Binding("assign", None, node, node.value))  # type: ignore[attr-defined]
        elif cls is cst.WithItem:
            asname = node.asname  # type: ignore[attr-defined]
            if asname is not None:
                for name in target_names(asname.name):
                    self._bind(name.value, Binding("with", None, node, node.item))  # type: ignore[attr-defined]
        elif cls is cst.ExceptHandler:
            handler_name = node.name  # type: ignore[attr-defined]
            if handler_name is not None and isinstance(handler_name.name, cst.Name):
                self._bind(handler_name.name.value, Binding("other", None, node))


def parameters_of(params: cst.Parameters) -> list[cst.Param]:
    """Every parameter of a signature, in order, the ``*args`` and ``**kwargs`` included."""
    result = [*params.posonly_params, *params.params, *params.kwonly_params]
    if isinstance(params.star_arg, cst.Param):
        result.append(params.star_arg)
    if params.star_kwarg is not None:
        result.append(params.star_kwarg)
    return result


def block_indents(tree: cst.Module, targets: Iterable[cst.CSTNode]) -> dict[int, list[str]]:
    """The indentation tokens in force at each target node (by ``id``), as LibCST's
    code generator would have them: one per enclosing ``IndentedBlock``."""
    wanted = {id(node) for node in targets}
    found: dict[int, list[str]] = {}
    stack: list[str] = []

    def visit(node: cst.CSTNode) -> None:
        if id(node) in wanted:
            found[id(node)] = list(stack)
            if len(found) == len(wanted):
                return
        pushed = isinstance(node, cst.IndentedBlock)
        if pushed:
            stack.append(tree.default_indent if node.indent is None else node.indent)  # type: ignore[attr-defined]
        cls = type(node)
        fields = _child_fields(cls)
        for name in fields:
            value = getattr(node, name, None)
            if isinstance(value, cst.CSTNode):
                visit(value)
            elif isinstance(value, (tuple, list)):
                for item in value:
                    if isinstance(item, cst.CSTNode):
                        visit(item)
        if pushed:
            stack.pop()

    visit(tree)
    return found
