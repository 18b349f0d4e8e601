"""The local-model fingerprint read on every load: quick (sizes, times, file ends) against the full content hash.

Usage::

    python tests/benchmarks/bench_hf_fingerprint.py [--megabytes 440]

Writes a model directory with a random weight file of ``--megabytes`` (440 MB
is a BERT-base ``model.safetensors``) and prints the median of 3 of each
fingerprint, and their ratio, measured in this one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from arabench.models.hf import _fingerprint


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=440)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "config.json").write_text("{}", encoding="utf-8")
        with (Path(tmp) / "model.safetensors").open("wb") as f:
            for _ in range(args.megabytes):
                f.write(os.urandom(1 << 20))
        times = {}
        for full in (True, False):
            runs = []
            for _ in range(3):
                start = time.perf_counter()
                _fingerprint(tmp, full=full)
                runs.append(time.perf_counter() - start)
            times[full] = statistics.median(runs)
        print(
            f"{args.megabytes} MB of weights: full hash {times[True]:.3f} s, quick {times[False]:.4f} s, "
            f"ratio {times[True] / times[False]:.0f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
