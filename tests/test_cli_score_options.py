"""``arabench score`` options (--view on both sides, --label-map/--drop, --scheme, --strict-iob2) and
``stats``/``validate`` on every corpus format, with the manifest and NFC checks."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from arabench.benchmark.cli import main
from arabench.benchmark.corpus_io import default_corpus_path

TOKENS = ["ذهب", "محمد", "علي", "إلى", "بغداد", "يوم", "الأحد", "."]


def conll(path: Path, tags: list[str], tokens: list[str] = TOKENS) -> Path:
    path.write_text("".join(f"{t}\t{g}\n" for t, g in zip(tokens, tags, strict=True)), encoding="utf-8")
    return path


def score_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["score", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


GOLD_TAGS = ["O", "B-PERS", "I-PERS", "O", "B-GPE", "O", "B-DATE", "O"]


def test_view_projects_native_predictions_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = conll(tmp_path / "g.conll", GOLD_TAGS)
    pred = conll(tmp_path / "p.conll", GOLD_TAGS)
    out = score_json(capsys, "--gold", str(gold), "--pred", str(pred), "--view", "conll4")
    assert out["micro"]["tp"] == 2 and out["micro"]["fp"] == 0 and out["micro"]["f1"] == 1.0
    assert out["out_of_scope"] == {"DATE (not in view conll4)": 1}
    assert out["notes"] == {"pred_out_of_view:DATE": 1}


def test_label_map_and_drop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = conll(tmp_path / "g.conll", GOLD_TAGS)
    pred = conll(tmp_path / "p.conll", ["O", "B-PER", "I-PER", "O", "B-CITY", "O", "B-TIME", "O"])
    args = ["--gold", str(gold), "--pred", str(pred), "--view", "conll4"]
    out = score_json(capsys, *args, "--label-map", "CITY=LOC", "--drop", "TIME")
    assert out["micro"]["tp"] == 2 and out["micro"]["fp"] == 0
    assert out["notes"] == {"dropped_label:TIME": 1}
    assert main(["score", *args, "--label-map", "CITY=LOC"]) == 2
    assert (
        "the predictions carry labels that are not labels of view 'conll4', and not all are schema types"
        in capsys.readouterr().err
    )
    assert main(["score", *args, "--drop", "TIME"]) == 2
    assert "prediction label neither mapped, dropped nor a label of the view (got 'CITY')" in capsys.readouterr().err


def test_scheme_io_refuses_prefixed_tags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = conll(tmp_path / "g.conll", GOLD_TAGS)
    assert main(["score", "--gold", str(gold), "--pred", str(gold), "--scheme", "IO"]) == 2
    assert (
        "g.conll:2: field 'tag': tag carries a BIO prefix but --scheme IO reads bare types" in capsys.readouterr().err
    )
    with pytest.raises(SystemExit):
        main(["score", "--gold", str(gold), "--pred", str(gold), "--scheme", "ANY"])


def _random_tags(rng: random.Random, n: int) -> list[str]:
    return [rng.choice(["O", "O", "B-PERS", "I-PERS", "B-GPE", "I-GPE", "I-ORG"]) for _ in range(n)]


@pytest.mark.parametrize("seed", range(6))
def test_strict_iob2_equals_seqeval(tmp_path: Path, capsys: pytest.CaptureFixture[str], seed: int) -> None:
    seqeval_metrics = pytest.importorskip("seqeval.metrics")
    from seqeval.scheme import IOB2

    rng = random.Random(seed)
    sentences = [[f"w{i}_{j}" for j in range(rng.randint(1, 12))] for i in range(8)]
    gold = [_random_tags(rng, len(s)) for s in sentences]
    pred = [_random_tags(rng, len(s)) for s in sentences]
    for name, tags in (("g", gold), ("p", pred)):
        lines = "\n\n".join(
            "\n".join(f"{t}\t{g}" for t, g in zip(s, ts, strict=True)) for s, ts in zip(sentences, tags, strict=True)
        )
        (tmp_path / f"{name}.conll").write_text(lines + "\n", encoding="utf-8")
    out = score_json(capsys, "--gold", str(tmp_path / "g.conll"), "--pred", str(tmp_path / "p.conll"), "--strict-iob2")
    kwargs = {"mode": "strict", "scheme": IOB2, "zero_division": 0}
    expected = seqeval_metrics.f1_score(gold, pred, average="micro", **kwargs)
    assert out["micro"]["f1"] == pytest.approx(expected, abs=1e-12)
    assert out["micro"]["precision"] or 0.0 == pytest.approx(
        seqeval_metrics.precision_score(gold, pred, average="micro", **kwargs), abs=1e-12
    )


def test_strict_iob2_refuses_a_view_naming_only_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = conll(tmp_path / "g.conll", GOLD_TAGS)
    assert main(["score", "--gold", str(gold), "--pred", str(gold), "--strict-iob2", "--view", "conll4"]) == 2
    err = capsys.readouterr().err
    assert "field '--view'" in err and "--scheme" not in err  # names only the options the user passed


def test_strict_iob2_with_label_map_and_drop_equals_relabelled_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = conll(tmp_path / "g.conll", ["O", "B-PER", "I-PER", "O", "B-LOC", "O", "O", "O"])
    pred = conll(tmp_path / "p.conll", ["O", "B-PERS", "I-PERS", "O", "B-GPE", "O", "B-DATE", "O"])
    by_hand = conll(tmp_path / "h.conll", ["O", "B-PER", "I-PER", "O", "B-LOC", "O", "O", "O"])
    args = ["--gold", str(gold), "--strict-iob2", "--mode", "strict"]
    out = score_json(capsys, *args, "--pred", str(pred), "--label-map", "PERS=PER,GPE=LOC", "--drop", "DATE")
    expected = score_json(capsys, *args, "--pred", str(by_hand))
    assert out["micro"] == expected["micro"] and out["micro"]["f1"] == 1.0
    assert out["notes"]["dropped_label:DATE"] == 1
    assert main(["score", *args, "--pred", str(pred), "--label-map", "PERS=PER"]) == 2
    assert "prediction label neither mapped, dropped nor a label of the gold" in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra",
    [["--mode", "partial"], ["--mode", "all"], ["--mode", "strict", "--mode", "exact"], ["--boundary", "all"]],
)
def test_strict_iob2_is_one_setting_of_mode_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str]
) -> None:
    gold = conll(tmp_path / "g.conll", GOLD_TAGS)
    assert main(["score", "--gold", str(gold), "--pred", str(gold), "--strict-iob2", *extra]) == 2
    assert "--strict-iob2 is one setting of its own" in capsys.readouterr().err
    out = score_json(capsys, "--gold", str(gold), "--pred", str(gold), "--strict-iob2", "--mode", "strict")
    assert out["mode"] == "strict-iob2" and out["micro"]["tp"] == 3 and out["micro"]["fp"] == 0


def test_strict_iob2_names_the_first_token_that_differs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = tmp_path / "g.conll"
    gold.write_text("a\tO\nb\tB-PERS\n\nc\tO\nd\tO\n", encoding="utf-8")
    pred = tmp_path / "p.conll"
    pred.write_text("a\tO\nb\tB-PERS\n\nc\tO\nx\tO\n", encoding="utf-8")
    assert main(["score", "--gold", str(gold), "--pred", str(pred), "--strict-iob2"]) == 2
    assert "tokens differ: " in (err := capsys.readouterr().err) and "g.conll:5 has 'd'" in err and "p.conll:5" in err


def test_scheme_io_names_the_line_of_a_later_sentence_in_either_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = tmp_path / "g.conll"
    gold.write_text("a\tPERS\nb\tO\n\nc\tO\nd\tGPE\n", encoding="utf-8")
    pred = tmp_path / "p.conll"
    pred.write_text("a\tPERS\nb\tO\n\nc\tO\nd\tB-GPE\n", encoding="utf-8")
    out = score_json(capsys, "--gold", str(gold), "--pred", str(gold), "--scheme", "IO")
    assert out["micro"]["tp"] == 2
    assert main(["score", "--gold", str(gold), "--pred", str(pred), "--scheme", "IO"]) == 2
    assert "p.conll:5: field 'tag': tag carries a BIO prefix but --scheme IO reads bare types" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize("view", [None, "conll4"])
def test_label_map_and_drop_in_every_setting_equal_relabelled_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], view: str | None
) -> None:
    """The fast CoNLL path steps aside for --label-map/--drop/--view: every setting sees the relabelled predictions."""
    gold = conll(tmp_path / "g.conll", GOLD_TAGS)
    raw = conll(tmp_path / "raw.conll", ["O", "B-PER", "I-PER", "O", "I-CITY", "O", "B-TIME", "O"])
    relabelled = conll(tmp_path / "ok.conll", ["O", "B-PERS", "I-PERS", "O", "I-GPE", "O", "O", "O"])
    options = ["--mode", "all", "--boundary", "all", "--json"] + (["--view", view] if view else [])
    assert main(["score", "--gold", str(gold), "--pred", str(relabelled), *options]) == 0
    expected = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    mapped = ["--label-map", "PER=PERS,CITY=GPE", "--drop", "TIME"]
    assert main(["score", "--gold", str(gold), "--pred", str(raw), *options, *mapped]) == 0
    got = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(got) == len(expected) == 8
    for g, e in zip(got, expected, strict=True):
        assert (g["mode"], g["boundary"], g["micro"], g["per_type"]) == (
            e["mode"],
            e["boundary"],
            e["micro"],
            e["per_type"],
        )
        assert g["notes"] == {**e["notes"], "dropped_label:TIME": 1}
        assert g["notes"]["pred_repairs"] == 1


# ----------------------------------------------------------------------------- stats / validate


def test_stats_and_validate_read_an_anercorp_conll(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = conll(tmp_path / "a.conll", ["O", "B-PERS", "I-PERS", "O", "B-LOC", "O", "B-MISC", "O"])
    assert main(["stats", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["view"] == "anercorp" and data["mentions"] == {"PERS": 1, "LOC": 1, "MISC": 1}
    assert main(["validate", str(path)]) == 0
    bad = conll(tmp_path / "b.conll", ["O", "B-PER", "I-PER", "O", "B-NUM", "O", "O", "O"])
    assert main(["validate", str(bad)]) == 1
    assert "the corpus's tags fit no label view (got ['NUM', 'PER'])" in capsys.readouterr().out


def test_non_nfc_text_is_a_warning_with_its_position(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tokens = ["علم\u0651\u064e", "محمد"]
    path = conll(tmp_path / "n.conll", ["O", "B-PERS"], tokens)
    assert main(["stats", str(path)]) == 0
    err = capsys.readouterr().err
    assert "warning: " in err and "text is not in Unicode NFC; first difference at character offset 3" in err
    assert main(["validate", str(path)]) == 0
    assert "0 error(s), 2 warning(s)" in capsys.readouterr().out


def test_stats_reads_a_parquet_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    datasets = pytest.importorskip("datasets")
    names = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    features = datasets.Features(
        {
            "tokens": datasets.Sequence(datasets.Value("string")),
            "ner_tags": datasets.Sequence(datasets.ClassLabel(names=names)),
        }
    )
    data = datasets.Dataset.from_dict(
        {"tokens": [["زار", "محمد", "بغداد"]], "ner_tags": [[0, 1, 3]]}, features=features
    )
    data.to_parquet(str(tmp_path / "c.parquet"))
    assert main(["stats", str(tmp_path / "c.parquet"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["mentions"] == {"PER": 1, "LOC": 1}
    assert main(["validate", str(tmp_path / "c.parquet")]) == 0
    capsys.readouterr()
    data.to_json(str(tmp_path / "c.jsonl"), force_ascii=False)
    assert main(["validate", f"hf-dataset:{tmp_path / 'c.jsonl'}"]) == 1  # JSON keeps ids, not the tag names
    assert "no ClassLabel feature naming them" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda m: m.replace("sha256: c", "sha256: 0c"), "field 'sha256': sha256 is not the one of 000_"),
        (lambda m: m.replace("    sha256: c", "    sha: c"), "field 'sha256': manifest entry misses a required field"),
        (lambda m: m.replace("characters: 3191", "characters: 3190"), "characters is not the one of"),
        (lambda m: m.replace("text: 000_", "text: 001_"), "field 'text': the file named is not in the directory"),
    ],
)
def test_the_manifest_is_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str], edit, message: str) -> None:
    corpus = tmp_path / "gold"
    shutil.copytree(default_corpus_path(), corpus)
    manifest = corpus / "manifest.yaml"
    manifest.write_text(edit(manifest.read_text(encoding="utf-8")), encoding="utf-8")
    assert main(["validate", str(corpus)]) == 1
    assert message in capsys.readouterr().out
    assert main(["run", "-m", "empty", "--corpus", str(corpus), "-q", "--no-cache", "--out", str(tmp_path / "r")]) == 2
    assert message in capsys.readouterr().err


def test_the_packaged_manifest_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    from arabench.annotations.validate import check_manifest

    assert check_manifest(default_corpus_path() / "manifest.yaml") == []


def test_a_manifest_entry_without_provenance_is_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "gold"
    shutil.copytree(default_corpus_path(), corpus)
    manifest = corpus / "manifest.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace("    licence: >-\n", "    licence_: >-\n"), "utf-8"
    )
    assert main(["validate", str(corpus)]) == 0
    out = capsys.readouterr().out
    assert "field 'licence': manifest entry misses a recommended field" in out and "0 error(s), 1 warning(s)" in out
