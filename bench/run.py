"""Benchmark fastapi-lint against Fixit and ruff: cold, warm and incremental runs, growth.

    python bench/run.py                       # 3,000-file generated project + stdlib Lib/
    python bench/run.py --corpus ~/src/myapp  # add a project of your own
    python bench/run.py --files 40 --no-stdlib --repeat 1 --no-tools   # the CI smoke run

Every tool runs as a user runs it, in a subprocess, on a copy of each corpus;
repetitions alternate the tools, and the report gives medians. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import corpus as corpora
import generate
import report
from corpus import Corpus
from measure import BenchError, Outcome, Series, peak_rss_is_exact, run_measured
from tools import DEFAULT_TOOLS_VENV, FastapiLint, OtherTools, ensure_other_tools, find_fastapi_lint

BENCH = Path(__file__).resolve().parent
READ_AND_HASH = BENCH / "read_and_hash.py"
LINTER_IMPORTS = "import fastapi_lint.linter.cli, fastapi_lint.linter.engine, fastapi_lint.rules"
GROWTH_FACTORS = (1, 4, 16)
FIXIT_ERROR_BITS = {0, 1, 2, 3}  # 1: findings, 2: files it could not lint


@dataclass
class Results:
    machine: dict[str, object]
    tools: dict[str, object]
    settings: dict[str, object]
    corpora: list[Corpus] = field(default_factory=list)
    cold: list[Series] = field(default_factory=list)
    warm: list[Series] = field(default_factory=list)
    incremental: list[Series] = field(default_factory=list)
    growth: list[Series] = field(default_factory=list)
    # Facts per corpus the ratios need (LibCST imported, changed file, dependents).
    facts: dict[str, dict[str, object]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


class Progress:
    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            print(f"[{time.perf_counter() - self.start:6.1f}s] {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        results = benchmark(args)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    if args.json == "-":
        print(json.dumps(report.as_json(results), indent=2))
    else:
        print(report.render(results))
        if args.json:
            Path(args.json).write_text(json.dumps(report.as_json(results), indent=2) + "\n", encoding="utf-8")
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=3000, help="size of the generated project in Python files (default 3000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated project (default 0)")
    parser.add_argument("--no-generate", action="store_true", help="do not lint a generated project")
    parser.add_argument("--corpus", action="append", type=Path, default=[], metavar="DIR", help="also lint (a copy of) this directory; repeatable")
    parser.add_argument("--stdlib", action=argparse.BooleanOptionalAction, default=True, help="also lint the standard library's Lib/ (default: yes)")
    parser.add_argument("--growth", action=argparse.BooleanOptionalAction, default=True, help="time 1x, 4x and 16x the generated project (default: yes)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each tool in each mode; medians are reported (default 3)")
    parser.add_argument("--no-tools", action="store_true", help="do not install or run Fixit and ruff")
    parser.add_argument("--tools-venv", type=Path, default=DEFAULT_TOOLS_VENV, help=f"venv for Fixit and ruff (default {DEFAULT_TOOLS_VENV.relative_to(BENCH.parent)})")
    parser.add_argument("--fixit-sample", type=int, default=50, metavar="N", help="lint N evenly spread files with Fixit and scale by lines (0: every file; default 50)")
    parser.add_argument("--fastapi-lint", metavar="PATH", help="the fastapi-lint executable (default: the one beside this Python)")
    parser.add_argument("--work-dir", type=Path, help="where corpora and caches are made (default: a temporary directory, removed afterwards)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE ('-': only JSON, on stdout)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.files < 1:
        parser.error("--files must be at least 1")
    if args.fixit_sample < 0:
        parser.error("--fixit-sample must be 0 or more")
    if args.no_generate and not args.stdlib and not args.corpus:
        parser.error("nothing to lint: drop --no-generate or --no-stdlib, or give --corpus")
    for directory in args.corpus:
        if not directory.is_dir():
            parser.error(f"--corpus {directory}: not a directory")
    if args.work_dir is not None and args.work_dir.exists() and any(args.work_dir.iterdir()):
        parser.error(f"--work-dir {args.work_dir} is not empty")
    return args


def benchmark(args: argparse.Namespace) -> Results:
    progress = Progress(args.quiet)
    lint = find_fastapi_lint(args.fastapi_lint)
    others = None if args.no_tools else ensure_other_tools(args.tools_venv)
    results = Results(
        machine=machine_info(lint.python),
        tools=tools_info(lint, others),
        settings={"repeat": args.repeat, "fixit_sample": args.fixit_sample, "seed": args.seed},
    )
    if not peak_rss_is_exact():
        results.warnings.append(
            "GNU time not found (apt-get install time): each peak RSS includes this benchmark's own peak"
        )
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="fastapi-lint-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        main_corpora, growth_corpora = prepare(args, work, progress)
        names = {corpus.name for corpus in main_corpora}
        results.corpora = [*main_corpora, *(corpus for _, corpus in growth_corpora if corpus.name not in names)]
        bench = Bench(lint, others, args.repeat, args.fixit_sample, work, progress, results)
        for corpus in main_corpora:
            bench.cold(corpus)
        for corpus in main_corpora:
            bench.warm_and_incremental(corpus)
        if growth_corpora:
            bench.growth(growth_corpora)
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    results.machine["load_average_end"] = _load_average()
    results.machine["duration_s"] = round(time.perf_counter() - started, 1)
    return results


# -- corpora -----------------------------------------------------------------------


def prepare(args: argparse.Namespace, work: Path, progress: Progress) -> tuple[list[Corpus], list[tuple[int, Corpus]]]:
    """The corpora to compare the tools on, and the generated sizes for the growth series."""
    main: list[Corpus] = []
    growth: list[tuple[int, Corpus]] = []
    if not args.no_generate:
        features = generate.features_for_files(args.files)
        if args.growth:
            # 16x is the main generated project; 1x and 4x are its first features.
            base = -(-features // GROWTH_FACTORS[-1])
            sizes = [(factor, base * factor) for factor in GROWTH_FACTORS]
        else:
            sizes = [(GROWTH_FACTORS[-1], features)]
        for factor, count in sizes:
            name = "generated" if factor == GROWTH_FACTORS[-1] else f"generated-{factor}x"
            progress(f"generating {name} ({count} features)")
            generate.generate(work / name, count, args.seed)
            corpus = corpora.load(name, work / name, f"bench/generate.py --features {count} --seed {args.seed}")
            if factor == GROWTH_FACTORS[-1]:
                main.append(corpus)
            if args.growth:
                growth.append((factor, corpus))
    if args.stdlib:
        progress("copying the standard library")
        source = corpora.copy_stdlib(work / "stdlib")
        main.append(corpora.load("stdlib", work / "stdlib", f"{source} (Python files only)"))
    for index, directory in enumerate(args.corpus):
        name = _unique_name(directory.resolve().name or "corpus", {c.name for c in main})
        progress(f"copying {directory}")
        corpora.copy_directory(directory, work / f"given-{index}")
        main.append(corpora.load(name, work / f"given-{index}", str(directory)))
    return main, growth


def _unique_name(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}-{number}", number + 1
    return candidate


# -- the runs ----------------------------------------------------------------------


@dataclass
class Job:
    """One tool in one mode: how to run it and where its runs go."""

    series: Series
    root: Path
    command: list[str]
    accept: set[int] = field(default_factory=lambda: {0})
    before: Callable[[int], None] | None = None


class Bench:
    def __init__(
        self,
        lint: FastapiLint,
        others: OtherTools | None,
        repeat: int,
        fixit_sample: int,
        work: Path,
        progress: Progress,
        results: Results,
    ) -> None:
        self.lint, self.others, self.repeat, self.fixit_sample = lint, others, repeat, fixit_sample
        self.work, self.progress, self.results = work, progress, results
        self.env = {**os.environ, "NO_COLOR": "1"}
        self.env.pop("FORCE_COLOR", None)

    # Cold ------------------------------------------------------------------------

    def cold(self, corpus: Corpus) -> None:
        no_cache = ["--no-cache"] if self.lint.supports_cache else []
        root = corpus.root
        jobs = [Job(Series(corpus.name, "fastapi-lint", "cold", len(corpus.files)), root, self.lint.check(*no_cache, "."))]
        if self.others is not None:
            ruff = self.others.ruff
            ruff_files = self._ruff_file_count(corpus)
            jobs.append(
                Job(
                    Series(corpus.name, "ruff", "cold", ruff_files),
                    root,
                    [ruff, "check", "--select", "ALL", "--no-cache", "--exit-zero", "--output-format", "concise", "."],
                )
            )
            sampled = corpora.sample(corpus.files, self.fixit_sample)
            fixit_series = Series(corpus.name, "Fixit", "cold", len(sampled))
            if len(sampled) < len(corpus.files):
                lines = sum(path.read_bytes().count(b"\n") for path in sampled)
                fixit_series.notes["sampled"] = f"{len(sampled)} of {len(corpus.files)} files, {lines} lines"
                fixit_series.notes["lines"] = lines
            arguments = [str(path.relative_to(corpus.root)) for path in sampled]
            fixit = self.others.fixit
            jobs.append(Job(fixit_series, root, [fixit, "lint", *arguments], accept=FIXIT_ERROR_BITS))
            if len(sampled) < len(corpus.files):
                # Scaling the sample up needs Fixit's fixed cost (start, imports, worker pool) apart.
                empty = self._fixit_start_up_project()
                start_up = Series(corpus.name, "Fixit", "start-up", 2)
                jobs.append(Job(start_up, empty, [fixit, "lint", "a.py", "b.py"], accept=FIXIT_ERROR_BITS))
        self._alternate(jobs, "cold")
        self.results.cold.extend(job.series for job in jobs)

    def _fixit_start_up_project(self) -> Path:
        """Two empty modules: what Fixit costs before it has anything to lint."""
        root = self.work / "fixit-start-up"
        if not root.is_dir():
            root.mkdir()
            (root / "pyproject.toml").write_text(corpora.STUB_PYPROJECT, encoding="utf-8")
            (root / "a.py").write_text("", encoding="utf-8")
            (root / "b.py").write_text("", encoding="utf-8")
        return root

    def _ruff_file_count(self, corpus: Corpus) -> int:
        assert self.others is not None
        outcome = run_measured([self.others.ruff, "check", "--show-files", "--select", "ALL", "."], corpus.root, self.env)
        count = sum(1 for line in outcome.stdout.splitlines() if line.strip().endswith(corpora.PYTHON_SUFFIXES))
        if count != len(corpus.files):
            self.results.warnings.append(f"{corpus.name}: ruff lints {count} files, the corpus has {len(corpus.files)}")
        return count or len(corpus.files)

    # Warm and incremental -----------------------------------------------------------

    def warm_and_incremental(self, corpus: Corpus) -> None:
        facts = self.results.facts.setdefault(corpus.name, {})
        if not self.lint.supports_cache:
            facts["cache"] = "not supported yet (fastapi-lint check has no --no-cache/--cache-dir)"
            return
        cache = self.work / "caches" / f"fastapi-lint-{corpus.name}"
        ruff_cache = self.work / "caches" / f"ruff-{corpus.name}"
        fill = self._once(corpus, Series(corpus.name, "fastapi-lint", "cold, filling the cache", len(corpus.files)),
                          self.lint.check("--cache-dir", str(cache), "."))
        self.results.warm.append(fill)
        root, files = corpus.root, len(corpus.files)
        jobs = [
            Job(Series(corpus.name, "fastapi-lint", "warm", files), root, self.lint.check("--cache-dir", str(cache), ".")),
            Job(Series(corpus.name, "read + hash every file", "floor", files), root, [self.lint.python, str(READ_AND_HASH), "."]),
            Job(Series(corpus.name, "interpreter start", "floor", files), root, [self.lint.python, "-c", "pass"]),
            # What any run that lints a file pays before it reads one: no run can re-lint
            # the changed file for less (the incremental bound does not count it). ``-I``:
            # the working directory (a copy of the stdlib, say) must not shadow modules.
            Job(Series(corpus.name, "interpreter start + import the engine and rules", "floor", files), root,
                [self.lint.python, "-I", "-c", LINTER_IMPORTS]),
        ]
        if self.others is not None:
            ruff_command = [self.others.ruff, "check", "--select", "ALL", "--exit-zero", "--output-format", "concise",
                            "--cache-dir", str(ruff_cache), "."]
            self._once(corpus, Series(corpus.name, "ruff", "fill cache", 0), ruff_command)
            jobs.append(Job(Series(corpus.name, "ruff", "warm", files), root, ruff_command))
        self._alternate(jobs, "warm")
        self.results.warm.extend(job.series for job in jobs)
        warm_command = self.lint.check("--cache-dir", str(cache), ".")
        facts["libcst_imported_on_warm_run"] = imports_libcst(warm_command, corpus.root, self.env)
        self._incremental(corpus, cache, ruff_cache, facts)

    def _incremental(self, corpus: Corpus, cache: Path, ruff_cache: Path, facts: dict[str, object]) -> None:
        imported_by = corpora.importers(corpus.root, corpus.files)
        changed = corpora.typical_edit(imported_by)
        if changed is None:
            facts["incremental"] = "no module of this corpus is imported by another: nothing to measure"
            return
        affected = corpora.dependents(imported_by, changed)
        facts["changed_file"] = str(changed.relative_to(corpus.root))
        facts["dependents"] = len(affected)
        facts["direct_importers"] = len(imported_by[changed])
        original = changed.read_bytes()
        edits = iter(range(1, 10**6))

        def edit(_: int) -> None:
            number = next(edits)
            changed.write_bytes(original + f"\n\ndef _benchmark_edit_{number}() -> int:\n    return {number}\n".encode())

        relative = str(changed.relative_to(corpus.root))
        root = corpus.root
        project = Job(Series(corpus.name, "fastapi-lint", "incremental", len(corpus.files)), root,
                      self.lint.check("--cache-dir", str(cache), "."), before=edit)
        jobs = [project]
        if self.others is not None:
            ruff = self.others.ruff
            jobs.append(Job(Series(corpus.name, "ruff", "incremental", len(corpus.files)), root,
                            [ruff, "check", "--select", "ALL", "--exit-zero", "--output-format", "concise",
                                     "--cache-dir", str(ruff_cache), "."], before=edit))
        pre_commit = Job(Series(corpus.name, "fastapi-lint", "incremental, changed file named", 1), root,
                         self.lint.check("--cache-dir", str(cache), relative), before=edit)
        try:
            self._alternate(jobs, "incremental")
            self._alternate([pre_commit], "incremental (pre-commit)")
        finally:
            changed.write_bytes(original)
        self.results.incremental.extend([*(job.series for job in jobs), pre_commit.series])

    # Growth ------------------------------------------------------------------------

    def growth(self, sized: list[tuple[int, Corpus]]) -> None:
        no_cache = ["--no-cache"] if self.lint.supports_cache else []
        reused = {
            series.corpus: series for series in self.results.cold if series.tool == "fastapi-lint"
        }
        for factor, corpus in sized:
            series = reused.get(corpus.name)
            if series is not None:
                self.results.growth.append(_relabel(series, f"{factor}x"))
        todo = [(factor, corpus) for factor, corpus in sized if corpus.name not in reused]
        jobs = [
            Job(Series(corpus.name, "fastapi-lint", f"{factor}x", len(corpus.files)), corpus.root, self.lint.check(*no_cache, "."))
            for factor, corpus in todo
        ]
        self._alternate(jobs, "growth")
        self.results.growth.extend(job.series for job in jobs)
        self.results.growth.sort(key=lambda series: series.files)

    # Running -------------------------------------------------------------------------

    def _alternate(self, jobs: list[Job], label: str) -> None:
        """Run every job ``repeat`` times, rotating their order so no tool always goes first."""
        for repetition in range(self.repeat):
            shift = repetition % len(jobs) if jobs else 0
            for job in jobs[shift:] + jobs[:shift]:
                if job.before is not None:
                    job.before(repetition)
                outcome = self._checked(job)
                job.series.runs.append(outcome.run)
                _note_output(job.series, outcome)
                self.progress(
                    f"{label} {repetition + 1}/{self.repeat}: {job.series.tool} ({job.series.mode}) on "
                    f"{job.series.corpus}: {outcome.run.wall:.2f} s"
                )

    def _once(self, corpus: Corpus, series: Series, command: list[str]) -> Series:
        outcome = self._checked(Job(series, corpus.root, command))
        series.runs.append(outcome.run)
        _note_output(series, outcome)
        return series

    def _checked(self, job: Job) -> Outcome:
        outcome = run_measured(job.command, job.root, self.env)
        if outcome.returncode not in job.accept:
            last = (outcome.stderr.strip().splitlines() or outcome.stdout.strip().splitlines() or ["(no output)"])[-1]
            raise BenchError(
                f"{job.series.tool} ({job.series.mode}) failed on {job.series.corpus} (exit {outcome.returncode}): {last}"
            )
        return outcome


def imports_libcst(command: list[str], cwd: Path, env: dict[str, str]) -> bool:
    """Whether the command imported LibCST for real.

    ``-X importtime`` (here through its environment variable, which reaches a
    console script too) lists only modules actually executed, so a deferred
    stand-in placed in ``sys.modules`` does not count.
    """
    outcome = run_measured(command, cwd, {**env, "PYTHONPROFILEIMPORTTIME": "1"})
    return any(re.match(r"import time:\s+\d+\s+\|\s+\d+\s+\|\s*libcst(\.|$)", line) for line in outcome.stderr.splitlines())


def _relabel(series: Series, mode: str) -> Series:
    copy = Series(series.corpus, series.tool, mode, series.files, list(series.runs), dict(series.notes))
    return copy


def _note_output(series: Series, outcome: Outcome) -> None:
    """Record what the tool found, to show that it did lint the files."""
    if series.tool == "Fixit":
        checked = re.search(r"(\d+) files? (?:checked|clean)", outcome.stderr)
        series.notes["files_linted"] = int(checked.group(1)) if checked else 0
        series.notes["findings"] = sum(1 for line in outcome.stdout.splitlines() if re.match(r"\S+@\d+:\d+ ", line))
    elif series.tool in ("fastapi-lint", "ruff"):
        found = re.search(r"Found (\d+) errors?", outcome.stdout)
        series.notes["findings"] = int(found.group(1)) if found else 0
    elif series.tool == "read + hash every file":
        series.notes["files_read"] = int(outcome.stdout.split()[0]) if outcome.stdout.strip() else 0


# -- the machine ---------------------------------------------------------------------


def machine_info(python: str) -> dict[str, object]:
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": _cpu_model(),
        "python": _python_version(python),
        "platform": platform.platform(),
        "load_average_start": _load_average(),
        "peak_rss_measured_by": "GNU time" if peak_rss_is_exact() else "os.wait4",
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _python_version(python: str) -> str:
    outcome = run_measured([python, "-c", "import platform; print(platform.python_version())"], Path.cwd())
    return outcome.stdout.strip() or platform.python_version()


def _load_average() -> list[float]:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return []


def tools_info(lint: FastapiLint, others: OtherTools | None) -> dict[str, object]:
    info: dict[str, object] = {
        "fastapi-lint": lint.version,
        "fastapi-lint cache": "supported" if lint.supports_cache else "not supported yet",
    }
    if others is not None:
        info["Fixit"] = others.fixit_version
        info["ruff"] = others.ruff_version
    return info


if __name__ == "__main__":
    sys.exit(main())
