"""What a run looked at on disk: the folders it listed, the files it read, the paths it
probed. A run that changes nothing and reports no error is recorded with these
observations (``linter/replay.py``); while every observation still holds, the next
identical command prints the recorded report without linting anything.

Only the standard library: the replay path imports this before anything else.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat

# One observation: (kind, path, value); kinds "list" (folder -> digest of its entries),
# "read" (file -> digest of its bytes), "isfile" and "exists" (path -> "1" or "0"), and
# "volatile" (the run met something that may not happen again the same way).
Observation = tuple[str, str, str]
LISTING, READ, IS_FILE, EXISTS, VOLATILE = "list", "read", "isfile", "exists", "volatile"
CACHE_DIRECTORY = ".fastapi_lint_cache"
# A folder that could not be listed; a file that could not be read (followed by the errno).
UNLISTABLE = UNREADABLE = "!"


class Observations:
    """The observations of one run, in order (a forked worker sends back what it added)."""

    def __init__(self) -> None:
        self.journal: list[Observation] = []
        # What the run printed: (1 for stdout or 2 for stderr, text), in order.
        self.outputs: list[tuple[int, str]] = []
        # The cache folder to record the run in; set once the run is known to be
        # recordable (it wrote nothing and met no error it could not observe).
        self.record_to: str | None = None

    def add(self, kind: str, path: str, value: str) -> None:
        self.journal.append((kind, path, value))

    def since(self, mark: int) -> list[Observation]:
        return self.journal[mark:]

    def extend(self, observations: list[Observation]) -> None:
        self.journal.extend(observations)

    def consistent(self) -> dict[Observation, None] | None:
        """Every distinct observation, or None when the run saw one path two ways (it
        changed while the run read it) or met something volatile: such a run is not
        worth recording."""
        seen: dict[tuple[str, str], str] = {}
        for kind, path, value in self.journal:
            if kind == VOLATILE:
                return None
            if seen.setdefault((kind, path), value) != value:
                return None
        return {(kind, path, value): None for (kind, path), value in seen.items()}


# The run being observed, if any (set by the replay entry point for `check`).
current: Observations | None = None


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def listing_digest(entries: "list[os.DirEntry[str]]") -> str:
    """The names in a folder and which of them are folders: what discovery decides on.
    The cache folder is left out: the first run creates it, and it holds no sources."""
    parts = []
    for entry in entries:
        if entry.name == CACHE_DIRECTORY:
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        parts.append(entry.name + ("/" if is_dir else ""))
    return digest("\n".join(sorted(parts)).encode("utf-8", "surrogateescape"))


def mark() -> int:
    """Where the journal is now (0 when nothing is observed)."""
    return len(current.journal) if current is not None else 0


def since(position: int) -> list[Observation]:
    return current.since(position) if current is not None else []


def extend(observations: list[Observation]) -> None:
    """Observations made in a forked process, as if made here."""
    if current is not None:
        current.extend(observations)


def printed(stream: int, text: str) -> None:
    if current is not None:
        current.outputs.append((stream, text))


def listed(directory: str, entries: "list[os.DirEntry[str]] | None") -> None:
    if current is not None:
        value = UNLISTABLE if entries is None else listing_digest(entries)
        current.add(LISTING, os.path.abspath(directory), value)


def read(path: "str | os.PathLike[str]", data: bytes) -> None:
    if current is not None:
        current.add(READ, os.path.abspath(path), digest(data))


def read_digest(path: "str | os.PathLike[str]", value: str) -> None:
    """``read`` of a file whose bytes' ``digest`` the caller has already computed."""
    if current is not None:
        current.add(READ, os.path.abspath(path), value)


def unreadable(path: "str | os.PathLike[str]", error: OSError) -> None:
    """A file that could not be read: the same error next time is the same report."""
    if current is not None:
        current.add(READ, os.path.abspath(path), f"{UNREADABLE}{error.errno}")


def volatile() -> None:
    """Something this run met may not happen again the same way (a parser that crashed or
    ran out of time): its report is not to be replayed."""
    if current is not None:
        # A journal entry, not a flag: a worker process's journal comes back to the parent.
        current.add(VOLATILE, "", "1")


def is_file(path: "str | os.PathLike[str]") -> bool:
    """``os.path.isfile``, observed."""
    found = os.path.isfile(path)
    if current is not None:
        current.add(IS_FILE, os.path.abspath(path), "1" if found else "0")
    return found


def exists(path: "str | os.PathLike[str]") -> bool:
    """``os.path.exists``, observed."""
    found = os.path.exists(path)
    if current is not None:
        current.add(EXISTS, os.path.abspath(path), "1" if found else "0")
    return found


def still_holds(kind: str, path: str, value: str) -> bool:
    """Whether an observation made by an earlier run is still true."""
    if kind == READ:
        try:
            return digest(regular_file_bytes(path)) == value
        except OSError as error:
            return value == f"{UNREADABLE}{error.errno}"
    if kind == IS_FILE:
        return ("1" if os.path.isfile(path) else "0") == value
    if kind == EXISTS:
        return ("1" if os.path.exists(path) else "0") == value
    if kind == LISTING:
        try:
            with os.scandir(path) as scan:
                entries = list(scan)
        except OSError:
            return value == UNLISTABLE
        return listing_digest(entries) == value
    return False


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def regular_file_bytes(path: "str | os.PathLike[str]") -> bytes:
    """The bytes of a regular file; anything else (a folder, a named pipe, a socket, a
    device) raises OSError instead of blocking or reading forever."""
    # O_NONBLOCK: opening a named pipe with no writer would otherwise wait for one. Plain
    # descriptors: a buffered file object per file costs more than the read.
    descriptor = os.open(path, _READ_FLAGS)
    try:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory")
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        chunks = []
        while True:
            chunk = os.read(descriptor, max(status.st_size + 1, 65536))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(descriptor)


def ignored_by_git(cache_directory: str) -> None:
    """Keep the cache folder out of version control (it may come from anyone's checkout)."""
    ignore = os.path.join(cache_directory, ".gitignore")
    if not os.path.exists(ignore):
        with open(ignore, "w", encoding="utf-8") as handle:
            handle.write("# Created by fastapi-lint\n*\n")
