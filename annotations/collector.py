"""Python's garbage collector paused over work that allocates many objects and makes no reference cycles.

A collection of the oldest generation scans every object alive: with a corpus (and a model's
libraries) in memory, each one takes a tenth of a second or more, and bursts of allocation (span
tuples, error records, a tokenizer's encodings, a library's imports) trigger them again and again
while finding nothing to free. Reference counting still frees everything that is not in a cycle.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collection_paused"]


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause automatic garbage collection (when it is on) inside the block; its state is restored on exit.

    For work that makes no reference cycles (or few, collected after the block): scoring, writing
    results, predicting with a Hugging Face token classifier, importing a model's libraries.
    The collector's state is restored on exit, also after an exception.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
