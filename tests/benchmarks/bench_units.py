"""Every command gives the same micro F1 on the same predictions: the differences with seqeval, all 0.

Usage:
    python tests/benchmarks/bench_units.py [--data DIR] [--compare-split]

For AQMAR dev, ANERcorp train (used as a test file: the whole split) and a NewsFANE-style file built from both
(:func:`tests.units_parity.newsfane_like`: flat, FANE labels), the ``rules`` baseline is run on the corpus, its
predictions are tagged over the file's own tokens, written as a CoNLL file and scored again as a ``file:`` model
and by ``arabench score``. Printed: each scorer's micro F1 minus seqeval's (default mode) on the file's own tags:
``run`` (headline: strict, word boundaries, flat layer), ``run tokens`` (the token view, conlleval) and ``score``.
``--compare-split`` adds the same differences with ``units=split`` (the sentences re-split at ``.``/``؟`` tokens and
punctuation split off tokens, the default before), where they are not 0.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import units_parity


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=units_parity.DATA)
    parser.add_argument("--compare-split", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        corpora = [
            args.data / "aqmar_dev.conll",
            args.data / "anercorp_train.conll",
            units_parity.newsfane_like(work / "newsfane_like.conll"),
        ]
        print(f"{'corpus':<22} {'units':<6} {'model':<6} {'seqeval F1':>10}  differences (scorer - seqeval)")
        worst = 0.0
        for units in ("file", "split") if args.compare_split else ("file",):
            for gold in corpora:
                for p in units_parity.parity(gold, work, cache_dir=work / "cache", units=units):
                    diffs = p.differences()
                    if units == "file":
                        worst = max([worst, *(abs(d) for d in diffs.values())])
                    shown = ", ".join(f"{k} {d:+.6f}" for k, d in diffs.items())
                    print(f"{p.corpus:<22} {units:<6} {p.model:<6} {p.seqeval_f1:>10.6f}  {shown}")
        print(f"largest difference with the corpus's own units: {worst:.6f}")
        return 0 if worst == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
