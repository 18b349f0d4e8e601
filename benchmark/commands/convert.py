"""``arabench convert SRC DST``: convert annotations between BRAT, JSONL, CoNLL, Label Studio and HF datasets."""

from __future__ import annotations

import argparse

from arabench.benchmark.commands.options import add_scheme

HELP = "convert annotations between BRAT, JSONL, CoNLL, Label Studio JSON and Hugging Face datasets"

_EPILOG = """\
formats (inferred from the paths when --from/--to are left out):
{formats}

  inference (the same in every command): an existing directory with dataset_dict.json
  is hf, one with .txt/.ann files is brat; .ann -> brat; a .txt is brat next to its
  .ann, conll when its lines are token/tag lines, else an error; a .json is
  labelstudio when it holds a list of tasks, jsonl when it holds one object per line;
  .jsonl -> jsonl; .conll/.tsv/.iob/.bio -> conll. A destination that does not exist
  is told by its suffix (.txt -> conll, .json -> labelstudio); a new directory
  destination needs --to brat or --to hf.

what is kept: every span (nested included) and relation in brat, jsonl, labelstudio
and hf. CoNLL keeps the flat layer only (outermost spans, tagged BIO2 over whole
words) and says how many nested spans and relations the file leaves out; two
outermost spans sharing a word are an error. The report printed at the end gives
the counts read and written and everything the destination cannot hold.

safety: the source is read and checked like the gold (arabench validate --no-type-check:
white space at span edges, crossing or repeated spans, unknown types, BOM, CRLF, lone
surrogates) before the destination is touched; the destination is written into a
temporary sibling and swapped into place only after the write succeeded (with
--overwrite a BRAT directory keeps its other files, e.g. manifest.yaml); a source or
--text-from corpus inside the destination is refused.

examples:
  arabench convert annotations/gold gold.jsonl
  arabench convert annotations/gold gold.conll
  arabench convert export.json corpus/ --to brat --annotator alice@example.org
  arabench convert corpus/ ls_tasks.json      (tasks + labeling_config.xml beside them)
  arabench convert corpus/ ls_tasks.json --predictions --model-version v1   (pre-annotations)
  arabench labeling-config --view conll4      (print a labelling configuration)
  arabench convert tagged.conll corpus.jsonl --text-from annotations/gold
  arabench convert gold.jsonl gold_ds --to hf --split test
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``arabench convert``."""
    from arabench.annotations.formats import FORMATS, format_table

    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = _EPILOG.format(formats=format_table())
    names = list(FORMATS)
    parser.add_argument("src", metavar="SRC", help="source file or directory")
    parser.add_argument("dst", metavar="DST", help="destination file or directory")
    parser.add_argument("--from", dest="src_format", choices=names, metavar="FMT", help="source format")
    parser.add_argument("--to", dest="dst_format", choices=names, metavar="FMT", help="destination format")
    parser.add_argument("--overwrite", action="store_true", help="replace a destination that exists and is not empty")
    group = parser.add_argument_group("format options (an option the formats do not take is an error)")
    add_scheme(group, default=None)
    group.add_argument(
        "--text-from",
        metavar="CORPUS",
        help=(
            "conll source: align tokens to the raw texts of this corpus (any format), by document id "
            "('# id =' lines), or in order when the CoNLL file has no matching ids"
        ),
    )
    group.add_argument(
        "--no-sentence-split",
        dest="sentence_split",
        action="store_const",
        const=False,
        default=None,
        help="conll destination: one sentence per document (default: split after . ! ? ؟ and at newlines)",
    )
    group.add_argument(
        "--no-comments",
        dest="comments",
        action="store_const",
        const=False,
        default=None,
        help="conll destination: no '# id = ...' lines, for tools that reject '#' lines (ids are then lost)",
    )
    group.add_argument(
        "--annotation-index",
        type=int,
        metavar="N",
        help="labelstudio source: which annotation of each task to read, by position (Label Studio orders them by "
        "creation time, so prefer --annotator)",
    )
    group.add_argument(
        "--annotator",
        metavar="WHO",
        help="labelstudio source: read the annotation of this annotator (completed_by: user id or e-mail address)",
    )
    group.add_argument(
        "--model-version",
        metavar="NAME",
        help="labelstudio destination with --predictions: the predictions' model_version (default: arabench)",
    )
    group.add_argument(
        "--config-view",
        metavar="VIEW",
        help="labelstudio destination: the view whose labels labeling_config.xml offers (default: the schema's types)",
    )
    group.add_argument(
        "--predictions",
        action="store_const",
        const=True,
        default=None,
        help="labelstudio: read/write 'predictions' (pre-annotations) instead of 'annotations'",
    )
    group.add_argument("--split", metavar="NAME", help="hf: the split to read, or the split written (default test)")
    group.add_argument(
        "--types",
        metavar="T,T,...",
        help="hf destination: entity types of the ner_tags labels (default: the schema's 21 types)",
    )


def main(args: argparse.Namespace) -> int:
    """Run the conversion and print its report."""
    from arabench.annotations.convert import convert

    report = convert(
        args.src,
        args.dst,
        src_format=args.src_format,
        dst_format=args.dst_format,
        overwrite=args.overwrite,
        scheme=args.scheme,
        text_from=args.text_from,
        annotation_index=args.annotation_index,
        annotator=args.annotator,
        predictions=args.predictions,
        model_version=args.model_version,
        config_view=args.config_view,
        split=args.split,
        types=[t.strip() for t in args.types.split(",") if t.strip()] if args.types else None,
        sentence_split=args.sentence_split,
        comments=args.comments,
    )
    print(report)
    return 0
