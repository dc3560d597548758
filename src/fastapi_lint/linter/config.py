"""``[tool.fastapi-lint]`` in pyproject.toml: loading, validating (all problems at once), selecting rules."""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from fastapi_lint.linter import observe
from fastapi_lint.linter.rule import Option

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

SECTION = "fastapi-lint"


class ConfigError(Exception):
    """Configuration problems, all of them, each with where it is."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass
class Settings:
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] | None = None
    extend_exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    respect_gitignore: bool = True
    baseline: Path | None = None
    # Where the configuration came from; relative globs are relative to its directory.
    config_path: Path | None = None
    base_directory: Path = field(default_factory=Path.cwd)


_LIST_KEYS = ("select", "extend-select", "ignore", "exclude", "extend-exclude")
_CODE_KEYS = ("select", "extend-select", "ignore")
KNOWN_KEYS = (*_LIST_KEYS, "per-file-ignores", "rules", "respect-gitignore", "baseline")


def find_config(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start`` with a ``[tool.fastapi-lint]`` table.

    A pyproject.toml that is not valid TOML is returned too, so that the error is reported.
    """
    start = start.resolve()
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if observe.is_file(candidate):
            try:
                data = tomllib.loads(_read_text(candidate))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
                return candidate
            if SECTION in data.get("tool", {}):
                return candidate
    return None


def _read_text(path: Path) -> str:
    """``path.read_text(encoding="utf-8")``, observed (see ``linter/observe.py``)."""
    raw = path.read_bytes()
    observe.read(path, raw)
    return io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8").read()


def load_settings(path: Path | None, rules: Iterable[Any], known_codes: Iterable[str]) -> Settings:
    """Read and validate the configuration; raise ConfigError listing every problem."""
    if path is None:
        return Settings()
    location = str(path)
    try:
        text = _read_text(path)
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([f"{location}: cannot read: {error}"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"{location}: not valid TOML: {error}"]) from None
    table = data.get("tool", {}).get(SECTION, {})
    return parse_settings(table, location, rules, known_codes, path)


def parse_settings(
    table: Mapping[str, Any], location: str, rules: Iterable[Any], known_codes: Iterable[str], path: Path | None = None
) -> Settings:
    problems: list[str] = []
    where = f"{location}: [tool.{SECTION}]"
    settings = Settings(config_path=path, base_directory=path.parent if path else Path.cwd())
    codes = list(known_codes)
    rules_by_code = {rule.code: rule for rule in rules}
    if not isinstance(table, Mapping):
        raise ConfigError([f"{where}: must be a table"])

    for key, value in table.items():
        if key not in KNOWN_KEYS:
            problems.append(f"{where}: unknown option '{key}' (known: {', '.join(KNOWN_KEYS)})")
            continue
        if key in _LIST_KEYS:
            if not _is_list_of_str(value):
                problems.append(f"{where}.{key}: expected a list of strings, got {_type_name(value)}")
                continue
            if key in _CODE_KEYS:
                problems.extend(f"{where}.{key}: {problem}" for problem in check_selectors(value, codes))
            setattr(settings, key.replace("-", "_"), list(value))
        elif key == "respect-gitignore":
            if not isinstance(value, bool):
                problems.append(f"{where}.{key}: expected a boolean, got {_type_name(value)}")
            else:
                settings.respect_gitignore = value
        elif key == "baseline":
            if not isinstance(value, str):
                problems.append(f"{where}.{key}: expected a string (a path), got {_type_name(value)}")
            else:
                settings.baseline = (path.parent if path else Path.cwd()) / value
        elif key == "per-file-ignores":
            if not isinstance(value, Mapping):
                problems.append(f"{where}.{key}: expected a table of glob = [codes], got {_type_name(value)}")
                continue
            for glob, selectors in value.items():
                if not _is_list_of_str(selectors):
                    problems.append(f"{where}.{key}.\"{glob}\": expected a list of strings, got {_type_name(selectors)}")
                    continue
                problems.extend(f"{where}.{key}.\"{glob}\": {problem}" for problem in check_selectors(selectors, codes))
                settings.per_file_ignores[glob] = list(selectors)
        elif key == "rules":
            if not isinstance(value, Mapping):
                problems.append(f"{where}.rules: expected a table of rule codes, got {_type_name(value)}")
                continue
            for code, options in value.items():
                rule = rules_by_code.get(code)
                if rule is None:
                    problems.append(f"{where}.rules.{code}: unknown rule code '{code}'")
                    continue
                if not isinstance(options, Mapping):
                    problems.append(f"{where}.rules.{code}: expected a table of options, got {_type_name(options)}")
                    continue
                parsed, option_problems = check_rule_options(rule, options)
                problems.extend(f"{where}.rules.{code}.{problem}" for problem in option_problems)
                settings.rule_options[code] = parsed
    if problems:
        raise ConfigError(problems)
    return settings


def check_rule_options(rule: Any, options: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    known: Mapping[str, Option] = rule.options
    problems: list[str] = []
    parsed: dict[str, Any] = {}
    for name, value in options.items():
        option = known.get(name)
        if option is None:
            choices = ", ".join(known) or "none"
            problems.append(f"{name}: unknown option for {rule.code} (known: {choices})")
            continue
        if isinstance(option.type, type) and option.type is bool and not isinstance(value, bool):
            problems.append(f"{name}: expected a boolean, got {_type_name(value)}")
        elif not isinstance(value, option.type) or (option.type is not bool and isinstance(value, bool)):
            problems.append(f"{name}: expected {_expected(option.type)}, got {_type_name(value)}")
        elif option.item_type is not None and not all(isinstance(item, option.item_type) for item in value):
            problems.append(f"{name}: expected a list of {option.item_type.__name__}, got {value!r}")
        elif option.choices is not None and value not in option.choices:
            problems.append(f"{name}: expected one of {', '.join(map(repr, option.choices))}, got {value!r}")
        else:
            parsed[name] = value
    return parsed, problems


def check_selectors(selectors: Iterable[str], codes: Sequence[str]) -> list[str]:
    return [f"unknown rule code or prefix '{selector}'" for selector in selectors if not matching_codes(selector, codes)]


def matching_codes(selector: str, codes: Sequence[str]) -> list[str]:
    selector = selector.strip().upper()
    if selector == "ALL":
        return list(codes)
    return [code for code in codes if code.startswith(selector)] if selector else []


def select_codes(codes: Sequence[str], select: Sequence[str] | None, extend_select: Sequence[str], ignore: Sequence[str]) -> set[str]:
    """Ruff's selection: ``select`` (default all) plus ``extend-select``, minus ``ignore``;
    a more specific selector wins over a less specific one."""
    chosen: dict[str, int] = {}
    for selector in [*(select if select is not None else ["ALL"]), *extend_select]:
        for code in matching_codes(selector, codes):
            chosen[code] = max(chosen.get(code, -1), _specificity(selector))
    selected = set(chosen)
    for selector in ignore:
        for code in matching_codes(selector, codes):
            if code in selected and _specificity(selector) >= chosen[code]:
                selected.discard(code)
    return selected


def _specificity(selector: str) -> int:
    return 0 if selector.strip().upper() == "ALL" else len(selector.strip())


def _is_list_of_str(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _type_name(value: object) -> str:
    return {bool: "a boolean", int: "an integer", float: "a float", str: "a string", list: "a list", dict: "a table"}.get(
        type(value), type(value).__name__
    ) + (f" ({value!r})" if not isinstance(value, (list, dict)) else "")


def _expected(kind: type | tuple[type, ...]) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list", dict: "a table"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(item, item.__name__) for item in kinds)
