"""The benchmark harness (bench/): its generator, its measurements, and a tiny run end to end.

Timings are never asserted: the machine decides them. What is asserted is that
the harness measures the right thing and reports every section.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import corpus as corpora  # noqa: E402
import generate  # noqa: E402
import run  # noqa: E402
from measure import peak_rss_is_exact, run_measured  # noqa: E402

SCRIPT = Path(sys.executable).parent / "fastapi-lint"
SECTIONS = ("Machine", "Corpora", "Cold run", "Warm run", "Incremental run", "Linear growth")


def bench(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--quiet", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1"},
    )


def contents(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


# -- the generator -------------------------------------------------------------------


def test_generator_is_deterministic(tmp_path: Path) -> None:
    generate.generate(tmp_path / "a", 12, seed=3)
    generate.generate(tmp_path / "b", 12, seed=3)
    generate.generate(tmp_path / "c", 12, seed=4)
    assert contents(tmp_path / "a") == contents(tmp_path / "b")
    assert contents(tmp_path / "a") != contents(tmp_path / "c")


def test_generated_code_parses_and_has_realistic_sizes(tmp_path: Path) -> None:
    project = generate.generate(tmp_path, 20)
    files = corpora.python_files(tmp_path)
    assert len(files) == project.files
    sizes = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        ast.parse(text, filename=str(path))
        if path.name != "__init__.py":
            sizes.append(text.count("\n"))
    assert max(sizes) <= 300
    assert sorted(sizes)[len(sizes) // 2] >= 50
    assert (tmp_path / "pyproject.toml").is_file()
    assert "BaseSettings" in (tmp_path / "app/core/config.py").read_text()
    assert "async_sessionmaker" in (tmp_path / "app/db/session.py").read_text()


def test_generated_project_mixes_files_with_and_without_trigger_words(tmp_path: Path) -> None:
    generate.generate(tmp_path, 10)
    triggers = ("getenv", "environ", "add_task", "BackgroundTask", "Session", "session", "maker", "db")
    texts = [path.read_text() for path in corpora.python_files(tmp_path) if path.name != "__init__.py"]
    with_triggers = sum(any(word in text for word in triggers) for text in texts)
    assert 0 < with_triggers < len(texts)


def test_bigger_projects_replicate_the_features_of_smaller_ones(tmp_path: Path) -> None:
    small = generate.generate(tmp_path / "small", 4)
    generate.generate(tmp_path / "big", 16)
    big_files = contents(tmp_path / "big")
    for feature in small.features:
        for kind in generate.KINDS:
            path = feature.path(kind)
            assert big_files[path] == (tmp_path / "small" / path).read_bytes(), path


def test_files_option_reaches_the_size_asked_for() -> None:
    features = generate.features_for_files(3000)
    assert generate.count_python_files(generate.plan(features, 0)) >= 3000
    assert generate.count_python_files(generate.plan(features - 1, 0)) < 3000


def test_generated_project_has_what_every_rule_looks_for(tmp_path: Path) -> None:
    generate.generate(tmp_path, 16)
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "fastapi_lint"]
    result = subprocess.run(
        [*command, "check", "--output-format", "json", "--exit-zero", "."], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    codes = {record["code"] for record in json.loads(result.stdout)}
    assert codes == {"FAPI101", "FAPI201", "FAPI301", "FAPI302", "FAPI303", "FAPI401"}


def test_generator_refuses_a_directory_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    result = subprocess.run(
        [sys.executable, str(BENCH / "generate.py"), str(tmp_path), "--features", "1"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "is not an empty directory" in result.stderr
    assert "Traceback" not in result.stderr
    assert [path.name for path in tmp_path.iterdir()] == ["keep.txt"]


# -- measuring and corpora ------------------------------------------------------------


ALLOCATE_200_MIB = "block = bytearray(200 * 2**20); block[::4096] = b'x' * len(block[::4096])"


def test_peak_memory_is_each_childs_own(tmp_path: Path) -> None:
    # getrusage(RUSAGE_CHILDREN) would report the big child's peak for the small one too.
    big = run_measured([sys.executable, "-c", ALLOCATE_200_MIB], tmp_path)
    small = run_measured([sys.executable, "-c", "pass"], tmp_path)
    assert big.run.max_rss_kib > 200 * 1024
    assert small.run.max_rss_kib < 100 * 1024
    assert small.run.wall > 0 and big.run.cpu > 0


@pytest.mark.skipif(not peak_rss_is_exact(), reason="needs GNU time (apt-get install time)")
def test_peak_memory_is_not_the_benchmarks_own(tmp_path: Path) -> None:
    # Linux charges a forked child with its parent's peak: a large harness would make
    # every tool look large (the stdlib's import graph grows this process past 200 MiB).
    block = bytearray(300 * 2**20)
    block[::4096] = b"x" * len(block[::4096])
    small = run_measured([sys.executable, "-c", "pass"], tmp_path)
    assert small.run.max_rss_kib < 100 * 1024
    del block


def test_exit_code_and_output_are_the_commands_own(tmp_path: Path) -> None:
    outcome = run_measured([sys.executable, "-c", "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"], tmp_path)
    assert (outcome.returncode, outcome.stdout, outcome.stderr) == (3, "out\n", "err\n")


def test_dependents_follow_imports_transitively(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/base.py": "VALUE = 1\n",
        "pkg/service.py": "from .base import VALUE\n",
        "pkg/router.py": "from pkg import service\n",
        "pkg/api.py": "import pkg.router\n",
        "pkg/other.py": "import json\n",
        "pkg/broken.py": "def (:\n",
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(textwrap.dedent(text))
    found = corpora.python_files(tmp_path)
    imported_by = corpora.importers(tmp_path, found)
    dependents = corpora.dependents(imported_by, tmp_path / "pkg/base.py")
    assert {path.name for path in dependents} == {"service.py", "router.py", "api.py"}
    assert corpora.dependents(imported_by, tmp_path / "pkg/other.py") == set()
    # service.py has two dependents, base.py three, router.py one: the median is service.py.
    assert corpora.typical_edit(imported_by) == tmp_path / "pkg/service.py"


def test_sample_spreads_over_the_files() -> None:
    files = tuple(Path(f"f{index:03}.py") for index in range(100))
    picked = corpora.sample(files, 10)
    assert len(picked) == 10 and len(set(picked)) == 10
    assert picked[0] == files[0] and picked[-1] >= files[90]
    assert corpora.sample(files, 0) == files


# -- the benchmark, end to end --------------------------------------------------------


def test_smoke_run_reports_every_section(tmp_path: Path) -> None:
    result = bench("--files", "40", "--no-stdlib", "--repeat", "1", "--no-tools", "--json", str(tmp_path / "out.json"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for section in SECTIONS:
        assert f"\n{section}" in "\n" + result.stdout, section
    data = json.loads((tmp_path / "out.json").read_text())
    assert {"machine", "tools", "corpora", "cold", "warm", "incremental", "growth", "ratios"} <= set(data)
    assert data["machine"]["nproc"] >= 1 and data["machine"]["python"]
    (cold,) = [series for series in data["cold"] if series["tool"] == "fastapi-lint"]
    generated = next(corpus for corpus in data["corpora"] if corpus["name"] == "generated")
    assert cold["files"] == generated["files"] >= 40
    assert cold["findings"] > 0
    assert [row["size"] for row in data["growth"]] == ["1x", "4x", "16x"]
    assert [row["files"] for row in data["growth"]] == sorted(row["files"] for row in data["growth"])
    help_text = subprocess.run([str(SCRIPT), "check", "--help"], capture_output=True, text=True).stdout
    if "--no-cache" in help_text and "--cache-dir" in help_text:
        assert data["warm"] and data["incremental"]
    else:
        assert data["tools"]["fastapi-lint cache"] == "not supported yet"
        assert not data["warm"] and not data["incremental"]
        warm_section = result.stdout.split("Warm run", 1)[1].split("Linear growth", 1)[0]
        assert warm_section.count("not supported yet") == 2


FAKE_CACHE_FLAGS = '''\
"""fastapi-lint, taught to accept --no-cache and --cache-dir (and ignore them)."""
import sys

arguments = sys.argv[1:]
if arguments[:2] == ["check", "--help"]:
    print("--no-cache  --cache-dir DIRECTORY")
    sys.exit(0)
kept, skip = [], False
for argument in arguments:
    if skip:
        skip = False
    elif argument == "--cache-dir":
        skip = True
    elif argument != "--no-cache":
        kept.append(argument)
sys.argv[1:] = kept
from fastapi_lint.linter.cli import main

main()
'''


def _linter_with_cache_flags(tmp_path: Path) -> Path:
    """The installed fastapi-lint when it has the cache flags, else a stand-in that accepts them."""
    help_text = subprocess.run([str(SCRIPT), "check", "--help"], capture_output=True, text=True).stdout
    if "--no-cache" in help_text and "--cache-dir" in help_text:
        return SCRIPT
    fake = tmp_path / "fastapi-lint"
    fake.write_text(f"#!{sys.executable}\n{FAKE_CACHE_FLAGS}")
    fake.chmod(0o755)
    return fake


def test_warm_and_incremental_are_measured_once_the_cache_flags_exist(tmp_path: Path) -> None:
    linter = _linter_with_cache_flags(tmp_path)
    work = tmp_path / "work"
    result = bench(
        "--files", "20", "--no-stdlib", "--no-growth", "--repeat", "1", "--no-tools", "--fastapi-lint", str(linter),
        "--work-dir", str(work), "--json", str(tmp_path / "out.json"),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "out.json").read_text())
    assert {(series["tool"], series["mode"]) for series in data["warm"]} == {
        ("fastapi-lint", "cold, filling the cache"),
        ("fastapi-lint", "warm"),
        ("read + hash every file", "floor"),
        ("interpreter start", "floor"),
        ("interpreter start + import the engine and rules", "floor"),
    }
    floor = next(series for series in data["warm"] if series["tool"] == "read + hash every file")
    assert floor["files_read"] == floor["files"]
    facts = data["facts"]["generated"]
    assert isinstance(facts["libcst_imported_on_warm_run"], bool)
    assert facts["dependents"] >= facts["direct_importers"] >= 1
    assert {series["mode"] for series in data["incremental"]} == {"incremental", "incremental, changed file named"}
    assert {ratio["name"].split(" /")[0] for ratio in data["ratios"]} >= {"warm", "incremental", "incremental, changed file named"}
    # The edited file is put back as it was generated.
    changed = work / "generated" / facts["changed_file"]
    generate.generate(tmp_path / "fresh", generate.features_for_files(20))
    assert changed.read_bytes() == (tmp_path / "fresh" / facts["changed_file"]).read_bytes()
    assert "LibCST imported on a warm run: " in result.stdout
    assert "bound = 1.5 x warm " in result.stdout
    assert "generated: interpreter start + importing the engine and rules (what any run that lints a file pays first): " in result.stdout


def test_libcst_counts_as_imported_only_when_it_really_is(tmp_path: Path) -> None:
    env = dict(os.environ)
    assert run.imports_libcst([sys.executable, "-c", "import libcst"], tmp_path, env)
    assert not run.imports_libcst([sys.executable, "-c", "import json"], tmp_path, env)
    # fastapi-lint's deferred stand-in sits in sys.modules without loading LibCST.
    deferred = "from fastapi_lint.linter.lazy import import_lazily; import_lazily('libcst'); import libcst"
    assert not run.imports_libcst([sys.executable, "-c", deferred], tmp_path, env)


def test_a_missing_corpus_is_reported_before_anything_runs(tmp_path: Path) -> None:
    result = bench("--no-stdlib", "--no-tools", "--corpus", str(tmp_path / "nope"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].endswith(f"error: --corpus {tmp_path / 'nope'}: not a directory")
    assert "Traceback" not in result.stderr


def test_a_failing_linter_is_a_one_line_error(tmp_path: Path) -> None:
    broken = tmp_path / "fastapi-lint"
    broken.write_text(f"#!{sys.executable}\nimport sys\nif 'check' in sys.argv and '--help' not in sys.argv:\n    sys.exit('boom')\n")
    broken.chmod(0o755)
    result = bench("--files", "5", "--no-stdlib", "--no-growth", "--no-tools", "--fastapi-lint", str(broken), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: fastapi-lint (cold) failed on generated (exit 1): boom"
