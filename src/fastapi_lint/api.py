"""The Python API, for editors and other tools: lint paths, or one module's text.

    >>> import fastapi_lint
    >>> for diagnostic in fastapi_lint.check_paths(["app"]):
    ...     print(diagnostic.path, diagnostic.line, diagnostic.code, diagnostic.message)

Both functions see the whole project, as the command line does: a module is linted
with the index of the project it belongs to (the nearest ``pyproject.toml``).
"""

from __future__ import annotations

import errno
import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence, Union

from fastapi_lint.linter.config import ConfigError, Settings, find_config, load_settings, parse_settings, select_codes
from fastapi_lint.linter.diagnostics import Diagnostic, Edit, Fix
from fastapi_lint.linter.engine import Engine, RunResult, all_codes, display_path
from fastapi_lint.linter.engine import check_source as _engine_check_source
from fastapi_lint.linter.source import SourceError
from fastapi_lint.rules import ALL_RULES

__all__ = ["CheckError", "ConfigError", "Diagnostic", "Edit", "Fix", "Settings", "check_paths", "check_source"]

StrPath = Union[str, "os.PathLike[str]"]
# A ``Settings``, a mapping shaped like ``[tool.fastapi-lint]``, or None for the
# nearest pyproject.toml.
Config = Union[Settings, Mapping[str, Any], None]

# How a mapping given as ``config`` is named in configuration errors.
_MAPPING_LOCATION = "config"


class CheckError(Exception):
    """Some files could not be linted (unreadable, undecodable) or a rule failed on them.

    ``problems`` says what went wrong, one line each; ``diagnostics`` holds the
    findings in the files that could be linted.
    """

    def __init__(self, problems: Sequence[str], diagnostics: Sequence[Diagnostic]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)
        self.diagnostics = list(diagnostics)


def check_paths(paths: StrPath | Iterable[StrPath], config: Config = None) -> list[Diagnostic]:
    """Lint the Python files at ``paths`` (files and directories) and return the findings.

    ``config`` is a ``Settings``, a mapping shaped like ``[tool.fastapi-lint]``
    (validated: a ``ConfigError`` lists every problem), or None to read, for each
    path, the nearest ``pyproject.toml`` with a ``[tool.fastapi-lint]`` table.
    Directories are walked with the configured exclusions; a file named explicitly
    is always linted. Findings are sorted by path and position; their paths are
    relative to the current directory when under it. No file is changed.

    Raises ``FileNotFoundError`` for a path that does not exist, and ``CheckError``
    when a file cannot be read or a rule fails (its ``diagnostics`` holds the rest).
    """
    targets = _as_paths(paths)
    for target in targets:
        if not target.exists():
            raise FileNotFoundError(errno.ENOENT, "no such file or directory", os.fspath(target))
    groups = _group_by_settings(targets, config)
    diagnostics: list[Diagnostic] = []
    problems: list[str] = []
    for settings, group in groups:
        result = Engine(settings).run(group)
        diagnostics.extend(result.diagnostics)
        problems.extend(_problems(result))
    diagnostics.sort(key=lambda diagnostic: diagnostic.sort_key)
    if problems:
        raise CheckError(problems, diagnostics)
    return diagnostics


def check_source(source: str, *, path: StrPath, config: Config = None) -> list[Diagnostic]:
    """Lint ``source`` as if it were the content of the file at ``path``.

    The file need not exist, nor be saved: the rest of ``path``'s project is read
    from disk (names imported from other modules resolve), and ``source`` stands
    for the module at ``path``. ``config`` is as for ``check_paths``; None reads the
    nearest ``pyproject.toml`` above ``path``. Project-level rules (the layout
    rule, FAPI101) judge a whole project and do not run here. Findings in this
    module carry ``path`` as given; fix edits are positions in ``source``.

    Raises ``ValueError`` when ``source`` cannot be a Python module (a null byte).
    """
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, not {type(source).__name__}")
    target = Path(path)
    settings = _settings(config) if config is not None else _nearest_settings(target.absolute().parent)
    try:
        diagnostics = _engine_check_source(source, target, settings)
    except SourceError as error:
        raise ValueError(f"{os.fspath(path)}: {error}") from None
    # The engine reports a syntax error (FAPI000) even when it is not selected.
    selected = select_codes(all_codes(), settings.select, settings.extend_select, settings.ignore)
    return [_shown_from(diagnostic, target, os.fspath(path)) for diagnostic in diagnostics if diagnostic.code in selected]


def _as_paths(paths: StrPath | Iterable[StrPath]) -> list[Path]:
    # A lone string is a path, not an iterable of one-letter paths.
    if isinstance(paths, (str, os.PathLike)):
        return [Path(paths)]
    return [Path(path) for path in paths]


def _settings(config: Settings | Mapping[str, Any]) -> Settings:
    if isinstance(config, Settings):
        return config
    if isinstance(config, Mapping):
        return parse_settings(config, _MAPPING_LOCATION, ALL_RULES, all_codes())
    raise TypeError(f"config must be a Settings, a mapping or None, not {type(config).__name__}")


def _nearest_settings(directory: Path) -> Settings:
    return load_settings(find_config(directory), ALL_RULES, all_codes())


def _group_by_settings(targets: list[Path], config: Config) -> list[tuple[Settings, list[Path]]]:
    """One group per configuration: paths of two projects may each have their own."""
    if config is not None:
        return [(_settings(config), targets)]
    by_config: dict[Path | None, list[Path]] = {}
    for target in targets:
        start = target if target.is_dir() else target.parent
        by_config.setdefault(find_config(start.absolute()), []).append(target)
    return [(load_settings(config_path, ALL_RULES, all_codes()), group) for config_path, group in by_config.items()]


def _problems(result: RunResult) -> list[str]:
    return [
        *(f"{error.path}: {error.message}" for error in result.errors),
        *(f"{error.path}: internal error in rule {error.rule}: {error.message}" for error in result.internal_errors),
    ]


def _shown_from(diagnostic: Diagnostic, target: Path, given: str) -> Diagnostic:
    """Re-express the paths of ``engine.check_source`` (relative to the file's folder)
    as the caller's: the linted module as given, other files relative to the current directory."""
    # As the engine does: its paths are relative to the resolved folder.
    linted = target.resolve()

    def shown(path: str) -> str:
        absolute = Path(os.path.normpath(linted.parent / path))
        return given if absolute == linted else display_path(absolute, Path.cwd().resolve())

    fix = diagnostic.fix
    if fix is not None:
        fix = replace(fix, edits=tuple(replace(edit, path=shown(edit.path)) for edit in fix.edits))
    return replace(diagnostic, path=shown(diagnostic.path), fix=fix)
