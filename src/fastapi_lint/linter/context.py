"""What a rule sees of the file it is linting, and where its reports go."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

from fastapi_lint.linter import names
from fastapi_lint.linter.diagnostics import Diagnostic, Edit, Fix
from fastapi_lint.linter.rule import FixSpec

if TYPE_CHECKING:
    from fastapi_lint.linter.index import ProjectIndex, Symbol
    from fastapi_lint.linter.rule import Rule
    from fastapi_lint.linter.walk import Walker


@dataclass
class _Report:
    rule: "Rule"
    node: cst.CSTNode
    message: str
    fix: FixSpec | None
    # The top-level statement the traversal was in when the report was made: where the
    # node most likely is (a hint for ``node_positions``, which checks it).
    statement: cst.CSTNode | None = None


class FileContext:
    """The module being linted: its tree, names, project and reports."""

    def __init__(
        self,
        path: Path,
        display_path: str,
        text: str,
        tree: cst.Module,
        module_name: str,
        is_package: bool,
        index: "ProjectIndex",
    ) -> None:
        self.path = path
        self.display_path = display_path
        self.text = text
        self.tree = tree
        self.module_name = module_name
        self.is_package = is_package
        self.index = index
        self.module_scope = names.scan_module_bindings(tree, module_name, is_package)
        self.walker: Walker | None = None
        self._reports: list[_Report] = []

    # -- where the traversal is ------------------------------------------------

    @property
    def scope(self) -> names.Scope:
        return self.walker.scope if self.walker is not None else self.module_scope

    @property
    def ancestors(self) -> list[cst.CSTNode]:
        """The parents of the node being visited, innermost last."""
        return self.walker.ancestors if self.walker is not None else []

    @property
    def parent(self) -> cst.CSTNode | None:
        ancestors = self.ancestors
        return ancestors[-1] if ancestors else None

    # -- names -----------------------------------------------------------------

    def resolve(self, node: cst.CSTNode | None, scope: names.Scope | None = None) -> str | None:
        """The qualified name an expression refers to, through imports and local aliases."""
        return names.resolve(scope or self.scope, node)

    def resolve_callee(self, node: cst.BaseExpression, scope: names.Scope | None = None) -> str | None:
        return names.resolve_callee(scope or self.scope, node)

    def canonical(self, node: cst.CSTNode | None, scope: names.Scope | None = None) -> str | None:
        """Like ``resolve``, then followed through the project's re-exports to the definition."""
        return self.index.canonical(self.resolve(node, scope))

    def lookup(self, name: str, scope: names.Scope | None = None) -> tuple[names.Scope, names.Binding] | None:
        return names.lookup(scope or self.scope, name)

    def symbol(self, node: cst.CSTNode | None, scope: names.Scope | None = None) -> "Symbol | None":
        """The project definition an expression refers to (any module of the project)."""
        return self.index.lookup(self.resolve(node, scope))

    # -- reports ---------------------------------------------------------------

    def report(self, rule: "Rule", node: cst.CSTNode, message: str, fix: FixSpec | None) -> None:
        ancestors = self.ancestors
        statement = ancestors[1] if len(ancestors) > 1 else node
        self._reports.append(_Report(rule, node, message, fix, statement))

    def diagnostics(self) -> list[Diagnostic]:
        """The reports as diagnostics; positions are computed only when there are reports."""
        if not self._reports:
            return []
        from fastapi_lint.linter.positions import node_positions

        # Without edits (see ``ProjectIndex.fix_edits``) the spans of edited nodes are not needed.
        edits_wanted = self.index.fix_edits
        edited = [
            edit.node for report in self._reports if report.fix is not None and edits_wanted for edit in report.fix.node_edits
        ]
        hints = [report.statement for report in self._reports if report.statement is not None]
        positions, spans = node_positions(self.tree, [report.node for report in self._reports], edited, hints, self.text)
        result = []
        for report in self._reports:
            where = positions[id(report.node)]
            fix = self._fix(report.fix, spans) if report.fix is not None else None
            result.append(
                Diagnostic(
                    report.rule.code,
                    report.rule.name,
                    report.message,
                    self.display_path,
                    where.start.line,
                    where.start.column + 1,
                    where.end.line,
                    where.end.column + 1,
                    fix,
                )
            )
        return result

    def render(self, node: cst.CSTNode, indent_tokens: list[str]) -> str:
        """Code for ``node`` as it would be generated in place: inside indented blocks,
        continuation lines keep the block's indentation."""
        from libcst._nodes.internal import CodegenState

        state = CodegenState(
            default_indent=self.tree.default_indent,
            default_newline=self.tree.default_newline,
            indent_tokens=list(indent_tokens),
        )
        node._codegen(state)
        return "".join(state.tokens)

    def _fix(self, spec: FixSpec, spans: object) -> Fix:
        if not self.index.fix_edits:
            return Fix(spec.applicability, spec.message, ())
        from fastapi_lint.linter.walk import block_indents

        # Edits of this very file may name it by its absolute path: they stay single-file.
        own = str(self.path)
        edits = [replace(edit, path=self.display_path) if edit.path == own else edit for edit in spec.edits]
        rendered = [edit for edit in spec.node_edits if not isinstance(edit.replacement, str)]
        indents = block_indents(self.tree, [edit.node for edit in rendered]) if rendered else {}
        for node_edit in spec.node_edits:
            span = spans[id(node_edit.node)]  # type: ignore[index]
            replacement = node_edit.replacement
            if isinstance(replacement, str):
                content = replacement
            else:
                content = self.render(replacement, indents.get(id(node_edit.node), []))
            edits.append(
                Edit(
                    self.display_path,
                    span.start.line,
                    span.start.column + 1,
                    span.end.line,
                    span.end.column + 1,
                    content,
                )
            )
        return Fix(spec.applicability, spec.message, tuple(edits))
