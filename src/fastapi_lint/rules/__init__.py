"""The rules, one module each, named after the pattern they flag."""

from __future__ import annotations

from fastapi_lint.linter.rule import ProjectRule, Rule
from fastapi_lint.rules.env_read_outside_settings import EnvReadOutsideSettings
from fastapi_lint.rules.global_session import GlobalSession
from fastapi_lint.rules.heavy_background_task import HeavyBackgroundTask
from fastapi_lint.rules.layer_based_layout import LayerBasedLayout
from fastapi_lint.rules.missing_expire_on_commit import MissingExpireOnCommit
from fastapi_lint.rules.syntax_error import SyntaxErrorInFile
from fastapi_lint.rules.unmanaged_session import UnmanagedSession

ALL_RULES: tuple[type[Rule] | type[ProjectRule], ...] = (
    LayerBasedLayout,
    EnvReadOutsideSettings,
    GlobalSession,
    MissingExpireOnCommit,
    UnmanagedSession,
    HeavyBackgroundTask,
)

# Every code a user can select or read about: the engine's own FAPI000 and the rules.
DOCUMENTED_RULES: tuple[type[Rule] | type[ProjectRule], ...] = (SyntaxErrorInFile, *ALL_RULES)
