"""Time ``arabench.benchmark.run`` on the packaged gold: bootstrap resamples, cache hits, whole-run wall time.

Prints, measured in one run: the time of a run of ``rules``, ``oracle`` and
``empty`` with 0, 1,000 and 10,000 bootstrap resamples (predictions from a
warm cache), and of a cold run (empty cache) against a warm one.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from arabench import benchmark

MODELS = ["rules", "oracle", "empty"]


def timed(**kwargs: object) -> float:
    from arabench.benchmark import scoring

    scoring._BOOTSTRAP_MEMO.clear()  # each run starts without memoized intervals, as a fresh process would
    start = time.perf_counter()
    benchmark.run(MODELS, **kwargs)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        cold = timed(cache_dir=cache, bootstrap=1000, out=Path(tmp) / "cold")
        warm = timed(cache_dir=cache, bootstrap=1000, out=Path(tmp) / "warm")
        print(f"cold run (empty cache), 1000 resamples: {cold:.2f} s")
        print(f"warm run (cached predictions), 1000 resamples: {warm:.2f} s")
        times = {}
        for n in (0, 1000, 10_000):
            times[n] = timed(cache_dir=cache, bootstrap=n)
            print(f"warm run, {n:>6} resamples, no files written: {times[n]:.2f} s")
        settings = 3 * (16 + 2) * len(MODELS)  # views x (span settings + token views) x models, roughly
        per = (times[10_000] - times[0]) / settings
        print(f"bootstrap cost: {per * 1000:.1f} ms per setting at 10,000 resamples (~{settings} settings)")
        print(f"ratio 10,000 / 1,000 resamples (whole run): {times[10_000] / times[1000]:.2f}")


if __name__ == "__main__":
    main()
