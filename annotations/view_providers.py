"""The providers of the one view registry (:mod:`arabench.annotations.schema`), kept apart from it.

A provider is a callable that registers views when first asked (the model cards' views). The
harness registers its provider when it is imported; keeping the list here lets it do so
without loading the schema module (and YAML) at every start of the command line.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["add_view_provider", "providers"]

#: Every provider, in the order added.
providers: list[Callable[[], object]] = []


def add_view_provider(provider: Callable[[], object]) -> None:
    """Register a callable that registers views when first asked (e.g. the model cards' views).

    Providers run once per lookup miss and before a listing
    (:func:`arabench.annotations.schema.registered_views`); a provider is added once however
    often it is given.
    """
    if provider not in providers:
        providers.append(provider)
