"""How fast the parsers alone read a corpus: CPython's ``ast.parse`` and LibCST's
``parse_module``, one process, files per second (the ceiling for a Python linter
that parses every file, against ruff's files per second).

    python bench/parsers.py DIRECTORY [DIRECTORY ...]
"""

from __future__ import annotations

import ast
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import python_files  # noqa: E402


def parse_rate(files: list[tuple[Path, str]], parse) -> tuple[float, int]:
    failures = 0
    start = time.perf_counter()
    for _, text in files:
        try:
            parse(text)
        except Exception:
            failures += 1
    elapsed = time.perf_counter() - start
    return len(files) / elapsed, failures


def main(roots: list[str]) -> int:
    import libcst

    warnings.simplefilter("ignore")
    for root in roots:
        files = []
        for path in python_files(Path(root)):
            try:
                files.append((path, path.read_text(encoding="utf-8")))
            except (UnicodeDecodeError, OSError):
                pass
        lines = sum(text.count("\n") for _, text in files)
        ast_rate, ast_failed = parse_rate(files, ast.parse)
        cst_rate, cst_failed = parse_rate(files, libcst.parse_module)
        print(
            f"{root}: {len(files)} files, {lines} lines; ast.parse {ast_rate:,.0f} files/s "
            f"({ast_failed} failed); libcst.parse_module {cst_rate:,.0f} files/s ({cst_failed} failed)"
        )
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: parsers.py DIRECTORY [DIRECTORY ...]")
    sys.exit(main(sys.argv[1:]))
