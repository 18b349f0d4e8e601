"""``arabench manifest [DIR] [--write]``: check or write the manifest entries (sha256, characters, bytes, lines)."""

from __future__ import annotations

import argparse

from arabench.benchmark.cli import EXIT_OK, EXIT_PROBLEMS

HELP = (
    "check (or with --write, bring up to date) DIR/manifest.yaml: each text's sha256, characters, bytes and lines, "
    "and an entry for every .txt (default DIR: the gold)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``manifest`` options."""
    parser.add_argument("directory", nargs="?", default=None, help="a BRAT directory (default: the gold)")
    parser.add_argument(
        "--write",
        action="store_true",
        help="correct the facts that differ and append an entry for each unlisted .txt (other lines are kept)",
    )


def main(args: argparse.Namespace) -> int:
    """Print what differs; exit 1 when checking finds the manifest out of date."""
    from arabench.annotations.corpus import default_gold_path
    from arabench.annotations.manifest import update_manifest

    directory = args.directory or default_gold_path()
    result = update_manifest(directory, write=args.write)
    for line in result.lines():
        print(line)
    if result.up_to_date:
        print(f"{result.path}: up to date")
        return EXIT_OK
    if result.written:
        print(
            f"{result.path}: written ({len(result.changes)} fact(s) corrected, {len(result.added)} entr(ies) added); "
            "add each new entry's language, genre, source, date and licence"
        )
        return EXIT_OK
    print(f"{result.path}: out of date; run `arabench manifest {directory} --write` to correct it")
    return EXIT_PROBLEMS
