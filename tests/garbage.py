"""What a block of code leaves to the garbage collector: objects only a reference cycle keeps."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def cyclic_garbage() -> Iterator[list[str]]:
    """The type names of the cyclic garbage made inside the block, filled in when it ends."""
    found: list[str] = []
    gc.collect()  # what was garbage before the block is not counted
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield found
        gc.collect()
        found.extend(type(thing).__qualname__ for thing in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
