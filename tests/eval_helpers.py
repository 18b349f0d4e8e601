"""Shared builders for the eval tests: tagged sentences, their texts and spans."""

from __future__ import annotations

import random
from collections.abc import Sequence

from arabench.annotations.spans import Span
from arabench.eval.tokens import tag_chunks

#: General Arabic words (not from the gold article) used to build token texts.
WORDS = (
    "قال",
    "الرئيس",
    "في",
    "مدينة",
    "بيروت",
    "وزير",
    "الخارجية",
    "خلال",
    "مؤتمر",
    "صحفي",
    "يوم",
    "الأحد",
    "وبالقاهرة",
    "شركة",
    "للنفط",
    "أحمد",
    "سالم",
    "،",
    ".",
)

TYPES = ("PERS", "ORG", "GPE", "LOC", "DATE")


def random_tags(rng: random.Random, n: int, *, types: Sequence[str] = TYPES, ill_formed: float = 0.0) -> list[str]:
    """Return ``n`` BIO2 tags; with probability ``ill_formed`` a chunk starts with ``I-`` or changes type."""
    tags: list[str] = []
    while len(tags) < n:
        if rng.random() < 0.55:
            tags.append("O")
            continue
        label = rng.choice(types)
        length = rng.choice((1, 1, 2, 3))
        first = "I" if rng.random() < ill_formed else "B"
        tags.append(f"{first}-{label}")
        for _ in range(length - 1):
            inner = rng.choice(types) if rng.random() < ill_formed else label
            tags.append(f"I-{inner}")
    return tags[:n]


def perturb(rng: random.Random, tags: Sequence[str], *, rate: float = 0.3, types: Sequence[str] = TYPES) -> list[str]:
    """Return a noisy copy of ``tags`` (type swaps, shifted boundaries, drops, inserts, bad I- tags)."""
    out = list(tags)
    for i in range(len(out)):
        if rng.random() >= rate:
            continue
        choice = rng.random()
        if choice < 0.25:
            out[i] = "O"
        elif choice < 0.5 and out[i] != "O":
            out[i] = f"{out[i][0]}-{rng.choice(types)}"
        elif choice < 0.7:
            out[i] = f"B-{rng.choice(types)}"
        elif choice < 0.85:
            out[i] = f"I-{rng.choice(types)}"
        elif i and out[i - 1] != "O":
            out[i] = "I-" + out[i - 1][2:]
    return out


def random_corpus(
    seed: int, n_sentences: int, *, ill_formed: float = 0.1, rate: float = 0.3, max_len: int = 12
) -> tuple[list[list[str]], list[list[str]]]:
    """Return ``(gold_tags, pred_tags)`` for ``n_sentences`` random sentences (some empty)."""
    rng = random.Random(seed)
    gold, pred = [], []
    for _ in range(n_sentences):
        n = rng.randint(0, max_len)
        g = random_tags(rng, n, ill_formed=ill_formed)
        gold.append(g)
        pred.append(perturb(rng, g, rate=rate))
    return gold, pred


def sentence_text(n_tokens: int, seed: int = 0) -> tuple[str, list[tuple[int, int]]]:
    """Return a text of ``n_tokens`` words joined by spaces and the offsets of each word."""
    rng = random.Random(seed)
    tokens = [rng.choice(WORDS) for _ in range(n_tokens)]
    offsets, pos = [], 0
    for tok in tokens:
        offsets.append((pos, pos + len(tok)))
        pos += len(tok) + 1
    return " ".join(tokens), offsets


def chunks_to_spans(tags: Sequence[Sequence[str]], scheme: str) -> tuple[list[str], list[list[Span]]]:
    """Turn tagged sentences into texts and character spans (one document per sentence)."""
    texts, offsets = [], []
    for i, sent in enumerate(tags):
        text, offs = sentence_text(len(sent), seed=i)
        texts.append(text)
        offsets.append(offs)
    spans: list[list[Span]] = [[] for _ in tags]
    for label, k, start, end in tag_chunks(tags, scheme=scheme):
        spans[k].append(Span(offsets[k][start][0], offsets[k][end - 1][1], label))
    return texts, spans


def nth_span(text: str, word: str, label: str, nth: int = 0) -> Span:
    """The span of the ``nth`` (0-based) occurrence of ``word`` in ``text``, labelled ``label``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return Span(start, start + len(word), label)
