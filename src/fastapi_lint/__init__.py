"""fastapi-lint: a static-analysis linter with autofixes for FastAPI codebases.

The Python API (see ``fastapi_lint.api``): ``check_paths(paths, config=None)`` and
``check_source(source, path=...)`` return ``Diagnostic`` records.
"""

from __future__ import annotations

import importlib

# Not ``typing.TYPE_CHECKING``: importing typing would cost the console script's start-up.
TYPE_CHECKING = False

__version__ = "0.1.0"

# Loaded on first use: the console script imports this package for ``__version__``,
# and a run that parses nothing must not pay for the engine (nor for LibCST).
_EXPORTS = {
    "check_paths": "fastapi_lint.api",
    "check_source": "fastapi_lint.api",
    "CheckError": "fastapi_lint.api",
    "ConfigError": "fastapi_lint.linter.config",
    "Settings": "fastapi_lint.linter.config",
    "Diagnostic": "fastapi_lint.linter.diagnostics",
    "Edit": "fastapi_lint.linter.diagnostics",
    "Fix": "fastapi_lint.linter.diagnostics",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:
    from typing import Any

    from fastapi_lint.api import CheckError, check_paths, check_source
    from fastapi_lint.linter.config import ConfigError, Settings
    from fastapi_lint.linter.diagnostics import Diagnostic, Edit, Fix


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'fastapi_lint' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
