"""Speed of the rule baseline: the packaged gold, and time per token from 10k to 500k tokens (one run, measured).

Usage:
    python tests/benchmarks/bench_rules.py [--conll TRAIN.conll] [--sizes 10000,25000,...] [--repeats N]

With ``--conll`` (e.g. the ANERcorp train split) the long texts are built from
that file's sentences, cycled when a size needs more tokens than the file has
(a generated repetition: 500k tokens from the 125k of ANERcorp train); without
it, from the gold article's sentences, cycled. The same text (as many tokens
as the largest size) is read as many short documents of 30 sentences each (the
way a CoNLL file with ``-DOCSTART-`` lines is read), then cut into documents
of each size: so only the document length changes between the rows, not the
text, and the last row is one document of the largest size. The ratios printed
are the time per token at each size over the time per token of the short
documents and over that of the first size, measured in this run on the same text (each figure the CPU time of this
process, the fastest of ``--repeats`` runs).
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

from arabench.annotations.conll import read_conll
from arabench.annotations.corpus import default_gold_path, read_corpus
from arabench.eval.spans import score_spans
from arabench.models.rules.adapter import RuleModel
from arabench.models.rules.gazetteers import data

SIZES = (10_000, 25_000, 50_000, 100_000, 250_000, 500_000)
SHORT_DOC_SENTENCES = 30


def sentences_of(conll: Path | None) -> list[str]:
    """The sentences (one per line) of a CoNLL file, or of the packaged gold article."""
    if conll is not None:
        docs = read_conll(conll)
    else:
        docs = read_corpus(default_gold_path())
    return [line for d in docs for line in d.text.split("\n") if line.strip()]


def build(sentences: list[str], tokens: int) -> list[str]:
    """Sentences cycled until they hold ``tokens`` white-space tokens."""
    out, count = [], 0
    for sentence in itertools.cycle(sentences):
        if count >= tokens:
            break
        out.append(sentence)
        count += len(sentence.split())
    return out


def timed(model: RuleModel, texts: list[str], repeats: int) -> float:
    """The fastest of ``repeats`` runs of ``model.predict(texts)``: CPU seconds of this process.

    CPU time rather than wall time: on a shared machine other processes change the wall time of a run
    by tens of percent, which would swamp the ratios this script is about.
    """
    best = float("inf")
    for _ in range(repeats):
        t0 = time.process_time()
        model.predict(texts)
        best = min(best, time.process_time() - t0)
    return best


def gold_section(model: RuleModel) -> None:
    """Time and scores on the packaged gold article."""
    docs = read_corpus(default_gold_path())
    texts = [d.text for d in docs]
    chars = sum(len(t) for t in texts)
    per_run = timed(model, texts, 10)
    print(f"gold article: predict {per_run * 1000:.1f} ms for {chars} characters ({per_run * 1e6 / chars:.1f} us/char)")
    preds = model.predict(texts)
    gold = [d.spans for d in docs]
    pred = [list(p.spans) for p in preds]
    for boundary in ("char", "word"):
        micro = score_spans(gold, pred, boundary=boundary, texts=texts, labels=model.labels).micro
        print(f"  {boundary:>4} strict nested: P={micro.precision:.3f} R={micro.recall:.3f} F1={micro.f1:.3f}")


def split_into(sentences: list[str], tokens: int) -> list[str]:
    """Documents of about ``tokens`` white-space tokens each, made of whole consecutive sentences."""
    docs: list[str] = []
    chunk: list[str] = []
    count = 0
    for sentence in sentences:
        chunk.append(sentence)
        count += len(sentence.split())
        if count >= tokens:
            docs.append("\n".join(chunk))
            chunk, count = [], 0
    if chunk:
        docs.append("\n".join(chunk))
    return docs


def scale_section(model: RuleModel, sentences: list[str], sizes: tuple[int, ...], repeats: int) -> None:
    """Time per token against document length: the same text cut into documents of each size."""
    material = build(sentences, max(sizes))
    tokens = sum(len(s.split()) for s in material)
    print(f"\ntime per token against document length: the same {tokens} tokens ({len(sentences)} distinct sentences,")
    print(f"cycled where more are needed) read as documents of {SHORT_DOC_SENTENCES} sentences, then of each size")
    short_docs = [
        "\n".join(material[k : k + SHORT_DOC_SENTENCES]) for k in range(0, len(material), SHORT_DOC_SENTENCES)
    ]
    base = timed(model, short_docs, repeats) / tokens * 1e6
    print(f"{'document':>16} {'docs':>6} {'time':>9} {'per token':>10} {'ratio':>6} {'to first size':>14}")
    row = "{:>16} {:>6} {:>8.1f}s {:>7.1f} us {:>6.2f} {:>14}"
    print(row.format(f"{SHORT_DOC_SENTENCES} sentences", len(short_docs), base * tokens / 1e6, base, 1.0, ""))
    first = None
    for size in sizes:
        docs = split_into(material, size)
        per_token = timed(model, docs, repeats) / tokens * 1e6
        first = first or per_token
        ratios = (per_token / base, f"{per_token / first:.2f}")
        print(row.format(f"{size} tokens", len(docs), per_token * tokens / 1e6, per_token, *ratios))


def main() -> None:
    """Run both sections."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conll", type=Path, help="a CoNLL file whose sentences build the long texts")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="token counts, comma-separated")
    parser.add_argument("--repeats", type=int, default=1, help="runs per measurement (the fastest is printed)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    data()
    print(f"gazetteer build (first use): {(time.perf_counter() - t0) * 1000:.0f} ms")
    model = RuleModel()
    gold_section(model)
    sizes = tuple(int(s) for s in args.sizes.split(","))
    scale_section(model, sentences_of(args.conll), sizes, args.repeats)


if __name__ == "__main__":
    main()
