"""The harness: CLI, runs, caching and reports.

``benchmark.run(models=[...], corpus=..., ...)`` runs the benchmark as one call
and returns :class:`benchmark.results.Results` (see :func:`benchmark.run.run`).
It is imported lazily, so ``import benchmark`` stays light.
"""

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "run", "load_results", "Results"]


def __getattr__(name: str) -> Any:
    if name == "run":
        import benchmark.run as module  # a callable module: benchmark.run(...) calls benchmark.run.run(...)

        return module
    if name in ("load_results", "Results"):
        from benchmark import results

        return getattr(results, name)
    raise AttributeError(f"module 'benchmark' has no attribute {name!r}")
