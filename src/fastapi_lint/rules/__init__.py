"""The rules, one module each, named after the pattern they flag."""

from __future__ import annotations

from fastapi_lint.linter.lazy import import_lazily

# Before the rule modules ``import libcst``: a run that parses nothing never loads it.
import_lazily("libcst")

from fastapi_lint.linter.rule import ProjectRule, Rule  # noqa: E402
from fastapi_lint.rules.env_read_outside_settings import EnvReadOutsideSettings  # noqa: E402
from fastapi_lint.rules.global_session import GlobalSession  # noqa: E402
from fastapi_lint.rules.heavy_background_task import HeavyBackgroundTask  # noqa: E402
from fastapi_lint.rules.layer_based_layout import LayerBasedLayout  # noqa: E402
from fastapi_lint.rules.missing_expire_on_commit import MissingExpireOnCommit  # noqa: E402
from fastapi_lint.rules.syntax_error import SyntaxErrorInFile  # noqa: E402
from fastapi_lint.rules.unmanaged_session import UnmanagedSession  # noqa: E402
from fastapi_lint.rules.unused_noqa import UnusedNoqa  # noqa: E402

ALL_RULES: tuple[type[Rule] | type[ProjectRule], ...] = (
    LayerBasedLayout,
    EnvReadOutsideSettings,
    GlobalSession,
    MissingExpireOnCommit,
    UnmanagedSession,
    HeavyBackgroundTask,
)

# Every code a user can select or read about: the engine's own FAPI000 and FAPI100, and the rules.
DOCUMENTED_RULES: tuple[type[Rule] | type[ProjectRule], ...] = (SyntaxErrorInFile, UnusedNoqa, *ALL_RULES)
