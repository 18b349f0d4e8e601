"""Time every perturbation kind and its offset map at 10k, 100k and 500k tokens (one run; prints ratios).

Usage::

    python tests/benchmarks/bench_perturb.py

The text is the gold article repeated to the size, with its gold spans (repeated); each kind runs at a 20%
rate over the whole text, then every gold span is moved to the new text and mapped back. Linear growth
shows as a time ratio close to the token ratio (10 and 50).
"""

from __future__ import annotations

import time

from arabench.annotations.corpus import default_gold_path, read_corpus
from arabench.annotations.perturb import KINDS, Perturbation, perturb_text
from arabench.annotations.spans import Span
from arabench.annotations.tokenize import word_offsets


def main() -> None:
    doc = read_corpus(default_gold_path())[0]
    base_tokens = len(word_offsets(doc.text))
    sizes = (10_000, 100_000, 500_000)
    for kind in KINDS:
        times = []
        for size in sizes:
            copies = -(-size // base_tokens)
            text = "\n".join([doc.text] * copies)
            step = len(doc.text) + 1
            spans = [Span(s.start + k * step, s.end + k * step, s.label) for k in range(copies) for s in doc.spans]
            started = time.perf_counter()
            offsets = perturb_text(text, Perturbation(kind, rate=0.2, seed=1), spans=spans)
            moved = [offsets.span_to_new(s) for s in spans]
            back = [offsets.span_to_old(s) for s in moved]
            seconds = time.perf_counter() - started
            assert back == spans and offsets.restore(offsets.new) == text
            times.append(seconds)
        ratios = ", ".join(f"{times[k] / times[0]:.1f}x" for k in (1, 2))
        print(
            f"{kind:<18} "
            + "  ".join(f"{n // 1000}k tokens {t:.3f} s" for n, t in zip(sizes, times, strict=True))
            + f"  (ratios 10x/50x tokens: {ratios})"
        )


if __name__ == "__main__":
    main()
