"""Small gold corpora for the harness tests (general Arabic news text, not the gold article).

:func:`write_brat_corpus` writes two BRAT documents with nested spans, a
relation and a combining mark; :func:`write_conll_corpus` an ANERcorp-style
CoNLL file (PERS/LOC/ORG/MISC tags).
"""

from __future__ import annotations

from pathlib import Path

from arabench.annotations.spans import Span

# Document 1: two sentences; "الرئيس المصري" (OCC) holds a NORP; the ORG holds a GPE.
DOC1 = (
    "قال وزير الخارجية المصري سامح حسن في القاهرة إن جامعة الدول العربية تدعم الخطة.\n"
    "وزار الوفد المغربي باريس في 5 يونيو 2020 لحضور مؤتمر المناخ."
)
# Document 2: a combining mark (shadda, written as an escape) inside a name; a proclitic before a GPE.
DOC2 = "أعلنت شركة النفط الوطنية في الرياض عن أرباح جديدة. وقال مدير الشركة محمد عل\u0651ي إن السوق مستقرة بالكويت."


def _find(text: str, needle: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def doc1_entities() -> list[tuple[str, str, int]]:
    """(type, surface, occurrence) of document 1's gold entities."""
    return [
        ("OCC", "وزير الخارجية المصري", 0),
        ("NORP", "المصري", 0),
        ("PERS", "سامح حسن", 0),
        ("GPE", "القاهرة", 0),
        ("ORG", "جامعة الدول العربية", 0),
        ("NORP", "العربية", 0),
        ("NORP", "المغربي", 0),
        ("GPE", "باريس", 0),
        ("DATE", "5 يونيو 2020", 0),
        ("EVENT", "مؤتمر المناخ", 0),
    ]


def doc2_entities() -> list[tuple[str, str, int]]:
    """(type, surface, occurrence) of document 2's gold entities."""
    return [
        ("ORG", "شركة النفط الوطنية", 0),
        ("GPE", "الرياض", 0),
        ("OCC", "مدير الشركة", 0),
        ("PERS", "محمد عل\u0651ي", 0),
        ("GPE", "الكويت", 0),
    ]


def _ann(text: str, entities: list[tuple[str, str, int]], relations: list[tuple[str, int, int]]) -> str:
    lines = []
    for k, (label, surface, occ) in enumerate(entities, 1):
        start, end = _find(text, surface, occ)
        lines.append(f"T{k}\t{label} {start} {end}\t{surface}")
    for k, (label, a1, a2) in enumerate(relations, 1):
        lines.append(f"R{k}\t{label} Arg1:T{a1} Arg2:T{a2}")
    return "\n".join(lines) + "\n"


def write_brat_corpus(directory: Path) -> Path:
    """Write the two-document BRAT corpus into ``directory`` and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "doc1.txt").write_text(DOC1, encoding="utf-8", newline="")
    (directory / "doc1.ann").write_text(_ann(DOC1, doc1_entities(), [("HAS_ROLE", 3, 1)]), encoding="utf-8")
    (directory / "doc2.txt").write_text(DOC2, encoding="utf-8", newline="")
    (directory / "doc2.ann").write_text(_ann(DOC2, doc2_entities(), [("HAS_ROLE", 4, 3)]), encoding="utf-8")
    return directory


def spans_of(text: str, entities: list[tuple[str, str, int]]) -> list[Span]:
    """The gold spans of a fixture document."""
    return sorted(Span(*_find(text, surface, occ), label) for label, surface, occ in entities)


CONLL = """\
-DOCSTART- O

ذهب O
أحمد B-PERS
إلى O
القاهرة B-LOC
. O

وقال O
مدير O
البنك B-ORG
الدولي I-ORG
إن O
الاقتصاد O
المصري B-MISC
ينمو O
. O

-DOCSTART- O

زارت O
سارة B-PERS
علي I-PERS
مدينة O
فاس B-LOC
مع O
وفد O
الأمم B-ORG
المتحدة I-ORG
. O
"""


def write_conll_corpus(path: Path) -> Path:
    """Write the ANERcorp-style CoNLL corpus to ``path`` and return it."""
    path.write_text(CONLL, encoding="utf-8")
    return path


class CountingModel:
    """A test model that counts its constructions and predictions (to prove a cached run loads no model).

    It labels every occurrence of a few city names as GPE. ``fail=True``
    makes construction raise, as a model that cannot be loaded.
    """

    name = "counting"
    view = "native"
    labels = frozenset({"GPE"})
    constructed = 0
    predicted = 0
    CITIES = ("القاهرة", "باريس", "الرياض", "الكويت")

    def __init__(self, *, fail: bool = False, version: str = "1") -> None:
        type(self).constructed += 1
        if fail:
            raise RuntimeError("this model cannot be constructed")
        self.version = version

    @classmethod
    def from_spec(cls, arg: str | None, **options: object) -> CountingModel:
        return cls(**options)  # type: ignore[arg-type]

    def predict(self, texts: list[str]) -> list[object]:
        from arabench.models.base import Prediction

        out = []
        for text in texts:
            type(self).predicted += 1
            spans = []
            for city in self.CITIES:
                start = text.find(city)
                while start >= 0:
                    spans.append(Span(start, start + len(city), "GPE"))
                    start = text.find(city, start + 1)
            out.append(Prediction(spans=tuple(spans), diagnostics={"texts_seen": 1}))
        return out

    def provenance(self) -> dict[str, object]:
        return {
            "id": "counting",
            "adapter": "harness_fixtures:CountingModel",
            "adapter_version": self.version,
            "revision": None,
            "view": "native",
            "label_map": None,
        }
