"""What a rule is: a small class with its documentation, message, options, checks and cases."""

from __future__ import annotations

import inspect
import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Mapping, Sequence

from fastapi_lint.linter.diagnostics import Applicability, Edit, Fix

if TYPE_CHECKING:
    import libcst as cst

    from fastapi_lint.linter.ast_summary import CallCensus
    from fastapi_lint.linter.context import FileContext
    from fastapi_lint.linter.index import ProjectIndex


@dataclass(frozen=True)
class Option:
    """A per-rule option, set under ``[tool.fastapi-lint.rules.CODE]``."""

    type: type | tuple[type, ...]
    default: Any
    description: str
    # For list options: the type of each item.
    item_type: type | None = None
    # The values allowed, when the option is one of a few words.
    choices: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class NodeEdit:
    """Replace ``node`` (with the whitespace it owns) by new code.

    ``replacement`` is a node, rendered with the module's own formatting defaults,
    or source text.
    """

    node: "cst.CSTNode"
    replacement: "cst.CSTNode | str"


@dataclass(frozen=True)
class FixSpec:
    applicability: Applicability
    message: str
    node_edits: Sequence[NodeEdit] = ()
    # Edits that do not map to one node of this file (another file, an insertion).
    edits: Sequence[Edit] = ()


@dataclass(frozen=True)
class Valid:
    """Code the rule must not flag.

    ``files`` adds other modules of the project (path -> source);
    ``path`` is where ``code`` lives in the project.
    """

    code: str
    path: str = "app/module.py"
    files: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Invalid:
    """Code the rule must flag, on ``line`` (the first finding's line when given).

    ``expected_fix`` is the module after applying every fix (safe ones, plus unsafe
    ones when ``unsafe_fixes``); None when the rule offers no fix here.
    ``expected_files`` are the other files of the project after those fixes (path ->
    text; None: the file no longer exists), for fixes that touch several files.
    """

    code: str
    line: int | None = None
    expected_fix: str | None = None
    unsafe_fixes: bool = False
    message_contains: str | None = None
    count: int = 1
    path: str = "app/module.py"
    files: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)
    expected_files: Mapping[str, str | None] = field(default_factory=dict)


class _Documented:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    # "safe", "unsafe" or None: the best fix the rule can offer.
    fix_availability: ClassVar[str | None] = None
    options: ClassVar[Mapping[str, Option]] = {}
    VALID: ClassVar[Sequence[Valid]] = ()
    INVALID: ClassVar[Sequence[Invalid]] = ()

    @classmethod
    def documentation(cls) -> str:
        return textwrap.dedent(inspect.getdoc(cls) or "").strip()

    @classmethod
    def option_defaults(cls) -> dict[str, Any]:
        return {name: option.default for name, option in cls.options.items()}


class Rule(_Documented):
    """Base class of the rules that look inside one module at a time.

    A subclass sets the class attributes, defines ``visit_<Node>`` /
    ``leave_<Node>`` methods (LibCST node class names) and calls ``self.report``.
    Its docstring is its documentation, in the sections *What it does*, *Why is
    this bad?*, *Example*, *Use instead*, *Fix safety*, *Options*.
    """

    # Substrings without which the rule cannot fire; a file containing none of
    # the active rules' triggers is not parsed.  Empty: always run.
    triggers: ClassVar[tuple[str, ...]] = ()
    # True when the triggers can only matter in code: a file whose triggers all sit in
    # comments and (non-f) string literals is not parsed for this rule either.
    triggers_in_code: ClassVar[bool] = False
    # True when ``may_fire`` can tell from a module's call census (CPython's ``ast``,
    # several times cheaper than LibCST's parse) that the rule cannot fire there.
    surveys_calls: ClassVar[bool] = False

    def __init__(self, context: FileContext, settings: Mapping[str, Any]) -> None:
        self.context = context
        self.settings = settings

    @classmethod
    def may_fire(cls, census: "CallCensus", index: ProjectIndex) -> bool:
        """False only when no call of the module (``census``) can be one the rule
        reports: the module is then not parsed for this rule. Must never be False
        where a traversal would report something."""
        return True

    def report(self, node: "cst.CSTNode", message: str, fix: FixSpec | None = None) -> None:
        self.context.report(self, node, message, fix)


@dataclass(frozen=True)
class ProjectFinding:
    path: str
    message: str
    line: int = 1
    column: int = 1
    # Edits name files by absolute path (see ``fastapi_lint.linter.project_edits``).
    fix: Fix | None = None


class ProjectRule(_Documented):
    """Base class of the rules that judge the project as a whole (its layout)."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = settings

    def check_project(self, index: ProjectIndex) -> Iterable[ProjectFinding]:
        raise NotImplementedError


AnyRule = type[Rule] | type[ProjectRule]
