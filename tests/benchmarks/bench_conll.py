"""Time the pure tag functions of annotations.conll against seqeval, and a CoNLL export/import.

Run: python tests/benchmarks/bench_conll.py [N_TOKENS]
Prints seconds and ratios measured in this one run (no timed tests).
"""

from __future__ import annotations

import random
import sys
import time

from seqeval.metrics.sequence_labeling import get_entities

from arabench.annotations.conll import bio_to_spans, document_to_conll, read_conll, spans_to_bio
from arabench.annotations.spans import Document
from arabench.annotations.tags import decode
from arabench.annotations.tokenize import word_offsets


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    rng = random.Random(0)
    tags = [rng.choice(["O", "O", "O", "B-PERS", "I-PERS", "B-GPE", "I-GPE", "I-ORG"]) for _ in range(n)]
    offsets = [(3 * i, 3 * i + 2) for i in range(n)]
    spans = bio_to_spans(tags, offsets)
    assert sorted((s.label, s.start // 3, (s.end - 2) // 3) for s in spans) == sorted(get_entities(tags))
    t_seqeval = best(lambda: get_entities(tags))
    t_decode = best(lambda: decode(tags).entities)
    t_b2s = best(lambda: bio_to_spans(tags, offsets))
    t_s2b = best(lambda: spans_to_bio(spans, offsets))
    print(f"{n} tags, {len(spans)} entities")
    print(f"seqeval get_entities   {t_seqeval:.3f} s")
    print(f"tags.decode            {t_decode:.3f} s  ({t_seqeval / t_decode:.1f}x seqeval's speed)")
    print(f"bio_to_spans           {t_b2s:.3f} s  ({t_seqeval / t_b2s:.1f}x; builds Span objects)")
    print(f"spans_to_bio           {t_s2b:.3f} s")
    text = " ".join("كتب" if t == "O" else "مصر" for t in tags[: n // 4])
    words = word_offsets(text)
    doc = Document("bench", text, {f"T{i}": s for i, s in enumerate(bio_to_spans(tags[: n // 4], words))})
    t_export = best(lambda: document_to_conll(doc), repeat=1)
    conll = document_to_conll(doc)
    t_import = best(lambda: read_conll(conll, text=text), repeat=1)
    print(f"CoNLL export of {n // 4} words: {t_export:.3f} s; import with text=: {t_import:.3f} s")


if __name__ == "__main__":
    main()
