"""Run one command and measure it: wall time, CPU time and peak memory of that child alone."""

from __future__ import annotations

import os
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

    ``os.wait4`` gives the resource usage of this one child (``getrusage`` of all
    children would mix every run together); output goes to files so that a pipe
    never fills up and stalls the child.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        try:
            process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        except OSError as error:
            raise BenchError(f"cannot run {command[0]}: {error.strerror or error}") from error
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Outcome(
            Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss),
            process.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )

