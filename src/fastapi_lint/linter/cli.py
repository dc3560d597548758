"""The command line: ``fastapi-lint check`` and ``fastapi-lint rule``, after ruff's conventions.

Exit codes: 0 nothing left to report, 1 findings remain (or a file could not be
read), 2 usage, configuration or internal error.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Sequence

import click

from fastapi_lint import __version__
from fastapi_lint.linter import observe

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

# "text" is the name 0.1 gave the default format; it is "full".
OUTPUT_FORMATS = ["full", "concise", "text", "json", "json-lines", "github", "gitlab", "junit", "sarif"]


def _split(values: Sequence[str]) -> list[str]:
    """``--select A,B --select C`` gives [A, B, C]."""
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def _color_enabled(stream: Any) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def _echo(message: str = "", err: bool = False, nl: bool = True, color: bool | None = None) -> None:
    """``click.echo``, and what it printed noted for the run record (``linter/replay.py``)."""
    click.echo(message, err=err, nl=nl, color=color)
    observe.printed(2 if err else 1, message + ("\n" if nl else ""))


def _fail(problems: Sequence[str], title: str) -> None:
    _echo(f"error: {title}", err=True)
    for problem in problems:
        _echo(f"  {problem}", err=True)
    sys.exit(EXIT_ERROR)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="fastapi-lint")
def main() -> None:
    """fastapi-lint: check a FastAPI project against practices that hold up in production."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--fix", is_flag=True, help="Apply safe fixes.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply (or count) unsafe fixes.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; write nothing.")
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable (replaces the configured set).")
@click.option("--extend-select", multiple=True, help="Rule codes or prefixes to enable in addition.")
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable.")
@click.option("--exclude", multiple=True, help="Globs of files to exclude (replaces the defaults).")
@click.option("--extend-exclude", multiple=True, help="Globs of files to exclude in addition.")
@click.option("--force-exclude", is_flag=True, help="Apply exclusions to files named on the command line too.")
@click.option(
    "--output-format",
    type=click.Choice(OUTPUT_FORMATS),
    default="full",
    show_default=True,
    help="How to report findings (text is full).",
)
@click.option("--output-file", type=click.Path(path_type=Path), help="Write the report to this file instead of stdout.")
@click.option("--exit-zero", is_flag=True, help="Exit with 0 even when findings remain.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule.")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="pyproject.toml to read instead of the nearest one.")
@click.option("--add-noqa", is_flag=True, help="Add `# noqa: CODE` comments for every current finding.")
@click.option("--baseline", "baseline_path", type=click.Path(path_type=Path), help="Report only findings not recorded in this baseline file.")
@click.option("--write-baseline", type=click.Path(path_type=Path), help="Record the current findings in this baseline file.")
@click.option("--diff-base", "--since", "diff_base", metavar="REV", help="Report only findings on lines changed since this git revision.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Where to keep the cache (default: .fastapi_lint_cache).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: the number of CPUs).")
def check(
    paths: tuple[Path, ...],
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    extend_exclude: tuple[str, ...],
    force_exclude: bool,
    output_format: str,
    exit_zero: bool,
    statistics: bool,
    config_path: Path | None,
    output_file: Path | None = None,
    add_noqa: bool = False,
    baseline_path: Path | None = None,
    write_baseline: Path | None = None,
    diff_base: str | None = None,
    no_cache: bool = False,
    cache_dir: Path | None = None,
    jobs: int | None = None,
) -> None:
    """Lint PATHS (default: the current directory)."""
    from fastapi_lint.linter.config import ConfigError, check_selectors, find_config, load_settings
    from fastapi_lint.linter.engine import Engine, RunOptions, all_codes
    from fastapi_lint.rules import ALL_RULES

    try:
        cwd = Path.cwd()
    except OSError as error:
        _fail([f"{error.strerror or error} (was it deleted?)"], "cannot read the working directory")
    if config_path is not None and not config_path.is_file():
        _fail([f"{config_path}: no such file"], "invalid configuration")
    try:
        settings = load_settings(config_path or find_config(cwd), ALL_RULES, all_codes())
    except ConfigError as error:
        _fail(error.problems, "invalid configuration")
    problems = []
    for flag, values in (("--select", select), ("--extend-select", extend_select), ("--ignore", ignore)):
        problems.extend(f"{flag}: {problem}" for problem in check_selectors(_split(values), all_codes()))
    if problems:
        _fail(problems, "invalid arguments")
    if select:
        settings.select = _split(select)
    settings.extend_select += _split(extend_select)
    settings.ignore += _split(ignore)
    if exclude:
        settings.exclude = _split(exclude)
    settings.extend_exclude += _split(extend_exclude)

    changed = None
    if diff_base is not None:
        from fastapi_lint.linter.changes import ChangesError, changed_lines

        try:
            changed = changed_lines(diff_base, cwd)
        except ChangesError as error:
            _fail([str(error)], "cannot compute changed lines")
    baseline_path = baseline_path or settings.baseline
    options = RunOptions(
        fix=fix and not diff,
        unsafe_fixes=unsafe_fixes,
        diff=diff,
        force_exclude=force_exclude,
        add_noqa=add_noqa,
        use_cache=not no_cache,
        cache_dir=cache_dir,
        jobs=jobs,
        fixes_as_data=output_format in ("json", "json-lines", "sarif"),
    )
    roots = list(paths) or [Path(".")]
    engine = Engine(settings, options)
    result = engine.run(roots)

    for error in result.errors:
        _echo(f"error: {error.path}: {error.message}", err=True)
    for internal in result.internal_errors:
        _echo(f"error: internal error while linting {internal.path} (rule {internal.rule}): {internal.message}", err=True)

    # Baselines see every finding, before the changed-lines filter: otherwise the
    # findings on untouched lines would count as fixed (stale) and be pruned.
    if write_baseline is not None:
        from fastapi_lint.linter.baseline import BaselineError, Scope, write_baseline_file

        try:
            count = write_baseline_file(write_baseline, result, cwd, Scope.of(roots, engine.selected, cwd))
        except BaselineError as error:
            _fail([str(error)], "cannot write the baseline")
        _echo(f"Wrote {count} finding{'s' if count != 1 else ''} to {write_baseline}.", err=True)
        sys.exit(EXIT_ERROR if result.internal_errors else EXIT_CLEAN)
    if baseline_path is not None:
        from fastapi_lint.linter.baseline import BaselineError, Scope, apply_baseline

        try:
            stale = apply_baseline(baseline_path, result, cwd, Scope.of(roots, engine.selected, cwd))
        except BaselineError as error:
            _fail([str(error)], "invalid baseline")
        for entry in stale:
            _echo(f"warning: stale baseline entry (fixed?): {entry}", err=True)
    if changed is not None:
        from fastapi_lint.linter.changes import keep_changed

        keep_changed(result, changed, cwd)

    if add_noqa:
        count = result.noqa_added
        _echo(f"Added {count} noqa comment{'s' if count != 1 else ''}.", err=True)
        sys.exit(EXIT_ERROR if result.internal_errors else EXIT_CLEAN)

    writes = fix or diff or add_noqa or write_baseline is not None or output_file is not None
    reads_more = baseline_path is not None or diff_base is not None
    if observe.current is not None and not (writes or reads_more or no_cache or result.internal_errors):
        # Nothing written, nothing read but files (an unreadable one included: the same
        # error is observed again): an unchanged re-run can print this again.
        observe.current.record_to = str(engine.cache_directory())
    _report(result, output_format, output_file, diff, fix, unsafe_fixes, statistics)

    if result.internal_errors:
        sys.exit(EXIT_ERROR)
    if diff:
        sys.exit(EXIT_FINDINGS if result.diffs or result.errors else EXIT_CLEAN)
    if (result.diagnostics or result.errors) and not exit_zero:
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_CLEAN)


def _report(
    result: Any, output_format: str, output_file: Path | None, diff: bool, fix: bool, unsafe_fixes: bool, statistics: bool
) -> None:
    from fastapi_lint.linter import reporters

    if diff:
        for text in result.diffs:
            _echo(text, nl=False)
        count = result.fixed
        _echo(f"Would fix {count} error{'s' if count != 1 else ''}." if count else "No fixes to apply.", err=True)
        return
    if statistics:
        if result.diagnostics:
            _emit(reporters.render_statistics(result), output_file, color=False)
        return
    color = output_file is None and output_format in ("full", "concise", "text") and _color_enabled(sys.stdout)
    text = reporters.render(result, output_format, fixing=fix, unsafe_fixes=unsafe_fixes, color=color)
    _emit(text, output_file, color)


def _emit(text: str, output_file: Path | None, color: bool) -> None:
    if output_file is None:
        _echo(text, color=color)
        return
    try:
        output_file.parent.mkdir(parents=True, exist_ok=True)
        output_file.write_text(text + "\n", encoding="utf-8")
    except OSError as error:
        _fail([f"{output_file}: {error.strerror or error}"], "cannot write the report")


@main.command()
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="List every rule.")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rule(code: str | None, show_all: bool, output_format: str) -> None:
    """Print the documentation of rule CODE, or list every rule with --all."""
    from fastapi_lint.linter.docs import rule_markdown, rule_record
    from fastapi_lint.rules import DOCUMENTED_RULES

    if show_all:
        if output_format == "json":
            _echo(json.dumps([rule_record(item) for item in DOCUMENTED_RULES], indent=2))
            return
        width = max(len(item.name) for item in DOCUMENTED_RULES)
        for item in DOCUMENTED_RULES:
            fix = {"safe": "fix", "unsafe": "unsafe fix"}.get(item.fix_availability or "", "-")
            _echo(f"{item.code}  {item.name:<{width}}  {fix:<10}  {item.summary}")
        return
    if not code:
        _fail(["give a rule code (fastapi-lint rule FAPI201) or --all"], "missing rule code")
    by_code = {item.code: item for item in DOCUMENTED_RULES}
    found = by_code.get(code.strip().upper())
    if found is None:
        _fail([f"unknown rule code '{code}' (known: {', '.join(by_code)})"], "invalid arguments")
    if output_format == "json":
        _echo(json.dumps(rule_record(found), indent=2))
    else:
        _echo(rule_markdown(found), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
