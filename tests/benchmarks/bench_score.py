"""``arabench score`` as a whole process against seqeval and nervaluate in process, on seeded CoNLL corpora.

Usage::

    python tests/benchmarks/bench_score.py [--sentences 10000 100000 400000] [--repeats 3] [--src DIR]

For each size it writes a seeded gold/prediction pair of CoNLL files of
realistic density (about one entity per 8 tokens, 15% of the gold entities
perturbed in the predictions: wrong type, moved boundary, missed, an ``I-``
without its ``B-``, plus spurious entities) and measures, each the median of
``--repeats`` runs, each in its own process:

* ``arabench score --json`` (the whole process: start-up, reading, checking, scoring, printing)
  and ``--mode all`` (every mode from one read);
* a seqeval script: read both files, ``classification_report`` (its import excluded from the time);
* a nervaluate script: read both files, ``Evaluator(...).evaluate()`` (its four strategies; import excluded).

Wall time and peak RSS (``/usr/bin/time``'s maximum resident set size) of each
process; ratios are measured in this one run. ``--src`` runs arabench from
another source tree (to measure an older commit with the same corpora); an
arabench without ``--mode all`` is timed as four ``score`` calls. Machines are
shared: read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

# The peers' scripts (read both files, time the scorer in process): one definition for both benchmarks.
from bench_grid import NERVALUATE, SEQEVAL

ROOT = Path(__file__).resolve().parents[2]
TYPES = ("PERS", "LOC", "ORG", "MISC")
ENTITY_START = 0.139  # with lengths 1,1,2,2,3 this gives one entity per 8 tokens
PERTURBED = 0.15


def vocabulary(rng: random.Random, n: int = 5000) -> list[str]:
    letters = [chr(c) for c in range(0x0627, 0x064B) if chr(c).isalpha()]
    return ["".join(rng.choice(letters) for _ in range(rng.randint(2, 8))) for _ in range(n)] + ["،", ".", "و"]


def sentence(rng: random.Random, words: list[str]) -> tuple[list[str], list[str], list[str]]:
    length = rng.randint(5, 25)
    tokens = [rng.choice(words) for _ in range(length)]
    gold = ["O"] * length
    entities = []
    i = 0
    while i < length:
        if rng.random() < ENTITY_START:
            n = min(rng.choice((1, 1, 2, 2, 3)), length - i)
            entities.append((i, i + n, rng.choice(TYPES)))
            i += n
        else:
            i += 1
    for a, b, t in entities:
        gold[a:b] = [f"B-{t}"] + [f"I-{t}"] * (b - a - 1)
    pred = list(gold)
    for a, b, t in entities:
        if rng.random() >= PERTURBED:
            continue
        kind = rng.randrange(5)
        if kind == 0:  # wrong type
            other = rng.choice([x for x in TYPES if x != t])
            pred[a:b] = [f"B-{other}"] + [f"I-{other}"] * (b - a - 1)
        elif kind == 1 and b < length and pred[b] == "O":  # one token too long
            pred[b] = f"I-{t}"
        elif kind == 2 and b - a > 1:  # one token too short
            pred[b - 1] = "O"
        elif kind == 3:  # missed
            pred[a:b] = ["O"] * (b - a)
        else:  # an I- without its B-
            pred[a] = f"I-{t}"
    for i in range(length):  # spurious entities
        if pred[i] == "O" and rng.random() < 0.01:
            pred[i] = f"B-{rng.choice(TYPES)}"
    return tokens, gold, pred


def write_corpus(directory: Path, n_sentences: int, seed: int) -> tuple[Path, Path, int]:
    rng = random.Random(seed)
    words = vocabulary(rng)
    gold_path, pred_path = directory / f"gold-{n_sentences}.conll", directory / f"pred-{n_sentences}.conll"
    n_tokens = 0
    with gold_path.open("w", encoding="utf-8") as g, pred_path.open("w", encoding="utf-8") as p:
        for _ in range(n_sentences):
            tokens, gold, pred = sentence(rng, words)
            n_tokens += len(tokens)
            g.write("".join(f"{w}\t{t}\n" for w, t in zip(tokens, gold, strict=True)) + "\n")
            p.write("".join(f"{w}\t{t}\n" for w, t in zip(tokens, pred, strict=True)) + "\n")
    return gold_path, pred_path, n_tokens


def measure(command: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, float, int, str]:
    """Run ``command`` under /usr/bin/time: (wall seconds, in-script seconds or wall, peak RSS KB, stdout)."""
    done = subprocess.run(
        ["/usr/bin/time", "-f", "TIME %e %M", *command], capture_output=True, text=True, env=env, check=False, cwd=cwd
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    line = [x for x in done.stderr.splitlines() if x.startswith("TIME ")][-1]
    wall, rss = float(line.split()[1]), int(line.split()[2])
    inner = wall
    try:
        inner = json.loads(done.stdout.strip().splitlines()[-1])["seconds"]
    except (ValueError, KeyError, IndexError, TypeError):
        pass
    return wall, inner, rss, done.stdout


def supports_all(src: Path, env: dict[str, str]) -> bool:
    probe = [sys.executable, "-m", "arabench.benchmark.cli", "score", "--gold", "-", "--pred", "-", "--mode", "all"]
    done = subprocess.run(probe, capture_output=True, text=True, env=env, cwd=src, check=False)
    return "invalid choice: 'all'" not in done.stderr


def median_of(runs: list[tuple[float, float, int, str]]) -> tuple[float, float, int]:
    return (
        statistics.median(r[0] for r in runs),
        statistics.median(r[1] for r in runs),
        int(statistics.median(r[2] for r in runs)),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, nargs="+", default=[10_000, 100_000, 400_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--src", type=Path, default=ROOT, help="source tree of the arabench to time")
    parser.add_argument("--skip-peers-above", type=int, default=10**9, help="time peers only up to this many sentences")
    args = parser.parse_args()
    src = args.src.resolve()
    env = {**os.environ, "PYTHONPATH": str(src), "HF_HUB_OFFLINE": "1"}
    all_modes = supports_all(src, env)
    print(f"arabench from {src}; --mode all {'supported' if all_modes else 'not supported: four score calls'}")
    per_token: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sentences:
            gold, pred, n_tokens = write_corpus(Path(tmp), n, args.seed)
            arabench = [
                sys.executable,
                "-m",
                "arabench.benchmark.cli",
                "score",
                "--gold",
                str(gold),
                "--pred",
                str(pred),
            ]
            score = median_of([measure([*arabench, "--json"], env, src) for _ in range(args.repeats)])
            if all_modes:
                every = [*arabench, "--json", "--mode", "all"]
                four = median_of([measure(every, env, src) for _ in range(args.repeats)])
            else:
                runs = []
                for _ in range(args.repeats):
                    modes = ("strict", "exact", "partial", "type")
                    parts = [measure([*arabench, "--json", "--mode", m], env, src) for m in modes]
                    runs.append((sum(p[0] for p in parts), sum(p[1] for p in parts), max(p[2] for p in parts), ""))
                four = median_of(runs)
            per_token[n] = score[0] / n_tokens
            print(f"\n{n} sentences, {n_tokens} tokens")
            print(f"  arabench score (whole process)     {score[0]:8.2f} s  peak RSS {score[2] / 1024:7.0f} MB")
            print(f"  arabench score --mode all          {four[0]:8.2f} s  peak RSS {four[2] / 1024:7.0f} MB")
            if n > args.skip_peers_above:
                continue
            with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
                f.write(SEQEVAL)
            seqeval = median_of(
                [measure([sys.executable, f.name, str(gold), str(pred)], env) for _ in range(args.repeats)]
            )
            with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
                f.write(NERVALUATE)
            nerv = median_of(
                [
                    measure([sys.executable, f.name, str(gold), str(pred), ",".join(TYPES)], env)
                    for _ in range(args.repeats)
                ]
            )
            print(f"  seqeval read+report (in process)   {seqeval[1]:8.2f} s  peak RSS {seqeval[2] / 1024:7.0f} MB")
            print(f"  nervaluate read+evaluate (in proc) {nerv[1]:8.2f} s  peak RSS {nerv[2] / 1024:7.0f} MB")
            print(f"  ratio seqeval in process / arabench score whole process: {seqeval[1] / score[0]:.2f}x")
            print(f"  ratio peak RSS arabench / seqeval script: {score[2] / seqeval[2]:.2f}")
            print(f"  ratio nervaluate four strategies / arabench --mode all: {nerv[1] / four[0]:.2f}x")
    if len(per_token) > 1:
        sizes = sorted(per_token)
        base = per_token[sizes[0]]
        print(
            "\ntime per token relative to the smallest size: "
            + ", ".join(f"{n}: {per_token[n] / base:.2f}" for n in sizes)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
