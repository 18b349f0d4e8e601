"""Issue 23's tables in one run: ``score`` against its peers, ``run`` growth per token, memory per MB of text.

Usage::

    python tests/benchmarks/bench_grid.py [--sections score run memory hf]
        [--sentences 10000 100000 400000] [--tokens 10000 100000 250000 500000] [--per-doc 0 20]
        [--mb 1 5 10] [--repeats 3] [--no-bytecode-cache]

Every child runs with Python's bytecode cache on (``PYTHONPYCACHEPREFIX`` in the
work folder, one untimed warm-up run first), as after ``pip install``, which
compiles the modules once: an environment with ``PYTHONDONTWRITEBYTECODE`` would
otherwise make each timed ``arabench`` process compile its own modules from
source again (the peers' imports are not timed). ``--no-bytecode-cache`` keeps
the environment as it is.

Prints the machine's load (``os.getloadavg()``) at the start and at the end: the
machine may be shared, and the peers slow down differently under load, so
read the ratios of one run, never seconds from two. Every corpus is built by
repeating real data, ``anercorp_train.conll`` of ``../shared/data`` (found
beside the clone or beside its folder of worktrees).

Sections (each measured in its own processes, peers interleaved with arabench
within each repeat, medians of ``--repeats``):

* ``score``: ``--sentences`` sentences of the real gold, the predictions a seeded
  perturbation of it (15% of the entities: wrong type, one token longer or
  shorter, missed, an ``I-`` without ``B-``; 1% spurious tokens). Times
  ``arabench score --json`` (strict; the whole process) against seqeval's
  ``classification_report`` in process (its import not timed), ``arabench score
  --mode all`` against nervaluate's four strategies in process, and the floor:
  a script that reads both files and counts the ``B-`` tags. Each peer prints its
  micro F1 (nervaluate: strict), which must equal arabench's to six decimals.
* ``run``: ``arabench run -m rules -m oracle --no-cache`` on ``--tokens`` tokens as one
  document, and as many documents (``--per-doc``: a document every 20 sentences): wall
  seconds, microseconds per token, the ratio of time
  per token to the 100k run (target at most 2 at 500k), peak RSS of the child
  (target at most 600 MB at 500k).
* ``memory``: the same run on one document of ``--mb`` megabytes of UTF-8 text:
  peak RSS and its growth per MB of text between sizes (issue 18: at most 300
  MB per MB).
* ``hf``: ``arabench run -m hf:<tiny BERT>`` (built locally by
  ``tests/tiny_models.py``) on one 50k-token document against a bare script
  that loads ``transformers.pipeline("token-classification")`` and runs it over
  the same sentences (both whole processes; target ratio at most 1.1). ``--threads N`` sets
  ``OMP_NUM_THREADS`` for both processes: on a busy machine, torch's two threads a process make the
  forward passes' times erratic (a pass waits for a thread the scheduler gave to someone else).
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = next(
    (p for p in (ROOT / ".." / "shared" / "data", ROOT / ".." / ".." / "shared" / "data") if p.is_dir()),
    ROOT / ".." / "shared" / "data",
)
TYPES = ("PERS", "LOC", "ORG", "MISC")

_READ = """
def read(path):
    sentences, tags = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\\n")
            if not line:
                if tags:
                    sentences.append(tags)
                    tags = []
                continue
            tags.append(line.rsplit("\\t", 1)[1])
    if tags:
        sentences.append(tags)
    return sentences
"""

SEQEVAL = (
    "import json, sys, time\nfrom seqeval.metrics import classification_report\n"
    + _READ
    + """
start = time.perf_counter()
report = classification_report(read(sys.argv[1]), read(sys.argv[2]), digits=4, output_dict=True)
print(json.dumps({"seconds": time.perf_counter() - start, "f1": report["micro avg"]["f1-score"]}))
"""
)

NERVALUATE = (
    "import json, sys, time\nfrom nervaluate import Evaluator\n"
    + _READ
    + """
start = time.perf_counter()
out = Evaluator(read(sys.argv[1]), read(sys.argv[2]), tags=sys.argv[3].split(","), loader="list").evaluate()
seconds = time.perf_counter() - start
overall = out[0] if isinstance(out, tuple) else out.get("overall", out)
strict = overall["strict"]
f1 = strict["f1"] if isinstance(strict, dict) else getattr(strict, "f1", None)
print(json.dumps({"seconds": seconds, "f1": f1}))
"""
)

FLOOR = """
import json, sys, time
start = time.perf_counter()
count = 0
for path in sys.argv[1:3]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if "\\tB-" in line:
                count += 1
print(json.dumps({"seconds": time.perf_counter() - start, "b_tags": count}))
"""

PIPELINE = """
import json, sys, time
start = time.perf_counter()
from transformers import pipeline
nlp = pipeline("token-classification", model=sys.argv[1], aggregation_strategy="first", device=-1)
sentences = [line for line in open(sys.argv[2], encoding="utf-8").read().split("\\n") if line.strip()]
found = sum(len(r) for r in nlp(sentences, batch_size=16))
print(json.dumps({"seconds": time.perf_counter() - start, "entities": found}))
"""


def real_sentences() -> list[list[tuple[str, str]]]:
    path = DATA / "anercorp_train.conll"
    if not path.is_file():
        raise SystemExit(f"{path} not found: this benchmark builds its corpora from the real training split")
    sentences, current = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if current:
                sentences.append(current)
            current = []
            continue
        word, tag = line.split("\t")
        current.append((word, tag))
    if current:
        sentences.append(current)
    return sentences


def perturb(gold: list[str], rng: random.Random) -> list[str]:
    """Seeded prediction errors on one sentence's gold tags (see the module docstring)."""
    pred = list(gold)
    entities, i = [], 0
    while i < len(gold):
        if gold[i].startswith("B-"):
            j = i + 1
            while j < len(gold) and gold[j] == "I-" + gold[i][2:]:
                j += 1
            entities.append((i, j, gold[i][2:]))
            i = j
        else:
            i += 1
    n = len(gold)
    for a, b, t in entities:
        if rng.random() >= 0.15:
            continue
        kind = rng.randrange(5)
        if kind == 0:
            other = rng.choice([x for x in TYPES if x != t])
            pred[a:b] = [f"B-{other}"] + [f"I-{other}"] * (b - a - 1)
        elif kind == 1 and b < n and pred[b] == "O":
            pred[b] = f"I-{t}"
        elif kind == 2 and b - a > 1:
            pred[b - 1] = "O"
        elif kind == 3:
            pred[a:b] = ["O"] * (b - a)
        else:
            pred[a] = f"I-{t}"
    for k in range(n):
        if pred[k] == "O" and rng.random() < 0.01:
            pred[k] = f"B-{rng.choice(TYPES)}"
    return pred


def write_pair(directory: Path, sentences: list, n: int, seed: int) -> tuple[Path, Path, int]:
    rng = random.Random(seed)
    gold_path, pred_path = directory / f"gold-{n}.conll", directory / f"pred-{n}.conll"
    tokens = 0
    with gold_path.open("w", encoding="utf-8") as g, pred_path.open("w", encoding="utf-8") as p:
        for k in range(n):
            sentence = sentences[k % len(sentences)]
            words = [w for w, _ in sentence]
            gold = [t for _, t in sentence]
            pred = perturb(gold, rng)
            tokens += len(words)
            g.write("".join(f"{w}\t{t}\n" for w, t in zip(words, gold, strict=True)) + "\n")
            p.write("".join(f"{w}\t{t}\n" for w, t in zip(words, pred, strict=True)) + "\n")
    return gold_path, pred_path, tokens


def write_document(
    path: Path, sentences: list, *, tokens: int | None = None, text_mb: float | None = None, per_doc: int = 0
) -> int:
    """The real sentences repeated, up to ``tokens`` or ``text_mb`` of text: one document (no -DOCSTART-), or
    with ``per_doc`` a new document (a ``-DOCSTART-`` line) every ``per_doc`` sentences."""
    written = chars = k = 0
    with path.open("w", encoding="utf-8") as f:
        while (tokens is not None and written < tokens) or (text_mb is not None and chars < text_mb * (1 << 20)):
            sentence = sentences[k % len(sentences)]
            if per_doc and k % per_doc == 0:
                f.write("-DOCSTART-\tO\n\n")
            f.write("".join(f"{w}\t{t}\n" for w, t in sentence) + "\n")
            written += len(sentence)
            chars += len(" ".join(w for w, _ in sentence).encode("utf-8")) + 1
            k += 1
    return written


def measure(command: list[str], env: dict[str, str]) -> tuple[float, int, dict]:
    """Run under /usr/bin/time: (wall seconds, peak RSS in KB, the last JSON line of stdout or {})."""
    done = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M", *command], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    line = [x for x in done.stderr.splitlines() if x.startswith("TIME ")][-1]
    info: dict = {}
    try:
        info = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        pass
    return float(line.split()[1]), int(line.split()[2]), info


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def arabench(*args: str) -> list[str]:
    return [sys.executable, "-m", "arabench.benchmark.cli", *args]


def score_section(sentences: list, sizes: list[int], repeats: int, env: dict[str, str], work: Path) -> None:
    scripts = {}
    for name, source in (("seqeval", SEQEVAL), ("nervaluate", NERVALUATE), ("floor", FLOOR)):
        scripts[name] = work / f"peer_{name}.py"  # not seqeval.py: it would shadow the package
        scripts[name].write_text(source, encoding="utf-8")
    rows = []
    for n in sizes:
        gold, pred, tokens = write_pair(work, sentences, n, seed=n)
        runs: dict[str, list] = {k: [] for k in ("score", "seqeval", "all", "nervaluate", "floor")}
        for _ in range(repeats):  # interleaved: one of each per repeat
            runs["score"].append(measure(arabench("score", "--gold", str(gold), "--pred", str(pred), "--json"), env))
            runs["seqeval"].append(measure([sys.executable, str(scripts["seqeval"]), str(gold), str(pred)], env))
            runs["all"].append(
                measure(arabench("score", "--gold", str(gold), "--pred", str(pred), "--json", "--mode", "all"), env)
            )
            runs["nervaluate"].append(
                measure([sys.executable, str(scripts["nervaluate"]), str(gold), str(pred), ",".join(TYPES)], env)
            )
            runs["floor"].append(measure([sys.executable, str(scripts["floor"]), str(gold), str(pred)], env))
        wall = {k: statistics.median(r[0] for r in v) for k, v in runs.items()}
        inner = {k: statistics.median(r[2].get("seconds", r[0]) for r in v) for k, v in runs.items()}
        f1 = _f1_of_score(runs["score"][0][2])
        rows.append((n, tokens, wall, inner, f1, runs["seqeval"][0][2].get("f1"), runs["nervaluate"][0][2].get("f1")))
        print(f"  {n} sentences ({tokens} tokens) done; {load()}", flush=True)
    print("\n| work | sentences | arabench (whole process) | peer (in process) | ratio |")
    print("|---|---|---|---|---|")
    for n, _, wall, inner, *_ in rows:
        print(
            f"| `score --mode strict` vs seqeval `classification_report` | {n:,} | {wall['score']:.2f} s | "
            f"{inner['seqeval']:.2f} s | **{inner['seqeval'] / wall['score']:.2f}×** |"
        )
    for n, _, wall, inner, *_ in rows:
        print(
            f"| `score --mode all` vs nervaluate's four strategies | {n:,} | {wall['all']:.2f} s | "
            f"{inner['nervaluate']:.2f} s | **{inner['nervaluate'] / wall['all']:.2f}×** |"
        )
    for n, _, wall, inner, *_ in rows:
        print(
            f"| read both files and count `B-` tags (the floor) | {n:,} | {wall['score']:.2f} s | "
            f"{inner['floor']:.2f} s | arabench is {wall['score'] / inner['floor']:.1f}× the floor |"
        )
    print("\nmicro F1 (strict): arabench / seqeval / nervaluate")
    for n, _, _, _, f1, seq, nerv in rows:
        same = all(x is not None and abs(x - f1) < 5e-7 for x in (seq, nerv)) if f1 is not None else False
        print(f"  {n:>7,}: {f1} / {seq} / {nerv}  {'identical to six decimals' if same else 'DIFFERENT'}")


def _f1_of_score(info: dict) -> float | None:
    try:
        return float(info["micro"]["f1"])
    except (KeyError, TypeError, ValueError):
        pass
    for value in info.values() if isinstance(info, dict) else ():
        if isinstance(value, dict):
            found = _f1_of_score(value)
            if found is not None:
                return found
    return None


def run_section(sentences: list, sizes: list[int], env: dict[str, str], work: Path, per_doc: list[int]) -> None:
    print("\n| corpus | tokens | seconds | µs per token | per token / 100k run | peak RSS |")
    print("|---|---|---|---|---|---|")
    for every in per_doc:  # 0: one document; else a document every so many sentences
        shape = "one document" if not every else f"documents of {every} sentences"
        per_token = {}
        for n in sizes:
            doc = work / f"doc-{n}-{every}.conll"
            tokens = write_document(doc, sentences, tokens=n, per_doc=every)
            out = work / f"out-{n}-{every}"
            command = ["run", "-m", "rules", "-m", "oracle", "--corpus", str(doc), "--out", str(out), "-q"]
            command.append("--no-cache")
            wall, rss, _ = measure(arabench(*command), env)
            per_token[n] = wall / tokens
            base = per_token.get(100_000, per_token[sizes[0]])
            print(
                f"| {shape} | {tokens:,} | {wall:.1f} | {per_token[n] * 1e6:.0f} | {per_token[n] / base:.2f} | "
                f"{rss / 1024:.0f} MB |",
                flush=True,
            )
    print(f"({load()})")


def memory_section(sentences: list, sizes: list[float], env: dict[str, str], work: Path) -> None:
    print("\n| MB of text | tokens | seconds | peak RSS | growth per MB since the previous size |")
    print("|---|---|---|---|---|")
    previous = None
    for mb in sizes:
        doc = work / f"mb-{mb}.conll"
        tokens = write_document(doc, sentences, text_mb=mb)
        out = work / f"out-mb-{mb}"
        wall, rss, _ = measure(
            arabench("run", "-m", "rules", "-m", "oracle", "--corpus", str(doc), "--out", str(out), "-q", "--no-cache"),
            env,
        )
        growth = "" if previous is None else f"{(rss - previous[1]) / 1024 / (mb - previous[0]):.0f} MB per MB"
        print(f"| {mb:g} | {tokens:,} | {wall:.1f} | {rss / 1024:.0f} MB | {growth} |", flush=True)
        previous = (mb, rss)
    print(f"({load()})")


def hf_section(sentences: list, repeats: int, env: dict[str, str], work: Path, threads: int | None = None) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.tiny_models import build_tiny_bert

    model = build_tiny_bert(work / "tiny-bert")
    doc = work / "hf-doc.conll"
    tokens = write_document(doc, sentences, tokens=50_000)
    plain = work / "hf-doc.txt"  # the same text, one sentence a line, for the pipeline script
    lines, k, written = [], 0, 0
    while written < tokens:
        sentence = sentences[k % len(sentences)]
        lines.append(" ".join(w for w, _ in sentence))
        written += len(sentence)
        k += 1
    plain.write_text("\n".join(lines) + "\n", encoding="utf-8")
    script = work / "pipeline.py"
    script.write_text(PIPELINE, encoding="utf-8")
    if threads is not None:  # both processes: torch's intra-op threads (unset: torch's default, one per core)
        env = {**env, "OMP_NUM_THREADS": str(threads)}
    command = arabench(
        "run", "-m", f"hf:{model}", "--corpus", str(doc), "--out", str(work / "hf-out"), "-q", "--no-cache"
    )
    # Untimed, once each: the first process to import torch and transformers under a fresh bytecode cache
    # compiles them (several seconds), which would be charged to whichever side runs first.
    measure(command, env)
    measure([sys.executable, str(script), str(model), str(plain)], env)
    ours, bare = [], []
    for k in range(repeats):
        ours.append(measure(command, env)[0])
        bare.append(measure([sys.executable, str(script), str(model), str(plain)], env)[0])
        print(f"  repeat {k + 1}: arabench {ours[-1]:.1f} s, bare {bare[-1]:.1f} s ({load()})", flush=True)
    a, b = statistics.median(ours), statistics.median(bare)
    setting = "" if threads is None else f", OMP_NUM_THREADS={threads} for both"
    print(f"\n| `run -m hf:<tiny BERT>`, {tokens:,} tokens, whole process{setting} | {a:.1f} s ", end="")
    print(f"| bare `pipeline` script {b:.1f} s | ratio **{a / b:.2f}** (target at most 1.1) |  ({load()})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", nargs="+", default=["score", "run", "memory", "hf"])
    parser.add_argument("--sentences", type=int, nargs="+", default=[10_000, 100_000, 400_000])
    parser.add_argument("--tokens", type=int, nargs="+", default=[10_000, 100_000, 250_000, 500_000])
    parser.add_argument("--mb", type=float, nargs="+", default=[1, 5, 10])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="hf section: OMP_NUM_THREADS for both processes (on a busy machine, two threads a process make the "
        "forward passes' times erratic for both sides)",
    )
    parser.add_argument(
        "--per-doc",
        type=int,
        nargs="+",
        default=[0, 20],
        help="run section: 0 for one document, N for a document every N sentences (default: both, 0 and 20)",
    )
    parser.add_argument(
        "--no-bytecode-cache", action="store_true", help="keep PYTHONDONTWRITEBYTECODE if set (compiled per run)"
    )
    args = parser.parse_args()
    print(f"start: {load()}; {time.strftime('%Y-%m-%d %H:%M:%S %Z')}", flush=True)
    sentences = real_sentences()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "ARABENCH_CACHE": str(work / "cache")}
        if not args.no_bytecode_cache:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
            (warm := work / "warm-up").mkdir()
            gold, pred, _ = write_pair(warm, sentences, 20, seed=0)
            measure(arabench("score", "--gold", str(gold), "--pred", str(pred), "--json", "--mode", "all"), env)
        bytecode = "off (compiled per run)" if env.get("PYTHONDONTWRITEBYTECODE") else "cached"
        print(f"bytecode: {bytecode}", flush=True)
        if "score" in args.sections:
            score_section(sentences, args.sentences, args.repeats, env, work)
        if "run" in args.sections:
            run_section(sentences, args.tokens, env, work, args.per_doc)
        if "memory" in args.sections:
            memory_section(sentences, args.mb, env, work)
        if "hf" in args.sections:
            hf_section(sentences, args.repeats, env, work, args.threads)
    print(f"\nend: {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
