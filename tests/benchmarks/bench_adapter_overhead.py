"""Time the hf adapter's predict against a bare transformers pipeline on the same model and text.

Usage::

    python tests/benchmarks/bench_adapter_overhead.py [--repeats 30]

Two random models are built locally (no download): the tiny test BERT
(hidden 32, one layer: model time is negligible, so this shows the adapter's
fixed costs) and a larger BERT (hidden 256, 4 layers, 512 positions: model
time dominates, as with real models). Each is timed on one general Arabic text
that fits in one window, so both sides run a single forward pass:

* ``adapter``: ``HFTokenClassificationModel.predict([text])`` (word split,
  window plan, tokenization with offsets, forward, word labels, BIO decoding,
  label map, snapping);
* ``pipeline``: ``transformers.pipeline("token-classification",
  aggregation_strategy="first")(text)`` on the same model and tokenizer.

Runs alternate between the two; medians and minima are compared (on a loaded
machine the minimum is the steadier estimate). Target: ratio <= 1.1 on the
larger model.
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


def _text_within(tokenizer: object, limit: int) -> str:
    """As many corpus sentences as fit in ``limit`` tokens (with special tokens)."""
    sentences: list[str] = []
    for i in range(200):
        candidate = " ".join([*sentences, CORPUS[i % (len(CORPUS) - 1)]])
        if len(tokenizer(candidate, verbose=False)["input_ids"]) > limit:  # type: ignore[operator]
            break
        sentences.append(CORPUS[i % (len(CORPUS) - 1)])
    return " ".join(sentences)


def _time(fn: object, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return times


def bench(directory: Path, repeats: int) -> tuple[list[float], list[float], int, int]:
    import torch
    from transformers import pipeline

    from arabench.models.registry import create_model

    torch.set_num_threads(max(1, torch.get_num_threads()))
    model = create_model(f"hf:{directory}")
    text = _text_within(model.tokenizer, model.max_length)
    pipe = pipeline(
        "token-classification", model=model.model, tokenizer=model.tokenizer, aggregation_strategy="first", device=-1
    )
    for _ in range(3):  # warm-up
        model.predict([text])
        pipe(text)
    adapter_times: list[float] = []
    pipeline_times: list[float] = []
    for _ in range(repeats):  # interleaved, so drifts in machine load hit both sides
        adapter_times += _time(lambda: model.predict([text]), 1)
        pipeline_times += _time(lambda: pipe(text), 1)
    windows = model.predict([text])[0].diagnostics["windows"]
    tokens = len(model.tokenizer(text)["input_ids"])
    return adapter_times, pipeline_times, tokens, windows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        models = {
            "tiny BERT (hidden 32, 1 layer)": build_tiny_bert(Path(tmp) / "tiny", max_position_embeddings=512),
            "larger BERT (hidden 256, 4 layers)": build_tiny_bert(
                Path(tmp) / "larger",
                hidden_size=256,
                num_hidden_layers=4,
                num_attention_heads=4,
                intermediate_size=1024,
                max_position_embeddings=512,
            ),
        }
        print("median and minimum of", args.repeats, "interleaved runs each (the minimum is least disturbed by load)")
        header = f"{'model':36} {'tokens':>6} {'windows':>7} {'adapter ms':>16} {'pipeline ms':>16} {'ratio':>11}"
        print(header)
        print(" " * 61 + "median / min" + " " * 5 + "median / min" + "  median/min")
        for label, directory in models.items():
            adapter, pipe, tokens, windows = bench(directory, args.repeats)
            a_med, a_min = statistics.median(adapter) * 1e3, min(adapter) * 1e3
            p_med, p_min = statistics.median(pipe) * 1e3, min(pipe) * 1e3
            print(
                f"{label:36} {tokens:6d} {windows:7d} {a_med:8.2f} /{a_min:7.2f} {p_med:8.2f} /{p_min:7.2f}"
                f" {a_med / p_med:5.2f}/{a_min / p_min:5.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
