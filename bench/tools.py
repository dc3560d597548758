"""The linters under test: fastapi-lint as installed, Fixit and ruff in a venv of their own."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

from measure import BenchError

BENCH = Path(__file__).resolve().parent
TOOLS_REQUIREMENTS = BENCH / "tools-requirements.txt"
DEFAULT_TOOLS_VENV = BENCH / ".venv-tools"
# Records which requirements the venv was built from, so a changed pin reinstalls.
_STAMP = "bench-requirements.txt"


@dataclass(frozen=True)
class FastapiLint:
    command: tuple[str, ...]
    # The interpreter it runs on: the warm-run floor is measured with the same one.
    python: str
    version: str
    supports_cache: bool

    def check(self, *arguments: str) -> list[str]:
        return [*self.command, "check", "--exit-zero", "--output-format", "concise", *arguments]


@dataclass(frozen=True)
class OtherTools:
    fixit: str
    ruff: str
    fixit_version: str
    ruff_version: str


def find_fastapi_lint(explicit: str | None) -> FastapiLint:
    """The ``fastapi-lint`` beside this interpreter, or on PATH, or the one given."""
    script = explicit or _beside_interpreter("fastapi-lint") or shutil.which("fastapi-lint")
    if script is None:
        raise BenchError("fastapi-lint not found: install the project (pip install -e .) or pass --fastapi-lint")
    python = _interpreter_of(Path(script)) or sys.executable
    compile_bytecode(python)
    version = _version(_output([script, "--version"]))
    help_text = _output([script, "check", "--help"])
    supports_cache = "--no-cache" in help_text and "--cache-dir" in help_text
    return FastapiLint((script,), python, version, supports_cache)


def compile_bytecode(python: str) -> None:
    """Compile fastapi-lint's modules, as ``pip install`` does: an editable install run
    with PYTHONDONTWRITEBYTECODE set would otherwise compile every module on every run,
    and measure that instead of the tool."""
    locate = "import fastapi_lint, os; print(os.path.dirname(fastapi_lint.__file__))"
    package = _output([python, "-c", locate]).strip()
    _output([python, "-m", "compileall", "-q", package])


def _beside_interpreter(name: str) -> str | None:
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None


def _interpreter_of(script: Path) -> str | None:
    """The interpreter named on a console script's ``#!`` line."""
    try:
        with script.open("rb") as handle:
            first = handle.readline().decode("utf-8", "replace").strip()
    except OSError:
        return None
    if not first.startswith("#!"):
        return None
    words = first[2:].split()
    return words[0] if words and Path(words[0]).name.startswith("python") else None


def ensure_other_tools(venv_dir: Path) -> OtherTools:
    """Fixit and ruff at the pinned versions, installed into ``venv_dir`` once."""
    requirements = TOOLS_REQUIREMENTS.read_text(encoding="utf-8")
    stamp = venv_dir / _STAMP
    bin_dir = venv_dir / ("Scripts" if os.name == "nt" else "bin")
    fixit, ruff = bin_dir / "fixit", bin_dir / "ruff"
    installed = stamp.is_file() and stamp.read_text(encoding="utf-8") == requirements
    if not (installed and fixit.is_file() and ruff.is_file()):
        print(f"Installing Fixit and ruff into {venv_dir} ...", file=sys.stderr)
        if not (bin_dir / "python").exists():
            venv.EnvBuilder(with_pip=True, clear=True).create(venv_dir)
        result = subprocess.run(
            [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "-r", str(TOOLS_REQUIREMENTS)],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
            raise BenchError(f"installing Fixit and ruff into {venv_dir} failed: {last}")
        stamp.write_text(requirements, encoding="utf-8")
    return OtherTools(
        str(fixit),
        str(ruff),
        _version(_output([str(fixit), "--version"])),
        _version(_output([str(ruff), "--version"])),
    )


def _version(text: str) -> str:
    found = re.search(r"\d+(\.\d+)+\S*", text)
    return found.group(0) if found else text.strip()


def _output(command: list[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    except OSError as error:
        raise BenchError(f"cannot run {command[0]}: {error.strerror or error}") from error
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise BenchError(f"{' '.join(command)} failed (exit {result.returncode}): {last}")
    return result.stdout
