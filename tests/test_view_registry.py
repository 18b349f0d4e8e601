"""One view registry: packaged, card and user views are found by every command that takes ``--view``.

The walk runs ``run``, ``score`` and ``compare`` through the command line (in process) once per registered
view; name collisions are refused with the source to blame and the fix.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from arabench.annotations.errors import ModelError, SchemaError
from arabench.annotations.schema import (
    default_schema,
    register_views_file,
    registered_views,
    unregister_view,
    view_source,
)
from arabench.benchmark.cli import main
from arabench.models.cards import add_cards_dir
from arabench.models.registry import get_info

SCHEMA = default_schema()


def _user_views(tmp_path: Path, name: str = "mine") -> Path:
    mapping = {t: ("PER" if t == "PERS" else "PLACE" if t in ("GPE", "LOC") else None) for t in SCHEMA.entity_types}
    path = tmp_path / "views.yaml"
    views = {"views": {name: {"description": "people and places", "labels": ["PER", "PLACE"], "map": mapping}}}
    path.write_text(yaml.safe_dump(views), encoding="utf-8")
    return path


@contextlib.contextmanager
def _registered(path: Path) -> Iterator[list[str]]:
    names = list(register_views_file(path))
    try:
        yield names
    finally:
        for name in names:
            unregister_view(name)


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def test_every_registered_view_works_in_run_score_and_compare(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ARABENCH_CACHE", str(tmp_path / "cache"))
    from arabench.annotations.corpus import default_gold_path, read_corpus
    from arabench.annotations.jsonl import write_jsonl

    gold = tmp_path / "gold.jsonl"
    write_jsonl(read_corpus(default_gold_path()), gold)
    views_file = _user_views(tmp_path)
    with _registered(views_file):
        views = registered_views()
        kinds = {view_source(name).kind for name in views}
        assert kinds == {"packaged", "card", "user"} and {"hrl", "ace", "fane", "mine"} <= set(views)
        for name in views:
            out = tmp_path / f"r-{name}"
            status, _, err = _cli(
                "run", "-m", "oracle", "-m", "empty", "--view", name, "--views", str(views_file),
                "--bootstrap", "0", "--out", str(out), "-q",
            )  # fmt: skip
            assert status == 0, (name, err)
            results = json.loads((out / "results.json").read_text(encoding="utf-8"))
            assert results["settings"]["leaderboard_view"] == name
            assert all(name in m["scores"] for m in results["models"])
            status, text, err = _cli(
                "score", "--gold", str(gold), "--pred", str(gold), "--view", name, "--views", str(views_file), "--json"
            )
            assert status == 0, (name, err)
            scored = json.loads(text)
            assert scored["view"] == name and scored["micro"]["f1"] == 1.0
            assert set(scored["per_type"]) <= set(views[name].labels)
            status, text, err = _cli("compare", str(out), "--model-a", "oracle", "--model-b", "empty", "--view", name)
            assert status == 0, (name, err)
            assert f"view {name}" in text


def test_a_user_view_named_like_a_card_view_is_blamed_on_the_views_file(tmp_path: Path) -> None:
    path = _user_views(tmp_path, name="hrl")
    with pytest.raises(SchemaError) as info:
        register_views_file(path)
    message = str(info.value)
    assert str(path) in message and "model card" in message and "davlan" in message
    assert f"rename view 'hrl' in {path}" in message
    assert view_source("hrl").kind == "card"


def test_a_user_view_named_like_a_packaged_view_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match=r"field 'views.ace': a user view must not reuse the name of a packaged"):
        register_views_file(_user_views(tmp_path, name="ace"))


def test_a_card_view_named_like_a_user_view_is_blamed_on_the_card(tmp_path: Path, monkeypatch) -> None:
    """The user view comes first here; the card registered after it is the one to rename."""
    from arabench.models import cards

    card = yaml.safe_load((cards.CARDS_DIR / "davlan-mbert-ner-hrl.yaml").read_text(encoding="utf-8"))
    card.update(name="mycard", default=False)
    card["view"]["name"] = "mine"
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "mycard.yaml").write_text(yaml.safe_dump(card, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(cards, "_added_dirs", [])
    with _registered(_user_views(tmp_path)):
        with pytest.raises(ModelError) as info:
            add_cards_dir(tmp_path / "cards")
    message = str(info.value)
    assert "mycard.yaml" in message and "user view" in message and str(tmp_path / "views.yaml") in message
    assert "give the view of card 'mycard' another name" in message
    assert cards._added_dirs == []


@pytest.mark.parametrize("name", ["rules", "crf", "oracle"])
def test_a_user_card_named_like_a_builtin_model_is_refused(tmp_path: Path, monkeypatch, name: str) -> None:
    from arabench.models import cards

    card = yaml.safe_load((cards.CARDS_DIR / "camelbert-msa-ner.yaml").read_text(encoding="utf-8"))
    card.update(name=name, default=False)
    (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(card, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(cards, "_added_dirs", [])
    add_cards_dir(tmp_path)
    message = rf"{name}.yaml: field 'name': a model card takes the name of a built-in model \(got '{name}'\)"
    with pytest.raises(ModelError, match=message):
        get_info(name)  # never a hub error, never the card in place of the built-in
    status, out, err = _cli("models", "--json")
    assert status == 2 and "takes the name of a built-in model" in err and out == ""
    status, _, err = _cli("run", "-m", name, "--out", str(tmp_path / "r"))
    assert status == 2 and "rename the card file" in err


def test_renaming_reaches_views_coarsening_cannot() -> None:
    anercorp, conll4 = SCHEMA.view("anercorp"), SCHEMA.view("conll4")
    assert anercorp.coarsening_to(conll4) is None
    assert anercorp.renaming_to(conll4) == {"LOC": "LOC", "MISC": "MISC", "ORG": "ORG", "PERS": "PER"}
    assert anercorp.renaming_to(SCHEMA.view("hrl")) == {"LOC": "LOC", "MISC": None, "ORG": "ORG", "PERS": "PER"}


CONLL2003 = [
    [("زار", "O"), ("محمد", "B-PER"), ("القاهرة", "B-LOC"), ("مع", "O"), ("الوفد", "B-MISC"), (".", "O")],
    [("قالت", "O"), ("شركة", "B-ORG"), ("النور", "I-ORG"), ("إن", "O"), ("محمد", "B-PER"), ("وصل", "O")],
]
TRAIN = "زار\tO\nمحمد\tB-PERS\nالقاهرة\tB-LOC\n.\tO\n\nقالت\tO\nشركة\tB-ORG\nالنور\tI-ORG\n.\tO\n"


def test_crf_is_scored_on_a_conll2003_style_corpus_without_a_views_file(tmp_path: Path) -> None:
    pytest.importorskip("pycrfsuite")
    corpus = tmp_path / "conll2003.conll"
    corpus.write_text("\n\n".join("\n".join(f"{t}\t{g}" for t, g in s) for s in CONLL2003) + "\n", encoding="utf-8")
    (tmp_path / "train.conll").write_text(TRAIN, encoding="utf-8")
    status, _, err = _cli(
        "run", "-m", "crf", "--model-option", "crf", f"train={tmp_path / 'train.conll'}", "--corpus", str(corpus),
        "--cache-dir", str(tmp_path / "cache"), "--bootstrap", "0", "--out", str(tmp_path / "r"), "-q",
    )  # fmt: skip
    assert status == 0, err
    results = json.loads((tmp_path / "r" / "results.json").read_text(encoding="utf-8"))
    assert results["corpus"]["view"] == "conll4"
    (model,) = results["models"]
    assert model["status"] == "scored" and model["view"] == "anercorp"
    conll4 = model["scores"]["conll4"]
    assert conll4["label_map"] == {
        "how": "renaming",
        "map": {"LOC": "LOC", "MISC": "MISC", "ORG": "ORG", "PERS": "PER"},
    }
    assert results["settings"]["leaderboard_view"] == "conll4"


def test_a_model_reaching_no_view_is_refused_before_it_predicts(tmp_path: Path) -> None:
    from arabench import benchmark
    from arabench.annotations.schema import ViewSource, make_view, register_view

    mapping = {t: ("ENT" if t in ("PERS", "ORG") else None) for t in SCHEMA.entity_types}
    register_view(make_view("ent", mapping, entity_types=SCHEMA.entity_types), ViewSource("user", "test"))
    ace = [[("زار", "O"), ("محمد", "B-PER"), ("مصر", "B-GPE")], [("هبطت", "O"), ("طائرة", "B-VEH"), (".", "O")]]
    corpus = tmp_path / "ace.conll"  # an ACE corpus (VEH): its gold coarsens into no view of ENT, nor renames
    corpus.write_text("\n\n".join("\n".join(f"{t}\t{g}" for t, g in s) for s in ace) + "\n", encoding="utf-8")

    class Merged:
        name, view, labels = "merged", "ent", frozenset({"ENT"})
        calls = 0

        def predict(self, texts: list[str]) -> list:
            Merged.calls += 1
            raise AssertionError("must not predict")

        def provenance(self) -> dict[str, object]:
            return {"id": "merged", "revision": "1", "adapter_version": "1", "label_map": None}

    try:
        results = benchmark.run([Merged()], corpus=str(corpus), bootstrap=0, cache_dir=tmp_path / "cache")
    finally:
        unregister_view("ent")
    (model,) = results.models
    assert model.status == "failed" and Merged.calls == 0
    assert "reach no common view" in (model.reason or "") and "--model-option merged view=VIEW" in (model.reason or "")
