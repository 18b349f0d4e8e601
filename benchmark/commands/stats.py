"""``arabench stats [PATH]``: describe an annotation corpus."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from arabench.benchmark.cli import EXIT_OK
from arabench.benchmark.commands.options import add_no_type_check

HELP = "describe annotations: documents, tokens, sentences, mentions per type, nesting, entities, relations"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``stats`` options."""
    from arabench.benchmark.commands.validate import add_path_arguments

    add_path_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print the statistics as JSON")
    add_no_type_check(parser)


def format_table(stats: object, *, title: str, type_order: list[str]) -> str:
    """Render :class:`arabench.annotations.stats.CorpusStats` as a plain-text table."""
    from arabench.annotations.stats import CorpusStats

    assert isinstance(stats, CorpusStats)
    known = [t for t in type_order if t in stats.mentions]
    types = known + sorted(t for t in stats.mentions if t not in type_order)
    lines = [
        f"{title}: {stats.documents} document(s), {stats.characters} characters, {stats.tokens} tokens, "
        f"{stats.sentences} sentences",
        "",
    ]
    header = ("type", "mentions", "outermost", "nested", "surface forms")
    rows: list[tuple[str, int, int, int, int | str]] = [
        (t, stats.mentions[t], stats.outermost.get(t, 0), stats.nested.get(t, 0), stats.surface_forms.get(t, 0))
        for t in types
    ]
    rows.append(("total", stats.total_mentions, stats.total_outermost, stats.total_nested, ""))
    width = max([len(header[0])] + [len(str(r[0])) for r in rows])
    lines.append(f"{header[0]:<{width}}  " + "  ".join(f"{h:>{len(h)}}" for h in header[1:]))
    for row in rows:
        lines.append(
            f"{row[0]:<{width}}  " + "  ".join(f"{v!s:>{len(h)}}" for v, h in zip(row[1:], header[1:], strict=True))
        )
    depths = ", ".join(f"depth {d}: {n}" for d, n in stats.depths.items())
    lines += ["", f"nesting: max depth {stats.max_depth}" + (f" ({depths})" if depths else "")]
    clustered = sum(stats.clustered_mentions.values())
    singletons = stats.cluster_sizes.get(1, 0)
    lines += [
        "",
        f"entities: {stats.total_entities} ({stats.total_clusters} clusters holding {clustered} mentions, "
        f"{singletons} singletons)",
    ]
    entity_types = [t for t in type_order if t in stats.entities] + sorted(
        t for t in stats.entities if t not in type_order
    )
    if stats.total_clusters:
        lines.append(
            "by type, entities (of which clusters): "
            + ", ".join(f"{t} {stats.entities[t]} ({stats.clusters.get(t, 0)})" for t in entity_types)
        )
    if stats.relations:
        rel_width = max(len(r) for r in stats.relations)
        lines += ["", f"{'relation':<{rel_width}}  count  entity pairs"]
        lines += [
            f"{r:<{rel_width}}  {n:>5}  {stats.entity_relations.get(r, 0):>12}" for r, n in stats.relations.items()
        ]
        lines.append(f"{'total':<{rel_width}}  {stats.total_relations:>5}  {stats.total_entity_relations:>12}")
    else:
        lines += ["", "relations: none"]
    return "\n".join(line.rstrip() for line in lines)


def main(args: argparse.Namespace) -> int:
    """Read the corpus (it must validate) and print its statistics; warnings (e.g. text not in NFC) go to stderr."""
    import sys

    from arabench.annotations.corpus import default_gold_path, read_corpus
    from arabench.annotations.schema import default_schema
    from arabench.annotations.stats import corpus_stats
    from arabench.benchmark.commands.validate import display_path, is_dataset_source, report_warnings
    from arabench.benchmark.corpus_io import load_corpus

    path: str | Path = args.path if args.path is not None else display_path(default_gold_path())
    view = None
    corpus = None
    if is_dataset_source(str(path)):
        corpus = load_corpus(str(path))
        documents = list(corpus.documents)
    else:
        for warning in report_warnings(Path(path), args.format):
            print(warning, file=sys.stderr)
        if args.no_type_check:
            documents = list(read_corpus(path, format=args.format, check_types=False))
        else:  # labels checked against the corpus's view (schema types, or the view its tag set fits)
            corpus = load_corpus(path, format=args.format)
            documents, view = list(corpus.documents), corpus.view.name
    own = None  # a CoNLL file or token table: its own tokens and sentences
    if corpus is not None and corpus.own_units:
        own = [(len(w or ()), len(u)) for w, u in zip(corpus.words, corpus.units, strict=True)]
    stats = corpus_stats(documents, own_counts=own)
    if args.json:
        print(json.dumps({"path": str(path), "view": view, **stats.to_dict()}, ensure_ascii=False, indent=2))
    else:
        title = str(path) if view in (None, "native") else f"{path} (labels of view {view})"
        print(format_table(stats, title=title, type_order=list(default_schema().entity_types)))
    return EXIT_OK
