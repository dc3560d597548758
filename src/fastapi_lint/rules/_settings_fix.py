"""FAPI201's project-aware fix: read an environment variable from the settings object.

``os.getenv("X")`` outside the settings becomes ``settings.x`` (or ``get_settings().x``,
whichever the project defines), importing the settings object where the module keeps
its imports. A variable the settings class does not load yet becomes a new field,
typed from the read; a project without a settings class gets one. Every fix is unsafe:
the settings are read once, at startup, where the environment was read each time the
line ran.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

import libcst as cst

from fastapi_lint.linter import names
from fastapi_lint.linter.index import ProjectIndex
from fastapi_lint.linter.project_edits import create_file, edits_between
from fastapi_lint.linter.rule import FixSpec
from fastapi_lint.linter.source import SourceError, read_source
from fastapi_lint.rules._settings_shapes import Shape, read_shapes

if TYPE_CHECKING:
    from fastapi_lint.rules.env_read_outside_settings import EnvReadOutsideSettings, _Read

# Exactly these reads are rewritten (not the bytes variants).
_FIXABLE_CALLS = frozenset({"os.getenv", "os.environ.get"})
_CACHES = frozenset({"functools.lru_cache", "functools.cache"})
_FIELD_CALLS = frozenset({"pydantic.Field", "pydantic.fields.Field", "pydantic.v1.Field", "pydantic.v1.fields.Field"})
_ALIAS_CHOICES = frozenset({"pydantic.AliasChoices", "pydantic.aliases.AliasChoices"})
# Attributes of pydantic models a field must not shadow.
_MODEL_ATTRIBUTES = frozenset(
    {
        "dict", "json", "copy", "parse_obj", "parse_raw", "parse_file", "from_orm", "construct", "schema",
        "schema_json", "validate", "update_forward_refs", "fields", "settings_customise_sources", "Config",
    }
)
_DEPENDENCY_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "Pipfile", "requirements.txt", "requirements.in")
_NEW_MODULE_TEXT = '''from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    {field}


settings = Settings()
'''

FIX_EXISTING = "Read `{variable}` from `{access}`"
FIX_NEW_FIELD = "Read `{variable}` from `{access}`, declaring `{declaration}` in `{cls}`"
FIX_NEW_CLASS = "Read `{variable}` from `{access}`, declaring it in a new settings class in `{path}`"
NOTE_PREFIX = (
    " No fix: `{cls}` loads its fields from variables prefixed `{prefix}`, so only a field with an alias "
    "could load `{variable}`."
)
NOTE_CYCLE = " No fix: `{module}` imports this module, so reading the settings here would create an import cycle."


@dataclass(frozen=True)
class _Field:
    """A field of the settings class (or one of its project bases)."""

    name: str
    annotation: cst.BaseExpression | None
    resolve: Callable[[cst.BaseExpression], str | None]
    # Field(alias=...) / validation_alias: the variables read instead of prefix + name.
    aliases: tuple[str, ...] | None


@dataclass(frozen=True)
class _Target:
    """The project's settings object and the class it instantiates."""

    module: str  # where the object (and the class) is defined
    object_name: str  # ``settings`` or ``get_settings``
    is_getter: bool
    cls: cst.ClassDef
    cls_qualname: str
    resolve: Callable[[cst.BaseExpression], str | None]
    # The other way to the same settings (the getter beside the object): reused when a
    # module already imports it.
    alternative: tuple[str, bool] | None = None

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.object_name}"

    def ways(self) -> list[tuple[str, bool]]:
        return [(self.object_name, self.is_getter), *([self.alternative] if self.alternative else [])]


class SettingsFixer:
    """Builds the fix of one read outside the settings, for the rule linting a module."""

    def __init__(self, rule: EnvReadOutsideSettings) -> None:
        self.rule = rule
        self.context = rule.context
        self.index = rule.context.index
        # The module's unconditional top-level imports: (local name, qualified name, canonical).
        self._imports: list[tuple[str, str]] | None = None
        self._written: set[str] | None = None

    # -- entry point ---------------------------------------------------------------------

    def fix_for(self, read: _Read) -> tuple[FixSpec | None, str]:
        """The fix for ``read`` (being visited) and a note for the message when the fix is refused."""
        if read.kind not in ("getenv", "get", "subscript") or self._in_tests() or not self._in_project_packages():
            return None, ""
        self._read_node = read.node
        qualname = self.context.resolve(read.node.func if isinstance(read.node, cst.Call) else read.node.value)  # type: ignore[attr-defined]
        if qualname not in _FIXABLE_CALLS and qualname != "os.environ":
            return None, ""
        variable = self.rule._key_literal(read.key, follow_constants=True)
        if variable is None or self._writes_environment(variable):
            return None, ""
        shapes = read_shapes(read.kind, read.node, read.default, self.context.ancestors, self.context.resolve)
        if not shapes:
            return None, ""
        from fastapi_lint.rules.env_read_outside_settings import _settings_classes

        classes = _settings_classes(self.index, self.rule.bases)
        if not classes:
            return self._new_class_fix(variable, shapes), ""
        targets = _targets(self.rule, classes)
        if not targets:
            return None, ""
        target = targets[0]
        if self.context.module_name in self._executed_by_import(target.module):
            return None, NOTE_CYCLE.format(module=target.module)
        fix = self._target_fix(target, classes, variable, shapes)
        if fix is None and self._lacks_prefix(target, variable):
            return None, NOTE_PREFIX.format(cls=target.cls.name.value, prefix=self._prefix(target), variable=variable)
        return fix, ""

    def _writes_environment(self, variable: str) -> bool:
        """Whether the module sets or removes ``variable`` (or changes the environment
        wholesale): its reads may then see the module's own value, which the settings,
        loaded at startup, would not."""
        if self._written is None:
            self._written = _environment_writes(self.context.tree, self.context.text, self.context.module_scope)
        return variable in self._written or "*" in self._written

    def _in_project_packages(self) -> bool:
        """Whether the module can import the settings by the project's module names: it is
        in a package, or at the project root. A script elsewhere (``scripts/seed.py``) runs
        with its own folder on ``sys.path``, where ``app.core.config`` may not import."""
        top = self.context.module_name.split(".", 1)[0]
        return top in self.index.packages or self.context.path.parent == self.index.root

    def _prefix(self, target: _Target) -> str:
        config = self.rule._class_config(target.cls, target.resolve)
        return config.prefix if config is not None else ""

    def _lacks_prefix(self, target: _Target, variable: str) -> bool:
        """Whether no new field of the class could load ``variable`` (it lacks the prefix)."""
        config = self.rule._class_config(target.cls, target.resolve)
        if config is None or not config.prefix:
            return False
        head = variable[: len(config.prefix)]
        if head == config.prefix if config.case_sensitive else head.lower() == config.prefix.lower():
            return False
        fields = self._fields(target) or []
        return not any(_loads(found, variable, config.prefix, config.case_sensitive) for found in fields)

    def _in_tests(self) -> bool:
        parts = Path(self.context.display_path).parts
        name = parts[-1] if parts else ""
        return name == "conftest.py" or name.startswith("test_") or any(part in ("tests", "test") for part in parts[:-1])

    # -- an existing settings class ------------------------------------------------------

    def _target_fix(self, target: _Target, classes: tuple, variable: str, shapes: list[Shape]) -> FixSpec | None:
        config = self.rule._class_config(target.cls, target.resolve)
        if config is None:
            return None
        fields = self._fields(target)
        if fields is None:
            return None
        matching = [found for found in fields if _loads(found, variable, config.prefix, config.case_sensitive)]
        # The variable loaded by another settings class: which one to read is not ours to pick.
        own = {target.cls_qualname, *self._base_qualnames(target)}
        if any(other.qualname not in own and other.field_for(variable) for other in classes):
            return None
        if len(matching) > 1:
            return None
        if matching:
            chosen = matching[0]
            shape = _compatible_shape(shapes, chosen)
            if shape is None:
                return None
            return self._module_fix(target, shape, chosen.name, FIX_EXISTING, variable, config_edits=())
        name = _new_field_name(variable, config.prefix, config.case_sensitive, fields, target.cls)
        if name is None:
            return None
        shape = shapes[0]
        config_edits = self._field_insertion(target, shape.declaration(name))
        if config_edits is None:
            return None
        return self._module_fix(target, shape, name, FIX_NEW_FIELD, variable, config_edits, shape.declaration(name))

    def _module_fix(
        self,
        target: _Target,
        shape: Shape,
        field_name: str,
        template: str,
        variable: str,
        config_edits: tuple,
        declaration: str = "",
    ) -> FixSpec | None:
        access = self._existing_access(target)
        if access is not None and not self._unshadowed(access.split(".", 1)[0].removesuffix("()")):
            return None
        imported = None if access is not None else (target.module, target.object_name)
        if access is None:
            access = f"{target.object_name}()" if target.is_getter else target.object_name
        message = template.format(
            variable=variable, access=f"{access}.{field_name}", declaration=declaration, cls=target.cls.name.value
        )
        return self._rewrite(shape, f"{access}.{field_name}", imported, config_edits, message)

    def _rewrite(
        self,
        shape: Shape,
        replacement: str,
        imported: tuple[str, str] | None,
        other_edits: tuple,
        message: str,
    ) -> FixSpec | None:
        """Replace the read by ``replacement``, import ``(module, name)`` when given, and drop
        the ``os`` import the read used when nothing else needs it."""
        tree = self.context.tree
        if tree.code != self.context.text:
            return None
        if imported is not None and not self._free(imported[1]):
            return None
        if not self.index.fix_edits:
            return self._fix_without_edits(tree, imported, message)
        new_tree = tree.deep_replace(shape.node, cst.parse_expression(replacement))
        assert isinstance(new_tree, cst.Module)
        if imported is not None:
            added = self._add_import(new_tree, imported[0], imported[1])
            if added is None or not self._import_precedes_read(tree, added, imported[1]):
                return None
            new_tree = self._separate_project_import(new_tree, added, imported[1])
        new_tree = self._without_unused_os_import(new_tree)
        if new_tree is None:
            return None
        # The linted file is named as its findings are: the engine applies a fix that edits
        # only that file while linting it, and recognises it by that name.
        own_edits = edits_between(self.context.display_path, self.context.text, new_tree.code)
        return FixSpec("unsafe", message, edits=(*own_edits, *other_edits))

    def _fix_without_edits(self, tree: cst.Module, imported: tuple[str, str] | None, message: str) -> FixSpec | None:
        """``_rewrite``'s verdict without its edits (a run that prints none): of its steps
        only the new import can refuse the fix, and where that import goes depends on the
        module's top-level import, docstring and blank lines only, which replacing the read
        (an expression) leaves as they are: the import is placed in the unchanged tree."""
        if imported is not None:
            added = self._add_import(tree, imported[0], imported[1])
            if added is None or not self._import_precedes_read(tree, added, imported[1]):
                return None
        return FixSpec("unsafe", message, edits=())

    def _add_import(self, tree: cst.Module, module: str, name: str) -> cst.Module | None:
        """``from <module> import <name>``: merged into an import of that module the file
        has, or added after its leading imports (among relative ones in sorted order);
        relative when the file imports the project relatively."""
        own, is_package = self.context.module_name, self.context.is_package
        relative = _relative_name(own, is_package, module) if self._imports_relatively() else None
        spelling = relative or module
        body = list(tree.body)
        for number, node in enumerate(body):
            if not isinstance(node, cst.SimpleStatementLine) or len(node.body) != 1:
                continue
            small = node.body[0]
            if not isinstance(small, cst.ImportFrom) or isinstance(small.names, cst.ImportStar):
                continue
            if bool(small.relative) != (relative is not None):
                continue
            base = names.dotted_name(small.module) if small.module is not None else None
            if small.relative:
                base = names.resolve_relative(own, is_package, len(small.relative), base)
            if base == module:
                aliases = [*small.names, cst.ImportAlias(cst.Name(name))]
                aliases = [alias.with_changes(comma=cst.MaybeSentinel.DEFAULT) for alias in aliases]
                body[number] = node.with_changes(body=[small.with_changes(names=aliases, lpar=None, rpar=None)])
                return tree.with_changes(body=body)
        statement = cst.parse_statement(f"from {spelling} import {name}\n")
        assert isinstance(statement, cst.SimpleStatementLine)
        after, before_relative = 0, False
        for number, node in enumerate(body):
            is_import = any(True for _ in _statement_imports(node, own, is_package)) or _is_import_line(node)
            if not (_is_docstring(node, number) or is_import):
                break
            small = node.body[0] if isinstance(node, cst.SimpleStatementLine) else None
            if relative is not None and isinstance(small, cst.ImportFrom) and small.relative and _relative_spelling(small) > relative:
                before_relative = True  # sorted among the relative imports, as isort does
                break
            after = number + 1
        following = body[after] if after < len(body) else None
        if before_relative and isinstance(following, cst.SimpleStatementLine) and following.leading_lines:
            # Take the place of the statement it goes before, blank lines and all.
            statement = statement.with_changes(leading_lines=following.leading_lines)
            body[after] = following.with_changes(leading_lines=[])
        elif after == 0 and following is not None:
            # First statement of the module: comments above the old first statement stay on top.
            statement = statement.with_changes(leading_lines=following.leading_lines)
            body[after] = following.with_changes(leading_lines=[cst.EmptyLine()])
        elif not before_relative and following is not None and not _is_import_line(following):
            if not following.leading_lines:
                body[after] = following.with_changes(leading_lines=[cst.EmptyLine()])
        body.insert(after, statement)
        return tree.with_changes(body=body)

    def _imports_relatively(self) -> bool:
        """Whether the module's top-level project imports are all relative (and there are some)."""
        styles = set()
        for node in self.context.tree.body:
            if not isinstance(node, cst.SimpleStatementLine):
                continue
            for small in node.body:
                if isinstance(small, cst.ImportFrom):
                    if small.relative:
                        styles.add("relative")
                    elif small.module is not None and self.index.split(names.dotted_name(small.module) or "") is not None:
                        styles.add("absolute")
                elif isinstance(small, cst.Import):
                    if any(self.index.split(names.dotted_name(alias.name) or "") is not None for alias in small.names):
                        styles.add("absolute")
        return styles == {"relative"}

    def _separate_project_import(self, before: cst.Module, after: cst.Module, name: str) -> cst.Module:
        """A new project import after third-party ones starts its own group (a blank line)."""
        if len(after.body) != len(before.body) + 1:
            return after
        body = list(after.body)
        for number, node in enumerate(body):
            if number == 0 or not any(local == name for local, _ in _statement_imports(node, self.context.module_name, self.context.is_package)):
                continue
            previous = [qualname for _, qualname in _statement_imports(body[number - 1], self.context.module_name, self.context.is_package)]
            assert isinstance(node, cst.SimpleStatementLine)
            if previous and not node.leading_lines and all(self.index.split(qualname) is None for qualname in previous):
                body[number] = node.with_changes(leading_lines=[cst.EmptyLine()])
                return after.with_changes(body=body)
            return after
        return after

    def _without_unused_os_import(self, tree: cst.Module) -> cst.Module | None:
        root = self._read_root()
        if root is None:
            return tree
        found = self.context.lookup(root, self.context.module_scope)
        if found is None or found[1].kind != "import" or not found[1].qualname:
            return tree
        if found[1].qualname not in ("os", "os.getenv", "os.environ"):
            return tree
        if _mentions_outside_imports(tree, root):
            return tree
        body = list(tree.body)
        for number, node in enumerate(body):
            if not isinstance(node, cst.SimpleStatementLine) or len(node.body) != 1:
                continue
            small = node.body[0]
            if not isinstance(small, (cst.Import, cst.ImportFrom)) or isinstance(small.names, cst.ImportStar):
                continue
            if not any(local == root for local, _ in names.import_bindings(small, self.context.module_name, self.context.is_package)):
                continue
            kept = [alias for alias in small.names if _alias_local(alias) != root]
            if kept:
                kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                body[number] = node.with_changes(body=[small.with_changes(names=kept)])
                return tree.with_changes(body=body)
            if number + 1 < len(body):
                following = body[number + 1]
                own_lines, next_lines = list(node.leading_lines), list(following.leading_lines)
                if number == 0:
                    # The import opened the module: what follows moves up, its comments kept.
                    while next_lines and next_lines[0].comment is None:
                        next_lines.pop(0)
                    lines = own_lines + next_lines
                elif any(line.comment is not None for line in own_lines):
                    lines = own_lines + next_lines
                else:
                    lines = next_lines
                body[number + 1] = following.with_changes(leading_lines=lines)
            del body[number]
            return tree.with_changes(body=body)
        return tree

    def _read_root(self) -> str | None:
        """The name the read starts from: ``os`` in ``os.environ.get``, ``ge`` in ``ge(...)``."""
        node = self._read_node
        expression = node.func if isinstance(node, cst.Call) else getattr(node, "value", None)
        while isinstance(expression, cst.Attribute):
            expression = expression.value
        return expression.value if isinstance(expression, cst.Name) else None

    # -- the settings object in the linted module ------------------------------------------

    def _existing_access(self, target: _Target) -> str | None:
        """How the linted module already reaches the settings object: ``settings``,
        ``config.settings`` or ``get_settings()`` through an unconditional top-level import."""
        if self._imports is None:
            # Only names that can be the project's are followed (not ``sqlalchemy.orm``).
            heads = _project_heads(self.index)
            self._imports = [
                (local, qualname)
                for local, qualname in _top_level_imports(self.context.tree, self.context.module_name, self.context.is_package)
                if qualname.split(".", 1)[0] in heads
            ]
        imports = []
        for local, qualname in self._imports:
            found = self.context.lookup(local)
            if found is not None and found[1].kind == "import" and found[0] is self.context.module_scope:
                imports.append((local, qualname))
        for name, is_getter in target.ways():
            wanted = self.index.canonical(f"{target.module}.{name}")
            for local, qualname in imports:
                # A re-export keeps the object's name (``from app.core import settings``).
                if qualname.rpartition(".")[2] == name and self.index.canonical(qualname) == wanted:
                    return f"{local}()" if is_getter else local
        for local, qualname in imports:
            if self.index.find_module(qualname) == target.module and "." not in local:
                attribute = f"{local}.{target.object_name}"
                return f"{attribute}()" if target.is_getter else attribute
        return None

    def _free(self, name: str) -> bool:
        """Whether ``name`` can be imported at module level and seen where the read is."""
        if name in self.context.module_scope.names:
            return False
        return self.context.lookup(name) is None and self._unshadowed(name)

    def _unshadowed(self, name: str) -> bool:
        """Whether no function around the read binds ``name`` anywhere in its body (a local
        assigned after the read still makes the name local there)."""
        for ancestor in self.context.ancestors:
            if isinstance(ancestor, (cst.FunctionDef, cst.Lambda)) and _mentions_name(ancestor, name):
                return False
        return True

    def _import_precedes_read(self, old: cst.Module, new: cst.Module, name: str) -> bool:
        """A read that runs at import time must come after the new import."""
        if any(isinstance(node, (cst.FunctionDef, cst.Lambda)) for node in self.context.ancestors):
            return True
        statement = next((node for node in self.context.ancestors if any(node is top for top in old.body)), None)
        if statement is None:
            return False
        position = next(number for number, top in enumerate(old.body) if top is statement)
        imports_at = [
            number
            for number, node in enumerate(new.body)
            if any(local == name for local, _ in _statement_imports(node, self.context.module_name, self.context.is_package))
        ]
        if not imports_at:
            return False
        added = len(new.body) - len(old.body)
        read_at = position + added if imports_at[0] <= position else position
        return imports_at[0] < read_at

    # -- fields of the settings class -------------------------------------------------------

    def _fields(self, target: _Target) -> list[_Field] | None:
        fields: list[_Field] = []
        seen: set[str] = set()
        for cls, resolve in self._class_chain(target):
            for found in _class_fields(cls, resolve):
                if found.name not in seen:
                    seen.add(found.name)
                    fields.append(found)
        return fields

    def _class_chain(self, target: _Target) -> Iterator[tuple[cst.ClassDef, Callable[[cst.BaseExpression], str | None]]]:
        """The class and its project base classes, nearest first."""
        pending = [(target.cls, target.resolve)]
        depth = 0
        while pending and depth < 8:
            cls, resolve = pending.pop(0)
            depth += 1
            yield cls, resolve
            for arg in cls.bases:
                if arg.keyword is not None:
                    continue
                base = self.rule._class_node(self.index.lookup(resolve(arg.value)))
                if base is not None:
                    pending.append(base)

    def _base_qualnames(self, target: _Target) -> set[str]:
        found: set[str] = set()
        pending = [target.cls_qualname]
        while pending and len(found) < 16:
            symbol = self.index.lookup(pending.pop())
            if symbol is None or symbol.cls is None or symbol.qualname in found:
                continue
            found.add(symbol.qualname)
            pending.extend(symbol.cls.bases)
        return found

    def _field_insertion(self, target: _Target, declaration: str) -> list | None:
        """Edits adding ``declaration`` to the settings class, after its last field."""
        source = self.index.source(target.module)
        tree = self.index.tree(target.module)
        path = self.index.paths.get(target.module)
        if source is None or tree is None or path is None:
            return None
        classes = [node for node in _module_classes(tree.body) if node.name.value == target.cls.name.value]
        if len(classes) != 1 or not isinstance(classes[0].body, cst.IndentedBlock):
            return None
        cls = classes[0]
        statement = cst.parse_statement(declaration + "\n")
        body = list(cls.body.body)
        if all(_is_placeholder(node) for node in body):
            body = [statement]
        else:
            after = 0
            for number, node in enumerate(body):
                if _is_docstring(node, number) or _is_field_line(node):
                    after = number + 1
            if after < len(body) and isinstance(body[after], cst.BaseCompoundStatement) and not body[after].leading_lines:
                body[after] = body[after].with_changes(leading_lines=[cst.EmptyLine(indent=False)])
            body.insert(after, statement)
        if not self.index.fix_edits:
            return []
        new_tree = tree.deep_replace(cls, cls.with_changes(body=cls.body.with_changes(body=body)))
        assert isinstance(new_tree, cst.Module)
        return edits_between(str(path), source.text, new_tree.code)

    # -- no settings class: create one ------------------------------------------------------

    def _new_class_fix(self, variable: str, shapes: list[Shape]) -> FixSpec | None:
        if not self._uses_pydantic_settings():
            return None
        place = self._new_module_place()
        if place is None:
            return None
        module, path, packages = place
        name = _new_field_name(variable, "", False, [], None)
        if name is None:
            return None
        existing_parents = [parent for parent in _parents(module) if parent in self.index.paths]
        executed: set[str] = set()
        for parent in existing_parents:
            executed |= self._executed_by_import(parent)
        if self.context.module_name in executed:
            return None
        shape = shapes[0]
        created = [create_file(package, "") for package in packages]
        created.append(create_file(path, _NEW_MODULE_TEXT.format(field=shape.declaration(name))))
        message = FIX_NEW_CLASS.format(variable=variable, access=f"settings.{name}", path=self.index.relative_path(path))
        return self._rewrite(shape, f"settings.{name}", (module, "settings"), tuple(created), message)

    def _uses_pydantic_settings(self) -> bool:
        """Whether the project declares pydantic-settings: a new settings module must import."""
        def compute() -> bool:
            for name in _DEPENDENCY_FILES:
                self.index.record_file(self.index.root / name)
                try:
                    text = read_source(self.index.root / name).text.lower()
                except (SourceError, OSError):
                    continue
                if "pydantic-settings" in text or "pydantic_settings" in text:
                    return True
            return False

        return self.index.remember("uses-pydantic-settings", compute)

    def _new_module_place(self) -> tuple[str, Path, list[Path]] | None:
        """Module name and path of a new settings module, and the packages to create for it."""
        own = self.context.module_name
        top = own.split(".", 1)[0]
        if top not in self.index.packages:
            if "." in own or self.context.path.parent != self.index.root:
                return None
            path = self.index.root / "config.py"
            return ("config", path, []) if not self.index.exists(path) else None
        package_dir = self.index.paths[top].parent
        core = f"{top}.core"
        if core in self.index.packages:
            path = self.index.paths[core].parent / "config.py"
            if not self.index.exists(path) and f"{core}.config" not in self.index.paths:
                return f"{core}.config", path, []
        elif f"{top}.config" in self.index.paths:
            path = package_dir / "settings.py"
            if not self.index.exists(path):
                return f"{top}.settings", path, []
        elif not self.index.exists(package_dir / "core"):
            return f"{core}.config", package_dir / "core" / "config.py", [package_dir / "core" / "__init__.py"]
        return None

    # -- import cycles -----------------------------------------------------------------------

    def _executed_by_import(self, module: str) -> frozenset[str]:
        """Every project module that importing ``module`` runs (its packages, its imports, theirs)."""
        return self.index.remember(("executed-by-import", module), lambda: self._compute_executed_by_import(module))

    def _compute_executed_by_import(self, module: str) -> frozenset[str]:
        seen: set[str] = set()
        pending = [module, *_parents(module)]
        while pending:
            current = pending.pop()
            if current in seen or current not in self.index.paths:
                continue
            seen.add(current)
            tree = self.index.tree(current)
            if tree is None:
                continue
            for _, imported in _top_level_imports(tree, current, current in self.index.packages, every=True):
                split = self.index.split(imported)
                if split is not None:
                    pending.append(split[0])
                    pending.extend(_parents(split[0]))
        return frozenset(seen)


# -- the project's settings objects -------------------------------------------------------


def _targets(rule: EnvReadOutsideSettings, classes: tuple) -> tuple[_Target, ...]:
    index = rule.context.index
    return index.remember(("settings-targets", rule.bases), lambda: tuple(_find_targets(rule, classes)))


def _find_targets(rule: EnvReadOutsideSettings, classes: tuple) -> Iterator[_Target]:
    """Settings objects (``settings = Settings()``, a cached ``get_settings()``) of the
    project's settings classes, best class first; a class outside the tests only."""
    from fastapi_lint.rules.env_read_outside_settings import _parsed_module

    index = rule.context.index
    for candidate in classes:
        parts = candidate.path.split("/")
        if any(part in ("tests", "test") or part.startswith("test_") for part in parts) or parts[-1] == "conftest.py":
            continue
        module = candidate.qualname.rpartition(".")[0]
        summary = index.summary(module)
        parsed = _parsed_module(index, module)
        if summary is None or parsed is None:
            continue
        tree, scope = parsed
        classes_named = [node for node in _module_classes(tree.body) if node.name.value == candidate.name]
        if len(classes_named) != 1:
            continue
        getters = [
            function.name
            for function in summary.functions.values()
            if "." not in function.name
            and not function.params
            and _CACHES & set(function.decorators)
            and any(index.canonical(returned) == candidate.qualname for returned in function.returns)
        ]
        objects = [
            assign.name
            for assign in summary.assigns.values()
            if assign.call is not None
            and (index.canonical(assign.call) == candidate.qualname or index.canonical(assign.call) in {f"{module}.{g}" for g in getters})
        ]
        resolve = lambda node, scope=scope: names.resolve(scope, node)  # noqa: E731
        getter = ("get_settings" if "get_settings" in getters else sorted(getters)[0]) if getters else None
        if objects:
            name = "settings" if "settings" in objects else sorted(objects)[0]
            alternative = (getter, True) if getter is not None else None
            yield _Target(module, name, False, classes_named[0], candidate.qualname, resolve, alternative)
        elif getter is not None:
            yield _Target(module, getter, True, classes_named[0], candidate.qualname, resolve)


# -- helpers -------------------------------------------------------------------------------


def _access(object_name: str, is_getter: bool, field_name: str) -> str:
    return f"{object_name}().{field_name}" if is_getter else f"{object_name}.{field_name}"


def _loads(found: _Field, variable: str, prefix: str, case_sensitive: bool) -> bool:
    wanted = found.aliases if found.aliases is not None else (prefix + found.name,)
    if case_sensitive:
        return variable in wanted
    return variable.lower() in {name.lower() for name in wanted}


def _annotation_type(found: _Field) -> tuple[str, bool] | None:
    """(``str``/``int``/``float``/``bool``, admits None) of a field's annotation."""
    annotation = found.annotation
    optional = False
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        left, right = annotation.left, annotation.right
        if isinstance(right, cst.Name) and right.value == "None":
            annotation, optional = left, True
        elif isinstance(left, cst.Name) and left.value == "None":
            annotation, optional = right, True
        else:
            return None
    elif isinstance(annotation, cst.Subscript) and found.resolve(annotation.value) in ("typing.Optional", "typing_extensions.Optional"):
        if len(annotation.slice) != 1 or not isinstance(annotation.slice[0].slice, cst.Index):
            return None
        annotation, optional = annotation.slice[0].slice.value, True
    if annotation is None:
        return None
    qualname = found.resolve(annotation)
    if qualname in ("builtins.str", "builtins.int", "builtins.float", "builtins.bool"):
        return qualname.rpartition(".")[2], optional
    return None


def _compatible_shape(shapes: list[Shape], found: _Field) -> Shape | None:
    """The widest shape whose value the field holds: ``int(read)`` for an ``int`` field,
    the bare read for a ``str`` one."""
    typed = _annotation_type(found)
    if typed is None:
        return None
    kind, optional = typed
    for shape in shapes:
        if shape.type != kind:
            continue
        if shape.type != "str" and optional:
            continue
        return shape
    return None


def _new_field_name(
    variable: str, prefix: str, case_sensitive: bool, fields: list[_Field], cls: cst.ClassDef | None
) -> str | None:
    """The field that loads ``variable``: the variable without the prefix, lower-cased
    unless the class names its fields in upper case (or matches case-sensitively)."""
    if prefix:
        head = variable[: len(prefix)]
        if (head != prefix) if case_sensitive else (head.lower() != prefix.lower()):
            return None
    rest = variable[len(prefix) :]
    if case_sensitive:
        name = rest
    elif fields and all(found.name.isupper() for found in fields):
        name = rest.upper()
    else:
        name = rest.lower()
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith(("_", "model_")) or name in _MODEL_ATTRIBUTES:
        return None
    if any(found.name == name for found in fields):
        return None
    if cls is not None and name in _class_attributes(cls):
        return None
    return name


def _class_attributes(cls: cst.ClassDef) -> set[str]:
    found: set[str] = set()
    body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
    for node in body:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            found.add(node.name.value)
        elif isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [getattr(small, "target", None)]
                found.update(t.value for t in targets if isinstance(t, cst.Name))
    return found


def _class_fields(cls: cst.ClassDef, resolve: Callable[[cst.BaseExpression], str | None]) -> Iterator[_Field]:
    body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
    for node in body:
        if not isinstance(node, cst.SimpleStatementLine):
            continue
        for small in node.body:
            if not isinstance(small, cst.AnnAssign) or not isinstance(small.target, cst.Name):
                continue
            name = small.target.value
            if name.startswith("_") or name == "model_config":
                continue
            annotation = small.annotation.annotation
            head = annotation.value if isinstance(annotation, cst.Subscript) else annotation
            if (resolve(head) or "").rpartition(".")[2] in ("ClassVar", "Final"):
                continue
            yield _Field(name, annotation, resolve, _aliases(small.value, annotation, resolve))


def _aliases(
    value: cst.BaseExpression | None, annotation: cst.BaseExpression, resolve: Callable[[cst.BaseExpression], str | None]
) -> tuple[str, ...] | None:
    """The variables a field reads through ``Field(alias=...)``-style arguments; ``()``
    when an alias cannot be read (it matches no variable)."""
    for node in (value, annotation):
        for call in _calls(node):
            if resolve(call.func) not in _FIELD_CALLS:
                continue
            for arg in call.args:
                if arg.keyword is None or arg.keyword.value not in ("alias", "validation_alias", "env"):
                    continue
                return _alias_names(arg.value, resolve)
    return None


def _alias_names(node: cst.BaseExpression, resolve: Callable[[cst.BaseExpression], str | None]) -> tuple[str, ...]:
    if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
        return (node.evaluated_value,)
    if isinstance(node, cst.Call) and resolve(node.func) in _ALIAS_CHOICES:
        found = []
        for arg in node.args:
            if arg.keyword is not None or not isinstance(arg.value, cst.SimpleString):
                return ()
            value = arg.value.evaluated_value
            if not isinstance(value, str):
                return ()
            found.append(value)
        return tuple(found)
    return ()


def _calls(node: cst.CSTNode | None) -> Iterator[cst.Call]:
    if node is None:
        return
    if isinstance(node, cst.Call):
        yield node
    for child in node.children:
        yield from _calls(child)


def _mentions_name(node: cst.CSTNode, name: str) -> bool:
    """Whether ``name`` is bound anywhere inside ``node``: a parameter, an assignment or
    loop target, ``with``/``except ... as``, ``:=``, an import, a nested definition."""
    for target in _bound_targets(node):
        if isinstance(target, cst.Name) and target.value == name:
            return True
        if isinstance(target, str) and target == name:
            return True
    return any(_mentions_name(child, name) for child in node.children)


def _bound_targets(node: cst.CSTNode) -> Iterator[cst.CSTNode | str]:
    if isinstance(node, cst.Param):
        yield node.name
    elif isinstance(node, (cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor, cst.NamedExpr)):
        yield from names.target_names(node.target)
    elif isinstance(node, cst.AsName):
        if isinstance(node.name, (cst.Name, cst.Tuple, cst.List)):
            yield from names.target_names(node.name)
    elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        yield node.name
    elif isinstance(node, (cst.Global, cst.Nonlocal)):
        yield from (item.name for item in node.names)
    elif isinstance(node, cst.Import):
        for alias in node.names:
            if alias.asname is None:
                yield (names.dotted_name(alias.name) or "").split(".", 1)[0]
    elif isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
        for alias in node.names:
            if alias.asname is None and isinstance(alias.name, cst.Name):
                yield alias.name


def _module_classes(body: object) -> Iterator[cst.ClassDef]:
    from fastapi_lint.rules.env_read_outside_settings import _module_classes as classes

    return classes(body)


def _is_placeholder(node: cst.CSTNode) -> bool:
    if not isinstance(node, cst.SimpleStatementLine) or len(node.body) != 1:
        return False
    small = node.body[0]
    return isinstance(small, cst.Pass) or (isinstance(small, cst.Expr) and isinstance(small.value, cst.Ellipsis))


def _is_docstring(node: cst.CSTNode, number: int) -> bool:
    return (
        number == 0
        and isinstance(node, cst.SimpleStatementLine)
        and len(node.body) == 1
        and isinstance(node.body[0], cst.Expr)
        and isinstance(node.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _is_field_line(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.SimpleStatementLine) and any(isinstance(small, (cst.AnnAssign, cst.Assign)) for small in node.body)


def _parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:cut]) for cut in range(1, len(parts))]


def _statement_imports(node: cst.CSTNode, module: str, is_package: bool) -> Iterator[tuple[str, str]]:
    if not isinstance(node, cst.SimpleStatementLine):
        return
    for small in node.body:
        if isinstance(small, (cst.Import, cst.ImportFrom)):
            yield from names.import_bindings(small, module, is_package)


def _top_level_imports(tree: cst.Module, module: str, is_package: bool, every: bool = False) -> Iterator[tuple[str, str]]:
    """(local name, qualified name) of the module's top-level imports; with ``every``, also
    those under ``if``/``try``/``with`` and the full dotted names of ``import a.b.c``."""
    yield from _block_imports(tree.body, module, is_package, every)


def _block_imports(body: object, module: str, is_package: bool, every: bool) -> Iterator[tuple[str, str]]:
    for node in body:  # type: ignore[attr-defined]
        if isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                if isinstance(small, cst.Import) and every:
                    for alias in small.names:
                        dotted = names.dotted_name(alias.name)
                        if dotted is not None:
                            yield dotted, dotted
                elif isinstance(small, (cst.Import, cst.ImportFrom)):
                    yield from names.import_bindings(small, module, is_package)
                    if every and isinstance(small, cst.ImportFrom) and small.module is not None:
                        base = names.dotted_name(small.module)
                        if small.relative:
                            base = names.resolve_relative(module, is_package, len(small.relative), base)
                        if base is not None:
                            yield base, base
        elif every and isinstance(node, (cst.If, cst.Try, cst.With)):
            for block in names.sub_blocks(node):
                yield from _block_imports(block, module, is_package, every)


def _relative_spelling(node: cst.ImportFrom) -> str:
    module = names.dotted_name(node.module) if node.module is not None else ""
    return "." * len(node.relative) + (module or "")


def _relative_name(own: str, is_package: bool, module: str) -> str | None:
    """``..core.config`` for ``app.core.config`` seen from ``app.api.routes``."""
    package = own.split(".") if is_package else own.split(".")[:-1]
    target = module.split(".")
    common = 0
    while common < min(len(package), len(target) - 1) and package[common] == target[common]:
        common += 1
    if common == 0:
        return None
    return "." * (len(package) - common + 1) + ".".join(target[common:])


_ENVIRON_WRITERS = frozenset({"os.environ.setdefault", "os.environ.pop", "os.putenv", "os.unsetenv"})
_ENVIRON_REPLACERS = frozenset({"os.environ.update", "os.environ.clear", "os.environ.popitem"})


def _project_heads(index: ProjectIndex) -> frozenset[str]:
    """Every part of the project's module names: a dotted name whose head is none of them
    is not the project's (``find_module`` tolerates an unknown source root)."""
    return index.module_heads()


def _write_hints(scope: names.Scope) -> re.Pattern[str]:
    """Text without which the module cannot write the environment (a cheap test before a
    walk): ``environ[...] =``, ``del``, its writing methods, or ``putenv``/``unsetenv``,
    through any module-level name of ``os.environ``."""
    spellings = {"environ"} | {
        name
        for name, binding in scope.names.items()
        if binding is not None and names.resolve(scope, cst.Name(name)) == "os.environ"
    }
    environ = "|".join(sorted(re.escape(name) for name in spellings))
    return re.compile(
        rf"(?:{environ})\s*(?:\[[^\]]*\]\s*[-+|]?=(?!=)|\.\s*(?:setdefault|pop|popitem|update|clear)\b)"
        rf"|\bdel\b[^\n]*(?:{environ})|putenv|unsetenv"
    )


def _environment_writes(tree: cst.Module, text: str, scope: names.Scope) -> set[str]:
    """The variables a module writes (``os.environ["X"] = ...``, ``del``, ``setdefault``,
    ``pop``, ``putenv``); ``"*"`` when it changes the environment wholesale or by a name
    it does not spell."""
    written: set[str] = set()
    if not _write_hints(scope).search(text):
        return written

    def key_of(node: cst.BaseExpression | None) -> str:
        if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
            return node.evaluated_value
        return "*"

    def visit(node: cst.CSTNode) -> None:
        targets: list[cst.BaseExpression] = []
        if isinstance(node, cst.AssignTarget):
            targets = [node.target]
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, cst.Del):
            targets = [node.target]
        for target in targets:
            for element in _flatten_targets(target):
                if isinstance(element, cst.Subscript) and names.resolve(scope, element.value) == "os.environ":
                    index = element.slice[0].slice if len(element.slice) == 1 else None
                    written.add(key_of(index.value if isinstance(index, cst.Index) else None))
        if isinstance(node, cst.Call):
            callee = names.resolve(scope, node.func)
            if callee in _ENVIRON_WRITERS:
                written.add(key_of(node.args[0].value if node.args and not node.args[0].star else None))
            elif callee in _ENVIRON_REPLACERS:
                written.add("*")
        for child in node.children:
            visit(child)

    visit(tree)
    return written


def _flatten_targets(target: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    if isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _flatten_targets(element.value)
    else:
        yield target


def _is_import_line(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.SimpleStatementLine) and any(isinstance(small, (cst.Import, cst.ImportFrom)) for small in node.body)


def _alias_local(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return (names.dotted_name(alias.name) or "").split(".", 1)[0]


def _mentions_outside_imports(tree: cst.Module, name: str) -> bool:
    """Whether the word ``name`` appears anywhere but in top-level import lines: in code,
    ``__all__``, a string or a comment, it keeps the import (erring on keeping it)."""
    pattern = re.compile(rf"(?<![\w.]){re.escape(name)}\b")
    return any(
        pattern.search(tree.code_for_node(statement)) for statement in tree.body if not _is_import_line(statement)
    ) or any(pattern.search(line.comment.value) for line in tree.header if line.comment is not None)
