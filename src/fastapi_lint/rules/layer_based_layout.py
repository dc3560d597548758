"""FAPI101 layer-based-layout: placeholder, being written."""

from __future__ import annotations

from fastapi_lint.linter.rule import ProjectRule


class LayerBasedLayout(ProjectRule):
    """To be written."""

    code = "FAPI101"
    name = "layer-based-layout"
    summary = "To be written."
