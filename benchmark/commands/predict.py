"""``arabench predict MODEL [SOURCE] --out PATH``: write a model's predictions in any format arabench reads."""

from __future__ import annotations

import argparse

HELP = "write a model's predictions on a corpus or raw text (.txt files) in any format arabench reads"

EPILOG = """\
source: any corpus arabench reads (BRAT, JSONL, CoNLL, Label Studio, datasets; default
the packaged gold), or raw text: a .txt file with no .ann beside it, or a directory of
.txt files (document ids are the file names; --from text forces it).

formats written (--to, else guessed from --out: .jsonl, .conll, .json is Label Studio,
a directory or a path without suffix is brat):
  brat         a directory of .txt + .ann
  jsonl        one document per line
  conll        token TAB tag (the source's own tokens when it is CoNLL; flat layer only)
  labelstudio  tasks with predictions (model_version), labeling_config.xml beside
  hf           a datasets directory

predictions come through the same cache as `arabench run`; --view writes them in a
registered view the model's view coarsens into (labels the view leaves out are
counted, not written). Read the output back with `arabench score --pred` or
`arabench run -m file:OUT`.

examples:
  arabench predict rules --out pred/                       (the gold, BRAT)
  arabench predict rules texts/ --out tasks.json           (Label Studio pre-annotations)
  arabench predict crf corpus.conll --out pred.conll --view conll4
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``arabench predict``."""
    from arabench.annotations.formats import FORMATS
    from arabench.benchmark.commands.options import add_scheme

    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument("model", metavar="MODEL", help="a registered model (see `arabench models`)")
    parser.add_argument("source", metavar="SOURCE", nargs="?", help="corpus or raw text (default: the gold)")
    parser.add_argument("--out", required=True, metavar="PATH", help="destination file or directory")
    parser.add_argument("--to", dest="format", choices=list(FORMATS), metavar="FMT", help="format written")
    parser.add_argument(
        "--from", dest="source_format", choices=[*FORMATS, "text"], metavar="FMT", help="source format (text: raw)"
    )
    parser.add_argument("--view", metavar="VIEW", help="write labels in this view (default: the model's own)")
    parser.add_argument("--corpus-view", metavar="VIEW", help="the view of the source's tags (default: inferred)")
    add_scheme(parser, default="BIO2")
    parser.add_argument(
        "--model-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an option of the model (repeatable), checked by its adapter",
    )
    parser.add_argument("--model-version", metavar="NAME", help="Label Studio model_version (default: the model)")
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="the cache root, as `arabench run --cache-dir` (default: $ARABENCH_CACHE, else ~/.cache/arabench)",
    )
    parser.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help="read no cached prediction; overwrite the ones recomputed",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace a destination that is not empty")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar, no report")


def main(args: argparse.Namespace) -> int:
    """Predict, write, print the report."""
    from arabench.benchmark.config import parse_model_option
    from arabench.benchmark.predicting import predict

    options = dict(parse_model_option(args.model, pair) for pair in args.model_option)
    report = predict(
        args.model,
        args.source,
        out=args.out,
        format=args.format,
        source_format=args.source_format,
        view=args.view,
        corpus_view=args.corpus_view,
        scheme=args.scheme,
        cache=args.cache,
        cache_dir=args.cache_dir,
        model_options=options,
        model_version=args.model_version,
        overwrite=args.overwrite,
        progress=not args.quiet,
    )
    if not args.quiet:
        print(report)
    return 0
