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
def collection_paused(*, promote: bool = False) -> Iterator[None]:
    """Pause automatic garbage collection (when it is on) inside the block; its state is restored on exit.

    For work that makes no reference cycles (or few, collected after the block): scoring, writing
    results, predicting with a Hugging Face token classifier, importing a model's libraries.
    The collector's state is restored on exit, also after an exception.

    ``promote``: on exit, move every object alive to the oldest generation at once (:func:`gc.freeze`
    then :func:`gc.unfreeze`), for a block whose objects live on (a library's modules, a model):
    otherwise the first collections after the block scan each of them twice, in the young
    generations, only to find them alive (0.4 s after importing torch and transformers). They are
    collected as before by the next full collection. Not done when objects are frozen already
    (:func:`gc.unfreeze` would release them too).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if promote and gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()
