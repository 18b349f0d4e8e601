from __future__ import annotations

import json
from pathlib import Path

import pytest
from conlleval import evaluate as conlleval_evaluate
from eval_helpers import random_corpus, sentence_text

from arabench.annotations.brat import write_brat
from arabench.annotations.errors import ScoringError
from arabench.annotations.jsonl import write_jsonl
from arabench.annotations.spans import Document, Span
from arabench.benchmark.cli import main as cli
from arabench.benchmark.score_files import infer_format, score_files

TEXT_A = "التقى وزير الخارجية سمير علي نظيره في بيروت يوم الأحد."
TEXT_B = "أعلنت شركة النفط الوطنية عن أرباحها في القاهرة."


def at(text: str, word: str, label: str, skip: int = 0) -> Span:
    start = text.index(word)
    return Span(start + skip, start + len(word), label)


def write_conll(path: Path, tokens: list[list[str]], tags: list[list[str]]) -> Path:
    lines = []
    for sent_tokens, sent_tags in zip(tokens, tags, strict=True):
        lines.extend(f"{tok}\t{tag}" for tok, tag in zip(sent_tokens, sent_tags, strict=True))
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def conll_pair(tmp_path: Path, seed: int = 0, n: int = 60):
    gold, pred = random_corpus(seed, n, ill_formed=0.2)
    keep = [i for i, g in enumerate(gold) if g]
    gold, pred = [gold[i] for i in keep], [pred[i] for i in keep]
    tokens = [sentence_text(len(g), seed=i)[0].split(" ") for i, g in enumerate(gold)]
    return (
        write_conll(tmp_path / "gold.conll", tokens, gold),
        write_conll(tmp_path / "pred.conll", tokens, pred),
        tokens,
        gold,
        pred,
    )


def run_json(capsys, *argv: str) -> dict:
    assert cli(["score", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_conll_strict_equals_the_conlleval_package(tmp_path: Path, capsys, seed: int) -> None:
    gold_path, pred_path, tokens, gold, pred = conll_pair(tmp_path, seed)
    lines = []
    for toks, g, p in zip(tokens, gold, pred, strict=True):
        lines += [f"{t} {a} {b}" for t, a, b in zip(toks, g, p, strict=True)] + [""]
    reference = conlleval_evaluate(lines)
    out = run_json(capsys, "--gold", str(gold_path), "--pred", str(pred_path), "--boundary", "char")
    assert out["schema_version"] == 1
    assert (out["mode"], out["boundary"], out["layer"], out["view"], out["format"]) == (
        "strict",
        "char",
        "flat",
        None,
        "conll",
    )
    stats = reference["overall"]["chunks"]["stats"]
    micro = out["micro"]
    assert (micro["tp"], micro["tp"] + micro["fp"], micro["support"]) == (
        stats["correct"],
        stats["pred"],
        stats["gold"],
    )
    assert micro["f1"] == reference["overall"]["chunks"]["evals"]["f1"]
    for label, item in reference["slots"]["chunks"].items():
        row = out["per_type"][label]
        assert (row["tp"], row["tp"] + row["fp"], row["support"]) == (
            item["stats"]["correct"],
            item["stats"]["pred"],
            item["stats"]["gold"],
        )


def test_conll_token_mismatch_names_both_lines(tmp_path: Path, capsys) -> None:
    gold_path, _, tokens, _gold, pred = conll_pair(tmp_path)
    changed = [list(t) for t in tokens]
    changed[1][2] = "كلمة"
    pred_path = write_conll(tmp_path / "other.conll", changed, pred)
    assert cli(["score", "--gold", str(gold_path), "--pred", str(pred_path)]) == 2
    err = capsys.readouterr().err
    line = len(tokens[0]) + 1 + 3  # sentence 0, its blank line, then the third token
    assert f"gold.conll:{line} has {tokens[1][2]!r}" in err
    assert f"other.conll:{line} has 'كلمة'" in err


def test_conll_missing_tokens_and_sentence_breaks(tmp_path: Path) -> None:
    gold_path, _, tokens, _gold, pred = conll_pair(tmp_path)
    short = write_conll(tmp_path / "short.conll", tokens[:-1], pred[:-1])
    with pytest.raises(ScoringError, match=r"gold\.conll has more tokens"):
        score_files(gold_path, short)
    merged_tokens = [tokens[0] + tokens[1], *tokens[2:]]
    merged_tags = [pred[0] + pred[1], *pred[2:]]
    merged = write_conll(tmp_path / "merged.conll", merged_tokens, merged_tags)
    with pytest.raises(ScoringError, match="sentence breaks differ"):
        score_files(gold_path, merged)


def _docs(pred: bool) -> list[Document]:
    a_spans = [at(TEXT_A, "وزير الخارجية", "OCC"), at(TEXT_A, "سمير علي", "PERS"), at(TEXT_A, "بيروت", "GPE")]
    b_spans = [at(TEXT_B, "شركة النفط الوطنية", "ORG"), at(TEXT_B, "القاهرة", "GPE")]
    if pred:
        a_spans = [at(TEXT_A, "سمير علي", "PER"), at(TEXT_A, "بيروت", "LOC")]
        b_spans = [at(TEXT_B, "النفط الوطنية", "ORG"), at(TEXT_B, "القاهرة", "LOC"), at(TEXT_B, "القاهرة", "LOC")]
    return [
        Document("a", TEXT_A, {f"T{i}": s for i, s in enumerate(a_spans, 1)}),
        Document("b", TEXT_B, {f"T{i}": s for i, s in enumerate(b_spans, 1)}),
    ]


@pytest.mark.parametrize("fmt", ["jsonl", "brat"])
def test_span_formats_with_a_view(tmp_path: Path, capsys, fmt: str) -> None:
    if fmt == "jsonl":
        gold = write_jsonl(_docs(False), tmp_path / "gold.jsonl")
        pred = write_jsonl(_docs(True), tmp_path / "pred.jsonl")
    else:
        for doc in _docs(False):
            write_brat(doc, tmp_path / "gold")
        for doc in _docs(True):
            write_brat(doc, tmp_path / "pred")
        gold, pred = tmp_path / "gold", tmp_path / "pred"
    assert infer_format(gold) == fmt
    out = run_json(capsys, "--gold", str(gold), "--pred", str(pred), "--view", "conll4")
    assert out["format"] == fmt and out["view"] == "conll4" and out["documents"] == 2
    assert out["out_of_scope"] == {"OCC (not in view conll4)": 1}
    assert out["per_type"]["LOC"] == {
        "tp": 2,
        "fp": 0,
        "fn": 0,
        "support": 2,
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
    }
    assert out["per_type"]["ORG"]["fn"] == 1 and out["per_type"]["ORG"]["fp"] == 1
    assert out["notes"] == {"pred_duplicates": 1}
    partial = run_json(capsys, "--gold", str(gold), "--pred", str(pred), "--view", "conll4", "--mode", "partial")
    assert partial["per_type"]["ORG"]["tp"] == 0.5
    assert partial["micro"]["precision"] == 3.5 / 4


def test_span_formats_alignment_errors(tmp_path: Path) -> None:
    gold = write_jsonl(_docs(False), tmp_path / "gold.jsonl")
    missing = write_jsonl(_docs(True)[:1], tmp_path / "missing.jsonl")
    with pytest.raises(ScoringError, match=r"gold document has no prediction \(got 'b'\)"):
        score_files(gold, missing)
    changed = _docs(True)
    changed[1] = Document("b", TEXT_B.replace("القاهرة", "الجيزة"), {})
    differs = write_jsonl(changed, tmp_path / "differs.jsonl")
    with pytest.raises(ScoringError, match="document 'b': prediction text differs from gold text at character"):
        score_files(gold, differs)
    extra = write_jsonl([*_docs(True), Document("c", "نص", {})], tmp_path / "extra.jsonl")
    with pytest.raises(ScoringError, match=r"prediction document not in the gold \(got 'c'\)"):
        score_files(gold, extra)


def test_table_output(tmp_path: Path, capsys) -> None:
    gold = write_jsonl(_docs(False), tmp_path / "gold.jsonl")
    assert cli(["score", "--gold", str(gold), "--pred", str(gold)]) == 0
    out = capsys.readouterr().out
    assert "mode strict · boundary word · layer flat" in out
    micro = next(line for line in out.splitlines() if line.startswith("micro"))
    assert micro.split() == ["micro", "5", "0", "0", "5", "1.0000", "1.0000", "1.0000"]
    assert any(line.startswith("macro") for line in out.splitlines())


def test_gold_scored_against_itself_is_perfect(capsys) -> None:
    gold = Path(__file__).resolve().parents[1] / "annotations" / "gold"
    if not any(gold.glob("*.ann")):
        pytest.skip("the gold annotation has not landed")
    out = run_json(capsys, "--gold", str(gold), "--pred", str(gold), "--layer", "nested")
    assert out["micro"]["f1"] == 1.0 and out["micro"]["fp"] == 0
