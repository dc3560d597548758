"""Run one command and measure it: wall time, CPU time and peak memory of that child alone."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence


class BenchError(Exception):
    """A failure the benchmark reports in one line and stops on."""


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    # Of the largest single process in the child's tree (Linux reports the maximum, not a sum).
    max_rss_kib: int


@dataclass(frozen=True)
class Outcome:
    run: Run
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Series:
    """Repeated runs of one tool in one mode on one corpus."""

    corpus: str
    tool: str
    mode: str
    files: int
    runs: list[Run] = field(default_factory=list)
    # Free-form facts shown beside the numbers (sampling, findings, ...).
    notes: dict[str, object] = field(default_factory=dict)

    @property
    def wall(self) -> float:
        return statistics.median(run.wall for run in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(run.cpu for run in self.runs)

    @property
    def peak_rss_kib(self) -> int:
        return max(run.max_rss_kib for run in self.runs)

    @property
    def files_per_second(self) -> float:
        return self.files / self.wall if self.wall > 0 else float("inf")

    def as_json(self) -> dict[str, object]:
        return {
            "corpus": self.corpus,
            "tool": self.tool,
            "mode": self.mode,
            "files": self.files,
            "median_wall_s": round(self.wall, 4),
            "median_cpu_s": round(self.cpu, 4),
            "peak_rss_kib": self.peak_rss_kib,
            "files_per_second": round(self.files_per_second, 2),
            "runs": [
                {"wall_s": round(run.wall, 4), "cpu_s": round(run.cpu, 4), "max_rss_kib": run.max_rss_kib}
                for run in self.runs
            ],
            **self.notes,
        }


def run_measured(command: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> Outcome:
    """Run ``command`` to completion and measure it.

    Peak memory comes from GNU time when it is installed: Linux counts, in a
    child's peak RSS, the peak of the process it was forked from, so a child of
    this (large) Python process would be charged for it; a child of ``time`` is
    charged for ``time``'s 2 MB at most. Without GNU time it comes from
    ``os.wait4``, which has that flaw (see ``peak_rss_is_exact``). Output goes to
    files so that a pipe never fills up and stalls the child.
    """
    if shutil.which(command[0], path=os.environ.get("PATH")) is None and not os.access(command[0], os.X_OK):
        raise BenchError(f"cannot run {command[0]}: not found")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as report:
        wrapped = [GNU_TIME, "-f", "%M", "-o", report.name, "--", *command] if GNU_TIME else list(command)
        start = time.perf_counter()
        try:
            process = subprocess.Popen(wrapped, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        except OSError as error:
            raise BenchError(f"cannot run {wrapped[0]}: {error.strerror or error}") from error
        # wait4 on ``time`` still gives the command's CPU time: it includes the children it waited for.
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        max_rss = _reported_peak(report.read()) if GNU_TIME else usage.ru_maxrss
        out.seek(0)
        err.seek(0)
        return Outcome(
            Run(wall, usage.ru_utime + usage.ru_stime, max_rss),
            process.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


def _find_gnu_time() -> str | None:
    """``/usr/bin/time`` if it is GNU time (which has ``-f`` and ``-o``), not a shell keyword's stand-in."""
    candidate = shutil.which("time") or "/usr/bin/time"
    try:
        result = subprocess.run(
            [candidate, "-f", "%M", "-o", os.devnull, "--", "true"], capture_output=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return candidate if result.returncode == 0 else None


def _reported_peak(text: str) -> int:
    # "Command exited with non-zero status N" may come first; the figure is last.
    lines = text.strip().splitlines()
    try:
        return int(lines[-1])
    except (IndexError, ValueError):
        return 0


GNU_TIME = _find_gnu_time()


def peak_rss_is_exact() -> bool:
    return GNU_TIME is not None
