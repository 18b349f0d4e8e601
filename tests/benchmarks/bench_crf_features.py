"""crf feature extraction against its definition before issue 23, and against CRFsuite's own tagging (one run).

Usage::

    python tests/benchmarks/bench_crf_features.py [--repeats 5] [--cache-dir DIR] [--no-predict]
        [--growth 10000 100000 500000]

On ``anercorp_train.conll`` (3,972 sentences, 125k tokens) and ``aqmar_dev.conll`` of ``../shared/data``
(found beside the clone or beside its folder of worktrees), in one process:

1. checks that :func:`arabench.models.crf.features.sentence_features` gives, for every sentence of
   both files, the very lists (same features, same order) of the definition before issue 23
   (``tests/crf_reference.py``: ``models/crf/features.py`` before commit 6b2cc37 with the current
   feature set, and its own copy of the normalization of then): the same features, so the same model
   and the same predictions;
2. times, interleaved within each repeat (the order of the two extractions alternates), medians of
   ``--repeats``:

   * ``cold``: every word cache emptied first (a fresh process; the gazetteer, data built once, is kept),
   * ``warm``: the same sentences again (a long run, or training's second look);
   * CRFsuite tagging the same sentences from features computed beforehand (``Tagger.tag``): the floor
     of ``predict``;
   * ``crf`` ``predict`` end to end (cold word caches), on the sentences joined into documents of 50
     sentences, one per line, in tokens per second of the words it tags.

3. growth: the current extraction (cold) on the training sentences repeated to ``--growth`` tokens, and on
   one sentence of that many words, in microseconds per token (flat: linear in tokens).

Prints the machine's load (``os.getloadavg()``) at the start and at the end, the seconds, tokens per
second and the ratios (reference / current: the target is at least 2 cold and warm). The machine may be
shared: read the ratios of one run, never seconds from two. The model of step 2 is trained on first use
(the packaged ANERcorp train split) and cached under ``--cache-dir`` (default ``$ARABENCH_CACHE``).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import crf_reference as reference

from arabench.models.crf import features

ROOT = Path(__file__).resolve().parents[2]
DATA = next(
    (p for p in (ROOT / ".." / "shared" / "data", ROOT / ".." / ".." / "shared" / "data") if p.is_dir()),
    ROOT / ".." / "shared" / "data",
)
CORPORA = ("anercorp_train.conll", "aqmar_dev.conll")
SENTENCES_PER_DOCUMENT = 50


def extract(extractor: Callable[[Sequence[str]], list[list[str]]], sentences: list[list[str]]) -> float:
    """Seconds to extract the features of every sentence, one sentence at a time as ``predict`` does."""
    gc.collect()
    started = time.perf_counter()
    for words in sentences:
        extractor(words)
    return time.perf_counter() - started


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cache-dir", help="cache root of the trained model (default: $ARABENCH_CACHE)")
    parser.add_argument("--no-predict", action="store_true", help="leave out CRFsuite tagging and predict")
    parser.add_argument("--growth", type=int, nargs="*", default=[10_000, 100_000, 500_000], help="token counts")
    args = parser.parse_args()
    print(f"load average at start: {load()} (1, 5, 15 min; {os.cpu_count()} cores)")
    corpora = {name: reference.conll_words(DATA / name) for name in CORPORA if (DATA / name).is_file()}
    if not corpora:
        sys.exit(f"no corpus found in {DATA}")
    features.gazetteer()  # data, built once in either case: not timed
    reference.gazetteer()
    for name, sentences in corpora.items():
        for k, words in enumerate(sentences):
            if features.sentence_features(words) != reference.sentence_features(words):
                sys.exit(f"{name}: sentence {k + 1} has other features than before issue 23: the benchmark is void")
        print(f"{name}: {len(sentences)} sentences, {sum(map(len, sentences))} tokens, features identical")

    tagger = model = None
    if not args.no_predict:
        from arabench.models.crf.adapter import CRFModel, sentence_words

        started = time.perf_counter()
        model = CRFModel(cache_dir=args.cache_dir)
        print(f"model {model.built.key[:12]} ready in {time.perf_counter() - started:.1f} s")
        tagger = model._tagger
    precomputed = {name: [features.sentence_features(w) for w in s] for name, s in corpora.items()} if tagger else {}
    documents = {
        name: [
            "\n".join(" ".join(w) for w in s[k : k + SENTENCES_PER_DOCUMENT])
            for k in range(0, len(s), SENTENCES_PER_DOCUMENT)
        ]
        for name, s in corpora.items()
    }
    tagged_words = {
        name: sum(len(offsets) for text in texts for offsets in sentence_words(text)) if model else 0
        for name, texts in documents.items()
    }

    # the benchmark's own data (the sentences, the features computed beforehand, the model) leave the collector's
    # view: the timed code pays for its own objects only, as in a process that does not hold them
    gc.collect()
    gc.freeze()
    times: dict[tuple[str, str], list[float]] = {}

    def record(name: str, what: str, seconds: float) -> None:
        times.setdefault((name, what), []).append(seconds)

    for repeat in range(args.repeats):
        for name, sentences in corpora.items():
            runs = [
                ("reference", reference.sentence_features, reference.clear_caches),
                ("current", features.sentence_features, features.clear_caches),
            ]
            for label, extractor, clear in runs if repeat % 2 == 0 else runs[::-1]:
                clear()
                record(name, f"{label} cold", extract(extractor, sentences))
                record(name, f"{label} warm", extract(extractor, sentences))
            if tagger is not None and model is not None:
                gc.collect()
                started = time.perf_counter()
                for feats in precomputed[name]:
                    tagger.tag(feats)
                record(name, "crfsuite tag", time.perf_counter() - started)
                features.clear_caches()
                gc.collect()
                started = time.perf_counter()
                model.predict(documents[name])
                record(name, "predict (cold)", time.perf_counter() - started)
        print(f"repeat {repeat + 1}/{args.repeats} done (load {load()})", flush=True)

    print(f"\nmedians of {args.repeats} repeats; tokens/s; ratio = reference seconds / current seconds")
    for name, sentences in corpora.items():
        tokens = sum(map(len, sentences))
        med = {what: statistics.median(v) for (n, what), v in times.items() if n == name}
        print(f"\n{name} ({tokens} tokens)")
        print(f"  {'':<26}{'seconds':>9}{'tokens/s':>11}")
        for what, seconds in med.items():
            count = tagged_words[name] if what.startswith("predict") else tokens
            print(f"  {what:<26}{seconds:>9.3f}{count / seconds:>11.0f}")
        for state in ("cold", "warm"):
            ratio = med[f"reference {state}"] / med[f"current {state}"]
            print(f"  speed-up {state}: {ratio:.2f}x (target >= 2)")
        if "predict (cold)" in med:
            share = med["current cold"] / med["predict (cold)"]
            print(f"  feature extraction (cold) / predict: {share:.0%}")
            print(f"  predict / crfsuite tag: {med['predict (cold)'] / med['crfsuite tag']:.2f}x the time")
    if args.growth:
        growth(corpora[next(iter(corpora))], args.growth)
    print(f"\nload average at end: {load()}")


def growth(sentences: list[list[str]], sizes: list[int]) -> None:
    """Microseconds per token of the current extraction (cold) on many sentences and on one, by size."""
    print("\ngrowth of the current extraction (cold caches; µs per token)")
    print(f"  {'tokens':>9}{'sentences':>12}{'one sentence':>14}")
    for size in sizes:
        many: list[list[str]] = []
        count = 0
        while count < size:
            words = sentences[len(many) % len(sentences)][: size - count]
            many.append(words)
            count += len(words)
        one = [w for words in many for w in words]
        cells = []
        for batch in (many, [one]):
            features.clear_caches()
            cells.append(extract(features.sentence_features, batch) / size * 1e6)
        print(f"  {size:>9}{cells[0]:>12.2f}{cells[1]:>14.2f}")


if __name__ == "__main__":
    main()
