"""The benchmark's results as a readable report and as JSON, with the targets' ratios."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from measure import Series

if TYPE_CHECKING:
    from run import Results

TARGET_VS_FIXIT = 20.0  # fastapi-lint files/s over Fixit's, at least
TARGET_VS_RUFF = 1.0  # fastapi-lint files/s over ruff's, at least
TARGET_WARM = 2.0  # warm run over reading + hashing + interpreter start, at most
TARGET_INCREMENTAL = 1.0  # incremental run over (1.5 x warm run + linting the changed file and its dependents), at most
WARM_ALLOWANCE = 1.5


@dataclass(frozen=True)
class Ratio:
    corpus: str
    name: str
    value: float
    target: float
    # True: the value must be at least the target; False: at most.
    at_least: bool
    detail: str = ""

    @property
    def met(self) -> bool:
        return self.value >= self.target if self.at_least else self.value <= self.target

    def line(self) -> str:
        sign = ">=" if self.at_least else "<="
        verdict = "met" if self.met else "NOT met"
        detail = f"; {self.detail}" if self.detail else ""
        return f"{self.corpus}: {self.name} = {self.value:.2f}x (target {sign} {self.target:g}x: {verdict}){detail}"

    def as_json(self) -> dict[str, object]:
        return {
            "corpus": self.corpus,
            "name": self.name,
            "value": round(self.value, 3),
            "target": self.target,
            "at_least": self.at_least,
            "met": self.met,
            "detail": self.detail,
        }


def _find(series: Sequence[Series], corpus: str, tool: str, mode: str) -> Series | None:
    for item in series:
        if item.corpus == corpus and item.tool == tool and item.mode == mode and item.runs:
            return item
    return None


def cold_ratios(results: Results) -> list[Ratio]:
    ratios = []
    for corpus in results.corpora:
        ours = _find(results.cold, corpus.name, "fastapi-lint", "cold")
        if ours is None:
            continue
        fixit_seconds = fixit_whole_corpus(results, corpus.name, corpus.lines)
        if fixit_seconds is not None:
            fixit_rate = len(corpus.files) / fixit_seconds
            sampled = " (Fixit scaled from a sample)" if _find(results.cold, corpus.name, "Fixit", "start-up") else ""
            ratios.append(
                Ratio(corpus.name, "fastapi-lint files/s / Fixit files/s" + sampled,
                      ours.files_per_second / fixit_rate, TARGET_VS_FIXIT, True)
            )
        ruff = _find(results.cold, corpus.name, "ruff", "cold")
        if ruff is not None:
            ratios.append(
                Ratio(corpus.name, "fastapi-lint files/s / ruff files/s",
                      ours.files_per_second / ruff.files_per_second, TARGET_VS_RUFF, True)
            )
    return ratios


def fixit_whole_corpus(results: Results, corpus: str, lines: int) -> float | None:
    """Fixit's time on every file of the corpus: measured, or scaled up from its sample.

    Scaling: its fixed cost (measured on two empty files) once, plus the sample's
    cost per line for every line. Lines rather than files, because file sizes vary
    a lot (the stdlib's run from 10 to 10,000 lines) and a sample's mean size with them.
    """
    fixit = _find(results.cold, corpus, "Fixit", "cold")
    if fixit is None:
        return None
    start_up = _find(results.cold, corpus, "Fixit", "start-up")
    sample_lines = int(fixit.notes.get("lines", 0))  # type: ignore[call-overload]
    if start_up is None or not sample_lines or sample_lines >= lines:
        return fixit.wall
    per_line = max(0.0, fixit.wall - start_up.wall) / sample_lines
    return start_up.wall + per_line * lines


def warm_ratios(results: Results) -> list[Ratio]:
    ratios = []
    for corpus in results.corpora:
        warm = _find(results.warm, corpus.name, "fastapi-lint", "warm")
        floor = _find(results.warm, corpus.name, "read + hash every file", "floor")
        if warm is None or floor is None:
            continue
        ratios.append(Ratio(corpus.name, "warm / (interpreter start + read + hash every file)",
                            warm.wall / floor.wall, TARGET_WARM, False))
    return ratios


def incremental_ratios(results: Results) -> list[Ratio]:
    ratios = []
    for corpus in results.corpora:
        facts = results.facts.get(corpus.name, {})
        warm = _find(results.warm, corpus.name, "fastapi-lint", "warm")
        cold = _find(results.cold, corpus.name, "fastapi-lint", "cold")
        start = _find(results.warm, corpus.name, "interpreter start", "floor")
        if warm is None or cold is None or start is None or "dependents" not in facts:
            continue
        # What linting one file costs in a cold run, start-up aside.
        per_file = max(0.0, cold.wall - start.wall) / cold.files
        relinted = 1 + int(facts["dependents"])  # type: ignore[call-overload]
        bound = WARM_ALLOWANCE * warm.wall + per_file * relinted
        detail = (
            f"bound = {WARM_ALLOWANCE} x warm {warm.wall:.3f} s + {relinted} files x {per_file * 1000:.1f} ms = {bound:.3f} s"
        )
        for mode in ("incremental", "incremental, changed file named"):
            run = _find(results.incremental, corpus.name, "fastapi-lint", mode)
            if run is not None:
                ratios.append(Ratio(corpus.name, f"{mode} / (1.5 x warm + linting the changed file and its dependents)",
                                    run.wall / bound, TARGET_INCREMENTAL, False, detail))
    return ratios


# -- text --------------------------------------------------------------------------


def render(results: Results) -> str:
    parts = [_header(results), _corpora(results), _cold(results), _warm(results), _incremental(results), _growth(results)]
    if results.warnings:
        parts.append("Warnings\n" + "\n".join(f"  {warning}" for warning in results.warnings))
    return "\n\n".join(part for part in parts if part) + "\n"


def _header(results: Results) -> str:
    machine, tools = results.machine, results.tools

    def load(key: str) -> str:
        values = machine.get(key) or []
        return " ".join(f"{value:g}" for value in values) or "?"  # type: ignore[attr-defined]

    lines = [
        "fastapi-lint benchmark",
        "",
        "Machine",
        f"  {machine['nproc']} CPUs (nproc), {machine['cpu']}, Python {machine['python']}, {machine['platform']}",
        f"  load average {load('load_average_start')} at the start, {load('load_average_end')} at the end; "
        f"{machine.get('duration_s', '?')} s in all",
        "  tools: " + ", ".join(f"{name} {version}" for name, version in tools.items() if name != "fastapi-lint cache")
        + f" (fastapi-lint cache: {tools['fastapi-lint cache']})",
        f"  {_runs(int(results.settings['repeat']))} of each tool in each mode, in alternating order; medians shown",
    ]
    return "\n".join(lines)


def _runs(count: int) -> str:
    return f"{count} run" if count == 1 else f"{count} runs"


def _corpora(results: Results) -> str:
    rows = [[corpus.name, str(len(corpus.files)), str(corpus.lines), corpus.source] for corpus in results.corpora]
    return "Corpora\n" + _table(["corpus", "files", "lines", "source"], rows)


# Modes where files per second means something (not the floors, nor one named file).
RATE_MODES = ("cold", "warm", "incremental", "cold, filling the cache")
SERIES_HEADERS = ["corpus", "tool", "mode", "files", "wall s", "CPU s", "files/s", "peak RSS MiB", "findings", "note"]


def _series_rows(series: Sequence[Series]) -> list[list[str]]:
    rows = []
    for item in series:
        if not item.runs:
            continue
        findings = item.notes.get("findings")
        rows.append(
            [
                item.corpus,
                item.tool,
                item.mode,
                str(item.files),
                f"{item.wall:.3f}",
                f"{item.cpu:.3f}",
                f"{item.files_per_second:.1f}" if item.mode in RATE_MODES else "",
                f"{item.peak_rss_kib / 1024:.1f}",
                "" if findings is None else str(findings),
                _note(item),
            ]
        )
    return rows


def _note(item: Series) -> str:
    notes = []
    if "sampled" in item.notes:
        notes.append(f"sampled {item.notes['sampled']}")
    linted = item.notes.get("files_linted")
    if linted is not None and linted != item.files:
        notes.append(f"Fixit reported {linted} files linted")
    if len(item.runs) == 1:
        notes.append("1 run")
    return "; ".join(notes)


def _cold(results: Results) -> str:
    lines = ["Cold run (no cache, all rules, whole project)", _table(SERIES_HEADERS, _series_rows(results.cold))]
    for corpus in results.corpora:
        if _find(results.cold, corpus.name, "Fixit", "start-up") is None:
            continue
        seconds = fixit_whole_corpus(results, corpus.name, corpus.lines)
        if seconds is not None:
            lines.append(
                f"  {corpus.name}: Fixit on all {len(corpus.files)} files, scaled from its sample "
                f"(start-up once + the sample's cost per line x {corpus.lines} lines): "
                f"~{seconds:.1f} s, {len(corpus.files) / seconds:.1f} files/s"
            )
    lines += [f"  {ratio.line()}" for ratio in cold_ratios(results)]
    return "\n".join(lines)


def _warm(results: Results) -> str:
    lines = ["Warm run (nothing changed)"]
    lines += _unsupported(results)
    if results.warm:
        lines.append(_table(SERIES_HEADERS, _series_rows(results.warm)))
        lines += [f"  {ratio.line()}" for ratio in warm_ratios(results)]
    lines += consistency_problems(results)
    for corpus in results.corpora:
        imported = results.facts.get(corpus.name, {}).get("libcst_imported_on_warm_run")
        if imported is not None:
            verdict = "NOT met" if imported else "met"
            lines.append(f"  {corpus.name}: LibCST imported on a warm run: {'yes' if imported else 'no'} (target: no: {verdict})")
    return "\n".join(lines)


def consistency_problems(results: Results) -> list[str]:
    """A cache must not change what is reported: the same files give the same findings."""
    problems = []
    for corpus in results.corpora:
        cold = _find(results.cold, corpus.name, "fastapi-lint", "cold")
        if cold is None or "findings" not in cold.notes:
            continue
        for mode in ("cold, filling the cache", "warm"):
            other = _find(results.warm, corpus.name, "fastapi-lint", mode)
            if other is not None and "findings" in other.notes and other.notes["findings"] != cold.notes["findings"]:
                problems.append(
                    f"  {corpus.name}: MISMATCH: fastapi-lint reports {cold.notes['findings']} findings with --no-cache "
                    f"and {other.notes['findings']} {mode}: the cache changes the results"
                )
    return problems


def _incremental(results: Results) -> str:
    lines = ["Incremental run (one file changed, cache warm)"]
    lines += _unsupported(results)
    for corpus in results.corpora:
        facts = results.facts.get(corpus.name, {})
        if "changed_file" in facts:
            lines.append(
                f"  {corpus.name}: changed {facts['changed_file']} (importers: {facts['direct_importers']} direct, "
                f"{facts['dependents']} in all)"
            )
        elif "incremental" in facts:
            lines.append(f"  {corpus.name}: {facts['incremental']}")
    if results.incremental:
        lines.append(_table(SERIES_HEADERS, _series_rows(results.incremental)))
        lines += [f"  {ratio.line()}" for ratio in incremental_ratios(results)]
        for corpus in results.corpora:
            floor = _find(results.warm, corpus.name, "interpreter start + import the engine and rules", "floor")
            if floor is not None:
                lines.append(
                    f"  {corpus.name}: interpreter start + importing the engine and rules (what any run that "
                    f"lints a file pays first): {floor.wall:.3f} s"
                )
    return "\n".join(lines)


def _unsupported(results: Results) -> list[str]:
    reasons = {str(facts["cache"]) for facts in results.facts.values() if "cache" in facts}
    return [f"  {reason}" for reason in sorted(reasons)]


def growth_rows(results: Results) -> list[dict[str, float | int | str]]:
    if not results.growth:
        return []
    first = results.growth[0]
    first_ms = first.wall / first.files * 1000
    rows = []
    previous: Series | None = None
    for item in results.growth:
        per_file_ms = item.wall / item.files * 1000
        # Against the previous size start-up (interpreter, imports) cancels out, and
        # each step's cost per added file is the slope of that segment of the line.
        added_files = item.files - previous.files if previous else 0
        added_ms = (item.wall - previous.wall) * 1000 / added_files if previous and added_files else None
        added_kib = (item.peak_rss_kib - previous.peak_rss_kib) / added_files if previous and added_files else None
        previous = item
        rows.append(
            {
                "size": item.mode,
                "files": item.files,
                "wall_s": round(item.wall, 4),
                "ms_per_file": round(per_file_ms, 3),
                "ms_per_file_vs_smallest": round(per_file_ms / first_ms, 3),
                "added_ms_per_added_file": None if added_ms is None else round(added_ms, 3),
                "peak_rss_kib": item.peak_rss_kib,
                "peak_rss_kib_per_file": round(item.peak_rss_kib / item.files, 2),
                "added_rss_kib_per_added_file": None if added_kib is None else round(added_kib, 2),
            }
        )
    return rows


def _growth(results: Results) -> str:
    rows = growth_rows(results)
    if not rows:
        return ""
    table = _table(
        ["size", "files", "wall s", "ms/file", "vs 1x", "ms/added file", "peak RSS MiB", "RSS KiB/file",
         "KiB/added file"],
        [
            [
                str(row["size"]),
                str(row["files"]),
                f"{row['wall_s']:.3f}",
                f"{row['ms_per_file']:.2f}",
                f"{row['ms_per_file_vs_smallest']:.2f}",
                _optional(row["added_ms_per_added_file"], 2),
                f"{int(row['peak_rss_kib']) / 1024:.1f}",
                f"{row['peak_rss_kib_per_file']:.1f}",
                _optional(row["added_rss_kib_per_added_file"], 1),
            ]
            for row in rows
        ],
    )
    return (
        "Linear growth (cold fastapi-lint on 1x, 4x and 16x the generated project)\n"
        + table
        + "\n  added: over the previous size. Linear growth keeps ms and KiB per added file flat from 4x to 16x"
    )


def _optional(value: object, digits: int) -> str:
    return "" if value is None else f"{float(value):.{digits}f}"  # type: ignore[arg-type]


def _table(headers: list[str], rows: list[list[str]]) -> str:
    if not rows:
        return "  (nothing measured)"
    widths = [max(len(headers[i]), *(len(row[i]) for row in rows)) for i in range(len(headers))]
    numeric = [all(_is_number(row[i]) for row in rows if row[i]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  " + "  ".join(
            cell.rjust(width) if right else cell.ljust(width) for cell, width, right in zip(cells, widths, numeric)
        ).rstrip()

    return "\n".join([line(headers), *(line(row) for row in rows)])


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# -- JSON --------------------------------------------------------------------------


def as_json(results: Results) -> dict[str, object]:
    return {
        "machine": results.machine,
        "tools": results.tools,
        "settings": results.settings,
        "corpora": [
            {"name": corpus.name, "files": len(corpus.files), "lines": corpus.lines, "source": corpus.source}
            for corpus in results.corpora
        ],
        "cold": [series.as_json() for series in results.cold],
        "warm": [series.as_json() for series in results.warm],
        "incremental": [series.as_json() for series in results.incremental],
        "growth": growth_rows(results),
        "facts": results.facts,
        "ratios": [ratio.as_json() for ratio in [*cold_ratios(results), *warm_ratios(results), *incremental_ratios(results)]],
        "consistency_problems": [problem.strip() for problem in consistency_problems(results)],
        "warnings": results.warnings,
    }
