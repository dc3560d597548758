"""The rules, one module each, named after the pattern they flag."""

from __future__ import annotations

from fastapi_lint.linter.rule import ProjectRule, Rule

ALL_RULES: tuple[type[Rule] | type[ProjectRule], ...] = ()
