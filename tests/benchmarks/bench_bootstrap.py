"""Time eval.stats on a gold-sized corpus and on 5,000 sentences; print the numbers of this one run.

Usage: python tests/benchmarks/bench_bootstrap.py [--resamples 10000] [--seed 0]

Gold-sized corpus: if annotations/gold/000_c51be66d53f8d476.ann exists, the
gold is read with annotations.corpus.read_corpus, split into sentence units
(benchmark.corpus_io.sentence_units), and a deterministically perturbed copy of
the gold (some spans dropped, shortened or relabelled, a few spurious ones
added) is scored against it with eval.spans.score_spans. Otherwise a synthetic
count array of 25 sentences and the schema's 21 types stands in, and the
output says so. The large corpus is always synthetic (5,000 sentences).

The speed-up is measured against a plain per-resample loop (index the units,
sum them, compute each figure with eval.counts), timed on 1,000 resamples and
scaled to the requested number. Each vectorised time is the best of three.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np

from arabench.annotations.schema import default_schema
from arabench.eval import stats
from arabench.eval.counts import Counts, macro_average, weighted_average

GOLD_ANN = Path(__file__).resolve().parents[2] / "annotations" / "gold" / "000_c51be66d53f8d476.ann"


def synthetic(n_units: int, types: tuple[str, ...], seed: int) -> np.ndarray:
    """Counts of a plausible system: Zipf-like type frequencies, recall ~0.8, some false positives."""
    rng = np.random.default_rng(seed)
    rate = 1.2 / np.arange(1, len(types) + 1)
    gold = rng.poisson(rate, size=(n_units, len(types)))
    tp = rng.binomial(gold, 0.8)
    fp = rng.poisson(rate * 0.2, size=(n_units, len(types)))
    return np.stack([tp, fp, gold - tp], axis=-1).astype(np.float64)


def gold_counts():
    """Score a perturbed copy of the gold against it, by sentence; None if the gold is not there yet."""
    if not GOLD_ANN.exists():
        return None
    from arabench.annotations.corpus import read_corpus
    from arabench.annotations.spans import Span
    from arabench.benchmark.corpus_io import sentence_units
    from arabench.eval.spans import score_spans

    docs = read_corpus(GOLD_ANN)
    types = tuple(default_schema().entity_types)
    gold, pred, units = [], [], []
    for doc in docs:
        spans = sorted(doc.entities.values(), key=lambda s: (s.start, s.end, s.label))
        perturbed = []
        for i, s in enumerate(spans):
            if i % 6 == 1:
                continue  # missed
            if i % 6 == 3 and s.end - s.start > 2:
                s = Span(s.start, s.end - 1, s.label)  # boundary error
            elif i % 6 == 5:
                s = Span(s.start, s.end, types[(types.index(s.label) + 1) % len(types)])  # wrong type
            perturbed.append(s)
            if i % 9 == 0 and s.start >= 2:
                perturbed.append(Span(s.start - 2, s.start - 1, "ORG"))  # spurious
        gold.append(spans)
        pred.append(perturbed)
        units.append(sentence_units(doc.text))
    return score_spans(gold, pred, units=units, texts=[d.text for d in docs])


def reference_loop(counts: np.ndarray, n_resamples: int, seed: int) -> float:
    """Seconds for the plain loop over ``n_resamples`` resamples."""
    indices = np.concatenate(list(stats.resample_indices(len(counts), n_resamples=n_resamples, seed=seed)))
    names = [str(k) for k in range(counts.shape[1])]
    start = time.perf_counter()
    replicates = []
    for row in indices:
        total = counts[row].sum(0)
        per_type = {n: Counts(*map(float, t)) for n, t in zip(names, total, strict=True)}
        values = [v for c in per_type.values() for v in (c.precision, c.recall, c.f1)]
        micro = Counts.total(per_type.values())
        values += [micro.precision, micro.recall, micro.f1]
        for average in (macro_average(per_type), weighted_average(per_type)):
            values += [average.precision, average.recall, average.f1]
        replicates.append([np.nan if v is None else v for v in values])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # figures undefined in every resample
        np.nanquantile(np.array(replicates), [0.025, 0.975], axis=0)
    return time.perf_counter() - start


def timed(fn, *args, **kwargs) -> float:
    """Best of three wall-clock times (the machine is shared)."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        fn(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best


def bench(label: str, a, b, n_resamples: int, seed: int, loop: bool) -> None:
    counts = a.unit_counts if hasattr(a, "unit_counts") else a
    n_units, n_types, _ = counts.shape
    print(f"\n{label}: {n_units} units x {n_types} types, {n_resamples} resamples")
    stats.bootstrap(a, n_resamples=10, seed=seed)  # warm-up (imports, BLAS threads)
    for method in stats.METHODS:
        seconds = timed(stats.bootstrap, a, n_resamples=n_resamples, seed=seed, method=method)
        print(f"  {f'bootstrap {method}, all {3 * n_types + 9} figures':44s} {seconds:8.3f} s")
    seconds = timed(stats.paired_bootstrap, a, b, metric="micro_f1", n_resamples=n_resamples, seed=seed)
    print(f"  {'paired_bootstrap, micro_f1':44s} {seconds:8.3f} s")
    seconds = timed(stats.approximate_randomization, a, b, metric="micro_f1", n_trials=n_resamples, seed=seed)
    print(f"  {'approximate_randomization, micro_f1':44s} {seconds:8.3f} s")
    if loop:
        fast = timed(stats.bootstrap, a, n_resamples=n_resamples, seed=seed)
        slow = reference_loop(counts, 1000, seed) * n_resamples / 1000
        print(f"  {'plain loop (1,000 timed, scaled)':44s} {slow:8.3f} s ({slow / fast:.0f}x the percentile bootstrap)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resamples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    types = tuple(default_schema().entity_types)

    scores = gold_counts()
    if scores is not None:
        # the second system: the perturbed copy with its per-unit tp moved to fn on every other unit
        worse = scores.unit_counts.copy()
        worse[::2, :, 2] += worse[::2, :, 0]
        worse[::2, :, 0] = 0
        label = f"gold ({GOLD_ANN.name}, perturbed copy scored by sentence)"
        bench(label, scores.unit_counts, worse, args.resamples, args.seed, loop=True)
    else:
        a = synthetic(25, types, args.seed)
        b = synthetic(25, types, args.seed + 1)
        label = "SYNTHETIC gold-sized corpus (the gold .ann is not there yet)"
        bench(label, a, b, args.resamples, args.seed, loop=True)

    a = synthetic(5000, types, args.seed)
    b = synthetic(5000, types, args.seed + 1)
    bench("synthetic corpus", a, b, args.resamples, args.seed, loop=False)


if __name__ == "__main__":
    main()
