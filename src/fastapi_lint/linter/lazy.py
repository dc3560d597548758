"""Deferred imports: LibCST costs more to import than a warm run costs in total."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any


class _Deferred(types.ModuleType):
    """Stands in ``sys.modules`` for a module until one of its attributes is needed.

    (``importlib.util.LazyLoader`` does not serve: on Python 3.11 the ``import``
    statement itself reads ``__spec__`` of a module found in ``sys.modules``,
    which loads it.)
    """

    def __getattr__(self, attribute: str) -> Any:
        real = self.__dict__.get("_deferred_real")
        if real is None:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
            real = importlib.import_module(self.__name__)
            # Later look-ups through this stand-in then cost a dict access, as on the module.
            self.__dict__.update(real.__dict__)
            self.__dict__["_deferred_real"] = real
        return getattr(real, attribute)


def import_lazily(name: str) -> None:
    """Make ``import name`` free; the module loads on its first attribute access.

    Modules can then ``import libcst as cst`` at the top and pay for LibCST only
    when a file is actually parsed.
    """
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None:
        return
    stand_in = _Deferred(name)
    stand_in.__spec__ = spec
    sys.modules[name] = stand_in
