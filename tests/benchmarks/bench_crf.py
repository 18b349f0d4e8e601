"""Training time and scores of the CRF baseline (one run; prints measured figures).

1. Trains on the first 90% of the packaged ANERcorp train split's sentences
   (the tuning split) and scores the last 10% (news the model has not seen).
2. Trains (or finds in the cache) the shipped model, on the whole train split, and scores
   * the AQMAR dev articles (Wikipedia; PERS read as PER, the ``conll4`` view), if a file is given;
   * the packaged gold article in the ``anercorp`` view.

Scores are strict, word boundaries, flat layer (the harness's headline setting), with 95% percentile
bootstrap intervals over sentences (1,000 resamples, seed 0) from :func:`arabench.eval.stats.bootstrap`.

Usage: python tests/benchmarks/bench_crf.py [--aqmar-dev FILE.conll] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from arabench.annotations.conll import read_conll
from arabench.annotations.corpus import default_gold_path, read_corpus
from arabench.annotations.schema import default_schema
from arabench.annotations.spans import Span
from arabench.annotations.tokenize import sentence_ranges
from arabench.eval.spans import score_spans
from arabench.eval.stats import bootstrap
from arabench.eval.views import score_spans_in_view
from arabench.models.crf.adapter import CRFModel
from arabench.models.crf.train import read_training_data

SETTING = {"mode": "strict", "boundary": "word", "layer": "flat"}


def _units(texts: list[str]) -> list[list[tuple[int, int]]]:
    return [sentence_ranges(t) or [(0, len(t))] for t in texts]


def _report(title: str, scores: object) -> None:
    result = bootstrap(scores, n_resamples=1000, seed=0)  # type: ignore[arg-type]
    micro = scores.micro  # type: ignore[attr-defined]
    f1 = result.get("micro_f1")
    print(
        f"{title}: P={micro.precision:.3f} R={micro.recall:.3f} F1={micro.f1:.3f} "
        f"[{f1.low:.3f}, {f1.high:.3f}] ({result.n_units} sentences)"
    )
    for label, c in scores.per_type.items():  # type: ignore[attr-defined]
        value = "-" if c.f1 is None else f"{c.f1:.3f}"
        print(f"    {label:<5} support={c.support:>5.0f} predicted={c.predicted:>5.0f} F1={value}")


def _conll(sentences: list) -> str:
    return "".join("".join(f"{w}\t{t}\n" for w, t in zip(s.tokens, s.tags, strict=True)) + "\n" for s in sentences)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--aqmar-dev", help="AQMAR dev CoNLL file (token<TAB>tag, PER LOC ORG MISC)")
    parser.add_argument("--cache-dir", help="cache root for the shipped model (default: $ARABENCH_CACHE)")
    args = parser.parse_args()
    sentences = list(read_training_data().sentences)
    cut = len(sentences) * 9 // 10
    with tempfile.TemporaryDirectory() as tmp:
        train_file = Path(tmp) / "tune_train.conll"
        train_file.write_text(_conll(sentences[:cut]), encoding="utf-8")
        started = time.perf_counter()
        tuned = CRFModel(train=str(train_file), cache_dir=tmp)
        seconds = time.perf_counter() - started
        tokens = sum(len(s.tokens) for s in sentences[:cut])
        print(f"training on {cut} sentences ({tokens} tokens): {seconds:.1f} s")
        held = read_conll(_conll(sentences[cut:]), labels=("PERS", "LOC", "ORG", "MISC"))
        texts = [d.text for d in held]
        started = time.perf_counter()
        preds = tuned.predict(texts)
        seconds = time.perf_counter() - started
        n_tokens = sum(len(s.tokens) for s in sentences[cut:])
        print(f"prediction: {seconds:.2f} s for {n_tokens} tokens")
        scores = score_spans(
            [d.spans for d in held], [p.spans for p in preds], texts=texts, units=_units(texts), **SETTING
        )
        _report(f"held-out last 10% of ANERcorp train ({len(sentences) - cut} sentences)", scores)

    started = time.perf_counter()
    model = CRFModel(cache_dir=args.cache_dir)
    state = "trained" if model.built.trained else "found in the cache"
    print(f"shipped model {model.built.key}: {state} in {time.perf_counter() - started:.1f} s")

    if args.aqmar_dev:
        docs = read_conll(Path(args.aqmar_dev), labels=("PER", "LOC", "ORG", "MISC"))
        texts = [d.text for d in docs]
        preds = model.predict(texts)
        renamed = [[Span(s.start, s.end, "PER" if s.label == "PERS" else s.label) for s in p.spans] for p in preds]
        scores = score_spans([d.spans for d in docs], renamed, texts=texts, units=_units(texts), **SETTING)
        _report("AQMAR dev, conll4 view (PERS as PER)", scores)

    gold = read_corpus(default_gold_path())
    texts = [d.text for d in gold]
    preds = model.predict(texts)
    scores = score_spans_in_view(
        [d.spans for d in gold],
        [p.spans for p in preds],
        view=default_schema().view("anercorp"),
        texts=texts,
        units=_units(texts),
        labels=model.labels,
        **SETTING,
    )
    _report("gold article, anercorp view", scores)


if __name__ == "__main__":
    main()
