"""``arabench score --gold G --pred P``: score predictions from any system against gold annotations.

A thin layer over :mod:`arabench.benchmark.score_files` (formats, views, label maps, the JSON
output's schema are described there): options in, :class:`~arabench.benchmark.score_files.ScoreReport`
out, printed as a table or JSON.
"""

from __future__ import annotations

import argparse
import json
import sys

from arabench.benchmark.score_files import report_json, report_table, score_settings
from arabench.eval.modes import BOUNDARIES, HEADLINE, LAYERS, MODES, Setting

HELP = "score predictions from any system against gold (CoNLL, JSONL, BRAT, Label Studio, datasets), as a table or JSON"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``score`` options."""
    parser.add_argument(
        "--gold", required=True, help="gold annotations: CoNLL, JSONL, BRAT, Label Studio or a datasets directory"
    )
    parser.add_argument("--pred", required=True, help="predictions (CoNLL if the gold is CoNLL, else any span format)")
    from arabench.benchmark.commands.options import add_format, add_grid, add_scheme

    add_format(parser)
    add_grid(parser, repeatable=True)
    from arabench.benchmark.commands.options import add_view_option

    add_view_option(
        parser,
        "--view",
        default=None,
        before="label view to project gold and predictions into: ",
        after=" (default: labels as they are)",
    )
    parser.add_argument("--views", metavar="FILE", help="a YAML file of user label views (see docs/views.md)")
    parser.add_argument(
        "--label-map",
        metavar="MAP",
        help="relabel the predictions: 'RAW=LABEL,RAW2=LABEL2' (empty LABEL drops) or a .yaml/.json file",
    )
    parser.add_argument(
        "--drop", metavar="LABELS", help="prediction labels to drop, comma-separated (counted in notes)"
    )
    add_scheme(parser, default="BIO2")
    parser.add_argument(
        "--strict-iob2",
        action="store_true",
        help="CoNLL only: seqeval's strict IOB2 numbers (mode='strict', scheme=IOB2) instead of the conlleval rules",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object (schema_version 1); one per line, in grid order, for several settings",
    )


def _chosen(values: list[str] | None, every: tuple[str, ...], default: str) -> list[str]:
    """The values of a repeatable option: ``all`` is every value; duplicates once; default when absent."""
    if not values:
        return [default]
    if "all" in values:
        return list(every)
    return list(dict.fromkeys(values))


def main(args: argparse.Namespace) -> int:
    """Score and print the table or the JSON object (one per setting)."""
    settings = [
        Setting(mode, boundary, layer)
        for mode in _chosen(args.mode, tuple(MODES), HEADLINE.mode)
        for boundary in _chosen(args.boundary, BOUNDARIES, HEADLINE.boundary)
        for layer in _chosen(args.layer, LAYERS, HEADLINE.layer)
    ]
    if args.views:
        from arabench.annotations.schema import register_views_file

        register_views_file(args.views)
    reports = score_settings(
        args.gold,
        args.pred,
        settings=settings,
        format=args.format,
        view=args.view,
        scheme=args.scheme,
        label_map=args.label_map,
        drop=args.drop or (),
        strict_iob2=args.strict_iob2,
    )
    if args.json:
        for report in reports:
            sys.stdout.write(json.dumps(report_json(report), ensure_ascii=False, separators=(",", ":")) + "\n")
    else:
        print("\n\n".join(report_table(report) for report in reports))
    return 0
