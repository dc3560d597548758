"""FAPI201 env-read-outside-settings: environment reads that bypass the pydantic-settings class."""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator, Literal, Mapping

import libcst as cst

from fastapi_lint.linter import names
from fastapi_lint.linter.index import ClassSummary, ProjectIndex, Symbol
from fastapi_lint.linter.rule import FixSpec, Invalid, NodeEdit, Option, Rule, Valid
from fastapi_lint.linter.source import parse_module
from fastapi_lint.linter.summary import UNKNOWN, literal_value
from fastapi_lint.rules._settings_fix_cases import SETTINGS_FIX_INVALID

if TYPE_CHECKING:
    from fastapi_lint.linter.context import FileContext
    from fastapi_lint.rules._settings_fix import SettingsFixer

SETTINGS_BASES = frozenset(
    {
        "pydantic_settings.BaseSettings",
        "pydantic_settings.main.BaseSettings",
        "pydantic.BaseSettings",
        "pydantic.v1.BaseSettings",
        "pydantic.env_settings.BaseSettings",
    }
)

_GETENV = frozenset({"os.getenv", "os.getenvb"})
_ENVIRON = frozenset({"os.environ", "os.environb"})
_ENV_GET = frozenset(f"{environ}.get" for environ in _ENVIRON)
_ENV_SETDEFAULT = frozenset(f"{environ}.setdefault" for environ in _ENVIRON)
# Methods that hand out the whole environment (iterating or copying it), not one variable.
_WHOLE_ENV_METHODS = frozenset({"keys", "items", "values", "copy"})

# Bases that carry no pydantic configuration.
_NEUTRAL_BASES = frozenset({"builtins.object", "abc.ABC"})
# Annotations whose type certainly rejects None (so a None default is a validation error).
_NON_NONE_MODULES = frozenset({"builtins", "pydantic", "pydantic_core", "pathlib", "datetime", "decimal", "uuid", "ipaddress"})
_PYDANTIC_FIELDS = frozenset({"pydantic.Field", "pydantic.fields.Field", "pydantic.v1.Field", "pydantic.v1.fields.Field"})
_FIELD_ALIAS_KEYWORDS = frozenset({"alias", "validation_alias", "env"})
# Configuration that changes which variable a field reads, or when its default applies.
_CONFIG_BLOCKERS = {"alias_generator": (None,), "env_ignore_empty": (False,), "env_prefix_target": ("variable",), "fields": ()}
_SOURCE_HOOKS = frozenset({"settings_customise_sources", "Config.customise_sources"})

ReadKind = Literal["getenv", "get", "subscript", "contains", "setdefault"]

_FORMS: dict[ReadKind, str] = {
    "getenv": "`os.getenv()`",
    "get": "`os.environ.get()`",
    "subscript": "`os.environ[...]`",
    "contains": "an `in os.environ` test",
    "setdefault": "`os.environ.setdefault()`",
}


@dataclass(frozen=True)
class _Read:
    """One read of the environment: the reported node, and what it reads."""

    kind: ReadKind
    node: cst.BaseExpression
    key: cst.BaseExpression | None
    # The value used when the variable is missing; None when there is none (or it is ``None``).
    default: cst.BaseExpression | None = None


@dataclass(frozen=True)
class _FieldSite:
    """A field assignment in the body of a settings class whose value holds the read."""

    cls: cst.ClassDef
    outer_scope: names.Scope
    statement: cst.Assign | cst.AnnAssign
    name: str

    @property
    def annotation(self) -> cst.BaseExpression | None:
        return self.statement.annotation.annotation if isinstance(self.statement, cst.AnnAssign) else None


@dataclass(frozen=True)
class _Config:
    """What decides the environment variable a settings field is loaded from."""

    prefix: str
    case_sensitive: bool
    # Whether defaults are validated: pydantic-settings' default is True; UNKNOWN when not literal.
    validate_default: object

    def env_name(self, field_name: str) -> str:
        return self.prefix + field_name

    def matches(self, field_name: str, variable: str) -> bool:
        wanted = self.env_name(field_name)
        return wanted == variable if self.case_sensitive else wanted.lower() == variable.lower()


@dataclass(frozen=True)
class _SettingsClass:
    """A settings class of the project, for pointing findings at it."""

    qualname: str
    name: str
    location: str
    path: str
    fields: tuple[str, ...]
    prefix: str
    case_sensitive: bool
    is_base: bool

    def field_for(self, variable: str) -> str | None:
        for name in self.fields:
            wanted = self.prefix + name
            if wanted == variable or (not self.case_sensitive and wanted.lower() == variable.lower()):
                return name
        return None


@dataclass
class _ProjectCache:
    """Per-run answers about the project, shared by every file linted with the same index."""

    modules: dict[str, tuple[cst.Module, names.Scope] | None] = field(default_factory=dict)


_CACHE: "weakref.WeakKeyDictionary[ProjectIndex, _ProjectCache]" = weakref.WeakKeyDictionary()


def _project_cache(index: ProjectIndex) -> _ProjectCache:
    cache = _CACHE.get(index)
    if cache is None:
        cache = _CACHE[index] = _ProjectCache()
    return cache


class EnvReadOutsideSettings(Rule):
    """## What it does
    Flags reads of the environment (`os.getenv`, `os.environ.get`, `os.environ[...]`,
    `"X" in os.environ`, a used `os.environ.setdefault`) outside the module that defines
    the project's pydantic-settings `BaseSettings` class, and reads used as a field default
    inside a `BaseSettings` class body.

    Writes (`os.environ["X"] = ...`, `del`, a statement-level `setdefault`) and passing or
    copying the whole environment (`env=os.environ`, `dict(os.environ)`,
    `os.environ.copy()`, iterating it) are not reads. A module that defines a
    `BaseSettings` subclass may read the environment to configure or select its settings
    (`env_file=os.getenv(...)`, validators, methods, choosing a settings class).

    ## Why is this bad?
    A variable read with `os.getenv` is an unvalidated string: a missing or misspelled
    variable, or a value of the wrong type, surfaces only when that line runs, often deep
    inside a request. The settings class validates every variable once, at startup, with
    types, defaults, `.env` files and prefixes, and it is the one place that lists what
    the application can be configured with.

    Inside a `BaseSettings` class, `db_url: str = os.getenv("DB_URL", "x")` reads the
    variable a second time, at import, outside pydantic-settings: it ignores `env_prefix`
    and `.env` files and hides a missing variable behind a default.

    ## Example
    ```python
    import os

    from fastapi import APIRouter

    router = APIRouter()


    @router.get("/status")
    def status() -> dict[str, str]:
        return {"region": os.getenv("REGION", "eu")}
    ```

    ```python
    import os

    from pydantic_settings import BaseSettings


    class Settings(BaseSettings):
        database_url: str = os.getenv("DATABASE_URL", "sqlite:///app.db")
    ```

    ## Use instead
    ```python
    from fastapi import APIRouter

    from app.core.config import settings

    router = APIRouter()


    @router.get("/status")
    def status() -> dict[str, str]:
        return {"region": settings.region}
    ```

    ```python
    from pydantic_settings import BaseSettings


    class Settings(BaseSettings):
        database_url: str = "sqlite:///app.db"
    ```

    ## Fix safety
    **Reads outside the settings** (unsafe fix, applied with `--unsafe-fixes`): the read
    becomes an attribute of the project's settings object, `settings.<field>` (a
    module-level `settings = Settings()`) or `get_settings().<field>` (a cached
    `get_settings()` function), whichever the project defines; an import of it that the
    module already has is reused (also re-exported or relative ones), otherwise one is
    added where the module keeps its imports (relative when the module imports the project
    relatively), and an `os` import nothing else uses is removed.

    - The field is found by name and alias (`Field(alias=...)`, `validation_alias`,
      `AliasChoices`), honouring `env_prefix` and `case_sensitive` (case-insensitive by
      default). It must hold what the read gave: a `str` field for a bare read, an
      `int`/`float`/`bool` field for `int(...)`, `float(...)` or a boolean idiom.
    - A variable the class does not load yet becomes a field, typed from the read:
      `os.getenv("X")` gives `x: str | None = None`, `os.getenv("X", "d")` gives
      `x: str = "d"`, `os.environ["X"]` gives a required `x: str`,
      `int(os.getenv("PORT", "8000"))` gives `port: int = 8000` (and the whole `int(...)`
      becomes `settings.port`; likewise `float`), and boolean idioms such as
      `os.getenv("X", "false").lower() == "true"` or `os.getenv("X") in ("1", "true")`
      give `x: bool = False` (the default is what the idiom gave without the variable;
      `!= "0"` and `not in` work alike when the words are ones pydantic reads). The
      field is the variable without `env_prefix`, lower-cased unless the class names its
      fields in upper case (exactly as spelled when `case_sensitive`).
    - A project without a settings class that depends on `pydantic-settings` (in
      `pyproject.toml`, `setup.cfg`, `setup.py`, `Pipfile` or `requirements.txt`) gets
      one: `<package>/core/config.py` (beside `<package>/config.py` as
      `<package>/settings.py` when that module exists) with `class Settings(BaseSettings)`,
      the field and `settings = Settings()`.

    The fix is unsafe because the settings are read once, when the settings module is
    imported, where the read ran each time its line did (a test that sets a variable
    after import, or a variable changed at run time, is no longer seen); a new required
    field makes the application fail at startup, not when the line runs; pydantic parses
    booleans more leniently than a string comparison; and the settings' `.env` file and
    validation now apply.

    No fix is offered when the settings module imports (through any chain of project
    imports) the module being fixed, since that would be an import cycle (the message
    says so); for a key or default that is not a literal; for a variable that another
    settings class loads, that lacks the class's `env_prefix` (the message says so), or whose field would
    clash with an existing name; when the settings object's name is already used in the
    module; when the module itself sets the variable (`os.environ["X"] = ...`,
    `setdefault`, `putenv`, `update`); for reads in test modules and in scripts outside
    the project's packages; or when the class configures how variables are
    loaded in ways the rule does not follow (`alias_generator`, `env_ignore_empty`,
    custom settings sources, a configuration it cannot read).

    Each pass of the fix declares one new field per settings class: the engine lints
    again after applying fixes (up to ten passes), so a project with many new variables
    may need `--fix` run again. `--diff` previews the first pass.

    **Field defaults inside a settings class** (safe fix): offered when the
    variable read is the one pydantic-settings loads for that field (`env_prefix` and
    `case_sensitive` respected, no alias, no `alias_generator`, `env_ignore_empty` or
    custom settings sources, configuration readable through the project's base classes).
    The read is replaced by its default: pydantic-settings overrides the default whenever
    the variable is set, so the default applies exactly when the read returned its own
    default. `int(os.getenv("PORT", "8000"))` becomes `8000`; an unannotated attribute
    gets the type the read implies (`str`, or `str | None = None` without a default); a
    read without a default makes an annotated field required (`name: str`), or `None`
    when the annotation admits `None`.

    That fix is safe, except when making a field required while the class sets
    `validate_default=False` (a missing variable used to leave `None`, it now fails
    validation): that fix is unsafe. When the variable's name differs from the field's
    variable, no fix is offered: `Field(validation_alias=...)` would stop the field from
    reading its own variable and init argument, which changes what it loads.

    ## Options
    - `extra-settings-bases` (list of qualified names, default `[]`): further base classes
      whose subclasses count as settings classes, besides pydantic-settings' and pydantic
      v1's `BaseSettings`.
    """

    code = "FAPI201"
    name = "env-read-outside-settings"
    summary = "Environment read outside the pydantic-settings class"
    fix_availability = "safe"
    triggers = ("getenv", "environ")
    triggers_in_code = True
    options = {
        "extra-settings-bases": Option(
            list,
            [],
            "Qualified names of further base classes whose subclasses count as settings classes.",
            item_type=str,
        )
    }

    MESSAGE_OUTSIDE = (
        "Environment variable {variable} is read ({form}) outside the settings: the value skips validation and "
        "type conversion, and a missing or misspelled variable only shows up when this line runs. {advice}"
    )
    ADVICE_EXISTING_FIELD = "Use the settings object instead: `{cls}` ({location}) already loads it as field `{field}`."
    ADVICE_DECLARE = "Declare it as a field of `{cls}` ({location}) and use the settings object instead."
    ADVICE_NO_SETTINGS = (
        "Declare it as a field of a pydantic-settings `BaseSettings` class (for example in `app/core/config.py`) "
        "and use the settings object instead."
    )
    MESSAGE_FIELD_DEFAULT = (
        "Field `{field}` of settings class `{cls}` defaults to environment variable {variable} read with {form}: "
        "pydantic-settings already loads its fields from the environment, and this import-time read bypasses "
        "`env_prefix`, `.env` files and the missing-variable check. Give the field a plain default "
        "(or none, to make it required).{note}"
    )
    NOTE_OTHER_VARIABLE = (
        " The field is loaded from `{env}`, not {variable}: rename the field, or declare it with "
        "`Field(validation_alias=...)`."
    )
    FIX_MESSAGE = "Use a plain default for `{field}`"
    FIX_REQUIRED_MESSAGE = "Make `{field}` a required field"

    def __init__(self, context: FileContext, settings: Mapping[str, Any]) -> None:
        super().__init__(context, settings)
        self._settings_module: bool | None = None
        self._settings_fixer: SettingsFixer | None = None
        self.bases = SETTINGS_BASES | frozenset(settings.get("extra-settings-bases", ()))

    # -- finding the reads ---------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        callee = self.context.resolve(node.func)
        if callee in _GETENV:
            kind: ReadKind = "getenv"
        elif callee in _ENV_GET:
            kind = "get"
        elif callee in _ENV_SETDEFAULT:
            # A statement-level setdefault only writes.
            if isinstance(self.context.parent, cst.Expr):
                return
            kind = "setdefault"
        else:
            return
        # Unreadable arguments (``*args``) still read the environment; they just name no variable.
        key, default = _key_and_default(node) or (None, None)
        if kind == "setdefault":
            default = None
        self._check(_Read(kind, node, key, default))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if self.context.resolve(node.value) not in _ENVIRON or len(node.slice) != 1:
            return
        index = node.slice[0].slice
        if not isinstance(index, cst.Index) or _is_store(node, self.context.ancestors):
            return
        self._check(_Read("subscript", node, index.value))

    def visit_Comparison(self, node: cst.Comparison) -> None:
        left = node.left
        for target in node.comparisons:
            if isinstance(target.operator, (cst.In, cst.NotIn)) and self.context.resolve(target.comparator) in _ENVIRON:
                self._check(_Read("contains", node, left))
                return
            left = target.comparator

    # -- judging one read ----------------------------------------------------------

    def _check(self, read: _Read) -> None:
        if read.key is not None and self._iterates_environment(read.key):
            return
        variable = self._describe_variable(read.key)
        site = self._field_site(read.node)
        if site is not None:
            self._report_field_default(read, site, variable)
            return
        if self._in_settings_module() or self._configures_settings(read.node):
            return
        if self._settings_fixer is None:
            # Imported here: the fix's machinery costs start-up time on runs that find nothing.
            from fastapi_lint.rules._settings_fix import SettingsFixer

            self._settings_fixer = SettingsFixer(self)
        fix, note = self._settings_fixer.fix_for(read)
        message = self.MESSAGE_OUTSIDE.format(variable=variable, form=_FORMS[read.kind], advice=self._advice(read))
        self.report(read.node, message + note, fix)

    def _iterates_environment(self, key: cst.BaseExpression) -> bool:
        """``for k in os.environ: os.environ[k]`` copies the environment; it reads no named variable."""
        if not isinstance(key, cst.Name):
            return False
        # Module-level loop variables are not in the scope tables: look at the enclosing loops.
        for loop in _enclosing_loops(self.context.ancestors):
            if any(name.value == key.value for name in names.target_names(loop.target)):
                return self._is_environment(loop.iter, self.context.scope)
        found = self.context.lookup(key.value)
        if found is None or not isinstance(found[1].node, (cst.For, cst.CompFor)):
            return False
        return self._is_environment(found[1].node.iter, found[0])

    def _is_environment(self, iterated: cst.BaseExpression, scope: names.Scope) -> bool:
        """``os.environ`` itself, or ``os.environ.keys()`` and the like."""
        if isinstance(iterated, cst.Call) and isinstance(iterated.func, cst.Attribute):
            if iterated.func.attr.value not in _WHOLE_ENV_METHODS:
                return False
            iterated = iterated.func.value
        return names.resolve(scope, iterated) in _ENVIRON

    def _describe_variable(self, key: cst.BaseExpression | None) -> str:
        literal = self._key_literal(key, follow_constants=True)
        if literal is not None:
            return f"`{literal}`"
        if key is None:
            return "(unknown)"
        return f"named by `{self.context.tree.code_for_node(key).strip()}`"

    def _key_literal(self, key: cst.BaseExpression | None, follow_constants: bool = False) -> str | None:
        if isinstance(key, (cst.SimpleString, cst.ConcatenatedString)):
            value = key.evaluated_value
            if isinstance(value, bytes):
                value = value.decode("latin-1")
            return value if isinstance(value, str) else None
        if follow_constants and isinstance(key, cst.Name):
            found = self.context.lookup(key.value)
            if found is not None and found[1].kind == "assign" and isinstance(found[1].value, cst.SimpleString):
                return self._key_literal(found[1].value)
        return None

    # -- settings modules ----------------------------------------------------------

    def _in_settings_module(self) -> bool:
        if self._settings_module is None:
            scope = self.context.module_scope
            self._settings_module = any(
                self._is_settings_class(node, scope) for node in _module_classes(self.context.tree.body)
            )
        return self._settings_module

    def _is_settings_class(self, node: cst.ClassDef, outer: names.Scope) -> bool:
        index = self.context.index
        return any(
            arg.keyword is None and index.is_subclass(self.context.resolve(arg.value, outer), self.bases) for arg in node.bases
        )

    def _configures_settings(self, node: cst.CSTNode) -> bool:
        """Whether the read picks the settings: an argument of a settings class's constructor
        (``Settings(_env_file=os.getenv(...))``), or the test choosing between settings classes."""
        child = node
        for ancestor in reversed(self.context.ancestors):
            if isinstance(ancestor, (cst.FunctionDef, cst.ClassDef)):
                return False
            if isinstance(ancestor, cst.Call) and child is not ancestor.func and self._names_settings(ancestor.func):
                return True
            chooses = isinstance(ancestor, cst.IfExp) and child is ancestor.test
            if chooses and (self._names_settings(ancestor.body) or self._names_settings(ancestor.orelse)):
                return True
            child = ancestor
        return False

    def _names_settings(self, node: cst.BaseExpression) -> bool:
        """``Settings`` or ``Settings(...)`` for a settings class."""
        if isinstance(node, cst.Call):
            node = node.func
        if not isinstance(node, (cst.Name, cst.Attribute)):
            return False
        return self.context.index.is_subclass(self.context.resolve(node), self.bases)

    def _field_site(self, node: cst.BaseExpression) -> _FieldSite | None:
        """The settings-class field whose default value holds ``node`` (being visited)."""
        ancestors = self.context.ancestors
        for position in range(len(ancestors) - 1, -1, -1):
            ancestor = ancestors[position]
            if isinstance(ancestor, cst.FunctionDef):
                return None
            if isinstance(ancestor, cst.ClassDef):
                break
        else:
            return None
        cls = ancestors[position]
        assert isinstance(cls, cst.ClassDef)
        chain = ancestors[position + 1 :]
        statement = next((node for node in chain if isinstance(node, (cst.Assign, cst.AnnAssign))), None)
        if statement is None or statement.value is None:
            return None
        after = chain.index(statement) + 1
        inside = chain[after] if after < len(chain) else node
        if inside is not statement.value:
            return None
        name = _field_name(statement)
        if name is None or self._is_class_variable(statement):
            return None
        outer = self._scope_outside(cls)
        if outer is None or not self._is_settings_class(cls, outer):
            return None
        return _FieldSite(cls, outer, statement, name)

    def _is_class_variable(self, statement: cst.Assign | cst.AnnAssign) -> bool:
        if not isinstance(statement, cst.AnnAssign):
            return False
        annotation = statement.annotation.annotation
        head = annotation.value if isinstance(annotation, cst.Subscript) else annotation
        qualname = self.context.resolve(head) or ""
        module, _, name = qualname.rpartition(".")
        return name in ("ClassVar", "Final") and module in ("typing", "typing_extensions")

    def _scope_outside(self, cls: cst.ClassDef) -> names.Scope | None:
        scope: names.Scope | None = self.context.scope
        while scope is not None and scope.node is not cls:
            scope = scope.parent
        return scope.parent if scope is not None else None

    # -- field defaults in a settings class ------------------------------------------

    def _report_field_default(self, read: _Read, site: _FieldSite, variable: str) -> None:
        fix, note = self._field_fix(read, site)
        message = self.MESSAGE_FIELD_DEFAULT.format(
            field=site.name, cls=site.cls.name.value, variable=variable, form=_FORMS[read.kind], note=note
        )
        self.report(read.node, message, fix=fix)

    def _field_fix(self, read: _Read, site: _FieldSite) -> tuple[FixSpec | None, str]:
        """The fix for a read used as a field default, and a note when the names differ."""
        variable = self._key_literal(read.key)
        if read.kind not in ("getenv", "get", "subscript") or variable is None:
            return None, ""
        if _mentions_alias(site.statement.value) or _mentions_alias(site.annotation):
            return None, ""
        config = self._class_config(site.cls, lambda node: self.context.resolve(node, site.outer_scope))
        if config is None:
            return None, ""
        if not config.matches(site.name, variable):
            note = self.NOTE_OTHER_VARIABLE.format(env=config.env_name(site.name), variable=f"`{variable}`")
            return None, note
        return self._replacement(read, site, config), ""

    def _replacement(self, read: _Read, site: _FieldSite, config: _Config) -> FixSpec | None:
        statement = site.statement
        if read.default is None:
            return self._missing_default(read, site, config)
        target, replacement = self._simplified(read)
        if target is statement.value and isinstance(statement, cst.Assign):
            # An unannotated attribute gets the type its new default implies.
            implied = _literal_type(replacement)
            if implied is None:
                return None
            return self._fix(site.name, NodeEdit(statement, _annotated(statement, implied, replacement)))
        return self._fix(site.name, NodeEdit(target, replacement))

    def _missing_default(self, read: _Read, site: _FieldSite, config: _Config) -> FixSpec | None:
        """A read without a default: the field becomes required, or defaults to None."""
        statement = site.statement
        if read.node is not statement.value:
            # ``Field(os.getenv("X"))``: the read stands for None only as Field's own default
            # (``os.environ["X"]`` fails instead).
            if read.kind == "subscript":
                return None
            if _admits_none(site.annotation, self.context.resolve) is True and self._is_field_default(read):
                return self._fix(site.name, NodeEdit(read.node, cst.Name("None")))
            return None
        if isinstance(statement, cst.Assign):
            implied, value = ("str", None) if read.kind == "subscript" else ("str | None", cst.Name("None"))
            return self._fix(site.name, NodeEdit(statement, _annotated(statement, implied, value)))
        required = statement.with_changes(value=None, equal=cst.MaybeSentinel.DEFAULT)
        if read.kind == "subscript":
            # ``os.environ["X"]`` already fails without the variable (at import, with KeyError).
            return self._fix(site.name, NodeEdit(statement, required), required=True)
        admits = _admits_none(site.annotation, self.context.resolve)
        if admits is True:
            return self._fix(site.name, NodeEdit(read.node, cst.Name("None")))
        if admits is False and config.validate_default in (True, False):
            # A None default already failed validation unless defaults are not validated.
            return self._fix(site.name, NodeEdit(statement, required), required=True, safe=config.validate_default is True)
        return None

    def _is_field_default(self, read: _Read) -> bool:
        ancestors = self.context.ancestors
        if len(ancestors) < 2 or not isinstance(ancestors[-1], cst.Arg) or not isinstance(ancestors[-2], cst.Call):
            return False
        arg, call = ancestors[-1], ancestors[-2]
        if self.context.resolve(call.func) not in _PYDANTIC_FIELDS:
            return False
        if arg.keyword is not None:
            return arg.keyword.value == "default"
        return arg.star == "" and call.args[0] is arg

    def _simplified(self, read: _Read) -> tuple[cst.CSTNode, cst.BaseExpression]:
        """The node to replace and its replacement: the read's default, folded into a
        literal when the read is converted with ``int``/``float``/``str``."""
        assert read.default is not None
        ancestors = self.context.ancestors
        if len(ancestors) >= 2 and isinstance(ancestors[-1], cst.Arg) and isinstance(ancestors[-2], cst.Call):
            call = ancestors[-2]
            converter = self.context.resolve(call.func)
            if len(call.args) == 1 and ancestors[-1].keyword is None and ancestors[-1].star == "":
                folded = _fold_conversion(converter, read.default)
                if folded is not None:
                    return call, folded
        return read.node, read.default

    def _fix(self, field_name: str, edit: NodeEdit, required: bool = False, safe: bool = True) -> FixSpec:
        template = self.FIX_REQUIRED_MESSAGE if required else self.FIX_MESSAGE
        return FixSpec("safe" if safe else "unsafe", template.format(field=field_name), [edit])

    # -- settings configuration, through the project's base classes ----------------

    def _class_config(self, cls: cst.ClassDef, resolve: Callable[[cst.BaseExpression], str | None]) -> _Config | None:
        merged = self._merged_config(cls, resolve, 0)
        if merged is None:
            return None
        values, methods = merged
        if methods & _SOURCE_HOOKS:
            return None
        for key, allowed in _CONFIG_BLOCKERS.items():
            if key in values and values[key] not in allowed:
                return None
        prefix = values.get("env_prefix", "")
        case_sensitive = values.get("case_sensitive", False)
        if not isinstance(prefix, str) or not isinstance(case_sensitive, bool):
            return None
        validate = values.get("validate_default", values.get("validate_all", True))
        return _Config(prefix, case_sensitive, validate if isinstance(validate, bool) else UNKNOWN)

    def _merged_config(
        self, cls: cst.ClassDef, resolve: Callable[[cst.BaseExpression], str | None], depth: int
    ) -> tuple[dict[str, object], frozenset[str]] | None:
        own = _own_config(cls)
        if own is None or depth > 8:
            return None
        values: dict[str, object] = {}
        methods: set[str] = set()
        index = self.context.index
        for arg in reversed(cls.bases):
            if arg.keyword is not None:
                continue
            qualname = resolve(arg.value)
            if qualname is None:
                return None
            if qualname in self.bases or index.canonical(qualname) in self.bases | _NEUTRAL_BASES:
                continue
            base = self._class_node(index.lookup(qualname))
            if base is None:
                return None
            inherited = self._merged_config(base[0], base[1], depth + 1)
            if inherited is None:
                return None
            values.update(inherited[0])
            methods |= inherited[1]
        values.update(own[0])
        return values, frozenset(methods | own[1])

    def _class_node(
        self, symbol: Symbol | None
    ) -> tuple[cst.ClassDef, Callable[[cst.BaseExpression], str | None]] | None:
        if symbol is None or symbol.cls is None:
            return None
        module = symbol.module.name
        if module == self.context.module_name:
            parsed: tuple[cst.Module, names.Scope] | None = (self.context.tree, self.context.module_scope)
        else:
            parsed = _parsed_module(self.context.index, module)
        if parsed is None:
            return None
        tree, scope = parsed
        matches = [node for node in _module_classes(tree.body) if node.name.value == symbol.cls.name]
        if len(matches) != 1:
            return None
        return matches[0], lambda node: names.resolve(scope, node)

    # -- pointing at the project's settings class ------------------------------------

    def _advice(self, read: _Read) -> str:
        candidates = _settings_classes(self.context.index, self.bases)
        if not candidates:
            return self.ADVICE_NO_SETTINGS
        variable = self._key_literal(read.key, follow_constants=True)
        if variable is not None:
            for candidate in candidates:
                field_name = candidate.field_for(variable)
                if field_name is not None:
                    return self.ADVICE_EXISTING_FIELD.format(cls=candidate.name, location=candidate.location, field=field_name)
        best = candidates[0]
        return self.ADVICE_DECLARE.format(cls=best.name, location=best.location)

    VALID = [
        Valid(
            """
            import os

            os.environ["DEBUG"] = "1"
            os.environ.setdefault("TZ", "UTC")
            del os.environ["DEBUG"]
            """
        ),
        Valid(
            """
            import os
            import subprocess

            subprocess.run(["ls"], env=os.environ)
            copied = dict(os.environ)
            other = os.environ.copy()
            names = [name for name in os.environ]
            for key in os.environ:
                print(key)
            snapshot = {key: os.environ[key] for key in os.environ}
            pairs = {key: os.environ.get(key) for key in os.environ.keys()}
            """
        ),
        # A local function, a parameter and another library's getenv only look like os's.
        Valid(
            """
            def getenv(name: str) -> str:
                return name

            value = getenv("DATABASE_URL")
            """
        ),
        Valid(
            """
            def read(os):
                return os.getenv("DATABASE_URL"), os.environ["X"]
            """
        ),
        Valid(
            """
            from vault import getenv, environ

            secret = getenv("DATABASE_URL")
            other = environ["X"]
            """
        ),
        # The settings module may read the environment to configure or select its settings.
        Valid(
            """
            import os

            from pydantic import field_validator
            from pydantic_settings import BaseSettings, SettingsConfigDict


            class Settings(BaseSettings):
                model_config = SettingsConfigDict(env_file=os.getenv("ENV_FILE", ".env"))

                database_url: str = "sqlite://"

                @field_validator("database_url")
                @classmethod
                def check(cls, value: str) -> str:
                    if os.getenv("STRICT") and not value:
                        raise ValueError("empty")
                    return value


            class ProdSettings(Settings):
                pass


            settings = ProdSettings() if os.environ.get("ENV") == "prod" else Settings()
            """,
            path="app/core/config.py",
        ),
        Valid(
            """
            import os

            from pydantic import BaseSettings


            class Settings(BaseSettings):
                debug: bool = False

                class Config:
                    env_file = os.getenv("ENV_FILE", ".env")
            """,
            path="app/config.py",
        ),
        # A settings class derived from a project base in another module.
        Valid(
            """
            import os

            from app.core.base import AppSettings


            class Settings(AppSettings):
                name: str = "app"


            env_name = os.getenv("APP_ENV", "dev")
            """,
            path="app/core/config.py",
            files={
                "app/__init__.py": "",
                "app/core/__init__.py": "",
                "app/core/base.py": "from pydantic_settings import BaseSettings\n\nclass AppSettings(BaseSettings):\n    pass\n",
            },
        ),
        # BaseSettings re-exported through a package __init__, imported relatively.
        Valid(
            """
            import os

            from . import BaseSettings


            class Settings(BaseSettings):
                debug: bool = False


            settings = Settings(_env_file=os.getenv("ENV_FILE", ".env"))
            """,
            path="app/core/config.py",
            files={
                "app/__init__.py": "",
                "app/core/__init__.py": "from pydantic_settings import BaseSettings as BaseSettings\n",
            },
        ),
        # Not fields: private attributes and class variables.
        Valid(
            """
            import os
            from typing import ClassVar

            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                _started: str = os.getenv("START", "")
                profile: ClassVar[str] = os.getenv("PROFILE", "dev")
            """
        ),
        Valid(
            """
            import os

            from pydantic import BaseSettings as LegacySettings


            class Settings(LegacySettings):
                debug: bool = False


            DEBUG = os.getenv("DEBUG")
            """
        ),
        # A settings base named in the options makes this a settings module.
        Valid(
            """
            import os

            from corelib.config import AppConfig


            class Settings(AppConfig):
                url: str = "x"


            PROFILE = os.getenv("PROFILE")
            """,
            options={"extra-settings-bases": ["corelib.config.AppConfig"]},
        ),
    ]

    INVALID = [
        Invalid(
            """
            import os

            url = os.getenv("DATABASE_URL")
            """,
            line=4,
            message_contains="`DATABASE_URL`",
        ),
        Invalid(
            """
            import os as o

            url = o.environ.get("DATABASE_URL", "sqlite://")
            """,
            line=4,
            message_contains="`os.environ.get()`",
        ),
        Invalid(
            """
            from os import getenv as ge

            url = ge("DATABASE_URL")
            """,
            line=4,
        ),
        Invalid(
            """
            from os import environ as env

            url = env["DATABASE_URL"]
            debug = "DEBUG" in env
            """,
            line=4,
            count=2,
        ),
        Invalid(
            """
            import os

            environment = os.environ


            def debug() -> bool:
                return "DEBUG" not in environment
            """,
            line=8,
            message_contains="`in os.environ`",
        ),
        Invalid(
            """
            import os

            tz = os.environ.setdefault("TZ", "UTC")
            """,
            line=4,
            message_contains="`TZ`",
        ),
        Invalid(
            """
            import os

            DB_VARIABLE = "DATABASE_URL"


            def url(name: str) -> str | None:
                return os.getenv(DB_VARIABLE) or os.getenv(name)
            """,
            line=8,
            count=2,
            message_contains="`DATABASE_URL`",
        ),
        # A hand-rolled config class is not a settings class.
        Invalid(
            """
            import os


            class Config:
                DATABASE_URL = os.getenv("DATABASE_URL", "sqlite://")
                DEBUG = os.environ.get("DEBUG") == "1"
            """,
            path="app/core/config.py",
            line=6,
            count=2,
            message_contains="pydantic-settings `BaseSettings` class",
        ),
        # A router reading a variable the settings class in another module already loads.
        Invalid(
            """
            import os

            from fastapi import APIRouter

            router = APIRouter()


            @router.get("/status")
            def status() -> dict[str, str | None]:
                return {"db": os.getenv("DATABASE_URL"), "region": os.getenv("REGION")}
            """,
            path="app/api/routes.py",
            line=11,
            count=2,
            message_contains="`Settings` (app/core/config.py:5) already loads it as field `database_url`",
            files={
                "app/__init__.py": "",
                "app/api/__init__.py": "",
                "app/core/__init__.py": "",
                "app/core/config.py": """
                    from pydantic_settings import BaseSettings, SettingsConfigDict


                    class Settings(BaseSettings):
                        model_config = SettingsConfigDict(env_file=".env")
                        database_url: str = "sqlite://"


                    settings = Settings()
                """,
            },
        ),
        Invalid(
            """
            import os

            region = os.getenv("REGION")
            """,
            path="app/api/routes.py",
            message_contains="Declare it as a field of `Settings` (app/core/config.py:6)",
            files={
                "app/__init__.py": "",
                "app/api/__init__.py": "",
                "app/core/__init__.py": "",
                "app/core/base.py": "from pydantic_settings import BaseSettings as BS\n\nclass Base(BS):\n    pass\n",
                "app/core/config.py": """
                    from app.core.base import Base
                    from app.core import base


                    class Settings(Base):
                        database_url: str = "sqlite://"
                """,
            },
        ),
        # A third-party class named BaseSettings is not pydantic's: this is not a settings module.
        Invalid(
            """
            import os

            from mylib import BaseSettings


            class Settings(BaseSettings):
                url: str = os.getenv("URL", "x")
            """,
            line=8,
            message_contains="outside the settings",
        ),
        # Field defaults inside the settings class: fixed.
        Invalid(
            """
            import os

            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                DATABASE_URL: str = os.getenv("DATABASE_URL", "sqlite://")
                port: int = int(os.getenv("PORT", "8000"))
                timeout: float = float(os.environ.get("timeout", default="2.5"))
            """,
            line=8,
            count=3,
            message_contains="Field `DATABASE_URL` of settings class `Settings`",
            expected_fix="""
            import os

            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                DATABASE_URL: str = "sqlite://"
                port: int = 8000
                timeout: float = 2.5
            """,
        ),
        # No default: the field becomes required (a None default already failed validation).
        Invalid(
            """
            import os

            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                secret_key: str = os.getenv("SECRET_KEY")
                api_key: str = os.environ["API_KEY"]
                sentry_dsn: str | None = os.environ.get("SENTRY_DSN")
            """,
            count=3,
            expected_fix="""
            import os

            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                secret_key: str
                api_key: str
                sentry_dsn: str | None = None
            """,
        ),
        # With validate_default=False a missing variable used to leave None: making the field
        # required is unsafe.
        Invalid(
            """
            import os

            from pydantic_settings import BaseSettings, SettingsConfigDict


            class Settings(BaseSettings):
                model_config = SettingsConfigDict(validate_default=False)

                secret_key: str = os.getenv("SECRET_KEY")
            """,
            line=10,
            unsafe_fixes=True,
            expected_fix="""
            import os

            from pydantic_settings import BaseSettings, SettingsConfigDict


            class Settings(BaseSettings):
                model_config = SettingsConfigDict(validate_default=False)

                secret_key: str
            """,
        ),
        Invalid(
            """
            import os

            from pydantic_settings import BaseSettings, SettingsConfigDict


            class Settings(BaseSettings):
                model_config = SettingsConfigDict(validate_default=False)

                secret_key: str = os.getenv("SECRET_KEY")
            """,
            line=10,
        ),
        # env_prefix (case-insensitive by default) decides the variable a field reads.
        Invalid(
            """
            import os

            from pydantic_settings import BaseSettings, SettingsConfigDict


            class Settings(BaseSettings):
                model_config = SettingsConfigDict(env_prefix="APP_")

                db_url: str = os.getenv("APP_DB_URL", "sqlite://")
                name: str = os.getenv("NAME", "app")
            """,
            count=2,
            expected_fix="""
            import os

            from pydantic_settings import BaseSettings, SettingsConfigDict


            class Settings(BaseSettings):
                model_config = SettingsConfigDict(env_prefix="APP_")

                db_url: str = "sqlite://"
                name: str = os.getenv("NAME", "app")
            """,
        ),
        # The prefix comes from a project base class's dict config in another module.
        Invalid(
            """
            import os

            from app.base import Base


            class Settings(Base):
                db_url: str = os.getenv("APP_DB_URL", "sqlite://")
                other: str = os.getenv("OTHER", "x")
            """,
            count=2,
            files={
                "app/__init__.py": "",
                "app/base.py": """
                    from pydantic_settings import BaseSettings


                    class Base(BaseSettings):
                        model_config = {"env_prefix": "app_"}
                """,
            },
            expected_fix="""
            import os

            from app.base import Base


            class Settings(Base):
                db_url: str = "sqlite://"
                other: str = os.getenv("OTHER", "x")
            """,
        ),
        # Names differ: no fix, the message says which variable the field reads.
        Invalid(
            """
            import os

            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                db: str = os.getenv("DATABASE_URL", "sqlite://")
            """,
            line=8,
            message_contains="The field is loaded from `db`, not `DATABASE_URL`",
        ),
        Invalid(
            """
            import os

            from pydantic_settings import BaseSettings


            class Settings(BaseSettings, case_sensitive=True):
                database_url: str = os.getenv("DATABASE_URL", "sqlite://")
            """,
            line=8,
            message_contains="The field is loaded from `database_url`",
        ),
        # Unannotated attributes (pydantic v1) get the type the read implies.
        Invalid(
            """
            import os

            from pydantic import BaseSettings


            class Settings(BaseSettings):
                DATABASE_URL = os.getenv("DATABASE_URL", "sqlite://")
                SENTRY_DSN = os.getenv("SENTRY_DSN")
                API_KEY = os.environ["API_KEY"]
                WORKERS = int(os.getenv("WORKERS", "4"))
            """,
            count=4,
            expected_fix="""
            import os

            from pydantic import BaseSettings


            class Settings(BaseSettings):
                DATABASE_URL: str = "sqlite://"
                SENTRY_DSN: str | None = None
                API_KEY: str
                WORKERS: int = 4
            """,
        ),
        # Field(...) defaults; Field with an alias reads another variable: no fix.
        Invalid(
            """
            import os

            from pydantic import Field
            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                region: str = Field(default=os.getenv("REGION", "eu"), description="Region")
                zone: str | None = Field(os.getenv("ZONE"))
                hosts: list[str] = Field(default_factory=lambda: os.getenv("HOSTS", "a,b").split(","))
                token: str = Field(os.getenv("TOKEN", ""), validation_alias="API_TOKEN")
            """,
            count=4,
            expected_fix="""
            import os

            from pydantic import Field
            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                region: str = Field(default="eu", description="Region")
                zone: str | None = Field(None)
                hosts: list[str] = Field(default_factory=lambda: "a,b".split(","))
                token: str = Field(os.getenv("TOKEN", ""), validation_alias="API_TOKEN")
            """,
        ),
        # Settings chosen or configured outside the settings module.
        Invalid(
            """
            import os

            from app.config import DevSettings, ProdSettings

            settings = ProdSettings(_env_file=os.getenv("ENV_FILE")) if os.getenv("ENV") == "prod" else DevSettings()
            region = os.getenv("REGION")
            """,
            path="app/main.py",
            line=7,
            message_contains="`REGION`",
            files={
                "app/__init__.py": "",
                "app/config.py": """
                    from pydantic_settings import BaseSettings


                    class DevSettings(BaseSettings):
                        debug: bool = True


                    class ProdSettings(DevSettings):
                        debug: bool = False
                """,
            },
        ),
        # Settings sources customised, an alias generator, or an unreadable config: no fix.
        Invalid(
            """
            import os

            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                url: str = os.getenv("URL", "x")

                @classmethod
                def settings_customise_sources(cls, settings_cls, init_settings, *sources):
                    return (init_settings,)
            """,
            line=8,
        ),
        Invalid(
            """
            import os

            from pydantic_settings import BaseSettings

            CONFIG = {"env_prefix": "X_"}


            class Settings(BaseSettings):
                model_config = CONFIG
                url: str = os.getenv("URL", "x")
            """,
            line=11,
        ),
        # A read with a setdefault side effect, or a membership test, is never rewritten.
        Invalid(
            """
            import os

            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                tz: str = os.environ.setdefault("TZ", "UTC")
                debug: bool = "DEBUG" in os.environ
            """,
            line=8,
            count=2,
        ),
        *SETTINGS_FIX_INVALID,
    ]


# -- helpers ---------------------------------------------------------------------------


def _key_and_default(call: cst.Call) -> tuple[cst.BaseExpression | None, cst.BaseExpression | None] | None:
    """The ``key`` and ``default`` arguments of ``getenv``/``get``/``setdefault``; None when
    the arguments cannot be read (``*args``, extra arguments)."""
    key: cst.BaseExpression | None = None
    default: cst.BaseExpression | None = None
    positional = 0
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is None:
            if positional == 0:
                key = arg.value
            elif positional == 1:
                default = arg.value
            else:
                return None
            positional += 1
        elif arg.keyword.value == "key":
            key = arg.value
        elif arg.keyword.value == "default":
            default = arg.value
        else:
            return None
    if isinstance(default, cst.Name) and default.value == "None":
        default = None
    return key, default


def _enclosing_loops(ancestors: list[cst.CSTNode]) -> Iterator[cst.For | cst.CompFor]:
    """``for`` statements and comprehension clauses around the visited node, innermost first."""
    for ancestor in reversed(ancestors):
        if isinstance(ancestor, cst.For):
            yield ancestor
        elif isinstance(ancestor, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
            clause: cst.CompFor | None = ancestor.for_in
            while clause is not None:
                yield clause
                clause = clause.inner_for_in


def _is_store(node: cst.CSTNode, ancestors: list[cst.CSTNode]) -> bool:
    """Whether ``node`` is assigned or deleted (``os.environ["X"] = ...``, ``del``)."""
    child = node
    for parent in reversed(ancestors):
        if isinstance(parent, (cst.Element, cst.StarredElement, cst.Tuple, cst.List)):
            child = parent
            continue
        if isinstance(parent, (cst.AssignTarget, cst.Del)):
            return True
        if isinstance(parent, (cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor)):
            return parent.target is child
        return isinstance(parent, cst.AsName)
    return False


def _module_classes(body: tuple[cst.CSTNode, ...] | list[cst.CSTNode] | object) -> Iterator[cst.ClassDef]:
    """Classes defined at module level, including under ``if``/``try``/``with``."""
    for statement in body:  # type: ignore[attr-defined]
        if isinstance(statement, cst.ClassDef):
            yield statement
        elif isinstance(statement, (cst.If, cst.Try, cst.With)):
            for block in names.sub_blocks(statement):
                yield from _module_classes(block)


def _field_name(statement: cst.Assign | cst.AnnAssign) -> str | None:
    if isinstance(statement, cst.Assign):
        if len(statement.targets) != 1:
            return None
        target = statement.targets[0].target
    else:
        target = statement.target
    if not isinstance(target, cst.Name) or target.value.startswith("_") or target.value == "model_config":
        return None
    return target.value


def _mentions_alias(node: cst.CSTNode | None) -> bool:
    """Whether a ``Field(alias=...)``-like call appears in a field's value or annotation."""
    if node is None:
        return False
    if isinstance(node, cst.Call) and any(
        arg.keyword is not None and arg.keyword.value in _FIELD_ALIAS_KEYWORDS for arg in node.args
    ):
        return True
    return any(_mentions_alias(child) for child in node.children)


def _admits_none(annotation: cst.BaseExpression | None, resolve: Callable[[cst.CSTNode], str | None]) -> bool | None:
    """True when the annotation accepts None, False when it certainly does not, None when unknown."""
    if annotation is None:
        return None
    if isinstance(annotation, cst.Name) and annotation.value == "None":
        return True
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        return _either(_admits_none(annotation.left, resolve), _admits_none(annotation.right, resolve))
    if isinstance(annotation, cst.Subscript):
        head = resolve(annotation.value) or ""
        elements = [element.slice.value for element in annotation.slice if isinstance(element.slice, cst.Index)]
        short = head.rsplit(".", 1)[-1]
        if not head.startswith(("typing.", "typing_extensions.")):
            return False if head.split(".", 1)[0] in _NON_NONE_MODULES else None
        if short == "Optional":
            return True
        if short == "Union":
            result: bool | None = False
            for element in elements:
                result = _either(result, _admits_none(element, resolve))
            return result
        if short == "Annotated" and elements:
            return _admits_none(elements[0], resolve)
        if short == "Literal":
            return any(isinstance(element, cst.Name) and element.value == "None" for element in elements)
        return False if short in ("List", "Dict", "Set", "Tuple", "FrozenSet") else None
    qualname = resolve(annotation)
    if qualname is None:
        return None
    if qualname in ("typing.Any", "typing_extensions.Any", "builtins.object"):
        return True
    return False if qualname.split(".", 1)[0] in _NON_NONE_MODULES else None


def _either(left: bool | None, right: bool | None) -> bool | None:
    if left is True or right is True:
        return True
    if left is None or right is None:
        return None
    return False


_INTEGER = re.compile(r"[0-9]+")
_FLOAT = re.compile(r"[0-9]+\.[0-9]+")


def _fold_conversion(converter: str | None, default: cst.BaseExpression) -> cst.BaseExpression | None:
    """``int("8000")`` as ``8000``: the literal the conversion of a string default gives."""
    if not isinstance(default, cst.SimpleString) or not isinstance(default.evaluated_value, str):
        return None
    text = default.evaluated_value
    if converter == "builtins.int" and _INTEGER.fullmatch(text):
        return cst.Integer(str(int(text)))
    if converter == "builtins.float" and _FLOAT.fullmatch(text):
        return cst.Float(repr(float(text)))
    if converter == "builtins.str":
        return default
    return None


def _literal_type(value: cst.BaseExpression) -> str | None:
    if isinstance(value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        if isinstance(value, cst.SimpleString) and not isinstance(value.evaluated_value, str):
            return None
        return "str"
    if isinstance(value, cst.Integer):
        return "int"
    if isinstance(value, cst.Float):
        return "float"
    return None


def _annotated(statement: cst.Assign, annotation: str, value: cst.BaseExpression | None) -> cst.AnnAssign:
    target = statement.targets[0].target
    return cst.AnnAssign(
        target=target,
        annotation=cst.Annotation(cst.parse_expression(annotation)),
        value=value,
        semicolon=statement.semicolon,
    )


def _own_config(cls: cst.ClassDef) -> tuple[dict[str, object], set[str]] | None:
    """A class's own settings configuration (class keywords, ``model_config``, ``class
    Config``) as literal values, and its methods; None when ``model_config`` cannot be read."""
    values: dict[str, object] = {
        arg.keyword.value: literal_value(arg.value) for arg in cls.keywords if arg.keyword is not None
    }
    methods: set[str] = set()
    body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
    for statement in body:
        if isinstance(statement, cst.FunctionDef):
            methods.add(statement.name.value)
        elif isinstance(statement, cst.ClassDef) and statement.name.value == "Config":
            values.update(_config_class(statement, methods))
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                config = _model_config(small)
                if config is None:
                    return None
                values.update(config)
    return values, methods


def _config_class(config: cst.ClassDef, methods: set[str]) -> dict[str, object]:
    """The settings of a pydantic v1 ``class Config:`` (any non-literal value is UNKNOWN)."""
    values: dict[str, object] = {}
    body = config.body.body if isinstance(config.body, cst.IndentedBlock) else ()
    for statement in body:
        if isinstance(statement, cst.FunctionDef):
            methods.add(f"Config.{statement.name.value}")
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    for target in small.targets:
                        if isinstance(target.target, cst.Name):
                            values[target.target.value] = literal_value(small.value)
                elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value is not None:
                    values[small.target.value] = literal_value(small.value)
    return values


def _model_config(small: cst.BaseSmallStatement) -> dict[str, object] | None:
    """The literal values of ``model_config = ...``; {} for other statements, None when unreadable."""
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target: cst.BaseExpression = small.targets[0].target
        value: cst.BaseExpression | None = small.value
    elif isinstance(small, cst.AnnAssign):
        target, value = small.target, small.value
    else:
        return {}
    if not (isinstance(target, cst.Name) and target.value == "model_config"):
        return {}
    if isinstance(value, cst.Call):
        if any(arg.keyword is None for arg in value.args):
            return None
        return {arg.keyword.value: literal_value(arg.value) for arg in value.args if arg.keyword is not None}
    if isinstance(value, cst.Dict):
        config: dict[str, object] = {}
        for element in value.elements:
            if not isinstance(element, cst.DictElement) or not isinstance(element.key, cst.SimpleString):
                return None
            key = element.key.evaluated_value
            if not isinstance(key, str):
                return None
            config[key] = literal_value(element.value)
        return config
    return None


def _parsed_module(index: ProjectIndex, module: str) -> tuple[cst.Module, names.Scope] | None:
    cache = _project_cache(index).modules
    # Through the index, each time: the file asking depends on the module's whole text,
    # recorded for the cache (the tree is parsed once per run).
    source = index.source(module)
    if module not in cache:
        cache[module] = None
        tree = parse_module(source.text) if source is not None else None
        if isinstance(tree, cst.Module):
            scope = names.scan_module_bindings(tree, module, module in index.packages)
            cache[module] = (tree, scope)
    return cache[module]


def _settings_classes(index: ProjectIndex, bases: frozenset[str]) -> tuple[_SettingsClass, ...]:
    """The project's settings classes, best pointer first; scanned once per run (what the
    scan read is recorded, for the cache, for every file asking)."""
    return index.remember(("settings-classes", bases), lambda: _scan_settings_classes(index, bases))


def _scan_settings_classes(index: ProjectIndex, bases: frozenset[str]) -> tuple[_SettingsClass, ...]:
    # Only modules that mention a settings base (or a class found to derive from one) are
    # summarised: deriving from a class requires naming it.
    wanted = {base.rsplit(".", 1)[-1] for base in bases}
    pending = dict.fromkeys(sorted(index.all_modules()))
    found: dict[str, tuple[str, ClassSummary]] = {}
    while True:
        new_names: set[str] = set()
        mentioning = set(index.modules_mentioning(tuple(sorted(wanted))))
        for module in list(pending):
            if module not in mentioning:
                continue
            del pending[module]
            summary = index.summary(module)
            if summary is None:
                continue
            for cls in summary.classes.values():
                qualname = f"{module}.{cls.name}"
                if qualname not in found and index.is_subclass(qualname, bases):
                    found[qualname] = (module, cls)
                    new_names.add(cls.name)
        if not new_names - wanted:
            break
        wanted |= new_names
    return _rank(index, found)


def _rank(index: ProjectIndex, found: dict[str, tuple[str, ClassSummary]]) -> tuple[_SettingsClass, ...]:
    used_as_base = {index.canonical(base) for _, cls in found.values() for base in cls.bases}
    classes = []
    for qualname, (module, cls) in found.items():
        summary = index.summary(module)
        assert summary is not None
        config = dict(cls.config)
        prefix = config.get("env_prefix", "")
        case_sensitive = config.get("case_sensitive", False)
        classes.append(
            _SettingsClass(
                qualname,
                cls.name,
                f"{summary.path}:{cls.line}",
                summary.path,
                cls.fields,
                prefix if isinstance(prefix, str) else "",
                case_sensitive if isinstance(case_sensitive, bool) else False,
                qualname in used_as_base,
            )
        )

    def rank(candidate: _SettingsClass) -> tuple[bool, bool, bool, str]:
        parts = candidate.path.split("/")
        in_tests = any(part in ("tests", "test") or part.startswith("test_") for part in parts)
        named_config = parts[-1] in ("config.py", "settings.py", "conf.py")
        return (in_tests, candidate.is_base, not named_config, candidate.location)

    return tuple(sorted(classes, key=rank))
