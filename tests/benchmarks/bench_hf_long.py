"""The hf adapter on one long document: time per token from 12.5k to 100k tokens, and against a bare pipeline.

Usage::

    python tests/benchmarks/bench_hf_long.py [--tokens 12500 25000 50000 100000] [--repeats 3]

The tiny test BERT (hidden 32, one layer, 512 positions; no download) labels
one document made of the tiny corpus's sentences repeated to each length (in
words). Printed, measured in this one run (median of ``--repeats``): the
adapter's ``predict([text])`` time, its time per word relative to the smallest
size (constant within 20% is the target: windows, word starts and decoding
are linear in the document), and, on the longest document, the ratio of the
adapter to ``transformers.pipeline("token-classification",
aggregation_strategy="first")`` over the same sentences (the pipeline labels
each sentence, as it cannot take a 100k-token text; target <= 1.0).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tiny_models import CORPUS, build_tiny_bert


def document(n_words: int) -> tuple[str, list[str]]:
    """A text of about ``n_words`` words: corpus sentences one after another, a line break every ten."""
    sentences: list[str] = []
    words = 0
    while words < n_words:
        sentence = CORPUS[len(sentences) % len(CORPUS)]
        sentences.append(sentence)
        words += len(sentence.split())
    text = "".join(s + ("\n" if (i + 1) % 10 == 0 else " ") for i, s in enumerate(sentences)).rstrip()
    return text, sentences


def median_time(fn: object, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, nargs="+", default=[12_500, 25_000, 50_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from transformers import pipeline

    from arabench.models.registry import create_model

    with tempfile.TemporaryDirectory() as tmp:
        model = create_model(f"hf:{build_tiny_bert(Path(tmp) / 'tiny', max_position_embeddings=512)}")
        model.predict([document(200)[0]])  # warm-up
        per_word = {}
        for n in args.tokens:
            text, _ = document(n)
            words = len(text.split())
            seconds = median_time(lambda text=text: model.predict([text]), args.repeats)
            per_word[n] = seconds / words
            print(f"{words:>7} words in one document: adapter {seconds:7.2f} s, {per_word[n] * 1e6:7.1f} µs/word")
        base = per_word[args.tokens[0]]
        print(
            "time per word relative to the smallest: " + ", ".join(f"{n}: {per_word[n] / base:.2f}" for n in per_word)
        )
        text, sentences = document(args.tokens[-1])
        pipe = pipeline(
            "token-classification", model=model.model, tokenizer=model.tokenizer, aggregation_strategy="first"
        )
        adapter = median_time(lambda: model.predict([text]), args.repeats)
        bare = median_time(lambda: pipe(sentences, batch_size=8), args.repeats)
        print(f"longest: adapter {adapter:.2f} s, pipeline over its sentences {bare:.2f} s, ratio {adapter / bare:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
