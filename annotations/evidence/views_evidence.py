"""Evidence for the label views: how ANERcorp and AQMAR tag words typical of each schema type.

Run it on the public train/dev CoNLL files (``token<TAB>tag``, BIO2)::

    python -m arabench.annotations.evidence.views_evidence ANERCORP_TRAIN.conll [--aqmar AQMAR_DEV.conll] [--write]

It prints, for each of the schema's entity types, the probes looked at, how
the corpus tags them (B-/I- kept in the table, dropped by the rule) and the label the
rule below derives. ``--write`` regenerates ``evidence.tsv`` next to this file,
the table the tests check the views against (``tests/test_views.py``).

Probes (fixed before counting, general news vocabulary, nothing from the gold article):

``WORD``
    the tag of every occurrence of the token ``WORD``;
``after:HEAD``
    the tag of the token after ``HEAD`` (quote marks skipped): the name a head
    noun introduces (``مطار`` + name);
``before:WORD``
    the tag of the token before ``WORD`` (the number of an amount);
``phrase:W1 W2``
    the tag of ``W1`` when ``W2`` follows it (a fixed named phrase);
``url``
    the tag of tokens that look like a URL.

The rule (:func:`derive_label`): a type maps to ``None`` when fewer than half
of its probe occurrences carry an entity tag (a model trained on the corpus
learns to leave them untagged), otherwise to the entity label most of the
tagged occurrences carry (a model trained on the corpus predicts that label).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

__all__ = ["ANERCORP_PROBES", "AQMAR_PROBES", "EVIDENCE_TSV", "count_probes", "derive_label", "read_table"]

EVIDENCE_TSV = Path(__file__).with_name("evidence.tsv")

_MONTHS = "يناير فبراير مارس أبريل ابريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر"
_WEEKDAYS = "الاثنين الثلاثاء الأربعاء الخميس الجمعة السبت الأحد"

# Schema type -> probes (see the module docstring).
ANERCORP_PROBES: dict[str, list[str]] = {
    "PERS": "محمد أحمد جورج بوش".split(),
    "NORP": (
        "الفلسطيني الفلسطينية الفلسطينيين الإسرائيلي الإسرائيلية العراقي العراقية المصري الأميركي الأميركية "
        "الأمريكي الأمريكية الفرنسي البريطاني العرب المسلمين اليهود"
    ).split(),
    "OCC": "الرئيس رئيس وزير الوزير الملك".split(),
    "ORG": "حماس الأمم حزب جامعة".split(),
    "GPE": "العراق مصر فلسطين واشنطن بغداد".split(),
    "LOC": "أوروبا آسيا أفريقيا النيل".split(),
    "FAC": [f"after:{h}" for h in "مطار مستشفى جسر فندق سجن مسجد ملعب".split()],
    "EVENT": ["phrase:الحرب العالمية", "phrase:كأس العالم", "phrase:بطولة العالم"],
    "DATE": (_MONTHS + " " + _WEEKDAYS).split(),
    "TIME": "الساعة صباحا مساء".split(),
    "LANGUAGE": ["after:اللغة", "after:باللغة"],
    "WEBSITE": ["url", "after:موقع"],
    "LAW": [f"after:{h}" for h in "قانون اتفاقية معاهدة اتفاق دستور".split()],
    "PRODUCT": ["بوينج", "سوخوي", "ويندوز", "after:صحيفة", "after:مجلة"],
    "CARDINAL": "ثلاثة أربعة خمسة ألف مليون".split(),
    "ORDINAL": "الأول الثاني الثالث".split(),
    "PERCENT": "% بالمائة المئة بالمئة".split(),
    "QUANTITY": [f"before:{u}" for u in "كيلومتر كلم طن متر".split()],
    "UNIT": "كيلومتر كلم طن متر".split(),
    "MONEY": [f"before:{c}" for c in "دولار يورو جنيه".split()],
    "CURR": "دولار الدولار دولارا يورو جنيه درهم".split(),
}

# AQMAR's 8 dev articles (science, computing, sport, history) hold few of the news probes; these are
# the probes with occurrences there, for the conll4 check (docs/views.md).
AQMAR_PROBES: dict[str, list[str]] = {
    "NORP": (
        "الأسباني الإسباني الأسبانية الإسبانية الألماني الأمريكية الهولندي الإيطالي البرتغالي البرازيلي "
        "الفرنسي الكاتالوني"
    ).split(),
    "GPE": "إسبانيا روسيا إيطاليا بريطانيا العراق مصر".split(),
    "EVENT": ["كأس", "بطولة", "دوري"],
    "DATE": _MONTHS.split(),
    "CURR": ["دولار"],
}

_QUOTES = frozenset("\"'«»“”")
_URL = re.compile(r"(?i)^(https?|www\.|.*\.(com|org|net)\b)")


def _read(path: Path) -> list[tuple[str, str] | None]:
    rows: list[tuple[str, str] | None] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            rows.append(None)
            continue
        parts = line.split("\t")
        if len(parts) != 2:
            raise SystemExit(f"{path}:{number}: expected token<TAB>tag, got {line!r}")
        rows.append((parts[0], parts[1]))
    return rows


def _neighbour(rows: Sequence[tuple[str, str] | None], i: int, step: int) -> tuple[str, str] | None:
    j = i + step
    while 0 <= j < len(rows) and rows[j] is not None and rows[j][0] in _QUOTES:  # type: ignore[index]
        j += step
    return rows[j] if 0 <= j < len(rows) else None


def count_probes(path: Path, probes: Mapping[str, Iterable[str]]) -> list[tuple[str, str, str, int]]:
    """``(type, probe, tag, count)`` rows for every probe occurrence in a CoNLL file, sorted."""
    rows = _read(path)
    counts: Counter[tuple[str, str, str]] = Counter()
    for schema_type, type_probes in probes.items():
        for probe in type_probes:
            kind, _, arg = probe.partition(":") if ":" in probe else ("word", "", probe)
            first, _, second = arg.partition(" ")
            for i, row in enumerate(rows):
                if row is None:
                    continue
                token = row[0]
                hit: tuple[str, str] | None = None
                if kind == "word" and probe == "url":
                    hit = row if _URL.match(token) else None
                elif kind == "word":
                    hit = row if token == probe else None
                elif kind in ("after", "before") and token == arg:
                    hit = _neighbour(rows, i, 1 if kind == "after" else -1)
                elif kind == "phrase" and token == first:
                    nxt = rows[i + 1] if i + 1 < len(rows) else None
                    hit = row if nxt is not None and nxt[0] == second else None
                if hit is not None:
                    counts[(schema_type, probe, hit[1])] += 1
    return sorted((t, p, tag, n) for (t, p, tag), n in counts.items())


def derive_label(rows: Iterable[tuple[str, int]]) -> str | None:
    """The view label a type gets from ``(tag, count)`` evidence (see the module docstring).

    Raises:
        ValueError: If there is no evidence, or two labels tie for the most tagged occurrences.
    """
    tags: Counter[str] = Counter()
    for tag, count in rows:
        tags[tag.split("-", 1)[-1]] += count
    total = sum(tags.values())
    if not total:
        raise ValueError("no probe occurrences: add probes that occur in the corpus")
    entity = Counter({t: n for t, n in tags.items() if t != "O"})
    if 2 * sum(entity.values()) < total:
        return None
    (best, n), *rest = entity.most_common()
    if rest and rest[0][1] == n:
        raise ValueError(f"tie between {best} and {rest[0][0]}: add probes")
    return best


def read_table(path: Path = EVIDENCE_TSV) -> dict[str, dict[str, list[tuple[str, str, int]]]]:
    """``{corpus: {type: [(probe, tag, count), ...]}}`` from the committed evidence table."""
    table: dict[str, dict[str, list[tuple[str, str, int]]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        corpus, schema_type, probe, tag, count = line.split("\t")
        table.setdefault(corpus, {}).setdefault(schema_type, []).append((probe, tag, int(count)))
    return table


def main(argv: Sequence[str] | None = None) -> int:
    """Print the evidence per type and the derived label; ``--write`` regenerates the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("anercorp", type=Path, help="ANERcorp train split, token<TAB>tag")
    parser.add_argument("--aqmar", type=Path, help="AQMAR dev split, token<TAB>tag")
    parser.add_argument("--write", action="store_true", help=f"rewrite {EVIDENCE_TSV.name}")
    args = parser.parse_args(argv)
    corpora = [("anercorp_train", args.anercorp, ANERCORP_PROBES)]
    if args.aqmar:
        corpora.append(("aqmar_dev", args.aqmar, AQMAR_PROBES))
    lines = [
        "# corpus\ttype\tprobe\ttag\tcount (written by python -m arabench.annotations.evidence.views_evidence --write)"
    ]
    for corpus, path, probes in corpora:
        rows = count_probes(path, probes)
        print(f"== {corpus} ({path.name})")
        for schema_type in probes:
            mine = [(p, tag, n) for t, p, tag, n in rows if t == schema_type]
            summary = Counter()
            for _, tag, n in mine:
                summary[tag] += n
            label = derive_label(summary.items()) if summary else "no evidence"
            print(f"{schema_type:9} -> {label!s:5} {dict(summary.most_common())}")
            for probe in probes[schema_type]:
                detail = {tag: n for p, tag, n in mine if p == probe}
                print(f"    {probe}: {detail}")
            lines += [f"{corpus}\t{schema_type}\t{p}\t{tag}\t{n}" for p, tag, n in mine]
    if args.write:
        EVIDENCE_TSV.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {EVIDENCE_TSV}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
