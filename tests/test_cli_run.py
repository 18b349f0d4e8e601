"""``arabench run`` and ``arabench score`` from the shell: model options, configuration files, user views and cards,
corpora from the ecosystem (issue 12's "Done when" scenarios, each run as a subprocess)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from arabench.annotations.corpus import read_corpus
from arabench.annotations.jsonl import write_jsonl
from arabench.annotations.schema import default_schema
from arabench.annotations.spans import Document, Span
from arabench.benchmark.config import known_options, load_config, parse_model_option
from arabench.benchmark.corpus_io import default_corpus_path, infer_view

ROOT = Path(__file__).resolve().parent.parent


def arabench(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the ``arabench`` command (this checkout first on the path), as a user would."""
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    environ.update({"HF_HUB_OFFLINE": "1", "ARABENCH_CACHE": str(cwd / "cache")})
    environ.update(env or {})
    exe = shutil.which("arabench")
    command = [exe] if exe else [sys.executable, "-m", "arabench.benchmark.cli"]
    return subprocess.run(
        [*command, *args], cwd=cwd, env=environ, capture_output=True, text=True, timeout=300, check=False
    )


def headline(results: Path, model: str, view: str) -> dict[str, float]:
    data = json.loads((results / "results.json").read_text(encoding="utf-8"))
    entry = next(m for m in data["models"] if m["name"] == model)
    return entry["scores"][view]["spans"]["strict"]["word"]["flat"]["micro"]


def write_conll(path: Path, sentences: list[list[tuple[str, str]]]) -> Path:
    path.write_text("\n\n".join("\n".join(f"{t}\t{g}" for t, g in s) for s in sentences) + "\n", encoding="utf-8")
    return path


ANERCORP_GOLD = [
    [("ذهب", "O"), ("محمد", "B-PERS"), ("إلى", "O"), ("بغداد", "B-LOC"), (".", "O")],
    [("قالت", "O"), ("حركة", "B-ORG"), ("حماس", "I-ORG"), ("إن", "O"), ("الدولار", "B-MISC"), ("ارتفع", "O")],
]
#: Predictions in ANERcorp's labels: one PERS right, LOC tagged ORG, the ORG right, the MISC right.
ANERCORP_PRED = [
    [("ذهب", "O"), ("محمد", "B-PERS"), ("إلى", "O"), ("بغداد", "B-ORG"), (".", "O")],
    [("قالت", "O"), ("حركة", "B-ORG"), ("حماس", "I-ORG"), ("إن", "O"), ("الدولار", "B-MISC"), ("ارتفع", "O")],
]


def test_anercorp_predictions_against_an_anercorp_corpus(tmp_path: Path) -> None:
    corpus = write_conll(tmp_path / "anercorp.conll", ANERCORP_GOLD)
    write_conll(tmp_path / "pred.conll", ANERCORP_PRED)
    base = ["run", "-m", "file:pred.conll", "--corpus", corpus.name, "--view", "anercorp", "--bootstrap", "0"]
    inferred = arabench(*base, "--out", "r0", cwd=tmp_path)  # no view=: the file's labels and the corpus decide
    assert inferred.returncode == 0, inferred.stderr
    micro = headline(tmp_path / "r0", "file:pred.conll", "anercorp")
    assert (micro["tp"], micro["fp"], micro["fn"]) == (3, 1, 1)
    done = arabench(*base, "--model-option", "file:pred.conll", "view=anercorp", "--out", "r1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    micro = headline(tmp_path / "r1", "file:pred.conll", "anercorp")
    assert (micro["tp"], micro["fp"], micro["fn"]) == (3, 1, 1)
    data = json.loads((tmp_path / "r1" / "results.json").read_text(encoding="utf-8"))
    assert data["corpus"]["view"] == "anercorp"
    assert data["settings"]["configuration"]["models"] == [{"name": "file:pred.conll", "options": {"view": "anercorp"}}]


MERGED8 = {
    "PERS": "PER",
    "NORP": None,
    "OCC": None,
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "EVENT": "EVE",
    "DATE": "TIME",
    "TIME": "TIME",
    "LANGUAGE": "LAN",
    "WEBSITE": None,
    "LAW": None,
    "PRODUCT": None,
    "CARDINAL": "NUM",
    "ORDINAL": "NUM",
    "PERCENT": "NUM",
    "QUANTITY": "NUM",
    "UNIT": None,
    "MONEY": "MON",
    "CURR": "MON",
}


def _merged_predictions(tmp_path: Path) -> Path:
    """The packaged gold's spans relabelled into the 8-type set (a perfect system with that tag set)."""
    docs = []
    for doc in read_corpus(default_corpus_path()):
        spans = {k: Span(s.start, s.end, MERGED8[s.label]) for k, s in doc.entities.items() if MERGED8[s.label]}
        docs.append(Document(doc.id, doc.text, spans, {}, {}))
    return write_jsonl(docs, tmp_path / "merged.jsonl")


def test_eight_type_predictions_against_the_gold_with_a_user_view(tmp_path: Path) -> None:
    _merged_predictions(tmp_path)
    views = {
        "views": {
            "merged8": {
                "description": "PER/LOC/ORG/TIME/NUM/MON/EVE/LAN",
                "labels": ["PER", "LOC", "ORG", "TIME", "NUM", "MON", "EVE", "LAN"],
                "map": MERGED8,
            }
        }
    }
    (tmp_path / "views.yaml").write_text(yaml.safe_dump(views), encoding="utf-8")
    done = arabench(
        "run", "-m", "file:merged.jsonl", "--model-option", "file:merged.jsonl", "view=merged8",
        "--views", "views.yaml", "--view", "merged8", "--bootstrap", "0", "--out", "r", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    micro = headline(tmp_path / "r", "file:merged.jsonl", "merged8")
    assert micro["fp"] == 0 and micro["fn"] == 0 and micro["tp"] > 0


def test_eight_type_predictions_against_the_gold_with_a_label_map(tmp_path: Path) -> None:
    _merged_predictions(tmp_path)
    done = arabench(
        "run", "-m", "file:merged.jsonl",
        "--model-option", "file:merged.jsonl", "label_map=PER=PERS,ORG=ORG,LOC=GPE",
        "--model-option", "file:merged.jsonl", "drop=TIME,NUM,MON,EVE,LAN",
        "--bootstrap", "0", "--out", "r", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "r" / "results.json").read_text(encoding="utf-8"))
    model = data["models"][0]
    assert model["status"] == "scored" and model["view"] == "native"
    assert any(k.startswith("dropped_label:") for k in model["diagnostics"])


FANE = [
    [("زار", "O"), ("الرئيس", "O"), ("أحمد", "B-PER"), ("مصر", "B-GPE"), ("مع", "O"), ("شركة", "B-ORG")],
    [("هبطت", "O"), ("طائرة", "B-VEH"), ("بوينغ", "B-PRO"), ("في", "O"), ("مطار", "B-FAC"), ("القاهرة", "I-FAC")],
    [("عبر", "O"), ("النيل", "B-LOC"), ("بصاروخ", "B-WEA"), (".", "O")],
]


def test_a_fane_corpus_in_the_ace_view(tmp_path: Path) -> None:
    write_conll(tmp_path / "fane.conll", FANE)
    done = arabench(
        "run", "-m", "oracle", "--corpus", "fane.conll", "--view", "ace", "--bootstrap", "0", "--out", "r", cwd=tmp_path
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "use one of" not in done.stderr
    data = json.loads((tmp_path / "r" / "results.json").read_text(encoding="utf-8"))
    assert data["corpus"]["view"] == "fane" and data["settings"]["leaderboard_view"] == "ace"
    micro = headline(tmp_path / "r", "oracle", "ace")
    assert (micro["tp"], micro["fp"], micro["fn"]) == (7, 0, 0)  # PRO is not an ace label


def test_view_conll4_on_a_fane_corpus_is_not_answered_with_conll4_labels(tmp_path: Path) -> None:
    write_conll(tmp_path / "fane.conll", FANE)
    done = arabench("run", "-m", "oracle", "--corpus", "fane.conll", "--view", "conll4", "-q", cwd=tmp_path)
    assert "use one of LOC, MISC, ORG, PER" not in done.stderr
    assert done.returncode in (0, 1)


def _token_dataset(tmp_path: Path):
    datasets = pytest.importorskip("datasets")
    names = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"]
    features = datasets.Features(
        {
            "tokens": datasets.Sequence(datasets.Value("string")),
            "ner_tags": datasets.Sequence(datasets.ClassLabel(names=names)),
        }
    )
    rows = {
        "tokens": [["زار", "محمد", "بغداد", "."], ["قالت", "الأمم", "المتحدة"]],
        "ner_tags": [[0, 1, 3, 0], [0, 5, 6]],
    }
    return datasets.Dataset.from_dict(rows, features=features)


def test_a_local_datasets_corpus_parquet_and_directory(tmp_path: Path) -> None:
    dataset = _token_dataset(tmp_path)
    dataset.to_parquet(str(tmp_path / "corpus.parquet"))
    datasets = pytest.importorskip("datasets")
    datasets.DatasetDict({"test": dataset}).save_to_disk(str(tmp_path / "saved"))
    for corpus in ("corpus.parquet", "saved", "hf-dataset:saved@test"):
        done = arabench("run", "-m", "oracle", "--corpus", corpus, "--bootstrap", "0", "--out", "r", cwd=tmp_path)
        assert done.returncode == 0, (corpus, done.stderr)
        data = json.loads((tmp_path / "r" / "results.json").read_text(encoding="utf-8"))
        assert data["corpus"]["view"] == "conll4" and data["corpus"]["gold_mentions"] == {"LOC": 1, "ORG": 1, "PER": 1}
        micro = headline(tmp_path / "r", "oracle", "conll4")
        assert (micro["tp"], micro["fp"], micro["fn"]) == (3, 0, 0)


def test_a_missing_hub_dataset_fails_fast_offline(tmp_path: Path) -> None:
    start = time.monotonic()
    done = arabench("run", "-m", "empty", "--corpus", "hf-dataset:nobody/no-such-dataset-xyz@test", cwd=tmp_path)
    assert time.monotonic() - start < 60
    assert done.returncode == 2
    assert "cannot load the hub dataset 'nobody/no-such-dataset-xyz'" in done.stderr
    assert "HF_HUB_OFFLINE" in done.stderr and "fix:" in done.stderr


# ----------------------------------------------------------------------------- model options


@pytest.mark.parametrize(
    ("model", "assignment", "expected"),
    [
        ("file:x.conll", "view=anercorp", ("view", "anercorp")),
        ("file:x.conll", "label_map=PER=PERS,LOC=LOC", ("label_map", "PER=PERS,LOC=LOC")),
        ("file:x.conll", "drop=TIME,NUM", ("drop", ["TIME", "NUM"])),
        ("hf:org/model", "batch_size=16", ("batch_size", 16)),
        ("hf:org/model", "stride=0", ("stride", 0)),
        ("hf:org/model", "aggregation=max", ("aggregation", "max")),
        ("hf:org/model", "local_files_only=true", ("local_files_only", True)),
        ("llm:gpt", "temperature=0.5", ("temperature", 0.5)),
        ("rules", "exclude=DATE,TIME", ("exclude", ["DATE", "TIME"])),
    ],
)
def test_model_options_are_typed_by_the_option(model: str, assignment: str, expected: tuple[str, object]) -> None:
    assert parse_model_option(model, assignment) == expected


@pytest.mark.parametrize(
    ("model", "assignment", "message"),
    [
        (
            "file:x.conll",
            "viewx=anercorp",
            "unknown option for model 'file:x.conll' (got 'viewx'); fix: use one of: drop",
        ),
        ("hf:org/model", "batch_size=eight", "option 'batch_size' of model 'hf:org/model' must be an integer"),
        ("hf:org/model", "gold=x", "unknown option"),
        ("rules", "view", "a model option is KEY=VALUE"),
        ("empty", "local_files_only=yes", "fix: use one of: labels, view"),
    ],
)
def test_bad_model_options_name_the_known_ones(model: str, assignment: str, message: str) -> None:
    with pytest.raises(Exception, match=None) as info:
        parse_model_option(model, assignment)
    assert message in str(info.value)


def test_hf_options_are_the_adapters_own() -> None:
    from arabench.models.hf import HFTokenClassificationModel

    assert set(known_options("hf:org/model")) == {o.name for o in HFTokenClassificationModel.OPTIONS} - {"name", "card"}
    for key in ("label_map", "drop", "view", "input", "batch_size", "device", "max_length", "stride", "aggregation"):
        assert key in known_options("hf:org/model")


def test_model_option_for_a_model_not_in_the_run(tmp_path: Path) -> None:
    done = arabench("run", "-m", "empty", "--model-option", "rules", "exclude=DATE", cwd=tmp_path)
    assert done.returncode == 2 and "--model-option names a model that is not in the run" in done.stderr


# ----------------------------------------------------------------------------- configuration files


def test_a_run_repeats_from_its_recorded_configuration(tmp_path: Path) -> None:
    write_conll(tmp_path / "anercorp.conll", ANERCORP_GOLD)
    write_conll(tmp_path / "pred.conll", ANERCORP_PRED)
    (tmp_path / "suite.yaml").write_text(
        "corpus: anercorp.conll\n"
        "view: anercorp\n"
        "models:\n"
        "  - empty\n"
        "  - name: file:pred.conll\n"
        "    options: {view: anercorp}\n"
        "seed: 3\n"
        "bootstrap: 50\n"
        "out: first\n",
        encoding="utf-8",
    )
    first = arabench("run", "--config", "suite.yaml", "-q", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    again = arabench("run", "--config", "first/results.json", "--out", "second", "--no-cache", "-q", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    a = json.loads((tmp_path / "first" / "results.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "second" / "results.json").read_text(encoding="utf-8"))
    assert a["models"] == b["models"] and a["corpus"] == b["corpus"]
    assert a["settings"]["configuration"]["seed"] == 3 and b["settings"]["configuration"]["bootstrap"] == 50


def test_a_run_from_the_shell_repeats_from_another_directory(tmp_path: Path) -> None:
    write_conll(tmp_path / "anercorp.conll", ANERCORP_GOLD)
    first = arabench(
        "run", "-m", "oracle", "--corpus", "anercorp.conll", "--bootstrap", "20", "--out", "r", "-q", cwd=tmp_path
    )
    assert first.returncode == 0, first.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    again = arabench("run", "--config", "../r/results.json", "--out", "again", "-q", cwd=elsewhere)
    assert again.returncode == 0, again.stderr
    a = json.loads((tmp_path / "r" / "results.json").read_text(encoding="utf-8"))
    b = json.loads((elsewhere / "again" / "results.json").read_text(encoding="utf-8"))
    assert a["models"] == b["models"] and a["corpus"]["sha256"] == b["corpus"]["sha256"]


def test_flags_override_the_configuration_file(tmp_path: Path) -> None:
    (tmp_path / "suite.yaml").write_text("models: [empty]\nseed: 3\nbootstrap: 5\n", encoding="utf-8")
    done = arabench("run", "--config", "suite.yaml", "--seed", "7", "--out", "r", "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "r" / "results.json").read_text(encoding="utf-8"))
    assert data["settings"]["seed"] == 7 and data["settings"]["bootstrap"]["n_resamples"] == 5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("seed: 1\nbootsrap: 5\n", "suite.yaml:2: field 'bootsrap': unknown configuration key"),
        ("seed: one\n", "suite.yaml:1: field 'seed': configuration key 'seed' must be an integer"),
        ("models: [empty]\nseed: 1\nseed: 2\n", "suite.yaml:3: field 'seed': key given twice (first on line 2"),
        ("models:\n  - rules\n  - name: empty\n    options: {colour: red}\n", "suite.yaml:4: field 'option'"),
        ("models:\n  - rulez\n", "unknown model"),
        ("corpus: [1, 2]\n", "suite.yaml:1: field 'corpus'"),
        ("seed: [\n", "configuration file is not valid YAML"),
        ("relation_level: both\n", "suite.yaml:1: field 'relation_level': configuration key 'relation_level' must be"),
    ],
)
def test_configuration_errors_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "suite.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Exception, match=None) as info:
        load_config(path)
    assert message in str(info.value)


# ----------------------------------------------------------------------------- user cards and views


CARD = {
    "name": "my-ner",
    "hub_id": "someone/my-ner",
    "revision": None,
    "revision_note": "a test card",
    "description": "a user card",
    "labels": ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"],
    "labels_checked": "by hand",
    "view": "conll4",
    "label_map": {"PER": "PER", "LOC": "LOC"},
    "input": "raw",
    "training_data": "none",
    "license": "none",
    "citation": "none",
    "default": False,
}


def test_user_cards_are_listed_and_checked(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "my-ner.yaml").write_text(yaml.safe_dump(CARD), encoding="utf-8")
    listed = arabench("models", "--json", cwd=tmp_path, env={"ARABENCH_CARDS": str(cards)})
    assert listed.returncode == 0, listed.stderr
    assert "my-ner" in listed.stdout
    bad = dict(CARD, label_map={"PER": "PERS", "LOC": "LOC"})
    (cards / "my-ner.yaml").write_text(yaml.safe_dump(bad), encoding="utf-8")
    done = arabench("run", "--cards", "cards", "-m", "my-ner", cwd=tmp_path)
    assert done.returncode == 2 and "my-ner.yaml" in done.stderr
    (cards / "my-ner.yaml").write_text(yaml.safe_dump(dict(CARD, name="rules-x")), encoding="utf-8")
    done = arabench("run", "--cards", "cards", "-m", "rules", cwd=tmp_path)
    assert done.returncode == 2 and "card name must equal the file stem" in done.stderr


def test_corpus_view_inference_prefers_the_run_view() -> None:
    schema = default_schema()
    assert infer_view({"PER", "GPE", "ORG", "FAC", "PRO", "LOC", "VEH", "WEA"}, schema=schema) == "fane"
    assert infer_view({"PER", "GPE", "ORG"}, schema=schema) == "ace"
    assert infer_view({"PER", "GPE", "ORG"}, schema=schema, prefer="fane") == "fane"
    assert infer_view({"PERS", "LOC", "ORG", "MISC"}, schema=schema) == "anercorp"
    assert infer_view({"PER", "LOC", "ORG", "MISC"}, schema=schema) == "conll4"
    with pytest.raises(Exception, match="fit no label view") as info:
        infer_view({"PER", "NUM"}, schema=schema)
    assert "--views FILE" in str(info.value)


def test_a_model_scorable_in_no_common_view_fails_before_predicting(tmp_path: Path) -> None:
    """A model whose one label stands for people and organizations, on a FANE corpus: no view holds both.

    It is refused before it predicts, with the fix (``view=``); the leaderboard must not crash.
    """
    write_conll(tmp_path / "fane.conll", FANE)
    mapping = {t: ("ENT" if t in ("PERS", "ORG") else None) for t in default_schema().entity_types}
    views = {"views": {"ent": {"description": "one label", "labels": ["ENT"], "map": mapping}}}
    (tmp_path / "views.yaml").write_text(yaml.safe_dump(views), encoding="utf-8")
    write_conll(tmp_path / "pred.conll", [[(t, "B-ENT" if g != "O" else "O") for t, g in s] for s in FANE])
    done = arabench(
        "run", "-m", "oracle", "-m", "file:pred.conll", "--views", "views.yaml",
        "--corpus", "fane.conll", "--bootstrap", "0", "--out", "r", cwd=tmp_path,
    )  # fmt: skip
    assert "Traceback" not in done.stderr
    assert done.returncode == 1
    out = done.stdout + done.stderr
    assert "reach no common view" in out and "nothing was predicted" in out
    assert "--model-option file:pred.conll view=VIEW" in out


def test_an_anercorp_model_is_scored_on_a_fane_corpus_by_renaming(tmp_path: Path) -> None:
    """PERS -> PER by name: scored in the corpus's view, the renaming recorded in results.json."""
    write_conll(tmp_path / "fane.conll", FANE)
    pred = [[(t, "O") for t, _ in s] for s in FANE]
    pred[0][2] = ("أحمد", "B-PERS")
    write_conll(tmp_path / "pred.conll", pred)
    done = arabench(
        "run", "-m", "file:pred.conll", "--model-option", "file:pred.conll", "view=anercorp",
        "--corpus", "fane.conll", "--bootstrap", "0", "--out", "r", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "r" / "results.json").read_text(encoding="utf-8"))
    fane = data["models"][0]["scores"]["fane"]
    assert fane["label_map"] == {"how": "renaming", "map": {"LOC": "LOC", "MISC": None, "ORG": "ORG", "PERS": "PER"}}
    micro = fane["spans"]["strict"]["word"]["flat"]["micro"]
    assert (micro["tp"], micro["fp"]) == (1, 0)


def test_several_corpora_write_one_directory_each(tmp_path: Path) -> None:
    write_conll(tmp_path / "anercorp.conll", ANERCORP_GOLD)
    write_conll(tmp_path / "fane.conll", FANE)
    missing = arabench("run", "-m", "oracle", "--corpus", "anercorp.conll", "--corpus", "nothere.conll", cwd=tmp_path)
    assert missing.returncode == 2 and not (tmp_path / "results").exists()
    done = arabench(
        "run", "-m", "oracle", "--corpus", "anercorp.conll", "--corpus", "fane.conll", "--bootstrap", "0",
        "--out", "r", "-q", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for name, view in (("anercorp", "anercorp"), ("fane", "fane")):
        data = json.loads((tmp_path / "r" / name / "results.json").read_text(encoding="utf-8"))
        assert data["corpus"]["view"] == view and data["settings"]["configuration"]["corpus"] == f"{name}.conll"


def test_hf_options_from_the_shell_reach_the_adapter(tmp_path: Path) -> None:
    pytest.importorskip("transformers")
    from tiny_models import build_tiny_bert

    build_tiny_bert(tmp_path / "bert")
    model = "hf:bert"
    options = [
        "view=anercorp", "label_map=PERS=PERS,LOC=LOC,ORG=ORG,MISC=MISC", "batch_size=2", "aggregation=max",
        "max_length=32", "stride=4", "input=words", "device=cpu",
    ]  # fmt: skip
    args = [a for o in options for a in ("--model-option", model, o)]
    done = arabench("run", "-m", model, *args, "--bootstrap", "0", "--out", "r", "--no-cache", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "r" / "results.json").read_text(encoding="utf-8"))
    entry = data["models"][0]
    assert entry["status"] == "scored" and entry["view"] == "anercorp"
    assert data["settings"]["configuration"]["models"][0]["options"]["batch_size"] == 2
    text = json.dumps(entry["provenance"])
    assert '"aggregation": "max"' in text and '"stride": 4' in text
    bad = arabench("run", "-m", model, "--model-option", model, "aggregation=mean", "--out", "r2", cwd=tmp_path)
    assert bad.returncode == 2 and "option 'aggregation' of model" in bad.stderr
    assert "must be one of first, average, max (got 'mean')" in bad.stderr


def test_no_cache_refreshes_llm_response_caches_without_recording_it() -> None:
    """The run gives ``cache="refresh"`` to every adapter declaring ``from_run="cache"``; the config is untouched."""
    from arabench.benchmark.config import RunConfig
    from arabench.benchmark.runner import with_run_values

    config = RunConfig(models=["rules", "llm:m", "llm-hf:dir"], cache=False, model_options={"llm:m": {"seed": 1}})
    values = {"cache": "refresh", "cache_dir": "/c"}
    got = {m: with_run_values(m, dict(config.model_options.get(m, {})), values) for m in config.models or ()}
    assert got == {
        "rules": {"cache": "refresh", "cache_dir": "/c"},  # its gazetteer cache
        "llm:m": {"seed": 1, "cache": "refresh", "cache_dir": "/c"},
        "llm-hf:dir": {"cache": "refresh", "cache_dir": "/c"},
    }
    assert config.model_options == {"llm:m": {"seed": 1}}


def test_the_recorded_configuration_holds_no_credentials() -> None:
    from arabench.benchmark.config import RunConfig

    url = "http://user:s3cret-pw@127.0.0.1:9/v1?api-key=s3cret-key&api-version=1"
    config = RunConfig(models=["llm:m"], llm_base_url=url, model_options={"llm:m": {"base_url": url, "seed": 2}})
    text = json.dumps(config.as_json())
    assert "s3cret" not in text and "127.0.0.1:9/v1" in text and '"seed": 2' in text
    assert config.model_options["llm:m"]["base_url"] == url  # the run itself still gets them
