"""The harness: CLI, runs, caching and reports.

``benchmark.run(models=[...], corpus=..., ...)`` runs the benchmark as one call
and returns :class:`benchmark.results.Results` (it is :func:`benchmark.runner.run`).
It is imported lazily, so ``import benchmark`` stays light.
"""

from typing import Any

from benchmark.version import __version__

__all__ = ["__version__", "run", "load_results", "Results"]


def __getattr__(name: str) -> Any:
    if name == "run":
        from benchmark.runner import run

        return run
    if name in ("load_results", "Results"):
        from benchmark import results

        return getattr(results, name)
    raise AttributeError(f"module 'benchmark' has no attribute {name!r}")
