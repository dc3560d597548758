"""What an environment read evaluates to, as a settings field: its type and default.

``os.getenv("PORT", "8000")`` is a ``str`` defaulting to ``"8000"``; wrapped in
``int(...)`` the whole call is an ``int`` defaulting to ``8000``; compared with
``== "true"`` it is a ``bool`` defaulting to ``False``. A shape names the expression
a settings attribute would replace and the field declaration that keeps its meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import libcst as cst

# The read fails when the variable is missing (``os.environ["X"]``): a required field.
REQUIRED = object()

# Spellings pydantic parses as booleans (compared case-insensitively).
_TRUE_WORDS = frozenset({"1", "true", "yes", "on", "y", "t"})
_FALSE_WORDS = frozenset({"0", "false", "no", "off", "n", "f"})
_CASE_FOLDS = frozenset({"lower", "casefold"})
_INTEGER_TEXT = r"[0-9]+"
_FLOAT_TEXT = r"[0-9]+\.[0-9]+"


@dataclass(frozen=True)
class Shape:
    """An expression holding one read, seen as a settings field."""

    node: cst.BaseExpression
    type: str  # "str", "int", "float" or "bool"
    # REQUIRED, None (an optional ``str | None``), or the Python default.
    default: object
    # The default as code, when it is known (None for REQUIRED / optional).
    default_code: str | None

    def declaration(self, name: str) -> str:
        """``name: type = default`` as a class-body statement."""
        if self.default is REQUIRED:
            return f"{name}: {self.type}"
        if self.default is None:
            return f"{name}: {self.type} | None = None"
        return f"{name}: {self.type} = {self.default_code}"


def read_shapes(
    kind: str,
    read_node: cst.BaseExpression,
    default: cst.BaseExpression | None,
    ancestors: list[cst.CSTNode],
    resolve: Callable[[cst.BaseExpression], str | None],
) -> list[Shape]:
    """The shapes of a read, widest first (``int(...)`` before the bare read). An empty
    list when the default cannot be typed."""
    plain = _plain(kind, read_node, default)
    if plain is None:
        return []
    shapes = [plain]
    wrapped = _conversion(plain, ancestors, resolve) or _boolean(plain, ancestors)
    if wrapped is not None:
        shapes.insert(0, wrapped)
    return shapes


def _plain(kind: str, node: cst.BaseExpression, default: cst.BaseExpression | None) -> Shape | None:
    if kind == "subscript":
        return Shape(node, "str", REQUIRED, None)
    if default is None:
        return Shape(node, "str", None, None)
    if isinstance(default, cst.SimpleString) and isinstance(default.evaluated_value, str):
        return Shape(node, "str", default.evaluated_value, _string_code(default))
    return None


def _conversion(plain: Shape, ancestors: list[cst.CSTNode], resolve: Callable[[cst.BaseExpression], str | None]) -> Shape | None:
    """``int(read)`` / ``float(read)``: the converted value."""
    import re

    if len(ancestors) < 2:
        return None
    arg, call = ancestors[-1], ancestors[-2]
    if not (isinstance(arg, cst.Arg) and isinstance(call, cst.Call) and arg.value is plain.node):
        return None
    if len(call.args) != 1 or arg.keyword is not None or arg.star != "":
        return None
    converter = resolve(call.func)
    if converter not in ("builtins.int", "builtins.float"):
        return None
    kind = converter.rpartition(".")[2]
    if plain.default is REQUIRED:
        return Shape(call, kind, REQUIRED, None)
    if not isinstance(plain.default, str):
        return None  # int(None) fails: no default to give
    text = plain.default
    if kind == "int" and re.fullmatch(_INTEGER_TEXT, text):
        return Shape(call, kind, int(text), str(int(text)))
    if kind == "float" and re.fullmatch(_FLOAT_TEXT, text):
        return Shape(call, kind, float(text), repr(float(text)))
    return None


def _boolean(plain: Shape, ancestors: list[cst.CSTNode]) -> Shape | None:
    """``read == "true"``, ``read.lower() in ("1", "true")``, ``read != "0"``: a flag."""
    chain = list(ancestors)
    current: cst.BaseExpression = plain.node
    folds_case = False
    # ``read.lower()``
    if len(chain) >= 2 and isinstance(chain[-1], cst.Attribute) and isinstance(chain[-2], cst.Call):
        attribute, call = chain[-1], chain[-2]
        if attribute.value is not current or call.func is not attribute or call.args:
            return None
        if attribute.attr.value not in _CASE_FOLDS:
            return None
        folds_case = True
        current = call
        chain = chain[:-2]
    if not chain or not isinstance(chain[-1], cst.Comparison):
        return None
    comparison = chain[-1]
    if comparison.left is not current or len(comparison.comparisons) != 1:
        return None
    target = comparison.comparisons[0]
    words = _string_literals(target.comparator)
    if words is None:
        return None
    operator = target.operator
    if isinstance(operator, (cst.Equal, cst.In)):
        positive = True
        if isinstance(operator, cst.Equal) != (len(words) == 1 and isinstance(target.comparator, cst.SimpleString)):
            return None
    elif isinstance(operator, (cst.NotEqual, cst.NotIn)):
        positive = False
        if isinstance(operator, cst.NotEqual) != (len(words) == 1 and isinstance(target.comparator, cst.SimpleString)):
            return None
    else:
        return None
    # The literals must be spellings pydantic reads the same way: all "true" words for
    # ``==``/``in``, all "false" words for ``!=``/``not in``.
    allowed = _TRUE_WORDS if positive else _FALSE_WORDS
    if not words or not all(word.lower() in allowed for word in words):
        return None
    if folds_case and any(word != word.lower() for word in words):
        return None  # ``.lower() == "True"`` is never true
    if plain.default is REQUIRED:
        return Shape(comparison, "bool", REQUIRED, None)
    if plain.default is None:
        if folds_case:
            return None  # ``None.lower()`` fails: no default to give
        value = not positive
    else:
        assert isinstance(plain.default, str)
        seen = plain.default.lower() if folds_case else plain.default
        value = (seen in words) == positive
    return Shape(comparison, "bool", value, repr(value))


def _string_code(literal: cst.SimpleString) -> str:
    """The literal as a field default: in double quotes when that spells the same string
    without escapes (the reader's quoting need not be the settings module's)."""
    value = literal.evaluated_value
    assert isinstance(value, str)
    body = literal.value[len(literal.prefix) :]
    plain = literal.prefix == "" and len(body) >= 2 and body[0] == body[-1] and not body.startswith(body[0] * 3)
    if plain and value.isprintable() and '"' not in value and "\\" not in body:
        return f'"{value}"'
    return literal.value


def _string_literals(node: cst.BaseExpression) -> list[str] | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return [value] if isinstance(value, str) else None
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        words = []
        for element in node.elements:
            if not isinstance(element, cst.Element) or not isinstance(element.value, cst.SimpleString):
                return None
            value = element.value.evaluated_value
            if not isinstance(value, str):
                return None
            words.append(value)
        return words
    return None
