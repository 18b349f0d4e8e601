"""Integrity audit: nothing a reader, a model adapter or the harness does may lose a span, a label,
a relation, a document or a piece of text without counting it or raising a clear error.

Each test pins one place that used to lose something silently.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from harness_fixtures import write_brat_corpus

from arabench.annotations.errors import AnnotationError, LabelMapError, ModelError

# ----------------------------------------------------------------------------- harness: views


def test_run_counts_gold_and_predictions_a_coarser_view_leaves_out(tmp_path: Path) -> None:
    """Scored in conll4, the gold OCC and DATE mentions (and the oracle's own OCC/DATE spans) are counted."""
    from arabench.benchmark.runner import run

    corpus = write_brat_corpus(tmp_path / "gold")
    results = run(models=["oracle"], corpus=corpus, cache=False, bootstrap=0)
    oracle = results.model("oracle")
    expected = {"DATE (not in view conll4)": 1, "OCC (not in view conll4)": 2}
    for layer in ("flat", "nested"):
        setting = oracle.scores["conll4"]["spans"]["strict"]["word"][layer]
        assert setting["out_of_scope"] == expected
        assert setting["notes"] == {"pred_out_of_view:DATE": 1, "pred_out_of_view:OCC": 2}
    tokens = oracle.scores["conll4"]["tokens"]["conlleval"]
    assert tokens["out_of_scope"] == expected
    native = oracle.scores["native"]["spans"]["strict"]["word"]["nested"]
    assert native["out_of_scope"] == {} and native["notes"] == {}
    # Both gold relations have an OCC argument: in conll4 they are out of scope, not silently gone.
    relations = oracle.scores["conll4"]["relations"]["strict"]["word"]
    assert relations["out_of_scope"] == {"HAS_ROLE (argument not in view conll4)": 2}
    assert relations["notes"] == {"pred_relations_out_of_view": 2}


def test_reports_show_out_of_scope_gold_and_scorer_notes(tmp_path: Path) -> None:
    """summary.md and report.html show the headline setting's out_of_scope and notes, not only results.json."""
    from arabench.benchmark.runner import run

    corpus = write_brat_corpus(tmp_path / "gold")
    out = tmp_path / "out"
    run(models=["oracle"], corpus=corpus, view="conll4", cache=False, bootstrap=0, out=out)
    setting = json.loads((out / "results.json").read_text(encoding="utf-8"))["models"][0]["scores"]["conll4"]
    headline = setting["spans"]["strict"]["word"]["flat"]
    assert headline["out_of_scope"] and headline["notes"]
    summary = (out / "summary.md").read_text(encoding="utf-8")
    html = (out / "report.html").read_text(encoding="utf-8")
    for key in [*headline["out_of_scope"], *headline["notes"]]:
        assert key in summary, key
        assert key in _html_tables(html), key


def _html_tables(html: str) -> str:
    """The report's HTML outside the embedded data and scripts (what a reader sees without JavaScript)."""
    import re

    return re.sub(r"<script.*?</script>", "", html, flags=re.DOTALL)


# ----------------------------------------------------------------------------- readers

TEXT = "زار رئيس الوزراء مدينة القاهرة أمس."


def _entity(needle: str, label: str, ident: str) -> dict[str, object]:
    start = TEXT.index(needle)
    return {"id": ident, "start": start, "end": start + len(needle), "type": label, "text": needle}


def test_jsonl_duplicate_keys_are_an_error_not_a_silent_overwrite() -> None:
    """json.loads keeps the last of two equal keys: a second "entities" list would replace the first."""
    from arabench.annotations.jsonl import parse_jsonl

    first = json.dumps([_entity("القاهرة", "GPE", "T1")], ensure_ascii=False)
    line = f'{{"id": "d1", "text": "{TEXT}", "entities": {first}, "entities": []}}'
    docs, problems = parse_jsonl(line + "\n", file="x.jsonl")
    errors = [p for p in problems + [q for d in docs for q in d.problems] if p.is_error]
    assert errors, "the duplicate key was dropped silently"
    assert any("duplicate key" in p.message and p.line == 1 for p in errors)
    # inside an entity too
    entity = '{"id": "T1", "start": 0, "start": 4, "end": 7, "type": "OCC", "text": "رئيس"}'
    docs, problems = parse_jsonl(f'{{"id": "d1", "text": "{TEXT}", "entities": [{entity}]}}\n', file="x.jsonl")
    assert any("duplicate key" in p.message for p in problems + [q for d in docs for q in d.problems])


def test_predictions_jsonl_duplicate_keys_are_an_error(tmp_path: Path) -> None:
    from arabench.models.predictions import PredictionsFileModel

    entities = json.dumps([_entity("القاهرة", "GPE", "T1")], ensure_ascii=False)
    path = tmp_path / "preds.jsonl"
    path.write_text(f'{{"id": "d1", "text": "{TEXT}", "entities": {entities}, "entities": []}}\n', encoding="utf-8")
    with pytest.raises(AnnotationError, match="duplicate key"):
        PredictionsFileModel(path)


def _hf_rows(entities: list[dict[str, object]], relations: list[dict[str, object]]) -> object:
    datasets = pytest.importorskip("datasets")
    return datasets.Dataset.from_dict(
        {
            "id": ["d1"],
            "text": [TEXT],
            "entities": [entities],
            "relations": [relations],
            "metadata": ["{}"],
        }
    )


def test_hf_dataset_duplicate_entity_ids_are_an_error() -> None:
    from arabench.annotations.hf_datasets import from_dataset_dict

    occ = {k: v for k, v in _entity("رئيس الوزراء", "OCC", "T1").items() if k != "text"}
    gpe = {k: v for k, v in _entity("القاهرة", "GPE", "T1").items() if k != "text"}
    with pytest.raises(AnnotationError, match="duplicate entity id"):
        from_dataset_dict(_hf_rows([occ, gpe], []))


def test_hf_dataset_duplicate_relation_ids_are_an_error() -> None:
    from arabench.annotations.hf_datasets import from_dataset_dict

    occ = {k: v for k, v in _entity("رئيس الوزراء", "OCC", "T1").items() if k != "text"}
    gpe = {k: v for k, v in _entity("القاهرة", "GPE", "T2").items() if k != "text"}
    relations = [
        {"id": "R1", "type": "LOCATED_IN", "arg1": "T1", "arg2": "T2"},
        {"id": "R1", "type": "HAS_ROLE", "arg1": "T1", "arg2": "T2"},
    ]
    with pytest.raises(AnnotationError, match="duplicate relation id"):
        from_dataset_dict(_hf_rows([occ, gpe], relations))


def test_hf_dataset_duplicate_document_ids_are_an_error() -> None:
    datasets = pytest.importorskip("datasets")
    from arabench.annotations.hf_datasets import from_dataset_dict

    table = datasets.Dataset.from_dict(
        {"id": ["d1", "d1"], "text": [TEXT, TEXT], "entities": [[], []], "relations": [[], []], "metadata": ["", ""]}
    )
    with pytest.raises(AnnotationError, match="duplicate document id"):
        from_dataset_dict(table)


def test_brat_documents_in_subdirectories_are_not_skipped_silently(tmp_path: Path) -> None:
    """read_corpus reads the top level of a BRAT directory; documents in sub-directories must be named."""
    from arabench.annotations.corpus import read_corpus

    corpus = write_brat_corpus(tmp_path / "gold")
    more = corpus / "more"
    more.mkdir()
    (more / "doc3.txt").write_text(TEXT, encoding="utf-8")
    (more / "doc3.ann").write_text("", encoding="utf-8")
    with pytest.raises(AnnotationError, match="sub-directory") as info:
        read_corpus(corpus)
    assert "more" in str(info.value)


# ----------------------------------------------------------------------------- models


def test_rules_count_a_candidate_dropped_for_another_label_on_the_same_range() -> None:
    """Two rules proposing one range with two labels: the lower-priority one is dropped and counted."""
    from arabench.models.rules.adapter import RuleModel

    text = "يتحدث السكان اللغة الفرنسية في المدينة."
    prediction = RuleModel().predict([text])[0]
    (span,) = prediction.spans
    assert (text[span.start : span.end], span.label) == ("الفرنسية", "LANGUAGE")
    assert prediction.diagnostics.get("same_range_dropped") == 1  # the nisba rule's NORP


def test_llm_label_map_option_refuses_a_raw_label_given_twice() -> None:
    from arabench.models.llm.adapters import OpenAIChatModel

    with pytest.raises(ModelError, match="twice"):
        OpenAIChatModel.from_spec(
            "m", base_url="http://127.0.0.1:9/v1", cache=False, label_map="PERSON=PERS,PERSON=ORG"
        )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("map.yaml", "PER: PERS\nLOC: LOC\nPER: ORG\n"),
        ("map.json", '{"PER": "PERS", "LOC": "LOC", "PER": "ORG"}'),
        ("nested.yaml", "map:\n  PER: PERS\n  PER: ORG\ndrop: [MISC]\n"),
    ],
)
def test_label_map_file_with_a_raw_label_twice_is_an_error(tmp_path: Path, name: str, content: str) -> None:
    from arabench.models.labelmap import parse_label_map

    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LabelMapError, match="twice") as info:
        parse_label_map(path)
    assert "PER" in str(info.value)


def test_label_studio_duplicate_keys_are_an_error(tmp_path: Path) -> None:
    from arabench.annotations.labelstudio import read_labelstudio

    region = (
        '{"id": "a", "type": "labels", "from_name": "label", "to_name": "text", '
        '"value": {"start": 23, "end": 30, "labels": ["GPE"]}}'
    )
    task = f'[{{"id": 1, "data": {{"text": "{TEXT}"}}, "annotations": [{{"result": [{region}]}}], "annotations": []}}]'
    path = tmp_path / "ls.json"
    path.write_text(task, encoding="utf-8")
    with pytest.raises(AnnotationError, match="duplicate key"):
        read_labelstudio(path)


def test_model_card_with_a_key_twice_is_an_error(tmp_path: Path) -> None:
    from arabench.models.cards import load_card

    card = tmp_path / "card.yaml"
    card.write_text("name: x\nlabel_map:\n  PER: PERS\n  PER: ORG\n", encoding="utf-8")
    with pytest.raises(ModelError, match="twice") as info:
        load_card(card)
    assert ":4:" in str(info.value) and "PER" in str(info.value)


def test_convert_says_conll_middle_columns_are_not_kept(tmp_path: Path) -> None:
    """A CoNLL file's columns between token and tag (POS, chunks) are not in a JSONL document: say so."""
    from arabench.annotations.convert import convert

    src = tmp_path / "in.conll"
    src.write_text("قال\tVBD\tO\nسامي\tNNP\tB-PERS\nحسن\tNNP\tI-PERS\n.\tPUNC\tO\n", encoding="utf-8")
    report = convert(src, tmp_path / "out.jsonl")
    assert report.spans_written == 1
    assert any("4 tokens have columns" in note for note in report.notes), report.notes
    plain = tmp_path / "plain.conll"
    plain.write_text("قال\tO\nسامي\tB-PERS\n", encoding="utf-8")
    assert not any("columns" in note for note in convert(plain, tmp_path / "plain.jsonl").notes)


def test_hf_raw_input_counts_model_words_that_join_text_words(tmp_path: Path) -> None:
    """A white-space pre-tokenizer (XLM-R) keeps «القاهرة،» as one word: its span takes the comma, counted."""
    pytest.importorskip("transformers")
    from tiny_models import build_tiny_xlmr

    from arabench.models.hf import HFTokenClassificationModel

    directory = build_tiny_xlmr(tmp_path / "xlmr", force="B-LOC")
    text = "زار القاهرة، ثم عاد."
    raw = HFTokenClassificationModel.from_spec(str(directory), input="raw").predict([text])[0]
    assert "القاهرة،" in [text[s.start : s.end] for s in raw.spans]
    assert raw.diagnostics["joined_words"] == 2  # «القاهرة،» and «عاد.»
    words = HFTokenClassificationModel.from_spec(str(directory), input="words").predict([text])[0]
    assert "joined_words" not in words.diagnostics
    assert [text[s.start : s.end] for s in words.spans] == ["زار", "القاهرة", "،", "ثم", "عاد", "."]


def test_run_reports_tags_of_a_conll_gold_read_by_the_conlleval_rules(tmp_path: Path) -> None:
    """An ill-formed gold tag (I- after O) changes the gold spans the run scores against: say how many."""
    from arabench.benchmark.runner import run

    gold = tmp_path / "gold.conll"
    gold.write_text("قال\tO\nسامي\tI-PERS\nحسن\tI-PERS\nفي\tO\nالقاهرة\tB-LOC\n", encoding="utf-8")
    out = tmp_path / "out"
    results = run(models=["empty"], corpus=gold, cache=False, bootstrap=0, out=out)
    assert results.corpus["gold_repairs"] == 1
    assert "1 gold tag" in (out / "summary.md").read_text(encoding="utf-8")
    assert "1 ill-formed gold tag" in (out / "report.html").read_text(encoding="utf-8")
    clean = tmp_path / "clean.conll"
    clean.write_text("قال\tO\nسامي\tB-PERS\n", encoding="utf-8")
    assert run(models=["empty"], corpus=clean, cache=False, bootstrap=0).corpus["gold_repairs"] == 0


def test_conll_predictions_count_tags_read_with_the_conlleval_rules(tmp_path: Path) -> None:
    """A system's ill-formed BIO output (I- after O) is read as a new mention: counted as repaired_tags."""
    from arabench.models.predictions import PredictionsFileModel

    path = tmp_path / "system.conll"
    path.write_text("قال\tO\nسامي\tI-PERS\nحسن\tI-PERS\nفي\tO\nالقاهرة\tB-LOC\n", encoding="utf-8")
    text = "قال سامي حسن في القاهرة"
    prediction = PredictionsFileModel(path, view="anercorp").predict([text])[0]
    assert [text[s.start : s.end] for s in prediction.spans] == ["سامي حسن", "القاهرة"]
    assert prediction.diagnostics.get("repaired_tags") == 1


def test_llm_relation_argument_naming_two_entities_is_counted() -> None:
    """Two answer entities with one id: a relation naming it takes the first; that choice is counted."""
    from arabench.models.llm.alignment import align_entities, align_relations
    from arabench.models.llm.parsing import parse_answer

    text = "عين الرئيس سامي حسن وزيرا للخارجية في القاهرة."
    answer = json.dumps(
        {
            "entities": [
                {"id": "E1", "text": "سامي حسن", "type": "PERS"},
                {"id": "E1", "text": "القاهرة", "type": "GPE"},
                {"id": "E2", "text": "وزيرا للخارجية", "type": "OCC"},
            ],
            "relations": [{"type": "HAS_ROLE", "arg1": "E1", "arg2": "E2"}],
        },
        ensure_ascii=False,
    )
    parsed = parse_answer(answer)
    aligned = align_entities(text, parsed.entities)
    relations, counts = align_relations(parsed.relations, parsed.entities, aligned)
    assert [text[r.arg1.start : r.arg1.end] for r in relations] == ["سامي حسن"]
    assert counts["ambiguous_relation_args"] == 1


def test_run_refuses_options_for_a_model_that_is_not_run(tmp_path: Path) -> None:
    """A typo in a model_options key would run the model with its defaults: an error before anything runs."""
    from arabench.benchmark.runner import run

    corpus = write_brat_corpus(tmp_path / "gold")
    with pytest.raises(ModelError, match="model_options") as info:
        run(models=["empty"], corpus=corpus, cache=False, bootstrap=0, model_options={"emtpy": {"labels": ["PERS"]}})
    assert "emtpy" in str(info.value)


def test_hf_drop_of_a_label_the_model_does_not_emit_is_an_error(tmp_path: Path) -> None:
    """drop='MSIC' (a typo) used to drop nothing, so MISC was kept through the inferred map."""
    pytest.importorskip("transformers")
    from tiny_models import build_tiny_bert

    from arabench.models.hf import HFTokenClassificationModel

    directory = build_tiny_bert(tmp_path / "bert")
    with pytest.raises(LabelMapError, match="does not emit") as info:
        HFTokenClassificationModel.from_spec(str(directory), drop="MSIC")
    assert "MSIC" in str(info.value)
    model = HFTokenClassificationModel.from_spec(str(directory), drop="MISC")
    assert "MISC" in model.label_map.drop


def test_label_studio_keeps_a_non_mapping_meta_beside_other_metadata() -> None:
    from arabench.annotations.labelstudio import META_KEY, documents_to_labelstudio, parse_labelstudio
    from arabench.annotations.spans import Document, Span

    doc = Document("d1", "زار الوفد تونس", {"T1": Span(10, 14, "GPE")}, metadata={META_KEY: "batch 7", "source": "x"})
    tasks = documents_to_labelstudio([doc])
    back = parse_labelstudio(tasks)[0]
    assert back.metadata[META_KEY] == "batch 7" and back.metadata["source"] == "x"
    assert back.entities == doc.entities
