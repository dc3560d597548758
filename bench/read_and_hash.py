"""The floor of a warm run: start the interpreter, find, read and hash every Python file.

A linter with a cache cannot do less on a warm run than this; ``bench/run.py``
times it with fastapi-lint's own interpreter. Only the standard library is
imported, as little as a linter's start-up must import.

    python bench/read_and_hash.py DIRECTORY
"""

import hashlib
import os
import sys

SKIPPED = {".git", ".hg", ".svn", ".venv", "venv", "__pycache__", "node_modules", "site-packages", ".tox", ".nox"}


def main(root: str) -> int:
    count = 0
    digest = hashlib.sha256()
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = [name for name in subdirectories if name not in SKIPPED and not name.endswith("_cache")]
        for name in names:
            if name.endswith((".py", ".pyi")):
                with open(os.path.join(directory, name), "rb") as handle:
                    digest.update(hashlib.sha256(handle.read()).digest())
                count += 1
    print(count, digest.hexdigest())
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: read_and_hash.py DIRECTORY")
    sys.exit(main(sys.argv[1]))
