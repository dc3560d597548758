"""The console entry point, and the run record that makes an unchanged re-run cheap.

A ``check`` run that writes nothing and reports no error is recorded in the cache
folder: its command line, working directory and environment (the key), everything
it observed on disk (the folders it listed, the bytes of every file it read, the
paths it probed: ``linter/observe.py``), its output and its exit code. The next
run of the same command first checks those observations; when every one still
holds, nothing the report depends on has changed, and the recorded output is
printed without importing the engine, the rules or LibCST. Otherwise (and with
``--no-cache``) the run goes on as usual, and the per-file cache does the rest.

Only the standard library is imported before the record is checked: this path is
the whole cost of a warm run.
"""

from __future__ import annotations

import hashlib
import os
import sys

from fastapi_lint import __version__
from fastapi_lint.linter import observe

_MAGIC = b"fastapi-lint run record 1"
# Records kept per cache folder (one per command line and working directory).
MAX_RECORDS = 32
# Options that make a run write, read other state (git, a baseline), or skip the cache.
_UNRECORDED_OPTIONS = frozenset(
    {
        "--fix", "--diff", "--add-noqa", "--write-baseline", "--baseline",
        "--diff-base", "--since", "--output-file", "--no-cache", "-h", "--help", "-V", "--version",
    }
)
# Environment variables that change what a run prints.
_ENVIRONMENT = ("NO_COLOR", "FORCE_COLOR", "CI_PROJECT_DIR", "PYTHONIOENCODING", "PYTHONUTF8")


def main() -> None:
    """``fastapi-lint``: replay an unchanged ``check`` run, or run the command line."""
    arguments = sys.argv[1:]
    try:
        key = run_key(arguments) if recordable(arguments) else None
        record = _find_record(arguments, key) if key is not None else None
    except OSError:  # no working directory, say: the command line reports it
        key = record = None
    if record is not None:
        _print(record.outputs)
        sys.exit(record.exit_code)
    if key is not None:
        observe.current = observe.Observations()
    from fastapi_lint.linter.cli import main as command_line

    try:
        command_line()
    except SystemExit as exit:
        observations = observe.current
        if key is not None and observations is not None and observations.record_to is not None:
            code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 2)
            if code in (0, 1):
                store(observations.record_to, key, code, observations)
        raise


def recordable(arguments: list[str]) -> bool:
    if arguments[:1] != ["check"]:
        return False
    return not any(argument.split("=", 1)[0] in _UNRECORDED_OPTIONS for argument in arguments[1:])


def run_key(arguments: list[str]) -> str | None:
    """Everything outside the files that changes a run's output; None when the output
    streams are not UTF-8 (what they print then depends on more than the key)."""
    streams = []
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if encoding != "utf8":
            return None
        isatty = getattr(stream, "isatty", None)
        streams.append("tty" if isatty is not None and isatty() else "-")
    parts = [
        __version__,
        sys.version,
        os.getcwd(),
        *streams,
        *(f"{name}={os.environ.get(name)}" for name in _ENVIRONMENT),
        *arguments,
    ]
    text = "\0".join(parts).encode("utf-8", "surrogateescape")
    return hashlib.blake2b(text, digest_size=16).hexdigest()


# -- the record ------------------------------------------------------------------


class Record:
    def __init__(self, exit_code: int, observations: list[observe.Observation], outputs: list[tuple[int, str]]) -> None:
        self.exit_code = exit_code
        self.observations = observations
        self.outputs = outputs

    def encode(self) -> bytes:
        lines = [str(self.exit_code), str(len(self.observations))]
        lines += [f"{kind}\t{value}\t{path}" for kind, path, value in self.observations]
        lines.append(str(len(self.outputs)))
        blobs = [text.encode("utf-8", "surrogateescape") for _, text in self.outputs]
        lines += [f"{stream}\t{len(blob)}" for (stream, _), blob in zip(self.outputs, blobs)]
        body = ("\n".join(lines) + "\n").encode("utf-8", "surrogateescape") + b"".join(blobs)
        return _MAGIC + b"\n" + _checksum(body) + b"\n" + body

    @classmethod
    def decode(cls, data: bytes) -> "Record | None":
        """The record in ``data``; None when it is not one, or is damaged in any way."""
        try:
            magic, checksum, body = data.split(b"\n", 2)
            if magic != _MAGIC or checksum != _checksum(body):
                return None
            exit_code, count, rest = body.split(b"\n", 2)
            *lines, rest = rest.split(b"\n", int(count))
            observations = []
            for line in lines:
                kind, value, path = line.decode("utf-8", "surrogateescape").split("\t", 2)
                observations.append((kind, path, value))
            count, rest = rest.split(b"\n", 1)
            *sizes, blob = rest.split(b"\n", int(count)) if int(count) else [rest]
            outputs = []
            position = 0
            for size in sizes:
                stream, length = size.split(b"\t")
                end = position + int(length)
                outputs.append((int(stream), blob[position:end].decode("utf-8", "surrogateescape")))
                position = end
            if position != len(blob) or len(lines) != len(observations):
                return None
            return cls(int(exit_code), observations, outputs)
        except (ValueError, UnicodeDecodeError):
            return None

    def still_holds(self) -> bool:
        return all(observe.still_holds(kind, path, value) for kind, path, value in self.observations)


def _checksum(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=16).hexdigest().encode("ascii")


def record_path(cache_directory: str, key: str) -> str:
    return os.path.join(cache_directory, __version__, "runs", key)


def _find_record(arguments: list[str], key: str) -> Record | None:
    directory = _cache_directory(arguments)
    if directory is None:
        return None
    try:
        with open(record_path(directory, key), "rb") as handle:
            record = Record.decode(handle.read())
    except OSError:
        return None
    return record if record is not None and record.still_holds() else None


def _cache_directory(arguments: list[str]) -> str | None:
    """Where the run's cache is: ``--cache-dir``, or the nearest ``.fastapi_lint_cache``
    at or above the working directory (where the configuration puts it)."""
    for position, argument in enumerate(arguments):
        if argument == "--cache-dir" and position + 1 < len(arguments):
            return os.path.abspath(arguments[position + 1])
        if argument.startswith("--cache-dir="):
            return os.path.abspath(argument.split("=", 1)[1])
    directory = os.getcwd()
    while True:
        candidate = os.path.join(directory, observe.CACHE_DIRECTORY)
        if os.path.isdir(candidate):
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _print(outputs: list[tuple[int, str]]) -> None:
    for stream, text in outputs:
        target = sys.stderr if stream == 2 else sys.stdout
        target.write(text)
    sys.stdout.flush()
    sys.stderr.flush()


def store(cache_directory: str, key: str, exit_code: int, observations: observe.Observations) -> None:
    """Record a finished run; a run that saw a file change under it, or that cannot be
    written down exactly, is not recorded (a failure to write only costs speed)."""
    seen = observations.consistent()
    if seen is None or any("\n" in path or "\t" in path for _, path, _ in seen):
        return
    record = Record(exit_code, list(seen), observations.outputs)
    path = record_path(cache_directory, key)
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
        observe.ignored_by_git(cache_directory)
        import tempfile

        descriptor, temporary = tempfile.mkstemp(prefix=".record.", suffix=".tmp", dir=folder)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(record.encode())
        os.replace(temporary, path)
        _prune(folder)
    except OSError:
        return


def _prune(folder: str) -> None:
    """Keep the most recently written records."""
    entries = []
    with os.scandir(folder) as scan:
        for entry in scan:
            if not entry.name.startswith("."):
                try:
                    entries.append((entry.stat().st_mtime_ns, entry.path))
                except OSError:
                    continue
    for _, path in sorted(entries, reverse=True)[MAX_RECORDS:]:
        try:
            os.unlink(path)
        except OSError:
            continue
