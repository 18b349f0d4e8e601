"""Oracle tests: arabench's scorer against seqeval, conlleval and nervaluate, number for number."""

from __future__ import annotations

import random
import re
import warnings
from pathlib import Path

import pytest
from conlleval import evaluate as conlleval_evaluate
from eval_helpers import chunks_to_spans, random_corpus
from nervaluate import Evaluator
from seqeval.metrics import classification_report, f1_score, precision_score, recall_score
from seqeval.scheme import IOB2

from arabench.annotations.spans import Span, outermost
from arabench.eval.spans import score_spans
from arabench.eval.tokens import score_tags, score_token_view, spans_to_tags

SEEDS = [0, 1, 2, 3, 4, 5]


def _seqeval_report(gold, pred, *, strict: bool) -> dict:
    options = {"mode": "strict", "scheme": IOB2} if strict else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return classification_report(gold, pred, output_dict=True, zero_division=0, **options)


def _assert_matches_seqeval(scores, report: dict) -> None:
    types = [k for k in report if k not in ("micro avg", "macro avg", "weighted avg")]
    assert sorted(types) == list(scores.types)
    for t in types:
        c = scores.per_type[t]
        row = report[t]
        assert c.support == row["support"]
        assert (c.precision if c.precision is not None else 0.0) == row["precision"], t
        assert (c.recall if c.recall is not None else 0.0) == row["recall"], t
        assert (c.f1 if c.f1 is not None else 0.0) == row["f1-score"], t
    micro = scores.micro
    assert micro.support == report["micro avg"]["support"]
    assert (micro.precision or 0.0) == report["micro avg"]["precision"]
    assert (micro.recall or 0.0) == report["micro avg"]["recall"]
    assert (micro.f1 or 0.0) == report["micro avg"]["f1-score"]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("ill_formed", [0.0, 0.3])
def test_score_tags_iob2_equals_seqeval_strict(seed: int, ill_formed: float) -> None:
    gold, pred = random_corpus(seed, 300, ill_formed=ill_formed)
    scores = score_tags(gold, pred, scheme="iob2")
    _assert_matches_seqeval(scores, _seqeval_report(gold, pred, strict=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert (scores.micro.precision or 0.0) == precision_score(gold, pred, mode="strict", scheme=IOB2)
        assert (scores.micro.recall or 0.0) == recall_score(gold, pred, mode="strict", scheme=IOB2)
        assert (scores.micro.f1 or 0.0) == f1_score(gold, pred, mode="strict", scheme=IOB2)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("ill_formed", [0.0, 0.3])
def test_score_tags_conlleval_equals_seqeval_default(seed: int, ill_formed: float) -> None:
    gold, pred = random_corpus(seed + 100, 300, ill_formed=ill_formed)
    scores = score_tags(gold, pred, scheme="conlleval")
    _assert_matches_seqeval(scores, _seqeval_report(gold, pred, strict=False))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert (scores.micro.f1 or 0.0) == f1_score(gold, pred)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("ill_formed", [0.0, 0.3])
def test_flat_strict_char_spans_equal_seqeval_strict(seed: int, ill_formed: float) -> None:
    """Token-aligned character spans scored flat/strict give seqeval's strict IOB2 numbers."""
    gold, pred = random_corpus(seed + 200, 300, ill_formed=ill_formed)
    texts, gold_spans = chunks_to_spans(gold, "iob2")
    _, pred_spans = chunks_to_spans(pred, "iob2")
    report = _seqeval_report(gold, pred, strict=True)
    for boundary in ("char", "word"):
        scores = score_spans(gold_spans, pred_spans, mode="strict", boundary=boundary, layer="flat", texts=texts)
        _assert_matches_seqeval(scores, report)


def _conlleval_lines(gold, pred) -> list[str]:
    lines = []
    for g, p in zip(gold, pred, strict=True):
        if not g:
            continue  # conlleval cannot start with a blank line; an empty sentence adds nothing
        lines.extend(f"w {a} {b}" for a, b in zip(g, p, strict=True))
        lines.append("")
    return lines


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("ill_formed", [0.0, 0.3, 0.8])
def test_score_tags_conlleval_equals_conlleval_package(seed: int, ill_formed: float) -> None:
    gold, pred = random_corpus(seed + 300, 300, ill_formed=ill_formed)
    reference = conlleval_evaluate(_conlleval_lines(gold, pred))
    scores = score_tags(gold, pred, scheme="conlleval")
    slots = reference["slots"]["chunks"]
    assert sorted(slots) == list(scores.types)
    for t, item in slots.items():
        c = scores.per_type[t]
        stats, evals = item["stats"], item["evals"]
        assert (c.tp, c.tp + c.fp, c.tp + c.fn) == (stats["correct"], stats["pred"], stats["gold"])
        if c.precision is not None:  # conlleval says 1 when nothing is predicted; we say undefined
            assert c.precision == evals["prec"]
        assert (c.recall or 0) == evals["rec"]
        if c.precision is not None:
            assert (c.f1 or 0) == evals["f1"]
    overall = reference["overall"]["chunks"]
    micro = scores.micro
    assert (micro.tp, micro.tp + micro.fp, micro.tp + micro.fn) == (
        overall["stats"]["correct"],
        overall["stats"]["pred"],
        overall["stats"]["gold"],
    )
    assert micro.f1 == overall["evals"]["f1"] or (micro.precision is None and overall["evals"]["f1"] == 0)


@pytest.mark.parametrize(
    ("gold", "pred"),
    [
        (["I-PERS", "I-PERS", "O"], ["B-PERS", "I-PERS", "O"]),  # I- without B- is a chunk in conlleval
        (["B-PERS", "I-ORG", "I-ORG"], ["B-PERS", "B-ORG", "I-ORG"]),  # type change inside a chunk
        (["O", "I-GPE"], ["O", "I-GPE"]),
        (["B-GPE", "I-GPE"], ["B-GPE", "I-LOC"]),
        (["I-GPE", "B-GPE", "I-GPE"], ["B-GPE", "I-GPE", "I-GPE"]),
    ],
)
def test_ill_formed_sequences_match_conlleval_and_seqeval(gold, pred) -> None:
    reference = conlleval_evaluate(_conlleval_lines([gold], [pred]))["overall"]["chunks"]["stats"]
    mine = score_tags([gold], [pred], scheme="conlleval").micro
    assert (mine.tp, mine.tp + mine.fp, mine.tp + mine.fn) == (
        reference["correct"],
        reference["pred"],
        reference["gold"],
    )
    strict = score_tags([gold], [pred], scheme="iob2")
    _assert_matches_seqeval(strict, _seqeval_report([gold], [pred], strict=True))


# --------------------------------------------------------------------------- nervaluate


def _nervaluate(gold: list[list[Span]], pred: list[list[Span]]) -> dict:
    tags = sorted({s.label for doc in gold + pred for s in doc})

    def dicts(docs):
        # nervaluate's ends are inclusive
        return [[{"label": s.label, "start": s.start, "end": s.end - 1} for s in doc] for doc in docs]

    return Evaluator(dicts(gold), dicts(pred), tags=tags, loader="dict").evaluate()


def _nervaluate_counts(result) -> tuple[float, float, float]:
    tp = result.correct + 0.5 * result.partial
    return tp, result.actual - tp, result.possible - tp


def _non_conflicting_docs(seed: int, n_docs: int) -> tuple[list[list[Span]], list[list[Span]]]:
    """Flat gold; each prediction overlaps at most one gold span and vice versa (no greedy conflicts)."""
    rng = random.Random(seed)
    types = ["PERS", "ORG", "GPE", "DATE"]
    gold_docs, pred_docs = [], []
    for _ in range(n_docs):
        gold, pred = [], []
        pos = 0
        for _ in range(rng.randint(0, 6)):
            start = pos + rng.randint(0, 5)
            end = start + rng.randint(2, 12)
            pos = end + 4  # room so shifted predictions stay inside one slot
            label = rng.choice(types)
            gold.append(Span(start, end, label))
            r = rng.random()
            if r < 0.3:
                pred.append(Span(start, end, label))
            elif r < 0.45:
                pred.append(Span(start, end, rng.choice(types)))
            elif r < 0.6:
                pred.append(Span(start + 1, end, label))
            elif r < 0.75:
                pred.append(Span(max(0, start - 1), end + 2, rng.choice(types)))
            elif r < 0.85:
                pred.append(Span(end + 1, end + 3, rng.choice(types)))  # spurious, touches nothing
        gold_docs.append(gold)
        pred_docs.append(pred)
    return gold_docs, pred_docs


MODE_TO_NERVALUATE = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mode", list(MODE_TO_NERVALUATE))
def test_span_modes_equal_nervaluate_overall(seed: int, mode: str) -> None:
    gold, pred = _non_conflicting_docs(seed, 200)
    reference = _nervaluate(gold, pred)["overall"][MODE_TO_NERVALUATE[mode]]
    mine = score_spans(gold, pred, mode=mode).micro
    assert (mine.tp, mine.fp, mine.fn) == _nervaluate_counts(reference)
    assert (mine.precision or 0.0) == reference.precision
    assert (mine.recall or 0.0) == reference.recall
    assert (mine.f1 or 0.0) == reference.f1


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mode", ["strict", "type"])
def test_span_modes_equal_nervaluate_per_type(seed: int, mode: str) -> None:
    """Per type, nervaluate scores each label alone; that equals our attribution when the mode checks types."""
    gold, pred = _non_conflicting_docs(seed + 50, 200)
    reference = _nervaluate(gold, pred)["entities"]
    mine = score_spans(gold, pred, mode=mode)
    assert sorted(reference) == list(mine.types)
    for t, by_mode in reference.items():
        result = by_mode[MODE_TO_NERVALUATE[mode]]
        c = mine.per_type[t]
        assert (c.tp, c.fp, c.fn) == _nervaluate_counts(result), t
        assert (c.f1 or 0.0) == result.f1


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mode", list(MODE_TO_NERVALUATE))
def test_optimal_matching_never_credits_less_than_nervaluate(seed: int, mode: str) -> None:
    """On arbitrary nested and overlapping spans our one-to-one matching finds at least nervaluate's credit."""
    rng = random.Random(seed)
    gold, pred = [], []
    for _ in range(150):
        doc_gold = {Span(a, a + rng.randint(1, 8), rng.choice("AB")) for a in (rng.randint(0, 30) for _ in range(5))}
        doc_pred = {Span(a, a + rng.randint(1, 8), rng.choice("AB")) for a in (rng.randint(0, 30) for _ in range(5))}
        gold.append(sorted(doc_gold))
        pred.append(sorted(doc_pred))
    reference = _nervaluate(gold, pred)["overall"][MODE_TO_NERVALUATE[mode]]
    mine = score_spans(gold, pred, mode=mode).micro
    tp, _, _ = _nervaluate_counts(reference)
    assert mine.tp >= tp
    assert mine.tp + mine.fp == reference.actual
    assert mine.tp + mine.fn == reference.possible


def test_nested_case_where_nervaluate_greedy_goes_wrong() -> None:
    """Gold ORG[0,20) contains GPE[10,20); predictions PERS[0,10) and ORG[0,20).

    nervaluate pairs PERS[0,10) with ORG (first overlap, "incorrect"), so the exact
    ORG prediction finds its gold consumed and is paired with GPE: 0 correct. Our
    matcher pairs ORG with ORG (1 true positive), leaves GPE missed and PERS spurious.
    """
    gold = [[Span(0, 20, "ORG"), Span(10, 20, "GPE")]]
    pred = [[Span(0, 10, "PERS"), Span(0, 20, "ORG")]]
    reference = _nervaluate(gold, pred)["overall"]
    assert reference["strict"].correct == 0
    assert reference["ent_type"].correct == 0
    for mode in ("strict", "type", "exact"):
        scores = score_spans(gold, pred, mode=mode)
        assert scores.micro.tp == 1.0, mode
        assert scores.per_type["ORG"].tp == 1.0
        assert scores.per_type["GPE"].fn == 1.0
        assert sorted(e.kind for e in scores.errors) == ["missed", "spurious"]
    # partial: ORG-ORG (1) ties with PERS-ORG (0.5) + ORG-GPE (0.5); the tie goes to the same-label pair
    partial = score_spans(gold, pred, mode="partial")
    assert partial.micro.tp == 1.0
    assert partial.per_type["ORG"].tp == 1.0


# --------------------------------------------------------------------------- realistic data

REALISTIC_TEXT = (
    "أعلن وزير الخارجية الأردني أيمن الصفدي في عمّان أمس أن الحكومة ستستضيف مؤتمر الاستثمار العربي "
    "في شهر مايو المقبل. وقال الصفدي للصحفيين إن وفدا من البنك الدولي سيزور المملكة، وبالتعاون مع "
    "جامعة الدول العربية ستُطلق مبادرة جديدة في القاهرة ودمشق."
)


def _realistic_gold() -> list[Span]:
    def at(word: str, label: str, occurrence: int = 0) -> Span:
        start = -1
        for _ in range(occurrence + 1):
            start = REALISTIC_TEXT.index(word, start + 1)
        return Span(start, start + len(word), label)

    return [
        at("وزير الخارجية الأردني", "OCC"),
        at("الأردني", "NORP"),
        at("أيمن الصفدي", "PERS"),
        at("عمّان", "GPE"),
        at("أمس", "DATE"),
        at("الحكومة", "ORG"),
        at("مؤتمر الاستثمار العربي", "EVENT"),
        at("شهر مايو المقبل", "DATE"),
        at("الصفدي", "PERS", 1),
        at("البنك الدولي", "ORG"),
        at("المملكة", "GPE"),
        at("جامعة الدول العربية", "ORG"),
        at("القاهرة", "GPE"),
        at("ودمشق", "GPE"),
    ]


def _model_like(gold: list[Span], text: str, seed: int) -> list[Span]:
    """Predictions with the errors real Arabic NER systems make."""
    rng = random.Random(seed)
    confusions = {"GPE": "LOC", "LOC": "GPE", "ORG": "GPE", "NORP": "GPE", "EVENT": "ORG", "OCC": "PERS"}
    pred = []
    for span in outermost(gold):
        r = rng.random()
        covered = text[span.start : span.end]
        if r < 0.45:
            pred.append(span)
        elif r < 0.6 and covered[0] in "وبلفك" and len(covered) > 3:
            pred.append(Span(span.start + 1, span.end, span.label))  # proclitic left out
        elif r < 0.7:
            pred.append(span.with_label(confusions.get(span.label, "ORG")))
        elif r < 0.8 and " " in covered:
            pred.append(Span(span.start, span.start + covered.index(" "), span.label))  # first word only
        elif r < 0.9:
            continue  # missed
        else:
            pred.append(span)
    free = [m for m in re.finditer(r"\S+", text) if not any(s.start < m.end() and m.start() < s.end for s in pred)]
    for m in rng.sample(free, 3):  # spurious single words
        pred.append(Span(m.start(), m.end(), rng.choice(["PERS", "GPE", "ORG"])))
    return pred


def _realistic_corpora():
    yield "fixture", REALISTIC_TEXT, _realistic_gold()
    gold_dir = Path(__file__).resolve().parents[1] / "annotations" / "gold"
    if any(gold_dir.glob("*.ann")):
        from arabench.annotations.corpus import read_corpus

        for doc in read_corpus(gold_dir):
            yield doc.id, doc.text, list(doc.entities.values())


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_realistic_word_flat_strict_equals_seqeval_on_the_conll_projection(seed: int) -> None:
    for name, text, gold in _realistic_corpora():
        pred = _model_like(gold, text, seed)
        g = spans_to_tags(text, gold)
        p = spans_to_tags(text, pred)
        assert not g.conflicts and not p.conflicts, name
        scores = score_spans([gold], [pred], texts=[text], boundary="word", layer="flat")
        _assert_matches_seqeval(scores, _seqeval_report([list(g.tags)], [list(p.tags)], strict=True))
        tokens = score_token_view([gold], [pred], texts=[text], scheme="conlleval")
        reference = conlleval_evaluate(_conlleval_lines([list(g.tags)], [list(p.tags)]))["overall"]["chunks"]
        micro = tokens.micro
        assert (micro.tp, micro.tp + micro.fp, micro.tp + micro.fn) == (
            reference["stats"]["correct"],
            reference["stats"]["pred"],
            reference["stats"]["gold"],
        )


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("mode", list(MODE_TO_NERVALUATE))
def test_realistic_char_flat_modes_equal_nervaluate(seed: int, mode: str) -> None:
    for name, text, gold in _realistic_corpora():
        flat_gold = outermost(gold)
        pred = outermost(_model_like(gold, text, seed))
        reference = _nervaluate([flat_gold], [pred])["overall"][MODE_TO_NERVALUATE[mode]]
        mine = score_spans([flat_gold], [pred], mode=mode, texts=[text]).micro
        assert (mine.tp, mine.fp, mine.fn) == _nervaluate_counts(reference), name
        assert (mine.f1 or 0.0) == reference.f1
