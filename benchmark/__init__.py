"""The harness: CLI, runs, caching and reports.

``arabench.benchmark.run(models=[...], corpus=..., ...)`` runs the benchmark as one call
and returns :class:`arabench.benchmark.results.Results` (it is :func:`arabench.benchmark.runner.run`).
It is imported lazily, so ``import benchmark`` stays light.
"""

from typing import Any

from arabench.annotations.view_providers import add_view_provider
from arabench.benchmark.version import __version__


def _card_views() -> None:
    """The model cards' views join the one view registry when the harness first looks a view up."""
    from arabench.models.cards import known_cards  # type: ignore[attr-defined]  # mypy reads the cards/ data folder

    known_cards()


add_view_provider(_card_views)

__all__ = ["__version__", "run", "load_results", "Results"]


def __getattr__(name: str) -> Any:
    if name == "run":
        from arabench.benchmark.runner import run

        return run
    if name in ("load_results", "Results"):
        from arabench.benchmark import results

        return getattr(results, name)
    raise AttributeError(f"module 'benchmark' has no attribute {name!r}")
