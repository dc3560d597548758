"""Summarise one module for the project index, in one walk of its tree."""

from __future__ import annotations

import libcst as cst

from fastapi_lint.linter.ast_summary import UNKNOWN, Ref, _assignment_lines, _definition_lines  # noqa: F401  (shared with the ast summariser)
from fastapi_lint.linter.index import AssignSummary, ClassSummary, FunctionSummary, ModuleSummary
from fastapi_lint.linter.names import Scope, resolve, resolve_callee, lookup, scan_module_bindings
from fastapi_lint.linter.walk import Walker



def literal_value(node: cst.CSTNode | None) -> object:
    """The Python value of a literal node; ``...`` when it is not a simple literal."""
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, cst.Integer):
        try:
            return int(node.value.replace("_", ""), 0)
        except ValueError:
            return UNKNOWN
    return UNKNOWN


def keyword_value(scope: Scope, node: cst.BaseExpression) -> object:
    value = literal_value(node)
    if value is UNKNOWN and isinstance(node, (cst.Name, cst.Attribute)):
        return Ref(resolve(scope, node))
    return value


def returned_callee(scope: Scope, value: cst.BaseExpression | None) -> str | None:
    """The callee whose result ``return value`` hands back: ``return X()``,
    ``return await X()`` or ``s = X(); ...; return s``."""
    if isinstance(value, cst.Await):
        value = value.expression
    if isinstance(value, cst.Call):
        return resolve_callee(scope, value.func)
    if isinstance(value, cst.Name):
        found = lookup(scope, value.value)
        if found is not None and found[0].kind == "function":
            bound = found[1].value
            if isinstance(bound, cst.Await):
                bound = bound.expression
            if found[1].kind in ("assign", "with") and isinstance(bound, cst.Call):
                return resolve_callee(found[0], bound.func)
    return None


class _Frame:
    def __init__(self, name: str, node: cst.FunctionDef, line: int, decorators: tuple[str, ...]) -> None:
        self.name = name
        self.node = node
        self.line = line
        self.decorators = decorators
        self.calls: list[str] = []
        self.returns: list[str] = []
        self.is_generator = False


class SummaryCollector:
    def __init__(self, tree: cst.Module, text: str, module: str, is_package: bool) -> None:
        self.tree = tree
        self.text = text
        self.module = module
        self.is_package = is_package
        self.def_lines = _definition_lines(text)
        self.module_scope = scan_module_bindings(tree, module, is_package)
        self.frames: list[_Frame] = []
        self.class_stack: list[str] = []
        self.functions: dict[str, FunctionSummary] = {}
        self.classes: dict[str, ClassSummary] = {}
        self.walker = Walker(
            self.module_scope,
            module,
            is_package,
            visit={
                cst.FunctionDef: [self._visit_function],
                cst.ClassDef: [self._visit_class],
                cst.Call: [self._visit_call],
                cst.Return: [self._visit_return],
                cst.Yield: [self._visit_yield],
            },
            leave={cst.FunctionDef: [self._leave_function], cst.ClassDef: [self._leave_class]},
        )

    def collect(self, path: str) -> ModuleSummary:
        self.walker.walk(self.tree)
        # The walker's handlers are this collector's methods: a cycle that would keep
        # the tree alive until the cyclic garbage collector runs.
        self.walker._visit = self.walker._leave = {}
        imports: dict[str, str] = {}
        assigns: dict[str, AssignSummary] = {}
        assign_lines = _assignment_lines(self.text)
        for name, binding in self.module_scope.names.items():
            if binding.kind == "import" and binding.qualname:
                imports[name] = binding.qualname
            elif binding.kind == "assign":
                assigns[name] = self._assign_summary(name, binding.value, assign_lines.get(name, 1))
        return ModuleSummary(self.module, path, self.is_package, imports, self.functions, self.classes, assigns)

    def _line_of(self, name: str) -> int:
        lines = self.def_lines.get(name)
        return lines.pop(0) if lines else 1

    def _assign_summary(self, name: str, value: cst.BaseExpression | None, line: int) -> AssignSummary:
        if isinstance(value, cst.Await):
            value = value.expression
        if isinstance(value, cst.Call):
            keywords = tuple(
                (arg.keyword.value, keyword_value(self.module_scope, arg.value)) for arg in value.args if arg.keyword is not None
            )
            double_star = any(arg.star == "**" for arg in value.args)
            return AssignSummary(name, line, resolve_callee(self.module_scope, value.func), keywords, double_star)
        if isinstance(value, (cst.Name, cst.Attribute)):
            return AssignSummary(name, line, alias=resolve(self.module_scope, value))
        return AssignSummary(name, line)

    # -- handlers --------------------------------------------------------------

    def _visit_function(self, node: cst.FunctionDef) -> None:
        line = self._line_of(node.name.value)
        if self.frames:
            return  # a nested function's calls count for its enclosing function
        scope = self.walker.scope
        if scope.kind == "module":
            name = node.name.value
        elif scope.kind == "class" and len(self.class_stack) == 1 and scope.parent is self.module_scope:
            name = f"{self.class_stack[0]}.{node.name.value}"
        else:
            return
        decorators = tuple(
            qualified
            for decorator in node.decorators
            if (qualified := resolve(scope, decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator))
        )
        self.frames.append(_Frame(name, node, line, decorators))

    def _leave_function(self, node: cst.FunctionDef) -> None:
        if not self.frames or self.frames[-1].node is not node:
            return
        frame = self.frames.pop()
        params = tuple(param.name.value for param in (*node.params.posonly_params, *node.params.params, *node.params.kwonly_params))
        self.functions[frame.name] = FunctionSummary(
            frame.name,
            frame.line,
            node.asynchronous is not None,
            frame.is_generator,
            frame.decorators,
            tuple(dict.fromkeys(frame.calls)),
            tuple(dict.fromkeys(frame.returns)),
            params,
        )

    def _visit_class(self, node: cst.ClassDef) -> None:
        line = self._line_of(node.name.value)
        self.class_stack.append(node.name.value)
        if len(self.class_stack) != 1 or self.walker.scope is not self.module_scope:
            return
        scope = self.walker.scope
        bases = tuple(qualified for arg in node.bases if arg.keyword is None and (qualified := resolve(scope, arg.value)))
        fields: list[str] = []
        methods: list[str] = []
        config: dict[str, object] = {}
        for keyword in node.keywords:
            if keyword.keyword is not None:
                config[keyword.keyword.value] = keyword_value(scope, keyword.value)
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef):
                methods.append(stmt.name.value)
            elif isinstance(stmt, cst.ClassDef) and stmt.name.value == "Config":
                config.update(_class_config(stmt, scope))
            elif isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                        if small.target.value != "model_config":
                            fields.append(small.target.value)
                        elif isinstance(small.value, cst.Call):
                            config.update(_call_config(small.value, scope))
                    elif isinstance(small, cst.Assign) and len(small.targets) == 1:
                        target = small.targets[0].target
                        if isinstance(target, cst.Name) and target.value == "model_config" and isinstance(small.value, cst.Call):
                            config.update(_call_config(small.value, scope))
        self.classes[node.name.value] = ClassSummary(
            node.name.value, line, bases, tuple(fields), tuple(methods), tuple(config.items())
        )

    def _leave_class(self, node: cst.ClassDef) -> None:
        self.class_stack.pop()

    def _visit_call(self, node: cst.Call) -> None:
        if self.frames:
            callee = resolve_callee(self.walker.scope, node.func)
            if callee is not None:
                self.frames[-1].calls.append(callee)

    def _visit_return(self, node: cst.Return) -> None:
        if self.frames and self.walker.scope.node is self.frames[-1].node:
            callee = returned_callee(self.walker.scope, node.value)
            if callee is not None:
                self.frames[-1].returns.append(callee)

    def _visit_yield(self, node: cst.Yield) -> None:
        if self.frames and self.walker.scope.node is self.frames[-1].node:
            self.frames[-1].is_generator = True
            value = node.value
            if isinstance(value, cst.BaseExpression):
                callee = returned_callee(self.walker.scope, value)
                if callee is not None:
                    self.frames[-1].returns.append(callee)


def _call_config(call: cst.Call, scope: Scope) -> dict[str, object]:
    return {arg.keyword.value: keyword_value(scope, arg.value) for arg in call.args if arg.keyword is not None}


def _class_config(node: cst.ClassDef, scope: Scope) -> dict[str, object]:
    config: dict[str, object] = {}
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                    config[small.targets[0].target.value] = keyword_value(scope, small.value)
    return config
