"""The speed-ups give exactly what the slower paths they replace gave."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider, WhitespaceInclusivePositionProvider

from fastapi_lint.linter.positions import node_positions

FIXTURES = Path(__file__).parent / "fixtures"
STDLIB = Path(sys.modules["os"].__file__).parent
# A spread of the standard library: decorators, comprehensions, async, odd layouts.
STDLIB_SAMPLE = ("argparse.py", "asyncio/tasks.py", "dataclasses.py", "enum.py", "typing.py", "json/decoder.py", "textwrap.py")
POSITION_SAMPLE = [*sorted(FIXTURES.glob("*.py")), *(STDLIB / name for name in STDLIB_SAMPLE[:3])]


@pytest.mark.parametrize("path", POSITION_SAMPLE, ids=lambda path: path.name)
def test_node_positions_match_libcst_providers(path: Path) -> None:
    tree = cst.parse_module(path.read_text(encoding="utf-8"))
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    syntactic = wrapper.resolve(PositionProvider)
    inclusive = wrapper.resolve(WhitespaceInclusivePositionProvider)
    nodes = list(syntactic)
    chooser = random.Random(path.name)
    # Every node at once, and a few (the generation stops after the last one wanted).
    for wanted in (nodes, chooser.sample(nodes, 3), [nodes[-1]], [chooser.choice(nodes)]):
        positions, spans = node_positions(tree, wanted, wanted)
        for node in wanted:
            assert positions[id(node)] == syntactic[node], type(node).__name__
            assert spans[id(node)] == inclusive[node], type(node).__name__
