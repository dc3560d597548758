"""Small LibCST rewrites the project-aware fixes share: imports, parameter and list
edits that keep the file's own formatting (commas, line breaks, trailing commas)."""

from __future__ import annotations

import sys
from typing import Sequence, TypeVar

import libcst as cst

from fastapi_lint.linter.names import dotted_name, resolve_relative

_Item = TypeVar("_Item", "cst.Param", "cst.Element", "cst.ImportAlias")


def _is_import_line(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and any(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


def _imported_module(statement: cst.CSTNode) -> str | None:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.ImportFrom):
        return None if small.relative else dotted_name(small.module)
    if isinstance(small, cst.Import):
        return dotted_name(small.names[0].name)
    return None


def reflow(
    items: Sequence[_Item],
    original: Sequence[_Item],
    default_separator: cst.Comma,
    opening: cst.BaseParenthesizableWhitespace | None = None,
) -> list[_Item]:
    """Give ``items`` (``original`` with items added or removed) commas in the style of
    ``original``: the separator its inner items use (else, for a one-item list laid out
    one item a line, the line break after the opening bracket, ``opening``), and its last
    item's comma (trailing or none) on the new last item."""
    if not items:
        return []
    separator = next((item.comma for item in original[:-1] if isinstance(item.comma, cst.Comma)), None)
    if separator is None:
        separator = default_separator
        if isinstance(opening, cst.ParenthesizedWhitespace):
            separator = cst.Comma(whitespace_after=opening)
    last = original[-1].comma if original else cst.MaybeSentinel.DEFAULT
    was_last = original[-1] if original else None
    # A parameter keeps the line break before the closing parenthesis after its comma.
    closing = getattr(was_last, "whitespace_after_param", None)
    result: list[_Item] = []
    for position, item in enumerate(items):
        if closing is not None and isinstance(item, cst.Param):
            item = item.with_changes(whitespace_after_param=cst.SimpleWhitespace(""))
        if position == len(items) - 1:
            if closing is not None and isinstance(item, cst.Param):
                item = item.with_changes(whitespace_after_param=closing)
            result.append(item.with_changes(comma=_with_comment_of(last, item.comma)))
        elif item is was_last or not isinstance(item.comma, cst.Comma) or not any(item is o for o in original):
            result.append(item.with_changes(comma=_with_comment_of(separator, item.comma)))
        else:
            result.append(item)
    return result


def _with_comment_of(
    comma: cst.Comma | cst.MaybeSentinel, own: cst.Comma | cst.MaybeSentinel
) -> cst.Comma | cst.MaybeSentinel:
    """``comma``'s layout with the end-of-line comment of the item's ``own`` comma (or
    none): a comment stays with its item and is never copied to another."""
    if not isinstance(comma, cst.Comma) or not isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
        return comma
    own_after = own.whitespace_after if isinstance(own, cst.Comma) else None
    first = own_after.first_line if isinstance(own_after, cst.ParenthesizedWhitespace) else cst.TrailingWhitespace()
    return comma.with_changes(whitespace_after=comma.whitespace_after.with_changes(first_line=first))


def _space_comma() -> cst.Comma:
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _name_order(name: str) -> tuple[int, str]:
    """isort's / ruff's ``order-by-type``: CONSTANTS, then Classes, then functions."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name.lower()


def _from_module(small: cst.ImportFrom, here: tuple[str, bool] | None) -> str | None:
    """The absolute module of a ``from ... import``; relative ones need ``here``
    (the importing module's name and whether it is a package)."""
    target = dotted_name(small.module) if small.module is not None else None
    if not small.relative:
        return target
    if here is None:
        return None
    return resolve_relative(here[0], here[1], len(small.relative), target)


def add_from_import(
    tree: cst.Module, module: str, name: str, project_roots: frozenset[str], here: tuple[str, bool] | None = None
) -> cst.Module:
    """``from module import name``: merged into an existing ``from module import ...``,
    else a new line after the last import of the same kind (project or library)."""
    body = list(tree.body)
    for position, statement in enumerate(body):
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        small = statement.body[0]
        if (
            isinstance(small, cst.ImportFrom)
            and _from_module(small, here) == module
            and not isinstance(small.names, cst.ImportStar)
        ):
            aliases = list(small.names)
            names = [dotted_name(alias.name) or "" for alias in aliases]
            new_alias = cst.ImportAlias(cst.Name(name))
            at = len(aliases)
            # Keep a sorted list sorted; otherwise append.
            if names == sorted(names, key=_name_order):
                at = next((i for i, n in enumerate(names) if _name_order(n) > _name_order(name)), len(aliases))
            opening = small.lpar.whitespace_after if small.lpar is not None else None
            updated = reflow([*aliases[:at], new_alias, *aliases[at:]], aliases, _space_comma(), opening)
            body[position] = statement.with_changes(body=[small.with_changes(names=updated)])
            return tree.with_changes(body=body)
    line = cst.parse_statement(f"from {module} import {name}\n", config=tree.config_for_parsing)
    return insert_import_line(tree, line, project_roots)


def add_plain_import(tree: cst.Module, module: str, project_roots: frozenset[str]) -> cst.Module:
    line = cst.parse_statement(f"import {module}\n", config=tree.config_for_parsing)
    return insert_import_line(tree, line, project_roots)


def _kind(module: str | None, relative: bool, project_roots: frozenset[str]) -> int:
    """isort's sections: 0 ``__future__``, 1 standard library, 2 third party, 3 the project."""
    if relative:
        return 3
    top = (module or "").split(".", 1)[0]
    if top == "__future__":
        return 0
    if top in project_roots:
        return 3
    return 1 if top in sys.stdlib_module_names else 2


def _is_from(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.ImportFrom)


def _statement_kind(statement: cst.CSTNode, project_roots: frozenset[str]) -> int:
    relative = (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.ImportFrom)
        and bool(statement.body[0].relative)
    )
    return _kind(_imported_module(statement), relative, project_roots)


def insert_import_line(tree: cst.Module, line: cst.SimpleStatementLine, project_roots: frozenset[str]) -> cst.Module:
    """Put an import line in its section (standard library, third party, project), in
    alphabetical place when the section is sorted, else last; a new section gets blank lines."""
    assert isinstance(line, cst.SimpleStatementLine)
    line = line.with_changes(leading_lines=[])
    own_kind = _statement_kind(line, project_roots)
    body = list(tree.body)
    first_def = next((i for i, s in enumerate(body) if isinstance(s, (cst.FunctionDef, cst.ClassDef))), len(body))
    imports = [i for i in range(first_def) if _is_import_line(body[i])]
    kinds = {i: _statement_kind(body[i], project_roots) for i in imports}
    same = [i for i in imports if kinds[i] == own_kind]
    if same:
        # isort's layout: ``import x`` lines, then ``from x import y`` lines, each sorted.
        style = _is_from(line)
        alike = [i for i in same if _is_from(body[i]) == style]
        modules = [(_imported_module(body[i]) or "").lower() for i in alike]
        own = (_imported_module(line) or "").lower()
        later = [i for i, module in zip(alike, modules) if module > own]
        contiguous = same == list(range(same[0], same[-1] + 1))
        if contiguous and later and modules == sorted(modules):
            at = later[0]
        elif contiguous and alike:
            at = alike[-1] + 1
        elif contiguous and not style:
            at = same[0]  # the first plain import, before the ``from`` lines
        else:
            at = same[-1] + 1
        if at <= same[-1] and at in same:
            body.insert(at, line.with_changes(leading_lines=body[at].leading_lines))
            body[at + 1] = body[at + 1].with_changes(leading_lines=[])
        else:
            body.insert(at, line)
        return tree.with_changes(body=body)
    after = [i for i in imports if kinds[i] > own_kind]
    before = [i for i in imports if kinds[i] < own_kind]
    if after:
        # A new section before the later ones: it takes their place, they move a blank line down.
        at = after[0]
        body.insert(at, line.with_changes(leading_lines=body[at].leading_lines))
        body[at + 1] = body[at + 1].with_changes(leading_lines=[cst.EmptyLine()])
    elif before:
        body.insert(before[-1] + 1, line.with_changes(leading_lines=[cst.EmptyLine()]))
    else:
        # No import at all: after the docstring, if any.
        at = 1 if body and _is_docstring(body[0]) else 0
        if at:
            line = line.with_changes(leading_lines=[cst.EmptyLine()])
        if at < len(body) and not body[at].leading_lines:
            body[at] = body[at].with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
        body.insert(at, line)
    return tree.with_changes(body=body)


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def remove_import_alias(tree: cst.Module, statement: cst.SimpleStatementLine, alias: cst.ImportAlias) -> cst.Module:
    """Drop one name from a top-level import line (the whole line when it was the only one)."""
    body = list(tree.body)
    if statement not in body or len(statement.body) != 1:
        return tree
    small = statement.body[0]
    if not isinstance(small, (cst.Import, cst.ImportFrom)) or isinstance(small.names, cst.ImportStar):
        return tree
    aliases = list(small.names)
    if alias not in aliases:
        return tree
    position = body.index(statement)
    kept = [item for item in aliases if item is not alias]
    if kept:
        body[position] = statement.with_changes(body=[small.with_changes(names=reflow(kept, aliases, _space_comma()))])
        return tree.with_changes(body=body)
    del body[position]
    if position < len(body) and statement.leading_lines and not body[position].leading_lines:
        body[position] = body[position].with_changes(leading_lines=statement.leading_lines)
    return tree.with_changes(body=body)
