"""The rules read spelling variants alike (models/rules/spelling.py) through an exact offset map."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arabench.annotations.perturb import KINDS, Perturbation, perturb_text
from arabench.models.rules.adapter import RuleModel
from arabench.models.rules.spelling import canonical_text


@pytest.mark.parametrize(
    ("raw", "read"),
    [
        ("\u0627\u0644\u0642\u0627\u0647\u0631\u0647", "\u0627\u0644\u0642\u0627\u0647\u0631\u0629"),  # القاهره
        ("\u0627\u0644\u0645\u0635\u0631\u0649", "\u0627\u0644\u0645\u0635\u0631\u064a"),  # المصرى -> المصري
        ("\u0639\u0644\u0649", "\u0639\u0644\u0649"),  # على: known as written, stays a preposition
        ("\u0639\u0644\u064a", "\u0639\u0644\u064a"),  # علي: known as written, stays a name
        ("\u0643\u062a\u0627\u0628\u0647", "\u0643\u062a\u0627\u0628\u0647"),  # كتابه: unknown either way
        ("\u0645\u0635\u0631\u200c", "\u0645\u0635\u0631"),  # a ZWNJ pasted after مصر
        ("20\u200e23", "2023"),  # an LRM inside a year
    ],
)
def test_the_text_the_matcher_reads(raw: str, read: str) -> None:
    offsets = canonical_text(raw)
    assert offsets.new == read
    assert offsets.restore(offsets.new) == raw


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from([k for k, kind in KINDS.items() if kind.keeps_identity]),
    st.integers(0, 10_000),
)
def test_rules_predict_the_same_spans_under_identity_keeping_perturbations(kind: str, seed: int) -> None:
    text = (
        "\u0623\u0643\u062f \u0648\u0632\u064a\u0631 \u0627\u0644\u062e\u0627\u0631\u062c\u064a\u0629 "
        "\u0627\u0644\u0645\u0635\u0631\u064a \u0641\u064a \u0627\u0644\u0642\u0627\u0647\u0631\u0629 "
        "\u064a\u0648\u0645 15 \u064a\u0646\u0627\u064a\u0631 2023\u060c \u0623\u0646 \u0645\u0635\u0631 "
        "\u0648\u0627\u0644\u0633\u0639\u0648\u062f\u064a\u0629 \u0648\u0642\u0639\u062a\u0627 "
        "\u0627\u062a\u0641\u0627\u0642\u0627."
    )  # أكد وزير الخارجية المصري في القاهرة يوم 15 يناير 2023، أن مصر والسعودية وقعتا اتفاقا.
    model = RuleModel()
    [clean] = model.predict([text])
    offsets = perturb_text(text, Perturbation(kind, rate=0.5, seed=seed))
    [moved] = model.predict([offsets.new])
    assert sorted(offsets.span_to_old(s) for s in moved.spans) == sorted(clean.spans)
