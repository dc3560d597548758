"""Adding and dropping top-level imports the way isort / ruff would lay them out.

Imports are grouped in blocks separated by blank lines: standard library, third party,
first party (the project, and relative imports). A new ``from m import n`` joins an
existing ``from m import ...`` when there is one, else the block of its kind, in sorted
place (``import x`` lines first, then ``from`` lines by module), else a new block.
"""

from __future__ import annotations

import sys
from typing import Callable, Literal, Sequence

import libcst as cst

from fastapi_lint.linter import names

Kind = Literal["future", "stdlib", "third-party", "first-party"]
_ORDER = {"future": 0, "stdlib": 1, "third-party": 2, "first-party": 3}


def _import_of(statement: cst.CSTNode) -> cst.Import | cst.ImportFrom | None:
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        small = statement.body[0]
        if isinstance(small, (cst.Import, cst.ImportFrom)):
            return small
    return None


def _module_of(node: cst.Import | cst.ImportFrom) -> str:
    if isinstance(node, cst.Import):
        return names.dotted_name(node.names[0].name) or ""
    dots = "." * len(node.relative)
    return dots + (names.dotted_name(node.module) or "" if node.module is not None else "")


def kind_of(module: str, is_project: Callable[[str], bool]) -> Kind:
    top = module.split(".")[0]
    if module.startswith("."):
        return "first-party"
    if top == "__future__":
        return "future"
    if top in sys.stdlib_module_names:
        return "stdlib"
    return "first-party" if is_project(top) else "third-party"


def _alias_key(name: str) -> tuple[int, str]:
    """ruff's ``order-by-type``: CONSTANTS, then Classes, then functions and variables."""
    if name.isupper() and len(name) > 1:
        return 0, name
    if name[:1].isupper():
        return 1, name
    return 2, name


def _blank(statement: cst.CSTNode) -> bool:
    """Whether a blank line (or a comment) separates the statement from the one before."""
    return bool(getattr(statement, "leading_lines", ()))


def add_from_import(tree: cst.Module, module: str, name: str, is_project: Callable[[str], bool]) -> cst.Module:
    """``from module import name`` added to ``tree`` (nothing when already there)."""
    body = list(tree.body)
    imports = [(i, node) for i, statement in enumerate(body) if (node := _import_of(statement)) is not None]
    # Only the imports at the top of the module count (up to the first other statement).
    top = [(i, node) for position, (i, node) in enumerate(imports) if i == position + _docstring_offset(body)]
    for i, node in top:
        if isinstance(node, cst.ImportFrom) and not node.relative and _module_of(node) == module:
            if isinstance(node.names, cst.ImportStar):
                return tree
            present = [names.dotted_name(alias.name) for alias in node.names]
            if name in present:
                return tree
            body[i] = body[i].with_changes(body=[_merged(node, name)])
            return tree.with_changes(body=body)
    new = cst.SimpleStatementLine([cst.ImportFrom(module=cst.parse_expression(module), names=[cst.ImportAlias(cst.Name(name))])])  # type: ignore[arg-type]
    kind = kind_of(module, is_project)
    if not top:
        position = _docstring_offset(body)
        following = body[position] if position < len(body) else None
        if position > 0:
            new = new.with_changes(leading_lines=[cst.EmptyLine()])
        body.insert(position, new)
        blank = len([line for line in following.leading_lines if line.comment is None]) if following is not None else 2
        if following is not None and blank < 2:
            body[position + 1] = following.with_changes(leading_lines=[*[cst.EmptyLine()] * (2 - blank), *following.leading_lines])
        return tree.with_changes(body=body)
    blocks = _blocks(body, [i for i, _ in top])
    kinds = [{kind_of(_module_of(_import_of(body[i])), is_project) for i in block} for block in blocks]  # type: ignore[arg-type]
    # The block of that kind; in a project that does not separate kinds, a block holding it.
    for wanted in (lambda found: found == {kind}, lambda found: kind in found):
        for block, found in zip(blocks, kinds):
            if wanted(found):
                return tree.with_changes(body=_insert_sorted(body, block, new, module))
    # A new block, after the blocks of the kinds that come first.
    after = [block for block in blocks if all(_ORDER[kind_of(_module_of(_import_of(body[i])), is_project)] < _ORDER[kind] for i in block)]  # type: ignore[arg-type]
    if after:
        position = after[-1][-1] + 1
        body.insert(position, new.with_changes(leading_lines=[cst.EmptyLine()]))
    else:
        position = blocks[0][0]
        first = body[position]
        body[position] = first.with_changes(leading_lines=[cst.EmptyLine()])
        body.insert(position, new.with_changes(leading_lines=first.leading_lines))
    return tree.with_changes(body=body)


def _docstring_offset(body: Sequence[cst.CSTNode]) -> int:
    if body and isinstance(body[0], cst.SimpleStatementLine) and len(body[0].body) == 1:
        small = body[0].body[0]
        if isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
            return 1
    return 0


def _blocks(body: Sequence[cst.CSTNode], positions: list[int]) -> list[list[int]]:
    blocks: list[list[int]] = []
    for i in positions:
        if blocks and blocks[-1][-1] == i - 1 and not _blank(body[i]):
            blocks[-1].append(i)
        else:
            blocks.append([i])
    return blocks


def _insert_sorted(body: list[cst.BaseStatement], block: list[int], new: cst.SimpleStatementLine, module: str) -> list[cst.BaseStatement]:
    """In sorted place when the block is sorted (``from`` lines by module), else at its end."""
    position = block[-1] + 1
    modules = [_module_of(node).lstrip(".").lower() for i in block if isinstance(node := _import_of(body[i]), cst.ImportFrom)]
    if modules == sorted(modules):
        for i in block:
            node = _import_of(body[i])
            if isinstance(node, cst.ImportFrom) and _module_of(node).lstrip(".").lower() > module.lower():
                position = i
                break
    if position == block[0]:
        first = body[position]
        body[position] = first.with_changes(leading_lines=[])
        new = new.with_changes(leading_lines=first.leading_lines)
    body.insert(position, new)
    return body


def _merged(node: cst.ImportFrom, name: str) -> cst.ImportFrom:
    aliases = list(node.names)  # type: ignore[arg-type]
    keys = [_alias_key(names.dotted_name(alias.name) or "") for alias in aliases]
    position = len(aliases)
    if keys == sorted(keys):
        position = next((i for i, key in enumerate(keys) if key > _alias_key(name)), len(aliases))
    multiline = node.lpar is not None and any(
        isinstance(alias.comma, cst.Comma) and isinstance(alias.comma.whitespace_after, cst.ParenthesizedWhitespace) for alias in aliases
    )
    new = cst.ImportAlias(cst.Name(name))
    if multiline:
        # One name a line, each with its comma: copy the shape of a neighbour.
        model = aliases[min(position, len(aliases) - 1)]
        if position == len(aliases) and not isinstance(aliases[-1].comma, cst.Comma):
            aliases[-1] = aliases[-1].with_changes(comma=aliases[-2].comma if len(aliases) > 1 else cst.MaybeSentinel.DEFAULT)
            new = new.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        else:
            new = new.with_changes(comma=model.comma if isinstance(model.comma, cst.Comma) else cst.MaybeSentinel.DEFAULT)
        aliases.insert(position, new)
        return node.with_changes(names=aliases)
    # On one line: let LibCST write the commas.
    aliases = [alias.with_changes(comma=cst.MaybeSentinel.DEFAULT) for alias in aliases]
    aliases.insert(position, new)
    return node.with_changes(names=aliases)


def drop_statements(tree: cst.Module, remove: Callable[[cst.BaseStatement], cst.BaseStatement | None]) -> cst.Module:
    """Top-level statements rewritten by ``remove`` (None: dropped); the blank lines before
    a dropped statement stay in front of the next one."""
    body: list[cst.BaseStatement] = []
    carried: list[cst.EmptyLine] = []
    for statement in tree.body:
        replacement = remove(statement)
        if replacement is None:
            blanks = [line for line in statement.leading_lines if line.comment is None]
            carried = blanks if len(blanks) > len(carried) else carried
            continue
        if carried:
            own = [line for line in replacement.leading_lines if line.comment is None]
            if len(own) < len(carried) and not any(line.comment for line in replacement.leading_lines[: len(carried)]):
                replacement = replacement.with_changes(leading_lines=[*carried[len(own) :], *replacement.leading_lines])
            carried = []
        body.append(replacement)
    if body and not tree.body[0] is body[0] and _docstring_offset(tree.body) == 0:
        # The first statement went: the file starts right away.
        first = body[0]
        lines = list(first.leading_lines)
        while lines and lines[0].comment is None:
            lines.pop(0)
        body[0] = first.with_changes(leading_lines=lines)
    return tree.with_changes(body=body)


def without_names(statement: cst.BaseStatement, unused: set[str]) -> cst.BaseStatement | None:
    """A top-level ``from m import a, b`` without the ``unused`` names (None: nothing left)."""
    node = _import_of(statement)
    if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
        return statement
    def bound(alias: cst.ImportAlias) -> str | None:
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            return alias.asname.name.value
        return names.dotted_name(alias.name)

    kept = [alias for alias in node.names if bound(alias) not in unused]
    if len(kept) == len(node.names):
        return statement
    if not kept:
        return None
    last_comma = node.names[-1].comma
    kept[-1] = kept[-1].with_changes(comma=last_comma)
    if node.lpar is None or len(kept) == 1 and not isinstance(last_comma, cst.Comma):
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return statement.with_changes(body=[node.with_changes(names=kept)])  # type: ignore[attr-defined]
