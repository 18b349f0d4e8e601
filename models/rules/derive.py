"""Word lists derived from counts in an annotated training split, with the thresholds in their provenance.

``python -m arabench.models.rules.derive TRAIN.conll --name "ANERcorp train split ..."`` writes
``models/rules/data/derived.yaml`` (the lists below), each list's provenance naming the split, the
counts and the thresholds, so that anyone with the split can rebuild it and see the same words:

* ``common_words``: words (compared as the rules compare them) seen at least ``min_count`` times and
  outside every entity in at least ``min_outside`` of them: ordinary words that are never taken as a
  family name used alone («حيث», «عدد», «مثل»).
* ``person_starts``: words that start a person's name in at least ``min_precision`` of at least
  ``min_count`` occurrences: common first names of the news the split holds.
* ``train_names_loc``, ``train_names_org``: whole names tagged LOC (ORG) in at least ``min_precision``
  of the at least ``min_count`` times their words occur in this order: places and organisations of
  the news the split holds (a LOC of ANERcorp is a GPE or a LOC of the schema; the rules label these
  GPE, as most are countries and cities).

Only a training split may be given (never a test split, never the gold article).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from arabench.annotations.conll import read_conll_sentences
from arabench.annotations.files import atomic_write_text
from arabench.annotations.tags import decode
from arabench.annotations.tokenize import PROCLITICS
from arabench.models.rules.lists import DATA_DIR
from arabench.models.rules.text import normalize

__all__ = ["common_words", "derived_yaml", "entity_names", "person_starts", "tag_counts"]

#: Thresholds of the shipped lists.
COMMON_MIN_COUNT, COMMON_MIN_OUTSIDE = 20, 0.99
PERSON_MIN_COUNT, PERSON_MIN_PRECISION = 5, 0.8
NAME_MIN_COUNT, NAME_MIN_PRECISION = 3, 0.8


def tag_counts(sentences: Iterable[tuple[Iterable[str], Iterable[str]]]) -> dict[str, Counter]:
    """Per normalized word: how often it is outside (``O``), starts (``B-X``) or continues (``I-X``) an entity."""
    counts: dict[str, Counter] = {}
    for tokens, tags in sentences:
        for token, tag in zip(tokens, tags, strict=True):
            counts.setdefault(normalize(token), Counter())[tag] += 1
    return counts


def common_words(counts: Mapping[str, Counter], *, min_count: int, min_outside: float) -> list[str]:
    """Words seen at least ``min_count`` times, tagged ``O`` in at least ``min_outside`` of them (sorted)."""
    out = []
    for word, tags in counts.items():
        total = sum(tags.values())
        if total >= min_count and tags["O"] / total >= min_outside and len(word) > 1:
            out.append(word)
    return sorted(out)


def person_starts(counts: Mapping[str, Counter], *, label: str, min_count: int, min_precision: float) -> list[str]:
    """Words seen at least ``min_count`` times that start a ``label`` name in at least ``min_precision`` of them."""
    out = []
    for word, tags in counts.items():
        total = sum(tags.values())
        if total >= min_count and tags[f"B-{label}"] / total >= min_precision and len(word) > 1:
            out.append(word)
    return sorted(out)


def entity_names(
    sentences: Iterable[tuple[Sequence[str], Sequence[str]]], *, label: str, min_count: int, min_precision: float
) -> list[str]:
    """Names tagged ``label`` often and mostly: the lists ``train_names_*``.

    A name (its words normalized, joined by a space) is kept when it is tagged ``label`` at least
    ``min_count`` times and in at least ``min_precision`` of the times its words occur in this order.
    """
    sentences = [([normalize(t) for t in tokens], list(tags)) for tokens, tags in sentences]
    tagged: Counter = Counter()
    for tokens, tags in sentences:
        for first, last, tag in decode(tags, scheme="BIO2").entities:
            if tag == label:
                tagged[tuple(tokens[first:last])] += 1
    longest = max((len(k) for k in tagged), default=0)
    seen: Counter = Counter()
    for tokens, _ in sentences:
        for i in range(len(tokens)):
            for n in range(1, min(longest, len(tokens) - i) + 1):
                key = tuple(tokens[i : i + n])
                if key in tagged:
                    seen[key] += 1
    return sorted(
        " ".join(k)
        for k, c in tagged.items()
        if c >= min_count and c / seen[k] >= min_precision and len("".join(k)) > 1 and not _behind_proclitic(k, tagged)
    )


def _behind_proclitic(name: tuple[str, ...], names: Mapping[tuple[str, ...], int]) -> bool:
    """True if ``name`` is another name of ``names`` behind proclitics («لمصر», «وفرنسا», «للأمم المتحدة»).

    The rules find a name behind proclitics by themselves, and the span must start after them.
    """
    first = name[0]
    for clitic in PROCLITICS:
        rest = first[len(clitic) :]
        if first.startswith(clitic) and len(rest) >= 2:
            readings = [rest, "ا" + rest] if clitic.endswith("ل") and rest.startswith("ل") else [rest]
            if any((reading, *name[1:]) in names for reading in readings):
                return True
    return False


def _entry(provenance: str, about: str, words: list[str]) -> list[str]:
    lines = [f"  provenance: {json.dumps(provenance, ensure_ascii=False)}"]
    lines.append(f"  about: {json.dumps(about, ensure_ascii=False)}")
    lines.append("  words: [")
    line = "   "
    for word in words:
        item = " " + json.dumps(word, ensure_ascii=False) + ","
        if len(line) + len(item) > 110:
            lines.append(line)
            line = "   "
        line += item
    lines.append(line.rstrip(","))
    lines.append("  ]")
    return lines


def derived_yaml(sentences: Sequence[tuple[Sequence[str], Sequence[str]]], *, name: str, label: str = "PERS") -> str:
    """The text of ``derived.yaml`` for the sentences ``(tokens, tags)`` of a training split called ``name``."""
    counts = tag_counts(sentences)
    tokens = sum(sum(c.values()) for c in counts.values())
    common = common_words(counts, min_count=COMMON_MIN_COUNT, min_outside=COMMON_MIN_OUTSIDE)
    starts = person_starts(counts, label=label, min_count=PERSON_MIN_COUNT, min_precision=PERSON_MIN_PRECISION)
    source = f"counts from {name} ({tokens} tokens; words compared as the rules normalize them)"
    lines = [
        "# Generated by `python -m arabench.models.rules.derive` from a training split; do not edit by hand.",
        "",
        "common_words:",
        *_entry(
            f"{source}: seen at least {COMMON_MIN_COUNT} times, outside every entity in at least "
            f"{COMMON_MIN_OUTSIDE:.0%} of them",
            "Ordinary words: never a family name used alone (pers.surname), never a speaker's name.",
            common,
        ),
        "",
        "person_starts:",
        *_entry(
            f"{source}: seen at least {PERSON_MIN_COUNT} times, the first word of a person's name in at least "
            f"{PERSON_MIN_PRECISION:.0%} of them",
            "First words of persons' names in news (pers.given_name, beside the general-knowledge given names).",
            starts,
        ),
    ]
    for label, kind, rule in (("LOC", "loc", "gpe.train_names"), ("ORG", "org", "org.train_names")):
        names = entity_names(sentences, label=label, min_count=NAME_MIN_COUNT, min_precision=NAME_MIN_PRECISION)
        lines += [
            "",
            f"train_names_{kind}:",
            *_entry(
                f"{source}: names tagged {label} at least {NAME_MIN_COUNT} times, in at least "
                f"{NAME_MIN_PRECISION:.0%} of the times their words occur in this order",
                f"Names of the news the split holds ({rule}; after CLDR and the hand-written lists).",
                names,
            ),
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Write ``derived.yaml`` from a CoNLL training split."""
    parser = argparse.ArgumentParser(description="derive the rules' count-based word lists from a training split")
    parser.add_argument("conll", type=Path, help="a BIO2 CoNLL training split (token<TAB>tag)")
    parser.add_argument("--name", required=True, help="the split's name and source, for the provenance")
    parser.add_argument("--label", default="PERS", help="the person label of the split (PERS or PER)")
    parser.add_argument("--out", type=Path, default=DATA_DIR / "derived.yaml")
    args = parser.parse_args(argv)
    sentences = [(s.tokens, s.tags) for s in read_conll_sentences(args.conll) if s.tokens]
    atomic_write_text(args.out, derived_yaml(sentences, name=args.name, label=args.label))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
