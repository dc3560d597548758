"""Sweep fastapi-lint over real code and check that it holds up.

On a copy of the standard library of the running Python (its ``Lib/``: thousands of
files, among them ``test/`` with deliberately broken syntax, odd encodings and huge
generated files), of the installed site-packages and of a generated FastAPI project
(``bench/generate.py``, for fixes to apply), it runs the console script as a user does
and checks:

- ``check``: no internal error; every file that CPython cannot parse is reported
  (FAPI000 or an ``error:`` line naming it); a FAPI000 on a file CPython parses says
  that LibCST alone cannot; the linter discovers exactly the files of the copy; the
  run finishes.
- ``check --fix --unsafe-fixes``: every changed file still parses and compiles (when it
  did before); files without findings keep their bytes, mode and modification time; no
  temporary file is left; a second run changes nothing.

Wall time and peak memory (the largest process, workers included) of each run are
reported. The exit code is 1 when a check fails, 0 otherwise.

    python scripts/sweep.py                      # everything (some minutes)
    python scripts/sweep.py --sample 150         # a bounded, deterministic sample (CI)
    python scripts/sweep.py --tree ~/src/app --no-stdlib --no-site-packages
    python scripts/sweep.py --json sweep.json    # the figures, machine-readable
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

REPOSITORY = Path(__file__).resolve().parent.parent
GENERATOR = REPOSITORY / "bench" / "generate.py"
PYTHON_SUFFIXES = (".py", ".pyi")
# Never part of a corpus: caches, version control, and (for the standard library) the
# site-packages swept on their own.
SKIPPED_DIRECTORIES = frozenset({"__pycache__", ".git", ".hg", ".svn", ".mypy_cache", ".pytest_cache", ".fastapi_lint_cache", "site-packages"})
# Always in a sample: the standard library's deliberately odd files.
SPECIAL_DIRECTORIES = ("test/tokenizedata", "lib2to3/tests/data", "test/encoded_modules")
SPECIAL_NAME = re.compile(r"^(bad|badsyntax_|bad_coding)")
LARGEST_IN_SAMPLE = 3
# The whole copy is one configuration: nothing excluded, no .gitignore honoured.
CONFIGURATION = '[project]\nname = "sweep"\nversion = "0"\n\n[tool.fastapi-lint]\nexclude = []\nrespect-gitignore = false\n'
CORPUS_PROJECT = '[project]\nname = "{name}"\nversion = "0"\n'
SUMMARY = re.compile(r"^Found (\d+) errors? \((\d+) fixed, (\d+) remaining\)\.$")
ERROR_LINE = re.compile(r"^error: (?P<path>.+?): (?P<message>.+)$")
INTERNAL_LINE = re.compile(r"^error: internal error while linting (?P<path>.+?) \(rule (?P<rule>[^)]+)\): (?P<message>.*)$")


class SweepError(Exception):
    """A failure to set the sweep up (not a finding about the linter)."""


# -- corpora -------------------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    name: str
    source: Path
    files: tuple[Path, ...]  # relative to ``source``


def python_files(root: Path) -> tuple[Path, ...]:
    found = []
    for directory, folders, names in os.walk(root):
        folders[:] = sorted(name for name in folders if name not in SKIPPED_DIRECTORIES)
        for name in sorted(names):
            path = Path(directory, name)
            if name.endswith(PYTHON_SUFFIXES) and path.is_file():
                found.append(path.relative_to(root))
    return tuple(found)


def sample(root: Path, files: tuple[Path, ...], size: int | None) -> tuple[Path, ...]:
    """All files, or ``size`` of them chosen deterministically: the odd ones, the largest
    few, and the rest spread evenly over the sorted list."""
    if size is None or size >= len(files):
        return files
    chosen = {path for path in files if _special(path)}
    chosen.update(sorted(files, key=lambda path: (-(root / path).stat().st_size, path))[:LARGEST_IN_SAMPLE])
    rest = [path for path in files if path not in chosen]
    wanted = max(0, size - len(chosen))
    if wanted and rest:
        step = len(rest) / wanted
        chosen.update(rest[int(index * step)] for index in range(min(wanted, len(rest))))
    return tuple(sorted(chosen))


def _special(path: Path) -> bool:
    text = path.as_posix()
    return any(text.startswith(directory + "/") for directory in SPECIAL_DIRECTORIES) or bool(SPECIAL_NAME.match(path.name))


def standard_library() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def site_packages() -> list[Path]:
    paths = sysconfig.get_paths()
    return sorted({Path(paths["purelib"]), Path(paths["platlib"])})


def generated_project(target: Path, features: int) -> Path:
    if not GENERATOR.is_file():
        raise SweepError(f"{GENERATOR}: not found (needed for --generated)")
    result = subprocess.run(
        [sys.executable, str(GENERATOR), str(target), "--features", str(features)], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SweepError(f"bench/generate.py failed: {result.stderr.strip()}")
    return target


def copy_corpus(corpus: Corpus, tree: Path) -> Path:
    """Copy the corpus's files (bytes, mode, times) into ``tree/<name>``, a project of its own."""
    target = tree / corpus.name
    for relative in corpus.files:
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(corpus.source / relative, destination)
    (target / "pyproject.toml").write_text(CORPUS_PROJECT.format(name=corpus.name), encoding="utf-8")
    return target


# -- what CPython makes of each file -------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    parses: bool
    compiles: bool


def cpython_verdict(data: bytes) -> Verdict:
    """Whether CPython parses ``data`` (to an AST, as the linter asks) and compiles it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree = compile(data, "<sweep>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return Verdict(False, False)
        try:
            compile(tree, "<sweep>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return Verdict(True, False)
    return Verdict(True, True)


# -- running the linter ----------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    command: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    wall: float
    cpu: float
    peak_rss_kib: int


def linter_command() -> list[str]:
    script = Path(sys.executable).parent / "fastapi-lint"
    return [str(script)] if script.exists() else [sys.executable, "-m", "fastapi_lint"]


def run_linter(arguments: Sequence[str], cwd: Path, timeout: float) -> Run:
    """Run the console script; ``os.wait4`` gives this child's resource use, workers included."""
    command = (*linter_command(), *arguments)
    env = {**os.environ, "NO_COLOR": "1"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                _, status, usage = os.wait4(process.pid, 0)
                raise SweepError(f"{' '.join(command)} did not finish in {timeout:.0f} s")
            time.sleep(0.05)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            command,
            process.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            wall,
            usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss,
        )


@dataclass
class Report:
    """What a run printed, sorted out."""

    findings: list[dict[str, object]] = field(default_factory=list)
    file_errors: list[tuple[str, str]] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)


def read_stderr(run: Run, report: Report) -> None:
    for line in run.stderr.splitlines():
        internal = INTERNAL_LINE.match(line)
        plain = ERROR_LINE.match(line)
        if internal:
            report.internal_errors.append(line)
        elif plain:
            report.file_errors.append((plain["path"], plain["message"]))
        elif line.strip():
            report.unexpected.append(line)


def read_json_lines(run: Run) -> Report:
    report = Report()
    for line in run.stdout.splitlines():
        if not line.strip():
            continue
        try:
            report.findings.append(json.loads(line))
        except ValueError:
            report.unexpected.append(line)
    read_stderr(run, report)
    return report


# -- snapshots -------------------------------------------------------------------------

State = tuple[bytes, int, int]


def snapshot(tree: Path, files: Iterable[str]) -> dict[str, State | None]:
    """Each file's bytes, mode and modification time; None for a file no longer there
    (a multi-file fix may move it)."""
    state: dict[str, State | None] = {}
    for relative in files:
        if not os.path.lexists(tree / relative):
            state[relative] = None
            continue
        info = os.stat(tree / relative)
        state[relative] = ((tree / relative).read_bytes(), info.st_mode, info.st_mtime_ns)
    return state


def leftovers(tree: Path) -> list[str]:
    return sorted(path.relative_to(tree).as_posix() for path in tree.rglob("*.fapi-tmp"))


# -- the sweep -------------------------------------------------------------------------


@dataclass
class Sweep:
    tree: Path
    corpora: list[Corpus]
    jobs: int | None
    timeout: float
    problems: list[str] = field(default_factory=list)
    figures: dict[str, object] = field(default_factory=dict)

    def fail(self, problem: str) -> None:
        self.problems.append(problem)

    @property
    def files(self) -> list[str]:
        return sorted(f"{corpus.name}/{path.as_posix()}" for corpus in self.corpora for path in corpus.files)

    def arguments(self, *options: str) -> list[str]:
        jobs = ["-j", str(self.jobs)] if self.jobs else []
        return ["check", "--no-cache", "--exit-zero", *jobs, *options, *(corpus.name for corpus in self.corpora)]

    def check_discovery(self) -> None:
        """The linter's file discovery, with this configuration, finds exactly the copied files."""
        from fastapi_lint.linter.discovery import Excluder, iter_python_files

        excluder = Excluder(self.tree.resolve(), [], respect_gitignore=False)
        found = {
            path.relative_to(self.tree.resolve()).as_posix()
            for path in iter_python_files([(self.tree / corpus.name).resolve() for corpus in self.corpora], excluder)
        }
        expected = set(self.files)
        for path in sorted(expected - found)[:20]:
            self.fail(f"discovery: {path} is not linted")
        for path in sorted(found - expected)[:20]:
            self.fail(f"discovery: {path} is linted but was not copied")

    def check_run(self, verdicts: dict[str, Verdict]) -> Report:
        run = run_linter(self.arguments("--output-format", "json-lines"), self.tree, self.timeout)
        report = read_json_lines(run)
        self._record("check", run)
        self._common(run, report, "check")
        known = set(self.files)
        reported = {str(finding["path"]) for finding in report.findings if finding.get("code") == "FAPI000"}
        reported |= {path for path, _ in report.file_errors}
        for path, verdict in sorted(verdicts.items()):
            if not verdict.parses and path not in reported:
                self.fail(f"check: {path} does not parse with CPython and is not reported")
        libcst_only = 0
        for finding in report.findings:
            path = str(finding.get("path"))
            if path not in known:
                self.fail(f"check: a finding for {path}, which is not in the corpus")
            elif finding.get("code") == "FAPI000" and verdicts[path].parses:
                if "LibCST cannot parse this file (CPython can)" not in str(finding.get("message")):
                    self.fail(f"check: {path}: FAPI000 on a file CPython parses: {finding.get('message')}")
                libcst_only += 1
        for path, message in report.file_errors:
            if path not in known:
                self.fail(f"check: an error for {path}, which is not in the corpus: {message}")
        codes = Counter(str(finding["code"]) for finding in report.findings)
        self.figures.update(
            {
                "files": len(known),
                "files_cpython_cannot_parse": sum(not verdict.parses for verdict in verdicts.values()),
                "findings": len(report.findings),
                "findings_by_code": dict(sorted(codes.items())),
                "parse_errors": codes.get("FAPI000", 0),
                "parse_errors_libcst_only": libcst_only,
                "file_errors": len(report.file_errors),
                "file_error_messages": dict(Counter(_kind(message) for _, message in report.file_errors).most_common()),
                "internal_errors": len(report.internal_errors),
            }
        )
        return report

    def fix_runs(self, verdicts: dict[str, Verdict], checked: Report) -> None:
        with_findings = {str(finding["path"]) for finding in checked.findings}
        fixable = {str(finding["path"]) for finding in checked.findings if finding.get("fix")}
        # A multi-file fix also edits, creates and moves other files (its edits name them).
        edits = [edit for finding in checked.findings for edit in (finding.get("fix") or {}).get("edits", ())]
        moved_away = {str(edit["source"]) for edit in edits if edit.get("kind") == "move"}
        touched_by_fixes = {str(edit["path"]) for edit in edits} | moved_away
        fixable |= touched_by_fixes
        with_findings |= touched_by_fixes
        before = snapshot(self.tree, self.files)
        run = run_linter(self.arguments("--fix", "--unsafe-fixes", "--output-format", "concise"), self.tree, self.timeout)
        self._record("fix", run)
        report = Report()
        read_stderr(run, report)
        self._common(run, report, "fix")
        for path, message in report.file_errors:
            if "fix" in message:
                self.fail(f"fix: {path}: {message}")
        after = snapshot(self.tree, self.files)
        for path in self.files:
            if after[path] is None and path not in moved_away:
                self.fail(f"fix: {path} disappeared without a fix moving it")
        changed = [path for path in self.files if after[path] is not None and after[path][0] != before[path][0]]
        for path in self.files:
            if after[path] is None:
                continue
            if path in changed:
                if path not in fixable:
                    self.fail(f"fix: {path} changed without a fixable finding")
                verdict = cpython_verdict(after[path][0])
                if not verdict.parses or (verdicts[path].compiles and not verdict.compiles):
                    self.fail(f"fix: {path} no longer {'parses' if not verdict.parses else 'compiles'} after fixing")
            elif after[path] != before[path]:
                self.fail(f"fix: {path} kept its bytes but not its mode or modification time")
            if path not in with_findings and after[path] != before[path]:
                self.fail(f"fix: {path} had no finding and was touched")
        for path in leftovers(self.tree):
            self.fail(f"fix: temporary file left behind: {path}")
        summary = next((SUMMARY.match(line) for line in reversed(run.stdout.splitlines()) if SUMMARY.match(line)), None)
        self.figures["fixes_applied"] = int(summary.group(2)) if summary else 0
        self.figures["files_changed_by_fixes"] = len(changed)

        again = run_linter(self.arguments("--fix", "--unsafe-fixes", "--output-format", "concise"), self.tree, self.timeout)
        self._record("fix_again", again)
        report = Report()
        read_stderr(again, report)
        self._common(again, report, "fix again")
        if any(SUMMARY.match(line) for line in again.stdout.splitlines()):
            self.fail("fix again: the second run fixed something more")
        final = snapshot(self.tree, self.files)
        for path in self.files:
            if final[path] != after[path]:
                self.fail(f"fix again: {path} changed on the second run")

    def _common(self, run: Run, report: Report, step: str) -> None:
        if run.returncode != 0:
            self.fail(f"{step}: exit code {run.returncode} with --exit-zero (2 means an internal or usage error)")
        if "Traceback" in run.stderr:
            self.fail(f"{step}: a traceback on stderr")
        for line in report.internal_errors:
            self.fail(f"{step}: {line}")
        for line in report.unexpected[:20]:
            self.fail(f"{step}: unexpected output: {line[:200]}")

    def _record(self, step: str, run: Run) -> None:
        self.figures[f"{step}_wall_s"] = round(run.wall, 2)
        self.figures[f"{step}_cpu_s"] = round(run.cpu, 2)
        self.figures[f"{step}_peak_rss_mib"] = round(run.peak_rss_kib / 1024, 1)


def _kind(message: str) -> str:
    """An error message without what is particular to one file (line numbers, bytes)."""
    return re.sub(r"\(byte 0x[0-9a-f]+ on line \d+\)|\d+ s\b", "...", message)


def build(args: argparse.Namespace, work: Path) -> list[Corpus]:
    tree = work / "tree"
    tree.mkdir(parents=True)
    (tree / "pyproject.toml").write_text(CONFIGURATION, encoding="utf-8")
    sources: list[tuple[str, Path, bool]] = []
    if args.stdlib:
        sources.append(("stdlib", standard_library(), True))
    if args.site_packages:
        for number, path in enumerate(site_packages()):
            if path.is_dir():
                sources.append((f"site-packages{'' if number == 0 else number + 1}", path, True))
    for number, path in enumerate(args.tree):
        sources.append((f"tree{number + 1}-{path.name}", path.resolve(), True))
    if args.generated:
        sources.append(("generated", generated_project(work / "generated", args.generated), False))
    corpora = []
    for name, source, sampled in sources:
        if not source.is_dir():
            raise SweepError(f"{source}: not a directory")
        files = python_files(source)
        chosen = sample(source, files, args.sample if sampled else None)
        corpus = Corpus(name, source, chosen)
        copy_corpus(corpus, tree)
        corpora.append(corpus)
    return corpora


def run_sweep(args: argparse.Namespace, work: Path) -> Sweep:
    corpora = build(args, work)
    sweep = Sweep(work / "tree", corpora, args.jobs, args.timeout)
    sweep.figures["corpora"] = {corpus.name: {"source": str(corpus.source), "files": len(corpus.files)} for corpus in corpora}
    verdicts = {path: cpython_verdict((sweep.tree / path).read_bytes()) for path in sweep.files}
    sweep.check_discovery()
    checked = sweep.check_run(verdicts)
    if args.fix:
        sweep.fix_runs(verdicts, checked)
    return sweep


def render(sweep: Sweep) -> str:
    figures = sweep.figures
    lines = ["fastapi-lint sweep", ""]
    for name, corpus in figures.get("corpora", {}).items():  # type: ignore[union-attr]
        lines.append(f"  {name:<16} {corpus['files']:>6} files  from {corpus['source']}")
    lines.append("")
    order = [
        ("files", "files"),
        ("files_cpython_cannot_parse", "files CPython cannot parse"),
        ("findings", "findings"),
        ("findings_by_code", "  by code"),
        ("parse_errors", "parse errors (FAPI000)"),
        ("parse_errors_libcst_only", "  of which LibCST alone cannot parse"),
        ("file_errors", "files not read (error: lines)"),
        ("file_error_messages", "  why"),
        ("internal_errors", "internal errors"),
        ("fixes_applied", "fixes applied"),
        ("files_changed_by_fixes", "files changed by fixes"),
    ]
    for key, label in order:
        if key in figures:
            lines.append(f"  {label:<38} {figures[key]}")
    for step in ("check", "fix", "fix_again"):
        if f"{step}_wall_s" in figures:
            lines.append(
                f"  {step.replace('_', ' ') + ' run':<38} {figures[f'{step}_wall_s']} s wall, {figures[f'{step}_cpu_s']} s CPU, "
                f"peak {figures[f'{step}_peak_rss_mib']} MiB"
            )
    lines.append("")
    if sweep.problems:
        lines.append(f"FAILED: {len(sweep.problems)} problem{'s' if len(sweep.problems) != 1 else ''}")
        lines.extend(f"  {problem}" for problem in sweep.problems[:100])
    else:
        lines.append("OK: no internal error, every file linted or reported, fixes sound and idempotent")
    return "\n".join(lines)


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Sweep fastapi-lint over real code and check that it holds up.")
    parser.add_argument("--sample", type=int, help="at most N files from each real tree (deterministic), instead of all")
    parser.add_argument("--no-stdlib", dest="stdlib", action="store_false", help="leave out the standard library")
    parser.add_argument("--no-site-packages", dest="site_packages", action="store_false", help="leave out site-packages")
    parser.add_argument("--tree", type=Path, action="append", default=[], help="another directory to sweep (repeatable)")
    parser.add_argument(
        "--generated", type=int, default=None, metavar="FEATURES", help="size of the generated FastAPI project (0: none)"
    )
    parser.add_argument("--no-fix", dest="fix", action="store_false", help="only check; no --fix runs")
    parser.add_argument("-j", "--jobs", type=int, help="worker processes for the linter (default: its own)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds each linter run may take (default 3600)")
    parser.add_argument("--json", type=Path, help="also write the figures and problems to this file")
    parser.add_argument("--work", type=Path, help="build the copies here and keep them (default: a temporary folder)")
    args = parser.parse_args(argv)
    if args.generated is None:
        args.generated = 3 if args.sample is not None else 20
    if args.sample is not None and args.sample < 1:
        parser.error("--sample must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    try:
        if args.work is not None:
            if args.work.exists() and any(args.work.iterdir()):
                raise SweepError(f"{args.work}: not empty")
            sweep = run_sweep(args, args.work)
        else:
            with tempfile.TemporaryDirectory(prefix="fastapi-lint-sweep-") as work:
                sweep = run_sweep(args, Path(work))
    except SweepError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(render(sweep))
    if args.json is not None:
        args.json.write_text(json.dumps({**sweep.figures, "problems": sweep.problems}, indent=2) + "\n", encoding="utf-8")
    return 1 if sweep.problems else 0


if __name__ == "__main__":
    sys.exit(main())
