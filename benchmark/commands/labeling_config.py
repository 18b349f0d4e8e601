"""``arabench labeling-config``: print (or write) the Label Studio labelling configuration."""

from __future__ import annotations

import argparse

HELP = "print the Label Studio labelling configuration (RTL, every label and relation, Equiv) of the schema or a view"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``arabench labeling-config``."""
    parser.add_argument(
        "--view",
        metavar="VIEW",
        help="offer the labels of this view (native, conll4, anercorp, ace, fane, ...; default: the schema's types)",
    )
    parser.add_argument("--out", metavar="FILE", help="write it to FILE instead of printing it")


def main(args: argparse.Namespace) -> int:
    """Print or write the configuration."""
    from arabench.annotations.files import atomic_write_text
    from arabench.annotations.labelstudio import labeling_config

    xml = labeling_config(view=args.view)
    if args.out is None:
        print(xml, end="")
    else:
        atomic_write_text(args.out, xml)
        print(f"labelling configuration written to {args.out}")
    return 0
