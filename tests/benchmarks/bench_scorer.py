"""Time arabench's scorer against seqeval on a synthetic corpus, checking the numbers are identical.

Usage::

    python tests/benchmarks/bench_scorer.py [--sentences 100000] [--seed 0]

Builds a corpus of random sentences (tokens + BIO2 tags over 5 types, with
noisy predictions including ill-formed ``I-`` tags), then scores it:

* token view, strict IOB2: ``arabench.eval.tokens.score_tags(scheme="iob2")`` against
  ``seqeval.metrics.classification_report(mode="strict", scheme=IOB2)``;
* token view, conlleval rules: ``score_tags(scheme="conlleval")`` against
  ``classification_report`` in its default mode;
* spans: ``arabench.eval.spans.score_spans(mode="strict", layer="flat")`` on the same
  chunks as character spans, counts only and with every error classified
  (``errors=True``, the default, with proclitic analysis), against the strict
  IOB2 report.

Every per-type and micro figure must be equal (``==``), else the script
exits with status 1. Times and speed ratios are measured in this one run.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seqeval.metrics import classification_report
from seqeval.scheme import IOB2

from arabench.annotations.spans import Span
from arabench.eval.spans import score_spans
from arabench.eval.tokens import score_tags, tag_chunks

TYPES = ("PERS", "ORG", "GPE", "LOC", "DATE")
WORDS = ("قال", "الرئيس", "في", "مدينة", "بيروت", "وزير", "الخارجية", "مؤتمر", "يوم", "الأحد", "شركة", "،", ".")


def build(n: int, seed: int) -> tuple[list[list[str]], list[list[str]], list[list[str]]]:
    rng = random.Random(seed)
    tokens, gold, pred = [], [], []
    for _ in range(n):
        length = rng.randint(5, 30)
        g: list[str] = []
        while len(g) < length:
            if rng.random() < 0.7:
                g.append("O")
                continue
            label = rng.choice(TYPES)
            g.append(f"B-{label}")
            g.extend(f"I-{label}" for _ in range(rng.choice((0, 0, 1, 2))))
        g = g[:length]
        p = list(g)
        for i in range(length):
            r = rng.random()
            if r < 0.03:
                p[i] = "O"
            elif r < 0.06:
                p[i] = f"B-{rng.choice(TYPES)}"
            elif r < 0.08:
                p[i] = f"I-{rng.choice(TYPES)}"
        tokens.append([rng.choice(WORDS) for _ in range(length)])
        gold.append(g)
        pred.append(p)
    return tokens, gold, pred


def to_spans(tokens: list[list[str]], tags: list[list[str]]) -> tuple[list[str], list[list[Span]]]:
    texts, offsets = [], []
    for sent in tokens:
        offs, pos = [], 0
        for tok in sent:
            offs.append((pos, pos + len(tok)))
            pos += len(tok) + 1
        texts.append(" ".join(sent))
        offsets.append(offs)
    spans: list[list[Span]] = [[] for _ in tags]
    for label, k, start, end in tag_chunks(tags, scheme="iob2"):
        spans[k].append(Span(offsets[k][start][0], offsets[k][end - 1][1], label))
    return texts, spans


def same(scores, report: dict) -> list[str]:
    problems = []
    for t, c in scores.per_type.items():
        row = report.get(t)
        if row is None:
            problems.append(f"{t}: missing from seqeval")
            continue
        mine = (c.precision or 0.0, c.recall or 0.0, c.f1 or 0.0, c.support)
        theirs = (row["precision"], row["recall"], row["f1-score"], row["support"])
        if mine != theirs:
            problems.append(f"{t}: {mine} != {theirs}")
    m = scores.micro
    mine = (m.precision or 0.0, m.recall or 0.0, m.f1 or 0.0, m.support)
    row = report["micro avg"]
    theirs = (row["precision"], row["recall"], row["f1-score"], row["support"])
    if mine != theirs:
        problems.append(f"micro: {mine} != {theirs}")
    return problems


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    tokens, gold, pred = build(args.sentences, args.seed)
    n_tokens = sum(map(len, gold))
    print(f"corpus: {args.sentences:,} sentences, {n_tokens:,} tokens")
    warnings.simplefilter("ignore")
    failures = 0
    rows = []
    for scheme, options in (("iob2", {"mode": "strict", "scheme": IOB2}), ("conlleval", {})):
        report, t_seqeval = timed(lambda o=options: classification_report(gold, pred, output_dict=True, **o))
        scores, t_mine = timed(lambda s=scheme: score_tags(gold, pred, scheme=s))
        problems = same(scores, report)
        failures += bool(problems)
        label = "strict IOB2" if scheme == "iob2" else "default (conlleval)"
        rows.append((f"token view, {label}", t_mine, t_seqeval, problems, scores.micro.f1))
        if scheme == "iob2":
            strict_report, strict_time = report, t_seqeval
    texts, gold_spans = to_spans(tokens, gold)
    _, pred_spans = to_spans(tokens, pred)
    for errors, name in ((False, "spans, strict flat, counts only"), (True, "spans, strict flat + error records")):
        scores, t_spans = timed(
            lambda e=errors: score_spans(gold_spans, pred_spans, mode="strict", layer="flat", texts=texts, errors=e)
        )
        problems = same(scores, strict_report)
        failures += bool(problems)
        rows.append((name, t_spans, strict_time, problems, scores.micro.f1))
    print(f"{'scorer':<40} {'arabench s':>10} {'seqeval s':>10} {'speed-up':>9}  numbers")
    for name, mine, theirs, problems, f1 in rows:
        verdict = "identical" if not problems else "DIFFER: " + "; ".join(problems[:3])
        print(f"{name:<40} {mine:>10.3f} {theirs:>10.3f} {theirs / mine:>8.1f}x  {verdict} (micro F1 {f1!r})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
