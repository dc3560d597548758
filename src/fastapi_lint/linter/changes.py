"""Changed-files mode: which lines changed since a git revision (``--diff-base``).

The lines come from ``git diff --unified=0 REV`` against the working tree, so
committed, staged and unstaged changes all count, plus every line of the
untracked Python files. A renamed file counts only where its text changed.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Iterator

from fastapi_lint.linter.engine import RunResult

# Only the new side matters: `+start` or `+start,count` (count 0: lines were only removed).
_HUNK = re.compile(rb"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_UNTRACKED_SUFFIXES = ("*.py", "*.pyi")
_ESCAPES = {b"a": 7, b"b": 8, b"t": 9, b"n": 10, b"v": 11, b"f": 12, b"r": 13, b'"': 34, b"\\": 92}


class ChangesError(Exception):
    """git could not tell what changed; the message is for the user."""


def changed_lines(rev: str, cwd: Path) -> dict[Path, set[int]]:
    """Absolute path -> the 1-based lines added or modified since ``rev`` (working tree included).

    A file whose changes only removed lines is present with no lines.
    """
    if not rev or rev.startswith("-"):
        raise ChangesError(f"'{rev}' is not a git revision")
    toplevel = Path(os.fsdecode(_git(["rev-parse", "--show-toplevel"], cwd).strip())).resolve()
    if _git_status(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], toplevel) != 0:
        raise ChangesError(f"unknown git revision '{rev}'")
    diff = _git(
        [
            "diff",
            "--unified=0",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--find-renames",
            "--ignore-submodules",
            # Fixed prefixes whatever diff.noprefix or diff.mnemonicPrefix say.
            "--src-prefix=a/",
            "--dst-prefix=b/",
            rev,
            "--",
        ],
        toplevel,
    )
    changed = {toplevel / path: lines for path, lines in parse_diff(diff).items()}
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z", "--", *_UNTRACKED_SUFFIXES], toplevel)
    for name in filter(None, untracked.split(b"\0")):
        path = toplevel / os.fsdecode(name)
        changed[path] = _all_lines(path)
    return changed


def parse_diff(diff: bytes) -> dict[str, set[int]]:
    """Path (relative to the repository, from ``+++ b/...``) -> the new-side lines of its hunks."""
    changed: dict[str, set[int]] = {}
    current: set[int] | None = None
    lines = iter(diff.split(b"\n"))
    for line in lines:
        if line.startswith(b"+++ "):
            name = line[4:]
            if name == b"/dev/null":  # deleted
                current = None
            else:
                current = changed.setdefault(_unquote(name).removeprefix("b/"), set())
            continue
        match = _HUNK.match(line)
        if match is None or current is None:
            continue
        removed = int(match.group(1) or b"1")
        start, count = int(match.group(2)), int(match.group(3) or b"1")
        current.update(range(start, start + count))
        # Skip the hunk's body: an added line that reads "++ x" would look like a header.
        _skip(lines, removed + count)
    return changed


def _skip(lines: Iterator[bytes], body: int) -> None:
    while body > 0:
        line = next(lines, None)
        if line is None:
            return
        if not line.startswith(b"\\"):  # "\ No newline at end of file" is not a body line
            body -= 1


def _unquote(name: bytes) -> str:
    """git C-quotes a path with unusual characters: "b/caf\\303\\251.py"."""
    if not (name.startswith(b'"') and name.endswith(b'"') and len(name) >= 2):
        return os.fsdecode(name)
    body, out, index = name[1:-1], bytearray(), 0
    while index < len(body):
        char = body[index : index + 1]
        if char != b"\\":
            out += char
            index += 1
            continue
        escaped = body[index + 1 : index + 2]
        if escaped.isdigit():
            out.append(int(body[index + 1 : index + 4], 8))
            index += 4
        else:
            out.append(_ESCAPES.get(escaped, ord(escaped or b"\\")))
            index += 2
    return os.fsdecode(bytes(out))


def _all_lines(path: Path) -> set[int]:
    try:
        raw = path.read_bytes()
    except OSError:
        return set()
    # Counting "\r\n" twice only overestimates: every real line is included.
    return set(range(1, raw.count(b"\n") + raw.count(b"\r") + 2))


def _git(arguments: list[str], cwd: Path) -> bytes:
    completed = _run_git(arguments, cwd)
    if completed.returncode != 0:
        message = os.fsdecode(completed.stderr).strip() or f"git {arguments[0]} failed (exit code {completed.returncode})"
        raise ChangesError(message.splitlines()[0])
    return completed.stdout


def _git_status(arguments: list[str], cwd: Path) -> int:
    return _run_git(arguments, cwd).returncode


def _run_git(arguments: list[str], cwd: Path) -> "subprocess.CompletedProcess[bytes]":
    # Optional locks off: a linter must not contend with the user's own git commands.
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    command = ["git", "-c", "core.quotePath=false", *arguments]
    try:
        return subprocess.run(command, cwd=cwd, capture_output=True, env=env, check=False)
    except FileNotFoundError:
        raise ChangesError("git is not installed (or not on PATH); --diff-base needs it") from None
    except OSError as error:
        raise ChangesError(f"cannot run git: {error.strerror or error}") from None


def keep_changed(result: RunResult, changed: dict[Path, set[int]], cwd: Path) -> None:
    """Drop the findings that are not on a changed line.

    A finding spanning several lines is kept when any of them changed; a
    project-level finding (reported on a package's ``__init__.py``) when that file
    changed at all.
    """
    from fastapi_lint.linter.baseline import project_level_codes

    project_codes = project_level_codes()
    resolved = {path.resolve(): lines for path, lines in changed.items()}
    kept = []
    for diagnostic in result.diagnostics:
        lines = resolved.get((cwd / diagnostic.path).resolve())
        if lines is None:
            continue
        if diagnostic.code in project_codes or any(
            line in lines for line in range(diagnostic.line, max(diagnostic.line, diagnostic.end_line) + 1)
        ):
            kept.append(diagnostic)
    result.diagnostics[:] = kept
