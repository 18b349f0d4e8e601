"""Speed and score of the rule baseline on the packaged gold (one run; prints measured figures).

Usage: python tests/benchmarks/bench_rules.py
"""

import time

from annotations.corpus import default_gold_path, read_corpus
from eval.spans import score_spans
from models.rules.adapter import RuleModel
from models.rules.gazetteers import data


def main() -> None:
    docs = read_corpus(default_gold_path())
    texts = [d.text for d in docs]
    chars = sum(len(t) for t in texts)
    t0 = time.perf_counter()
    data()
    build = time.perf_counter() - t0
    model = RuleModel()
    runs = 20
    t0 = time.perf_counter()
    for _ in range(runs):
        preds = model.predict(texts)
    per_run = (time.perf_counter() - t0) / runs
    print(f"gazetteer build (first use): {build * 1000:.0f} ms")
    print(f"predict: {per_run * 1000:.1f} ms for {chars} characters ({per_run * 1e6 / chars:.1f} us/char)")
    gold = [d.spans for d in docs]
    pred = [list(p.spans) for p in preds]
    for boundary in ("char", "word"):
        scores = score_spans(gold, pred, boundary=boundary, texts=texts, labels=model.labels)
        micro = scores.micro
        print(f"{boundary:>4} strict nested: P={micro.precision:.3f} R={micro.recall:.3f} F1={micro.f1:.3f}")
        if boundary == "word":
            for label, c in scores.per_type.items():
                f1 = "-" if c.f1 is None else f"{c.f1:.3f}"
                print(f"     {label:<9} support={c.support:>4.0f} predicted={c.predicted:>4.0f} F1={f1}")


if __name__ == "__main__":
    main()
