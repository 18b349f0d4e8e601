"""validate enforces the span rules of annotations/GUIDELINES.md §1-§3 that can be checked mechanically."""

from __future__ import annotations

from pathlib import Path

import pytest

from arabench.annotations.validate import check_span_rules, validate

GOLD = Path(__file__).resolve().parents[1] / "annotations" / "gold"
PASSES = GOLD.parent / "passes"


def _check(tmp_path: Path, text: str, *spans: tuple[str, str, int]) -> list[str]:
    """Annotate ``spans`` (type, covered text, occurrence) on ``text``; return the span-rule problems as strings."""
    lines = []
    for n, (label, part, skip) in enumerate(spans, start=1):
        start = -1
        for _ in range(skip + 1):
            start = text.index(part, start + 1)
        lines.append(f"T{n}\t{label} {start} {start + len(part)}\t{part}")
    (tmp_path / "d.txt").write_text(text, encoding="utf-8")
    (tmp_path / "d.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = validate(tmp_path)
    return [f"{p.field}|{p.message}|{p.fix}" for p in report.problems if "guidelines §" in p.message]


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        # §2: proclitics before a word with the article that the text writes alone
        ("زار العراق ثم عاد والعراق أمس", [("GPE", "والعراق", 0)], ["proclitic 'و' of 'والعراق'", "offset 19"]),
        ("زار العراق ثم عاد والعراق أمس", [("GPE", "العراق", 1)], []),
        ("في القاهرة اجتماع وبالقاهرة آخر", [("GPE", "وبالقاهرة", 0)], ["proclitic 'وب'", "offset 20"]),
        ("زار الأردن وبلد كالأردن", [("GPE", "كالأردن", 0)], ["proclitic 'ك'", "offset 17"]),
        # letters that only look like proclitics, and a proclitic the text alone cannot show (needs a lexicon)
        ("زار الوزير كاليفورنيا", [("GPE", "كاليفورنيا", 0)], []),
        ("قالت وكالة الأنباء الكويتية", [("ORG", "وكالة الأنباء الكويتية", 0)], []),
        ("وصل إلى بالتيمور", [("GPE", "بالتيمور", 0)], []),
        ("عقد الاجتماع وبالقاهرة أمس.", [("GPE", "وبالقاهرة", 0)], []),
        # with a combining mark on the proclitic, the offset named counts it
        ("في القاهرة اجتماع و\u064eبالقاهرة", [("GPE", "و\u064eبالقاهرة", 0)], ["proclitic 'وب'", "offset 21"]),
        # the لل case: the span starts at the second ل
        ("قدمت تونس تقريرا للجامعة العربية.", [("ORG", "للجامعة العربية", 0)], ["proclitic 'ل'", "offset 18"]),
        ("قدمت تونس تقريرا للجامعة العربية.", [("ORG", "لجامعة العربية", 0)], []),
        ("فللبنك الدولي فرع هنا", [("ORG", "فللبنك الدولي", 0)], ["proclitic 'فل'", "offset 2"]),
        ("فللبنك الدولي فرع هنا", [("ORG", "لبنك الدولي", 0)], []),
        # a letter of the name is never stripped
        ("زار الوزير بيروت ولبنان وفرنسا.", [("GPE", "بيروت", 0), ("GPE", "لبنان", 0), ("GPE", "فرنسا", 0)], []),
        ("لعب والتر في فالنسيا", [("PERS", "والتر", 0), ("GPE", "فالنسيا", 0)], []),
        # the same name annotated without the proclitic elsewhere in the document
        ("زار مصر ثم عاد ومصر بلده", [("GPE", "مصر", 0), ("GPE", "ومصر", 0)], ["proclitic 'و' of 'ومصر'", "offset 16"]),
        ("زار مصر ثم عاد ومصر بلده", [("GPE", "مصر", 0), ("GPE", "مصر", 1)], []),
        ("زار واشنطن", [("GPE", "واشنطن", 0)], []),
        # proclitics inside a span stay (only the first word loses them)
        ("منظمة الأمن والتعاون", [("ORG", "منظمة الأمن والتعاون", 0)], []),
        # §3: quote marks and brackets outside the span
        ("قالت «منظمة الصحة العالمية» أمس", [("ORG", "«منظمة الصحة العالمية»", 0)], ["start|", "end|"]),
        ("قالت «منظمة الصحة العالمية» أمس", [("ORG", "منظمة الصحة العالمية»", 0)], ["end|span ends with punctuation"]),
        ("جبهة تحرير «الوطن» هنا", [("ORG", "جبهة تحرير «الوطن", 0)], []),  # inner opening quote kept
        ("وفي المنظمة (WHO) قال", [("ORG", "(WHO)", 0)], ["start|", "end|"]),
        ("ارتفع 5% أمس", [("PERCENT", "5%", 0)], []),  # a PERCENT may end with its sign
        ("ارتفع ٥٪ أمس", [("PERCENT", "٥٪", 0)], []),
    ],
)
def test_span_rules(tmp_path: Path, text: str, spans: list, expected: list[str]) -> None:
    found = _check(tmp_path, text, *spans)
    if not expected:
        assert found == []
    else:
        joined = "\n".join(found)
        assert all(part in joined for part in expected), joined
        assert len(found) == max(1, sum(1 for part in expected if part.endswith("|")))


@pytest.mark.parametrize("directory", [GOLD, *sorted(p for p in PASSES.iterdir() if p.is_dir())], ids=lambda p: p.name)
def test_the_gold_and_every_pass_follow_the_span_rules(directory: Path) -> None:
    report = validate(directory)
    assert report.ok and report.documents
    for document in report.documents:
        from arabench.annotations.problems import ParsedDocument

        assert check_span_rules(ParsedDocument(document, "x", None, {})) == []


def test_the_rules_catch_what_the_gold_would_be_with_its_proclitics(tmp_path: Path) -> None:
    """Widen every gold span that sits after a proclitic to the whole word: validate refuses each one."""
    from arabench.annotations.brat import format_ann
    from arabench.annotations.corpus import read_corpus
    from arabench.annotations.problems import ParsedDocument
    from arabench.annotations.spans import Document, Span
    from arabench.annotations.tokenize import WordIndex, is_proclitic_prefix

    (doc,) = read_corpus(GOLD)
    index = WordIndex.of(doc.text)
    widened = {}
    for ident, span in doc.entities.items():
        k = index.word_at(span.start)
        if k is not None and is_proclitic_prefix(doc.text[index.starts[k] : span.start]):
            widened[ident] = Span(index.starts[k], span.end, span.label)
    assert len(widened) >= 5  # «للمنتدى»-style and «والعراق»-style words of the gold
    bad = Document(doc.id, doc.text, {i: widened.get(i, s) for i, s in doc.entities.items()})
    problems = check_span_rules(ParsedDocument(bad, "x", None, {i: (None, f"{i}.") for i in bad.entities}))
    flagged = {p.field.split(".")[0] for p in problems}
    # every widened span whose remainder the rules can tell (article, لل, or the same name elsewhere) is refused
    assert len(flagged) >= 5 and flagged <= set(widened)
    assert format_ann(bad)  # still a writable document: only the rules object
