"""``arabench score`` on CoNLL files: one read, every setting, the same counts as scoring spans sentence by sentence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eval_helpers import random_corpus, sentence_text

from arabench.annotations.conll import bio_to_spans, read_conll_sentences
from arabench.annotations.conll_simple import simple_columns
from arabench.annotations.errors import ScoringError
from arabench.annotations.tags import decode, decode_bio2_arrays, decode_entities
from arabench.benchmark.cli import main as cli
from arabench.benchmark.score_files import score_settings
from arabench.eval.modes import Setting, span_grid
from arabench.eval.spans import score_spans

GRID = list(span_grid())


def write(path: Path, tokens: list[list[str]], tags: list[list[str]], *, head: str = "", sep: str = "\t") -> Path:
    lines = [head] if head else []
    for sent_tokens, sent_tags in zip(tokens, tags, strict=True):
        lines.extend(f"{tok}{sep}{tag}" for tok, tag in zip(sent_tokens, sent_tags, strict=True))
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def corpus(seed: int, n: int = 80) -> tuple[list[list[str]], list[list[str]], list[list[str]]]:
    gold, pred = random_corpus(seed, n, ill_formed=0.2)
    keep = [i for i, g in enumerate(gold) if g]
    gold, pred = [gold[i] for i in keep], [pred[i] for i in keep]
    tokens = [sentence_text(len(g), seed=i)[0].split(" ") for i, g in enumerate(gold)]
    return tokens, gold, pred


def reference(gold_path: Path, pred_path: Path, setting: Setting) -> tuple[dict, dict]:
    """The counts of the sentence-by-sentence way: Span lists per sentence, scored with its text."""
    texts, gold_spans, pred_spans = [], [], []
    repairs = {"gold_repairs": 0, "pred_repairs": 0}
    gold = [s for s in read_conll_sentences(gold_path) if s.tokens]
    pred = [s for s in read_conll_sentences(pred_path) if s.tokens]
    for g, p in zip(gold, pred, strict=True):
        offsets, pos = [], 0
        for token in g.tokens:
            offsets.append((pos, pos + len(token)))
            pos += len(token) + 1
        texts.append(" ".join(g.tokens))
        gold_spans.append(bio_to_spans(g.tags, offsets))
        pred_spans.append(bio_to_spans(p.tags, offsets))
        repairs["gold_repairs"] += decode(g.tags).repairs
        repairs["pred_repairs"] += decode(p.tags).repairs
    scores = score_spans(gold_spans, pred_spans, texts=texts, errors=False, **setting._asdict())
    counts = {t: (c.tp, c.fp, c.fn) for t, c in scores.per_type.items()}
    return counts, {k: v for k, v in repairs.items() if v}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("shape", ["simple", "comment", "space"])
def test_every_setting_from_one_read_equals_scoring_sentence_by_sentence(tmp_path: Path, seed: int, shape: str) -> None:
    tokens, gold, pred = corpus(seed)
    head = "# id = x" if shape == "comment" else ""  # a comment line takes the checked path
    sep = " " if shape == "space" else "\t"
    gold_path = write(tmp_path / "g.conll", tokens, gold, head=head, sep=sep)
    pred_path = write(tmp_path / "p.conll", tokens, pred, sep=sep)
    reports = score_settings(gold_path, pred_path, settings=GRID)
    assert [(r.scores.mode, r.scores.boundary, r.scores.layer) for r in reports] == GRID
    for setting, report in zip(GRID, reports, strict=True):
        counts, repairs = reference(gold_path, pred_path, setting)
        assert {t: (c.tp, c.fp, c.fn) for t, c in report.scores.per_type.items()} == counts, setting
        assert report.notes == repairs
        assert report.documents == len(tokens)
    assert reports[0].notes["pred_repairs"] > 0  # the corpus has ill-formed I- tags


def test_repairs_are_reported_in_notes(tmp_path: Path, capsys) -> None:
    tokens = [["a", "b", "c"], ["d", "e"]]
    gold = write(tmp_path / "g.conll", tokens, [["I-PERS", "I-PERS", "O"], ["B-LOC", "O"]])
    pred = write(tmp_path / "p.conll", tokens, [["B-PERS", "I-PERS", "O"], ["O", "I-LOC"]])
    assert cli(["score", "--gold", str(gold), "--pred", str(pred), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["notes"] == {"gold_repairs": 1, "pred_repairs": 1}
    assert cli(["score", "--gold", str(gold), "--pred", str(pred)]) == 0
    assert "notes: gold_repairs 1, pred_repairs 1" in capsys.readouterr().out


def test_mode_all_prints_one_object_per_setting_in_grid_order(tmp_path: Path, capsys) -> None:
    tokens, gold, pred = corpus(3)
    g, p = write(tmp_path / "g.conll", tokens, gold), write(tmp_path / "p.conll", tokens, pred)
    assert cli(["score", "--gold", str(g), "--pred", str(p), "--json", "--mode", "all", "--layer", "nested"]) == 0
    lines = capsys.readouterr().out.strip().split("\n")
    assert [json.loads(line)["mode"] for line in lines] == ["strict", "exact", "partial", "type"]
    assert {json.loads(line)["layer"] for line in lines} == {"nested"}
    assert cli(["score", "--gold", str(g), "--pred", str(p), "--json", "--mode", "type", "--boundary", "all"]) == 0
    lines = capsys.readouterr().out.strip().split("\n")
    assert [(json.loads(x)["mode"], json.loads(x)["boundary"]) for x in lines] == [("type", "char"), ("type", "word")]


@pytest.mark.parametrize("shape", ["simple", "comment"])
def test_token_mismatch_late_in_a_file_names_both_lines(tmp_path: Path, shape: str) -> None:
    tokens, gold, pred = corpus(4)
    head = "# a comment" if shape == "comment" else ""
    changed = [list(t) for t in tokens]
    changed[-2][1] = "كلمة"
    gold_path = write(tmp_path / "g.conll", tokens, gold, head=head)
    pred_path = write(tmp_path / "p.conll", changed, pred, head=head)
    line = sum(len(t) + 1 for t in tokens[:-2]) + 2 + (1 if head else 0)
    with pytest.raises(ScoringError, match=rf"g\.conll:{line} has .*p\.conll:{line} has 'كلمة'"):
        score_settings(gold_path, pred_path, settings=GRID[:1])
    short = write(tmp_path / "short.conll", tokens[:-1], pred[:-1], head=head)
    n_tokens = sum(map(len, tokens))
    with pytest.raises(
        ScoringError, match=rf"g\.conll has more tokens \({n_tokens} against {n_tokens - len(tokens[-1])}\)"
    ):
        score_settings(gold_path, short, settings=GRID[:1])


@pytest.mark.parametrize(
    ("text", "simple"),
    [
        ("a\tO\nb\tB-X\n\nc\tI-Y\n", True),
        ("a\tO\n#b\tB-X\n", False),  # a comment
        (" a\tO\n", False),  # white space at a token's start
        ("a \tO\n", False),  # ... and at its end
        ("a\tO\n \n", False),  # a line of white space
        ("a\tB-\n", False),  # a tag without a type
        ("a\t\n", False),  # no tag
        ("\ta\tO\n", False),  # an empty token
        ("a\tE-X\n", False),  # not BIO2
        ("a\tb\tO\nc\n", False),  # extra columns
        ("a\tO\r\n", False),
        ("-DOCSTART-\tO\n", False),
    ],
)
def test_simple_columns_accepts_only_the_simplest_shape(text: str, simple: bool) -> None:
    assert (simple_columns(text) is not None) is simple


def test_array_decoding_equals_the_loop() -> None:
    import random

    rng = random.Random(7)
    vocabulary = ["O", "O", "O", "B-A", "I-A", "B-B", "I-B", "I-C", "B-C", ""]
    for _ in range(300):
        tags = [rng.choice(vocabulary) for _ in range(rng.randint(1, 40))]
        for policy, orphans_start in (("conlleval", True), ("strict", False)):
            loop = decode_entities(tags, policy=policy, separator="")
            starts, ends, labels, orphans = decode_bio2_arrays(tags, orphans_start=orphans_start, separator="")
            assert (list(zip(starts.tolist(), ends.tolist(), labels, strict=True)), orphans.tolist()) == loop
            laid_out = ["O" if t == "" else t for t in tags]
            assert decode(laid_out, policy=policy).entities == loop[0]


def test_a_unique_optimum_is_what_the_assignment_solver_keeps() -> None:
    import random

    import numpy as np
    from scipy.optimize import linear_sum_assignment

    from arabench.eval.spans import _unique_optimum

    rng = random.Random(11)
    unique_seen = 0
    for _ in range(400):
        n_gold, n_pred = rng.randint(1, 4), rng.randint(1, 4)
        weights = {
            (a, b): rng.choice((1, 2, 3, 5, 8)) for a in range(n_gold) for b in range(n_pred) if rng.random() < 0.6
        }
        if not weights:
            continue
        matrix = np.zeros((n_gold, n_pred))
        for (a, b), w in weights.items():
            matrix[a, b] = w
        rows, cols = linear_sum_assignment(matrix, maximize=True)
        kept = [(a, b) for a, b in zip(rows.tolist(), cols.tolist(), strict=True) if (a, b) in weights]
        found = _unique_optimum(list(range(n_gold)), weights)
        if found is not None:
            unique_seen += 1
            assert found == kept
    assert unique_seen > 200


@pytest.mark.parametrize("seed", range(6))
def test_counts_without_error_records_equal_the_solvers_pairing(seed: int) -> None:
    """Counting alone may take any optimal pairing that adds the same counts: never other counts."""
    import random

    from arabench.annotations.spans import Span

    rng = random.Random(seed)
    gold, pred = [], []
    for _ in range(40):
        doc_gold, doc_pred = set(), set()
        for spans in (doc_gold, doc_pred):
            for _ in range(rng.randint(0, 6)):
                start = rng.randrange(0, 30)
                spans.add(Span(start, start + rng.randint(1, 8), rng.choice("AB")))
        gold.append(sorted(doc_gold))
        pred.append(sorted(doc_pred))
    for mode in ("exact", "partial", "type"):
        counted = score_spans(gold, pred, mode=mode, errors=False)
        solved = score_spans(gold, pred, mode=mode, errors=True)
        assert {t: (c.tp, c.fp, c.fn) for t, c in counted.per_type.items()} == {
            t: (c.tp, c.fp, c.fn) for t, c in solved.per_type.items()
        }


def test_a_byte_order_mark_and_a_missing_last_newline_change_nothing(tmp_path: Path) -> None:
    tokens, gold, pred = corpus(5)
    gold_path = write(tmp_path / "g.conll", tokens, gold)
    pred_path = write(tmp_path / "p.conll", tokens, pred)
    plain = score_settings(gold_path, pred_path, settings=GRID)
    gold_path.write_bytes(b"\xef\xbb\xbf" + gold_path.read_bytes())
    pred_path.write_bytes(pred_path.read_bytes().rstrip(b"\n"))
    marked = score_settings(gold_path, pred_path, settings=GRID)
    for a, b in zip(plain, marked, strict=True):
        assert a.scores.per_type == b.scores.per_type and a.notes == b.notes and a.documents == b.documents
