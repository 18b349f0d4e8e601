"""Time reading and validating annotations; print the numbers of this one run.

Usage: python tests/benchmarks/bench_annotations_io.py [--copies 500] [--repeat 5]

* gold: ``read_corpus(annotations/gold)`` (every check of ``arabench validate``),
  best of ``--repeat`` runs after one warm-up (the schema is loaded once per process).
* large: ``--copies`` copies of the gold document (distinct ids) in one BRAT
  directory and in one JSONL file, read with ``read_corpus``.
* floor: reading the same files' bytes and decoding them as UTF-8, the least
  any reader must do; the ratio ``read_corpus / floor`` is the cost of parsing
  and of every check.
* also: ``parse_ann`` alone (no file, no validation), and the writers.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from arabench.annotations.brat import format_ann, parse_ann, write_brat
from arabench.annotations.corpus import default_gold_path, read_corpus
from arabench.annotations.jsonl import format_jsonl, write_jsonl
from arabench.annotations.spans import Document


def best(fn: Callable[[], object], repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def read_bytes(paths: list[Path]) -> None:
    for path in paths:
        path.read_bytes().decode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    gold_dir = default_gold_path()
    if not any(gold_dir.glob("*.ann")):
        print(f"{gold_dir} has no .ann file yet; nothing to time")
        return
    gold_files = sorted(p for p in gold_dir.iterdir() if p.suffix in (".txt", ".ann"))
    docs = read_corpus(gold_dir)
    n_entities = sum(len(d.entities) for d in docs)
    t_gold = best(lambda: read_corpus(gold_dir), args.repeat)
    t_gold_floor = best(lambda: read_bytes(gold_files), args.repeat)
    print(f"gold: {len(docs)} document(s), {n_entities} entities")
    print(f"  read_corpus         {t_gold * 1e3:8.2f} ms   ({t_gold / t_gold_floor:.0f}x reading+decoding the bytes)")
    doc = docs[0]
    ann = (gold_dir / f"{doc.id}.ann").read_text(encoding="utf-8")
    t_parse = best(lambda: parse_ann(ann, doc.text, doc_id=doc.id), args.repeat)
    t_format = best(lambda: format_ann(doc), args.repeat)
    print(f"  parse_ann alone     {t_parse * 1e3:8.2f} ms   (the rest of read_corpus is the checks and file I/O)")
    print(f"  format_ann          {t_format * 1e3:8.2f} ms")

    copies = [Document(f"{i:05d}", doc.text, doc.entities, doc.relations, doc.metadata) for i in range(args.copies)]
    tmp = Path(tempfile.mkdtemp(prefix="arabench-bench-"))
    try:
        brat_dir = tmp / "brat"
        t_write_brat = best(lambda: [write_brat(d, brat_dir) for d in copies], 1)
        jsonl = tmp / "corpus.jsonl"
        t_write_jsonl = best(lambda: write_jsonl(copies, jsonl), 1)
        files = sorted(brat_dir.iterdir())
        t_brat = best(lambda: read_corpus(brat_dir), max(1, args.repeat // 2))
        t_brat_floor = best(lambda: read_bytes(files), max(1, args.repeat // 2))
        t_jsonl = best(lambda: read_corpus(jsonl), max(1, args.repeat // 2))
        t_jsonl_floor = best(lambda: read_bytes([jsonl]), max(1, args.repeat // 2))
        total = args.copies * n_entities
        print(f"large: {args.copies} documents, {total} entities")
        print(
            f"  read_corpus BRAT    {t_brat:8.3f} s    {t_brat / args.copies * 1e3:.2f} ms/document, "
            f"{total / t_brat:,.0f} entities/s ({t_brat / t_brat_floor:.0f}x reading+decoding the bytes)"
        )
        print(
            f"  read_corpus JSONL   {t_jsonl:8.3f} s    {t_jsonl / args.copies * 1e3:.2f} ms/document, "
            f"{total / t_jsonl:,.0f} entities/s ({t_jsonl / t_jsonl_floor:.0f}x reading+decoding the bytes)"
        )
        print(f"  write_brat          {t_write_brat:8.3f} s")
        print(f"  write_jsonl         {t_write_jsonl:8.3f} s    ({len(format_jsonl(copies[:1])):,} bytes/document)")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
