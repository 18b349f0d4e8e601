"""``arabench adjudicate A B --out DIR``: merge two passes into one document set to review."""

from __future__ import annotations

import argparse
from collections import Counter

from arabench.benchmark.cli import EXIT_OK
from arabench.benchmark.commands.options import add_no_type_check

HELP = (
    "merge two annotation passes of the same texts into one BRAT directory (and JSONL) where agreed annotations "
    "stand and every disagreement is marked for review with an annotator note"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``adjudicate`` options."""
    parser.add_argument("a", help="pass A: BRAT directory, .ann file or .jsonl")
    parser.add_argument("b", help="pass B of the same texts")
    parser.add_argument("--out", required=True, help="a new (or empty) directory for the merged documents")
    add_no_type_check(parser)


def main(args: argparse.Namespace) -> int:
    """Merge, write, and say what is agreed and what is left to review."""
    from arabench.benchmark.adjudicate import JSONL_NAME, adjudicate_paths

    result = adjudicate_paths(args.a, args.b, args.out, check_types=not args.no_type_check)
    agreed = result.agreed
    kinds = Counter((item.level, item.kind) for item in result.review)
    print(
        f"{len(result.documents)} document(s): agreed {agreed['mentions']} mentions, {agreed['relations']} relations, "
        f"{agreed['entities']} entities; {len(result.review)} disagreement(s) to review"
    )
    for (level, kind), n in sorted(kinds.items()):
        print(f"  {n:>4}  {level} {kind}")
    print(
        f"written to {args.out} (BRAT with annotation.conf and visual.conf, and {JSONL_NAME}); open it in BRAT, "
        "resolve every 'arabench review:' note, then `arabench validate` it"
    )
    return EXIT_OK
