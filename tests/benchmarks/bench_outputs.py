"""``arabench run`` on one long CoNLL document: wall time, peak RSS, the size of every output, the page in Chromium.

Usage::

    python tests/benchmarks/bench_outputs.py [--tokens 100000 500000] [--models oracle empty] [--src DIR]

Writes a seeded CoNLL file of one document (no ``-DOCSTART-``; ``--documents N``
splits it into N documents, as a harness run over many documents; sentences of
5-25 tokens, about one entity per 8 tokens, as in ``bench_score.py``) and runs
``arabench run -m ... --corpus FILE --no-cache`` in its own process (default
options otherwise: 1,000 bootstrap resamples) under ``/usr/bin/time``. Prints,
measured in this one run: seconds, seconds per 1,000 tokens relative to the
smallest size (linear time is a ratio near 1), peak RSS, the sizes of
``results.json``, ``report.html`` and ``errors.jsonl.gz``, and the time headless
Chromium takes to load the report and run its script (``--dump-dom``,
start-up included). ``empty`` gives every gold mention as an error, so the
error outputs are at their largest. ``--src`` runs another source tree.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_score import sentence, vocabulary

ROOT = Path(__file__).resolve().parents[2]


def write_document(path: Path, n_tokens: int, seed: int, documents: int = 1) -> None:
    """A CoNLL file of ``n_tokens`` tokens in ``documents`` documents (``-DOCSTART-`` between them)."""
    rng = random.Random(seed)
    words = vocabulary(rng)
    written = 0
    started = 1
    with path.open("w", encoding="utf-8") as f:
        while written < n_tokens:
            if written >= started * n_tokens / documents:
                f.write("-DOCSTART-\tO\n\n")
                started += 1
            tokens, gold, _ = sentence(rng, words)
            f.write("".join(f"{w}\t{t}\n" for w, t in zip(tokens, gold, strict=True)) + "\n")
            written += len(tokens)


def chromium_seconds(page: Path, work: Path) -> float | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        return None
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        f"--user-data-dir={work / 'profile'}",
        "--dump-dom",
        page.as_uri(),
    ]
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False, timeout=300)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, nargs="+", default=[100_000, 500_000])
    parser.add_argument("--models", nargs="+", default=["oracle", "empty"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--documents", type=int, default=1, help="documents in the corpus (default one)")
    parser.add_argument("--src", type=Path, default=ROOT)
    args = parser.parse_args()
    src = args.src.resolve()
    env = {**os.environ, "PYTHONPATH": str(src), "HF_HUB_OFFLINE": "1"}
    per_token = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for n in args.tokens:
            corpus = work / f"doc-{n}.conll"
            write_document(corpus, n, args.seed, args.documents)
            out = work / f"out-{n}"
            command = [
                sys.executable,
                "-m",
                "arabench.benchmark.cli",
                "run",
                "--corpus",
                str(corpus),
                "--out",
                str(out),
            ]
            command += [x for m in args.models for x in ("-m", m)] + ["--no-cache", "--quiet"]
            done = subprocess.run(
                ["/usr/bin/time", "-f", "TIME %e %M", *command], capture_output=True, text=True, env=env, cwd=src
            )
            line = [x for x in done.stderr.splitlines() if x.startswith("TIME ")][-1].split()
            seconds, rss = float(line[1]), int(line[2])
            per_token[n] = seconds / n
            sizes = {f.name: f.stat().st_size for f in sorted(out.iterdir())} if out.exists() else {}
            models = " ".join(args.models)
            print(f"\n{n} tokens in {args.documents} document(s), models {models} (exit {done.returncode})")
            print(f"  wall {seconds:.1f} s, peak RSS {rss / 1024:.0f} MB")
            for name in ("results.json", "report.html", "errors.jsonl.gz"):
                if name in sizes:
                    print(f"  {name:13} {sizes[name] / 1e6:8.2f} MB")
            page = out / "report.html"
            if page.exists():
                opened = chromium_seconds(page, work)
                if opened is not None:
                    print(f"  report.html loaded by headless Chromium (with its start-up) in {opened:.2f} s")
    if len(per_token) > 1:
        sizes = sorted(per_token)
        base = per_token[sizes[0]]
        print(
            "\ntime per token relative to the smallest: " + ", ".join(f"{n}: {per_token[n] / base:.2f}" for n in sizes)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
