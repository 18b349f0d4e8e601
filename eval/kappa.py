"""Cohen's kappa: chance-corrected agreement of two annotators labelling the same items.

``kappa = (p_o - p_e) / (1 - p_e)`` (Cohen, 1960), where ``p_o`` is the share
of items both gave the same label and ``p_e = sum_k (n_A(k) / n) * (n_B(k) / n)``
the agreement expected by chance from each annotator's own label
distribution. Kappa is 1 for perfect agreement, 0 for chance level, negative
below. It is undefined (``None``) when ``p_e == 1``: both annotators gave one
and the same label to every item (or there are no items).

For named entities the items are words and the labels BIO tags
(:func:`token_kappa`: the flat layer projected onto the words of
:mod:`arabench.annotations.tokenize`, one tag per word, as Arabic NER
corpora such as Wojood report it). Because ``O`` dominates, kappa is also
given over the words that at least one annotator tagged (``tagged``), which
leaves out the words both left ``O`` (the pairs that inflate ``p_o`` and
``p_e`` alike; Brandsen et al., 2020, argue for F1 over kappa for this
reason, so both are reported). Counts only: no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from arabench.annotations.errors import ScoringError
from arabench.annotations.spans import Span

__all__ = ["Kappa", "TokenKappa", "cohen_kappa", "token_kappa"]


@dataclass(frozen=True)
class Kappa:
    """Cohen's kappa of two label sequences.

    Attributes:
        n: Items compared.
        agreed: Items both labelled the same.
        observed: ``p_o`` (``None`` without items).
        expected: ``p_e`` (``None`` without items).
        kappa: Cohen's kappa (``None`` when undefined: ``p_e == 1`` or no items).
    """

    n: int
    agreed: int
    observed: float | None
    expected: float | None
    kappa: float | None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready."""
        return {
            "n": self.n,
            "agreed": self.agreed,
            "observed": self.observed,
            "expected": self.expected,
            "kappa": self.kappa,
        }


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> Kappa:
    """Cohen's kappa of two equally long label sequences (see the module docstring).

    Raises:
        ScoringError: If the sequences differ in length.
    """
    if len(a) != len(b):
        raise ScoringError(
            "the two label sequences differ in length",
            field="labels",
            value=(len(a), len(b)),
            fix="give one label per item from each annotator",
        )
    n = len(a)
    if n == 0:
        return Kappa(0, 0, None, None, None)
    agreed = sum(1 for x, y in zip(a, b, strict=True) if x == y)
    count_a, count_b = Counter(a), Counter(b)
    # integer numerators, one division each: exact for any n
    expected_num = sum(count_a[k] * count_b.get(k, 0) for k in count_a)
    observed = agreed / n
    expected = expected_num / (n * n)
    if expected_num == n * n:
        return Kappa(n, agreed, observed, expected, None)
    kappa = (agreed * n - expected_num) / (n * n - expected_num)
    return Kappa(n, agreed, observed, expected, kappa)


@dataclass(frozen=True)
class TokenKappa:
    """Cohen's kappa on words (BIO tags of the flat layer).

    Attributes:
        all: Over every word of every document.
        tagged: Over the words at least one annotator tagged (``O``-``O`` words left out).
        notes: Spans the projection could not encode (``a_conflicts``, ``b_conflicts``, ``a_unsnappable``...).
    """

    all: Kappa
    tagged: Kappa
    notes: dict[str, int]

    def as_dict(self) -> dict[str, object]:
        """JSON-ready."""
        return {"all_words": self.all.as_dict(), "tagged_words": self.tagged.as_dict(), "notes": dict(self.notes)}


def token_kappa(texts: Sequence[str], a: Sequence[Sequence[Span]], b: Sequence[Sequence[Span]]) -> TokenKappa:
    """Cohen's kappa of two annotation sets on the words of ``texts`` (one BIO2 tag per word, flat layer).

    Args:
        texts: The documents' texts.
        a: A's spans per document.
        b: B's spans per document (same documents, same order).

    Raises:
        ScoringError: If the three sequences differ in length.
    """
    from arabench.annotations.tokenize import WordIndex
    from arabench.eval.tokens import spans_to_tags

    if not len(texts) == len(a) == len(b):
        raise ScoringError(
            "texts and annotation sets differ in length",
            field="documents",
            value=(len(texts), len(a), len(b)),
            fix="give A's and B's spans for every text, in the same order",
        )
    tags_a: list[str] = []
    tags_b: list[str] = []
    notes: Counter[str] = Counter()
    for text, spans_a, spans_b in zip(texts, a, b, strict=True):
        index = WordIndex.of(text)
        for side, spans, out in (("a", spans_a, tags_a), ("b", spans_b, tags_b)):
            projection = spans_to_tags(text, spans, index=index)
            out.extend(projection.tags)
            if projection.conflicts:
                notes[f"{side}_conflicts"] += len(projection.conflicts)
            if projection.unsnappable:
                notes[f"{side}_unsnappable"] += len(projection.unsnappable)
    tagged = [(x, y) for x, y in zip(tags_a, tags_b, strict=True) if x != "O" or y != "O"]
    return TokenKappa(
        all=cohen_kappa(tags_a, tags_b),
        tagged=cohen_kappa([x for x, _ in tagged], [y for _, y in tagged]),
        notes=dict(notes),
    )
