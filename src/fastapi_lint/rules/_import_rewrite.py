"""FAPI101's fix, part 2: rewriting every reference to the modules the restructure moves.

Each project module is parsed (``index.tree``) and rewritten by ``_ImportRewriter``:

- ``import app.models.user`` -> ``import app.users.models``, and the dotted uses
  ``app.models.user.User`` in the code with it; ``import app.models.user as m`` keeps its alias;
- ``from app.models.user import User`` -> ``from app.users.models import User``;
- ``from app.models import user, Base`` -> ``from app.models import Base`` +
  ``from app.users import models as user`` (the name bound stays the same, so the
  code using it is untouched);
- relative imports are resolved against the module's package, mapped, and written
  relative again from the module's *new* package (the base of a moved module changes);
- string literals that are provably module paths (the first argument of
  ``importlib.import_module``, ``unittest.mock.patch``, ``monkeypatch.setattr``,
  ``pkgutil.resolve_name``, ``uvicorn.run``...) are rewritten.

What cannot be proven is reported as a ``Problem`` (a dynamic import, ``__import__``,
a string naming a moved module elsewhere, module discovery with ``pkgutil``): the fix is
then only offered with the rule's ``force-restructure`` option.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping, Sequence, Union

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import MetadataWrapper, PositionProvider

from fastapi_lint.linter.diagnostics import Edit
from fastapi_lint.linter.project_edits import edits_between
from fastapi_lint.rules._import_graph import relative_from, resolve_relative

if TYPE_CHECKING:
    from fastapi_lint.linter.index import ProjectIndex

# Calls whose first argument is a module path, or a dotted path into a module
# (``module.attr`` or ``module:attr``): a literal there is provably a module reference.
MODULE_PATH_CALLS = frozenset(
    {
        "importlib.import_module",
        "pkgutil.resolve_name",
        "unittest.mock.patch",
        "unittest.mock.patch.dict",
        "mock.patch",
        "mock.patch.dict",
        "uvicorn.run",
        "uvicorn.main.run",
    }
)
# Fixtures whose methods take a dotted target: ``monkeypatch.setattr("app.mod.attr", value)``,
# ``mocker.patch("app.mod.attr")`` (pytest-mock).
FIXTURE_METHODS = {"monkeypatch": frozenset({"setattr", "delattr"}), "mocker": frozenset({"patch"})}
# Calls importing by a computed name: their argument cannot be followed.
DYNAMIC_IMPORTS = frozenset({"importlib.import_module", "importlib.__import__", "__import__", "builtins.__import__"})
# Module discovery by folder: moving modules out of the folder changes what is found.
DISCOVERY_CALLS = frozenset({"pkgutil.iter_modules", "pkgutil.walk_packages"})

_DYNAMIC_WORDS = ("import_module", "__import__", "iter_modules", "walk_packages")

SmallStatements = Sequence[cst.BaseSmallStatement]
_MODULE_PATH = re.compile(r"[A-Za-z0-9_.:]+")


@dataclass(frozen=True)
class Problem:
    """A place the rewrite cannot make safe: listed in the finding's message."""

    path: str
    line: int
    reason: str

    def shown(self) -> str:
        return f"{self.path}:{self.line} ({self.reason})"


@dataclass
class RewriteResult:
    edits: list[Edit] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Relative path -> text after the rewrite, for the files that change.
    texts: dict[str, str] = field(default_factory=dict)


def rewrite_project_imports(index: ProjectIndex, renames: Mapping[str, str]) -> RewriteResult:
    """Rewrite every project module's references to the modules in ``renames`` (old -> new dotted name)."""
    result = RewriteResult()
    if not renames:
        return result
    # Any reference to ``app.models.user`` spells ``user``: modules without one of these
    # words (nor a dynamic import) are not parsed. Moved modules always are (their relative imports).
    words = (*sorted({old.rpartition(".")[2] for old in renames}), *_DYNAMIC_WORDS)
    for module, path in sorted(index.paths.items()):
        if path.suffix != ".py" or (module not in renames and not index.mentions(module, words)):
            continue
        shown = index.relative_path(path)
        source = index.source(module)
        tree = index.tree(module)
        if source is None or tree is None:
            if source is not None and any(old in source.text for old in renames):
                result.problems.append(Problem(shown, 1, "does not parse"))
            continue
        rewriter = _ImportRewriter(index, module, module in index.packages, renames.get(module, module), renames, shown)
        new_tree = MetadataWrapper(tree).visit(rewriter)
        result.problems.extend(rewriter.problems)
        if new_tree.code != source.text:
            result.edits.extend(edits_between(path, source.text, new_tree.code))
            result.texts[shown] = new_tree.code
    return result


def _dotted(name: str) -> Union[cst.Name, cst.Attribute]:
    parts = name.split(".")
    node: Union[cst.Name, cst.Attribute] = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


class _ImportRewriter(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(
        self, index: ProjectIndex, module: str, is_package: bool, new_module: str, renames: Mapping[str, str], shown: str
    ) -> None:
        super().__init__()
        self.index = index
        self.renames = renames
        self.shown = shown
        self.package = module if is_package else module.rpartition(".")[0]
        self.new_package = new_module if is_package else new_module.rpartition(".")[0]
        self.moved = new_module != module
        summary = index.summary(module)
        self.imports: Mapping[str, str] = summary.imports if summary is not None else {}
        # Root names bound by a plain ``import a.b.c``: dotted uses under them are module references.
        self.import_roots: set[str] = set()
        self.problems: list[Problem] = []
        # Strings that are module paths by their position (rewritten), and docstrings (ignored).
        self.module_path_strings: set[int] = set()
        self.skipped_strings: set[int] = set()
        # Parents of the moved modules (``app.models.``): a computed string built on one may name a moved module.
        self.moved_parents = tuple(sorted({old.rpartition(".")[0] + "." for old in renames if "." in old}))

    # -- helpers ---------------------------------------------------------------

    def _line(self, node: cst.CSTNode) -> int:
        try:
            return self.get_metadata(PositionProvider, node).start.line
        except KeyError:
            return 1

    def _problem(self, node: cst.CSTNode, reason: str) -> None:
        line = self._line(node)
        # One reason per line is enough (a dynamic import's f-string argument is the same problem).
        if not any(problem.line == line for problem in self.problems):
            self.problems.append(Problem(self.shown, line, reason))

    def _renamed_path(self, value: str) -> str | None:
        """``value`` with its moved module prefix renamed (``app.models.user:User``), or None."""
        for old in sorted(self.renames, key=len, reverse=True):
            if value == old or value.startswith((old + ".", old + ":")):
                return self.renames[old] + value[len(old) :]
        return None

    def _mentions_moved(self, value: str) -> bool:
        if self._renamed_path(value) is not None:
            return True
        return any(old.replace(".", "/") + ".py" in value for old in self.renames)

    def _callee(self, func: cst.BaseExpression) -> str | None:
        dotted = get_full_name_for_node(func)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        qualified = self.imports.get(head)
        if qualified is None:
            return dotted
        return f"{qualified}.{rest}" if rest else qualified

    def _package_defines(self, package: str, name: str) -> bool:
        """Whether ``package``'s ``__init__`` binds ``name`` to something other than its submodule."""
        summary = self.index.summary(package)
        if summary is None:
            return False
        if name in summary.functions or name in summary.classes or name in summary.assigns:
            return True
        imported = summary.imports.get(name)
        return imported is not None and imported != f"{package}.{name}"

    # -- plain imports and their dotted uses ----------------------------------

    def visit_Module(self, node: cst.Module) -> None:
        roots = self.import_roots
        renames = self.renames

        class _Roots(cst.CSTVisitor):
            def visit_Import(self, node: cst.Import) -> bool:
                for alias in node.names:
                    name = get_full_name_for_node(alias.name)
                    if alias.asname is None and name is not None and any(
                        old == name or old.startswith(name + ".") or name.startswith(old + ".") for old in renames
                    ):
                        roots.add(name.partition(".")[0])
                return False

        node.visit(_Roots())
        if node.body and isinstance(node.body[0], cst.SimpleStatementLine):
            self._skip_docstring(node.body[0])

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        # ``from app import models`` then ``models.user.User``: the submodule was an attribute of
        # its package only because it had been imported; after the move it is not.
        if isinstance(node.value, cst.Name) and node.value.value not in self.import_roots:
            package = self.imports.get(node.value.value)
            if package is not None and f"{package}.{node.attr.value}" in self.renames:
                self._problem(node, f"`{node.value.value}.{node.attr.value}` reaches a moved module through its old package")

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        if not self.import_roots:
            return updated_node
        dotted = get_full_name_for_node(original_node)
        if dotted is None or dotted.partition(".")[0] not in self.import_roots or dotted not in self.renames:
            return updated_node
        return _dotted(self.renames[dotted]).with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)

    def _rewrite_import(self, node: cst.Import) -> cst.Import:
        names = []
        for alias in node.names:
            name = get_full_name_for_node(alias.name)
            if name in self.renames:
                alias = alias.with_changes(name=_dotted(self.renames[name]))
            names.append(alias)
        return node.with_changes(names=names)

    # -- from imports -----------------------------------------------------------

    def _rewrite_from(self, node: cst.ImportFrom) -> list[cst.BaseSmallStatement]:
        level = len(node.relative)
        module = get_full_name_for_node(node.module) if node.module is not None else ""
        if module is None:
            return [node]
        if level:
            base = resolve_relative(self.package, level, module)
            if base is None:
                return [node]
        else:
            base = module
        relative = level > 0
        if base in self.renames:
            return [self._retarget(node, self.renames[base], relative)]
        if isinstance(node.names, cst.ImportStar):
            return [self._retarget(node, base, relative) if relative and self.moved else node]
        kept: list[cst.ImportAlias] = []
        moved: list[tuple[cst.ImportAlias, str]] = []
        for alias in node.names:
            name = alias.name.value if isinstance(alias.name, cst.Name) else None
            submodule = f"{base}.{name}"
            if name is not None and submodule in self.renames and not self._package_defines(base, name):
                moved.append((alias, self.renames[submodule]))
            else:
                kept.append(alias)
        statements: list[cst.BaseSmallStatement] = []
        if kept:
            statement = node
            if moved:
                # A parenthesised list keeps its trailing comma style; a single name loses the parentheses.
                parenthesised = node.lpar is not None and len(kept) > 1
                last_comma = node.names[-1].comma if parenthesised else cst.MaybeSentinel.DEFAULT
                last = kept[-1].with_changes(comma=last_comma)
                statement = node.with_changes(names=[*kept[:-1], last])
                if not parenthesised and statement.lpar is not None:
                    statement = statement.with_changes(lpar=None, rpar=None)
            if relative and self.moved:
                statement = self._retarget(statement, base, True)
            statements.append(statement)
        for alias, new_name in moved:
            parent, _, leaf = new_name.rpartition(".")
            bound = alias.asname.name.value if alias.asname is not None else alias.name.value  # type: ignore[union-attr]
            asname = None if bound == leaf else cst.AsName(name=cst.Name(bound))
            fresh = cst.ImportFrom(module=_dotted(parent), names=[cst.ImportAlias(name=cst.Name(leaf), asname=asname)])
            statements.append(self._retarget(fresh, parent, relative))
        return statements

    def _retarget(self, node: cst.ImportFrom, target: str, relative: bool) -> cst.ImportFrom:
        """``node`` importing from ``target``, relative from the module's new package when it was relative."""
        if relative:
            found = relative_from(self.new_package, target)
            if found is not None:
                dots, rest = found
                return node.with_changes(relative=[cst.Dot() for _ in range(dots)], module=_dotted(rest) if rest else None)
        return node.with_changes(relative=[], module=_dotted(target))

    def _rewrite_small(self, statements: SmallStatements) -> list[cst.BaseSmallStatement] | None:
        result: list[cst.BaseSmallStatement] = []
        changed = False
        for statement in statements:
            if isinstance(statement, cst.ImportFrom):
                new = self._rewrite_from(statement)
            elif isinstance(statement, cst.Import):
                new = [self._rewrite_import(statement)]
            else:
                new = [statement]
            changed = changed or len(new) != 1 or not new[0].deep_equals(statement)
            result.extend(new)
        return result if changed else None

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> Union[cst.SimpleStatementLine, cst.FlattenSentinel[cst.SimpleStatementLine]]:
        if not any(isinstance(statement, (cst.Import, cst.ImportFrom)) for statement in updated_node.body):
            return updated_node
        new = self._rewrite_small(updated_node.body)
        if new is None:
            return updated_node
        if len(updated_node.body) > 1 or len(new) == 1:
            last = new[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
            return updated_node.with_changes(body=[*new[:-1], last])
        lines = [updated_node.with_changes(body=[new[0]])]
        lines.extend(cst.SimpleStatementLine(body=[statement]) for statement in new[1:])
        return cst.FlattenSentinel(lines)

    def leave_SimpleStatementSuite(
        self, original_node: cst.SimpleStatementSuite, updated_node: cst.SimpleStatementSuite
    ) -> cst.SimpleStatementSuite:
        new = self._rewrite_small(updated_node.body)
        if new is None:
            return updated_node
        # Statements without a semicolon of their own get LibCST's default ``; `` between them.
        return updated_node.with_changes(body=[*new[:-1], new[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)])

    # -- strings ----------------------------------------------------------------

    def _skip_docstring(self, line: cst.BaseStatement) -> None:
        if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1 and isinstance(line.body[0], cst.Expr):
            value = line.body[0].value
            if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
                self.skipped_strings.add(id(value))

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        if node.body:
            self._skip_docstring(node.body[0])

    def visit_Call(self, node: cst.Call) -> None:
        callee = self._callee(node.func)
        first = node.args[0].value if node.args and node.args[0].keyword is None and not node.args[0].star else None
        if callee in DISCOVERY_CALLS:
            self._problem(node, f"`{callee}` finds modules by folder")
            return
        if callee in DYNAMIC_IMPORTS and not (callee == "importlib.import_module" and isinstance(first, cst.SimpleString)):
            self._problem(node, f"dynamic import with `{callee}`")
            return
        if first is None or not isinstance(first, cst.SimpleString) or not self._is_module_path_call(node, callee):
            return
        try:
            value = first.evaluated_value
        except (ValueError, SyntaxError):  # a string LibCST cannot evaluate (odd escapes)
            return
        if isinstance(value, str) and value.startswith(".") and callee == "importlib.import_module":
            self._problem(node, "relative `importlib.import_module`")
            self.skipped_strings.add(id(first))
            return
        self.module_path_strings.add(id(first))

    def _is_module_path_call(self, node: cst.Call, callee: str | None) -> bool:
        if callee in MODULE_PATH_CALLS:
            return True
        func = node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            return func.attr.value in FIXTURE_METHODS.get(func.value.value, frozenset())
        return False

    def leave_SimpleString(self, original_node: cst.SimpleString, updated_node: cst.SimpleString) -> cst.SimpleString:
        if id(original_node) in self.skipped_strings:
            return updated_node
        try:
            value = original_node.evaluated_value
        except (ValueError, SyntaxError):  # a string LibCST cannot evaluate (odd escapes)
            return updated_node
        if not isinstance(value, str) or not self._mentions_moved(value):
            return updated_node
        renamed = self._renamed_path(value)
        # A module path is letters, digits, ``_``, ``.`` and ``:``: written between the same
        # quotes (and a prefix without ``b``), it needs no escaping.
        prefix = original_node.prefix.lower()
        if id(original_node) in self.module_path_strings and renamed is not None:
            if _MODULE_PATH.fullmatch(renamed) and "b" not in prefix:
                return updated_node.with_changes(value=f"{original_node.prefix}{original_node.quote}{renamed}{original_node.quote}")
        self._problem(original_node, f"string {value!r} names a moved module")
        return updated_node

    def leave_FormattedString(
        self, original_node: cst.FormattedString, updated_node: cst.FormattedString
    ) -> cst.FormattedString:
        text = "".join(part.value for part in original_node.parts if isinstance(part, cst.FormattedStringText))
        if any(parent in text for parent in self.moved_parents) or self._mentions_moved(text):
            self._problem(original_node, "a computed string may name a moved module")
        return updated_node
