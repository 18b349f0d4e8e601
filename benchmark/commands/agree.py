"""``arabench agree A B``: inter-annotator agreement between two annotation sets of the same texts."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from arabench.benchmark.cli import EXIT_OK
from arabench.benchmark.commands.options import add_no_type_check
from arabench.eval.modes import relation_grid

if TYPE_CHECKING:
    from arabench.benchmark.agreement import Agreement

HELP = (
    "agreement (F1 of B against A, and Cohen's kappa on words) of two annotation sets of the same texts: mentions, "
    "entity layers (MUC, B3, CEAF-e, CoNLL) and relations at the entity and mention level; lists every "
    "disagreement side by side (coreference: mentions moved, entities split or merged)"
)

_SETTINGS = tuple(relation_grid())


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``agree`` options."""
    from arabench.benchmark.commands.validate import add_annotation_choice

    parser.add_argument(
        "a", help="reference annotations: BRAT directory, .ann file, .jsonl, or a Label Studio export (.json)"
    )
    parser.add_argument(
        "b",
        nargs="?",
        help="other annotations of the same texts; left out for a Label Studio export of two annotators, each "
        "annotator is its own pass (A the first by user id or e-mail, whatever the creation order)",
    )
    add_annotation_choice(parser, suffix="-a", what=" A")
    add_annotation_choice(parser, suffix="-b", what=" B")
    parser.add_argument(
        "--json", action="store_true", help="print every count and score, and the disagreements, as JSON"
    )
    add_no_type_check(parser)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _cell(counts: object) -> str:
    f1 = counts.f1  # type: ignore[attr-defined]
    score = "-" if f1 is None else f"{f1:.4f}"
    return f"{score} {_num(counts.tp)}/{_num(counts.fn)}/{_num(counts.fp)}"  # type: ignore[attr-defined]


def _table(rows: list[list[str]], header: list[str]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in [header, *rows]
    ]


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def _coref_cell(metric: object) -> str:
    f1, recall, precision = (getattr(metric, k) for k in ("f1", "recall", "precision"))
    return "-" if f1 is None else f"{_score(f1)} (R {_score(recall)} P {_score(precision)})"


def format_agreement(result: object, *, type_order: list[str]) -> str:
    """Render a :class:`arabench.benchmark.agreement.Agreement` as plain-text tables."""
    from arabench.benchmark.agreement import Agreement

    assert isinstance(result, Agreement)
    lines = [
        f"agreement of B against A: F1, then counts both/only A/only B, over {len(result.document_ids)} document(s)",
        f"A: {result.reference} ({result.entity_counts[0]} mentions in {result.cluster_counts[0]} entities, "
        f"{result.relation_counts[0]} relations)",
        f"B: {result.other} ({result.entity_counts[1]} mentions in {result.cluster_counts[1]} entities, "
        f"{result.relation_counts[1]} relations)",
    ]
    if result.kappa is not None:
        lines += ["", format_kappa(result.kappa)]
    tables_in_order = (
        ("mentions (nested layer)", result.entities),
        ("relations, entity level (B's mentions read through A's entities)", result.entity_relations),
        ("relations, mention level", result.relations),
    )
    for title, tables in tables_in_order:
        first = tables[_SETTINGS[0]]
        present = list(first.types)
        types = [t for t in type_order if t in present] + sorted(t for t in present if t not in type_order)
        rows = [[t, *(_cell(tables[s].per_type[t]) for s in _SETTINGS)] for t in types]
        rows.append(["overall", *(_cell(tables[s].micro) for s in _SETTINGS)])
        lines += ["", title, *_table(rows, ["type", *(f"{m}/{b}" for m, b in _SETTINGS)])]
        notes = {f"{m}/{b}": dict(tables[(m, b)].notes) for m, b in _SETTINGS if tables[(m, b)].notes}
        for setting, counted in notes.items():
            lines.append(f"note ({setting}): " + ", ".join(f"{k} {v}" for k, v in counted.items()))
    rows = [
        [name, *(_coref_cell(getattr(result.coref[s], name)) for s in _SETTINGS)]
        for name in ("muc", "b_cubed", "ceaf_e")
    ]
    conll = [result.coref[s].conll_f1 for s in _SETTINGS]
    rows.append(["CoNLL F1", *(_score(v) for v in conll)])
    lines += [
        "",
        "entity layer (coreference; every mention an entity, singletons included): F1 (recall, precision)",
        *_table(rows, ["metric", *(f"{m}/{b}" for m, b in _SETTINGS)]),
    ]
    lines += format_disagreements(result.disagreements)
    return "\n".join(lines)


def format_kappa(kappa: object) -> str:
    """One line: Cohen's kappa on words, over every word and over the words either set tagged."""
    from arabench.eval.kappa import TokenKappa

    assert isinstance(kappa, TokenKappa)

    def one(k: object) -> str:
        value = getattr(k, "kappa", None)
        n, agreed = getattr(k, "n", 0), getattr(k, "agreed", 0)
        return f"{_score(value)} ({agreed}/{n} words agree)"

    notes = ", ".join(f"{k} {v}" for k, v in sorted(kappa.notes.items()))
    return (
        f"Cohen's kappa on words (BIO tag per word, flat layer): {one(kappa.all)}; "
        f"over the words either set tagged: {one(kappa.tagged)}" + (f"; not encoded: {notes}" if notes else "")
    )


#: Mentions of an entity shown per argument in the terminal (``--json`` has them all).
_SHOWN_MENTIONS = 3


def _mention_text(m: dict) -> str:
    return f"{m['type']} {m['start']}-{m['end']} «{m['text']}»"


def _entity_text(mentions: list[dict]) -> str:
    more = len(mentions) - _SHOWN_MENTIONS
    shown = " = ".join(map(_mention_text, mentions[:_SHOWN_MENTIONS])) or "(no other mention)"
    return "{" + shown + (f" = {more} more mention(s) (--json lists them)" if more > 0 else "") + "}"


def _item_text(item: dict | None) -> str:
    if item is None:
        return "-"
    if "mention" in item:  # coreference: a moved mention, with the other mentions of its entity
        return f"{_mention_text(item['mention'])} in {_entity_text(item['entity'])}"
    if "entities" in item:
        return f"{len(item['entities'])} entities: " + " | ".join(_entity_text(e) for e in item["entities"])
    if "mentions" in item:
        return f"one entity: {_entity_text(item['mentions'])}"
    if "arg1" not in item:
        return _mention_text(item)

    def arg(value: dict) -> str:
        if "mentions" not in value:
            return _mention_text(value)
        mentions = value["mentions"]
        more = len(mentions) - _SHOWN_MENTIONS
        shown = " = ".join(map(_mention_text, mentions[:_SHOWN_MENTIONS]))
        return shown + (f" = {more} more mention(s) (--json lists them)" if more > 0 else "")

    return f"{item['type']}({arg(item['arg1'])}, {arg(item['arg2'])})"


def format_disagreements(disagreements: Sequence[object]) -> list[str]:
    """Lines listing every disagreement, per document, A above B."""
    from arabench.benchmark.agreement import LEVELS, Disagreement

    found = [d for d in disagreements if isinstance(d, Disagreement)]
    counts = ", ".join(f"{sum(d.level == level for d in found)} {level}s" for level in LEVELS)
    lines = [
        "",
        f"disagreements (strict match, character offsets; every disagreement of a looser setting is among them): "
        f"{counts}",
    ]
    document = None
    for d in found:
        if d.document != document:
            document = d.document
            lines.append(f"document {document}")
        head = f"  {d.level:<15} {d.kind:<15}"
        lines.append(f"{head} A: {_item_text(d.a)}")
        lines.append(f"{'':<{len(head)}} B: {_item_text(d.b)}")
    return lines


def main(args: argparse.Namespace) -> int:
    """Read both sets (each must validate), score B against A and print the tables."""
    from arabench.annotations.schema import default_schema

    result = _agreement(args)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        schema = default_schema()
        print(format_agreement(result, type_order=[*schema.entity_types, *schema.relation_types]))
    return EXIT_OK


def _agreement(args: argparse.Namespace) -> Agreement:
    """Both passes read and scored: two paths, or the annotators of one Label Studio export."""
    from arabench.annotations.corpus import read_corpus
    from arabench.annotations.errors import BenchmarkError
    from arabench.annotations.formats import infer_format
    from arabench.benchmark.agreement import agreement, agreement_of_paths
    from arabench.benchmark.commands.validate import annotation_options

    chosen_a = annotation_options(args.annotator_a, args.annotation_index_a)
    chosen_b = annotation_options(args.annotator_b, args.annotation_index_b)
    check_types = not args.no_type_check
    if args.b is None:
        from arabench.annotations.labelstudio import annotators

        if infer_format(args.a, option=None) != "labelstudio":
            raise BenchmarkError(
                "one path is two passes only for a Label Studio export of two annotators",
                field="b",
                value=args.a,
                fix="give the other annotations of the same texts as B",
            )
        if not chosen_a or not chosen_b:
            found = annotators(args.a)
            given = [w for w in (args.annotator_a, args.annotator_b) if w is not None]
            rest = [w for w in found if w.casefold() not in {g.casefold() for g in given}]
            if len(rest) != 2 - len(given):
                raise BenchmarkError(
                    f"the export has {len(found)} annotator(s), so which are A and B is not guessed",
                    file=args.a,
                    field="completed_by",
                    value=found,
                    fix="choose them with --annotator-a WHO --annotator-b WHO (user id or e-mail)",
                )
            chosen_a = chosen_a or {"annotator": rest.pop(0)}
            chosen_b = chosen_b or {"annotator": rest.pop(0)}
        docs_a = read_corpus(args.a, check_types=check_types, **chosen_a)
        docs_b = read_corpus(args.a, check_types=check_types, **chosen_b)
        name = f"{args.a} ({', '.join(f'{k} {v}' for k, v in chosen_a.items())})"
        other = f"{args.a} ({', '.join(f'{k} {v}' for k, v in chosen_b.items())})"
        return agreement(docs_a, docs_b, reference=name, other=other)
    if not chosen_a and not chosen_b:
        return agreement_of_paths(args.a, args.b, check_types=check_types)
    docs_a = read_corpus(args.a, check_types=check_types, **chosen_a)
    docs_b = read_corpus(args.b, check_types=check_types, **chosen_b)
    return agreement(docs_a, docs_b, reference=str(args.a), other=str(args.b))
