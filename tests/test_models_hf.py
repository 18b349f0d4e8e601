"""The Hugging Face token-classification adapter, on tiny local models (no downloads)."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from tiny_models import ANERCORP_LABELS, build_tiny_bert, build_tiny_xlmr, long_text

from arabench.annotations.errors import LabelMapError, ModelError, ModelUnavailableError
from arabench.annotations.spans import Span
from arabench.annotations.tags import decode
from arabench.annotations.tokenize import WordIndex, word_offsets
from arabench.models.base import NERModel
from arabench.models.cards import load_card
from arabench.models.hf import HFTokenClassificationModel, spans_from_words
from arabench.models.hub import probe_hub
from arabench.models.labelmap import LabelMap
from arabench.models.registry import create_model

TEXTS = [
    "وصل أحمد إلى مطار القاهرة الدولي، ثم ذهب إلى الفندق.",
    "قرأت سارة كتاباً عن تاريخ الأندلس في مكتبة جامعة دمشق!",
    "",
    "   ",
    "كتب نجيب محفوظ روايات كثيرة (عن حياة المصريين) في عام 1988.\nوالتقى الوزير بنظيره في عمّان؟",
    "Hello world 123",
    "ذهبَ الطالبُ إلى المدرسةِ",  # with harakat
]
CONLL_LABELS = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC")


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tiny_models")
    return {
        "bert": build_tiny_bert(root / "bert"),
        "bert_b": build_tiny_bert(root / "bert_b", force="B-PERS"),
        "bert_i": build_tiny_bert(root / "bert_i", force="I-LOC"),
        "bert_misc": build_tiny_bert(root / "bert_misc", force="B-MISC"),
        "bert_conll": build_tiny_bert(root / "bert_conll", labels=CONLL_LABELS, force="B-PER"),
        "bert_disease": build_tiny_bert(root / "bert_disease", labels=(*CONLL_LABELS, "B-DISEASE", "I-DISEASE")),
        "xlmr": build_tiny_xlmr(root / "xlmr"),
        "xlmr_b": build_tiny_xlmr(root / "xlmr_b", force="B-ORG"),
    }


def _load(path: Path, **options: object) -> HFTokenClassificationModel:
    return create_model(f"hf:{path}", **options)  # type: ignore[return-value]


def _check_spans(text: str, prediction_spans: tuple[Span, ...], labels: frozenset[str]) -> None:
    index = WordIndex.of(text)
    starts, ends = set(index.starts), set(index.ends)
    for span in prediction_spans:
        assert span.start in starts and span.end in ends, (span, text[span.start : span.end])
        assert span.label in labels
        assert text[span.start : span.end] == text[span.start : span.end].strip()


@pytest.mark.parametrize("model", ["bert", "xlmr"])
@pytest.mark.parametrize("input_", ["raw", "words"])
@pytest.mark.parametrize("aggregation", ["first", "average", "max"])
def test_random_models_give_spans_on_word_boundaries(
    tiny: dict[str, Path], model: str, input_: str, aggregation: str
) -> None:
    m = _load(tiny[model], input=input_, aggregation=aggregation)
    assert isinstance(m, NERModel)
    predictions = m.predict(TEXTS)
    assert len(predictions) == len(TEXTS)
    for text, prediction in zip(TEXTS, predictions, strict=True):
        _check_spans(text, prediction.spans, m.labels)
        if input_ == "words":
            for a, b in zip(prediction.spans, prediction.spans[1:], strict=False):
                assert a.end <= b.start
        if not text.strip():
            assert prediction.spans == ()
            assert prediction.diagnostics.get("windows", 0) == 0
        else:
            assert prediction.diagnostics["windows"] >= 1
    # deterministic: a second call gives the same predictions
    assert m.predict(TEXTS) == predictions


@pytest.mark.parametrize("model", ["bert_b", "xlmr_b"])
@pytest.mark.parametrize("input_", ["raw", "words"])
def test_long_text_is_covered_to_its_last_word(tiny: dict[str, Path], model: str, input_: str) -> None:
    """Every token is B-<X>, so every word must come back as its own span, the last one included."""
    text = long_text(120)
    m = _load(tiny[model], input=input_)
    tokens = len(m.tokenizer(text)["input_ids"])
    assert tokens > 10 * m.max_length  # far over the window and the tiny model's positions
    assert tokens > m.model.config.max_position_embeddings
    prediction = m.predict([text])[0]
    words = word_offsets(text)
    if input_ == "words":
        assert [s.range for s in prediction.spans] == words
    else:
        # raw input: a model word may hold several text words (XLM-R keeps "الباكر." together), so
        # every text word lies in exactly one span, and spans start and end on word boundaries
        _check_spans(text, prediction.spans, m.labels)
        for start, end in words:
            assert sum(1 for s in prediction.spans if s.start <= start and end <= s.end) == 1
    assert prediction.spans[-1].end == len(text)
    assert prediction.diagnostics["windows"] >= tokens // m.max_length
    assert "truncated_words" not in prediction.diagnostics


@pytest.mark.parametrize("input_", ["raw", "words"])
def test_a_sentence_longer_than_a_window_is_chunked_and_merged(tiny: dict[str, Path], input_: str) -> None:
    text = " ".join(["ذهب الطالب إلى المدرسة في الصباح الباكر"] * 40)  # one sentence, no punctuation
    m = _load(tiny["bert_i"], input=input_)
    prediction = m.predict([text])[0]
    assert prediction.diagnostics["windows"] > 1
    # I-LOC everywhere: one entity over the whole text, started by one repaired tag
    assert prediction.spans == (Span(0, len(text), "LOC"),)
    assert prediction.diagnostics["repaired_tags"] == 1


def test_chunk_overlap_merges_deterministically(tiny: dict[str, Path]) -> None:
    text = " ".join(["ذهب الطالب إلى المدرسة في الصباح الباكر"] * 30)
    small = _load(tiny["bert"], stride=4).predict([text])[0]
    large = _load(tiny["bert"], stride=20).predict([text])[0]
    for prediction in (small, large):
        _check_spans(text, prediction.spans, frozenset({"PERS", "LOC", "ORG", "MISC"}))
        assert prediction.diagnostics["windows"] > 1
    assert _load(tiny["bert"], stride=4).predict([text])[0] == small


def test_window_size_option(tiny: dict[str, Path]) -> None:
    text = long_text(10)
    default = _load(tiny["bert_b"]).predict([text])[0]
    narrow = _load(tiny["bert_b"], max_length=16).predict([text])[0]
    assert narrow.diagnostics["windows"] > default.diagnostics["windows"]
    assert narrow.spans == default.spans  # every word is still a span
    with pytest.raises(ModelError, match="max_length must be a positive integer within the model's limit"):
        _load(tiny["bert"], max_length=10_000)


def test_a_word_longer_than_a_window_is_cut_and_counted(tiny: dict[str, Path]) -> None:
    text = "قال " + "بتثجحخدذرز" * 40 + " انتهى"
    m = _load(tiny["xlmr_b"], input="words")
    prediction = m.predict([text])[0]
    assert prediction.diagnostics["truncated_words"] == 1
    assert [s.range for s in prediction.spans] == word_offsets(text)


def test_label_map_option_string_and_view(tiny: dict[str, Path]) -> None:
    m = _load(tiny["bert_b"], label_map="PERS=PER,LOC=LOC,ORG=ORG,MISC=MISC", view="conll4")
    assert m.view == "conll4"
    assert m.labels == {"PER", "LOC", "ORG", "MISC"}
    prediction = m.predict(["قرأت سارة كتاباً"])[0]
    assert {s.label for s in prediction.spans} == {"PER"}
    assert m.provenance()["label_map"] == {
        "map": {"LOC": "LOC", "MISC": "MISC", "ORG": "ORG", "PERS": "PER"},
        "drop": [],
        "source": "option",
    }


def test_label_map_file_and_view_chosen_from_targets(tiny: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text("map: {PERS: PERS, LOC: LOC, ORG: ORG}\ndrop: [MISC]\n", encoding="utf-8")
    m = _load(tiny["bert_misc"], label_map=str(path))
    assert m.view == "native"  # the first schema view holding PERS, LOC and ORG
    prediction = m.predict(["ذهب الطالب إلى المدرسة"])[0]
    assert prediction.spans == ()
    assert prediction.diagnostics["dropped_label:MISC"] == 4


def test_dropped_labels_are_counted(tiny: dict[str, Path]) -> None:
    m = _load(tiny["bert_misc"], drop="MISC")
    assert m.view == "anercorp"
    assert "MISC" not in m.labels
    prediction = m.predict(["ذهب الطالب إلى المدرسة.", "كلمة"])
    assert prediction[0].spans == ()
    assert prediction[0].diagnostics["dropped_label:MISC"] == 5
    assert prediction[1].diagnostics["dropped_label:MISC"] == 1


def test_inferred_label_map_is_reported(tiny: dict[str, Path]) -> None:
    m = _load(tiny["bert_conll"])
    assert m.view == "conll4"
    provenance = m.provenance()
    assert provenance["label_map"]["source"] == "inferred from config.id2label into view 'conll4'"
    assert provenance["label_map"]["map"] == {"LOC": "LOC", "MISC": "MISC", "ORG": "ORG", "PER": "PER"}
    m2 = _load(tiny["bert_conll"], view="anercorp", drop="MISC")
    assert m2.label_map.mapping == {"PER": "PERS", "ORG": "ORG", "LOC": "LOC"}
    assert {s.label for s in m2.predict(["قرأت سارة"])[0].spans} == {"PERS"}


def test_unmapped_labels_raise_unless_dropped(tiny: dict[str, Path]) -> None:
    with pytest.raises(LabelMapError) as err:
        _load(tiny["bert_disease"])
    message = str(err.value)
    assert "DISEASE" in message
    assert "drop=" in message and "label_map=" in message
    with pytest.raises(LabelMapError, match=r"cannot infer a label .* in view 'conll4' .*\(got 'DISEASE'\)"):
        _load(tiny["bert_disease"], view="conll4")
    m = _load(tiny["bert_disease"], drop=["DISEASE"])
    assert m.view == "conll4"
    assert m.label_map.drop == {"DISEASE"}


def test_label_map_targets_must_be_view_labels(tiny: dict[str, Path]) -> None:
    with pytest.raises(LabelMapError, match="targets labels that view 'conll4' does not have"):
        _load(tiny["bert"], label_map="PERS=PERS,LOC=LOC,ORG=ORG,MISC=MISC", view="conll4")
    with pytest.raises(ModelError, match="no schema view has every label of the label map"):
        _load(tiny["bert"], label_map="PERS=PERSON,LOC=LOC,ORG=ORG,MISC=MISC")


def _card(tmp_path: Path, labels: tuple[str, ...], **extra: object) -> Path:
    import yaml

    data = {
        "name": "tinycard",
        "hub_id": "org/tinycard",
        "revision": None,
        "revision_note": "test",
        "description": "test card",
        "labels": list(labels),
        "labels_checked": "test",
        "view": "conll4",
        "label_map": {"PERS": "PER", "LOC": "LOC", "ORG": "ORG", "MISC": "MISC"},
        "input": "words",
        "training_data": "none",
        "license": "none",
        "citation": "none",
        **extra,
    }
    path = tmp_path / "tinycard.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_card_is_applied(tiny: dict[str, Path], tmp_path: Path) -> None:
    card = load_card(_card(tmp_path, ANERCORP_LABELS))
    m = HFTokenClassificationModel.from_spec(str(tiny["bert_b"]), card=card, name="tinycard")
    assert m.name == "tinycard"
    assert (m.view, m.input) == ("conll4", "words")
    assert m.provenance()["card"] == "tinycard"
    assert {s.label for s in m.predict(["قرأت سارة"])[0].spans} == {"PER"}


def test_card_with_other_labels_than_the_model_is_refused(tiny: dict[str, Path], tmp_path: Path) -> None:
    card = load_card(_card(tmp_path, ("O", "B-PERS", "I-PERS"), label_map={"PERS": "PER"}))
    with pytest.raises(ModelError, match=r"lists other labels than the model's config\.id2label"):
        HFTokenClassificationModel.from_spec(str(tiny["bert"]), card=card)


def test_provenance_is_json_and_identifies_a_local_model(tiny: dict[str, Path], tmp_path: Path) -> None:
    m = _load(tiny["bert"])
    provenance = m.provenance()
    json.dumps(provenance)
    assert provenance["adapter"] == "hf"
    assert provenance["id"] == f"hf:{tiny['bert']}"
    assert provenance["revision"] is None
    assert provenance["local_fingerprint"].startswith("quick:")
    assert provenance["id2label"] == list(ANERCORP_LABELS)
    copy = tmp_path / "copy"
    shutil.copytree(tiny["bert"], copy)
    assert _load(copy).provenance()["local_fingerprint"] == provenance["local_fingerprint"]
    other = _load(tiny["bert_b"]).provenance()["local_fingerprint"]
    assert other != provenance["local_fingerprint"]
    assert _load(tiny["bert"], aggregation="max").provenance()["aggregation"] == "max"


def test_hub_model_from_the_cache_reports_its_commit(
    tiny: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub.constants

    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "models--tinyorg--tinybert"
    shutil.copytree(tiny["bert_b"], repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit, encoding="utf-8")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    for name in ("hf:tinyorg/tinybert", f"hf:tinyorg/tinybert@{commit}"):
        m = create_model(name)
        provenance = m.provenance()
        assert provenance["revision"] == commit
        assert provenance["hub_id"] == "tinyorg/tinybert"
        assert provenance["local_fingerprint"] is None
        assert m.predict(["قرأت سارة"])[0].spans == (Span(0, 4, "PERS"), Span(5, 9, "PERS"))
    with pytest.raises(ModelUnavailableError, match="--revision " + "f" * 40):
        create_model("hf:tinyorg/tinybert@" + "f" * 40)


def test_missing_model_fails_fast_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    start = time.perf_counter()
    with pytest.raises(ModelUnavailableError) as err:
        create_model("hf:nobody-xyz/no-such-model")
    assert time.perf_counter() - start < 5
    message = str(err.value)
    assert "'nobody-xyz/no-such-model' is not available here" in message
    assert "HF_HUB_OFFLINE=1" in message
    assert "hf download nobody-xyz/no-such-model" in message
    assert "hf:/path/to/model" in message


def test_missing_model_fails_fast_when_the_hub_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "0")
    monkeypatch.setenv("HF_ENDPOINT", "http://hub.invalid")  # RFC 2606: never resolves
    start = time.perf_counter()
    with pytest.raises(ModelUnavailableError, match=r"the hub is unreachable \(URLError"):
        create_model("hf:nobody-xyz/no-such-model")
    assert time.perf_counter() - start < 5


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A local endpoint that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        server.close()


def test_hub_probe_gives_up_after_its_timeout(monkeypatch: pytest.MonkeyPatch, silent_server: str) -> None:
    monkeypatch.setenv("HF_ENDPOINT", silent_server)
    start = time.perf_counter()
    status, detail = probe_hub("org/model", timeout=0.5)
    assert time.perf_counter() - start < 2
    assert status == "unreachable"
    assert "within 0.5 s" in detail


def test_a_stalled_hub_fails_a_load_within_seconds(monkeypatch: pytest.MonkeyPatch, silent_server: str) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "0")
    monkeypatch.setenv("HF_ENDPOINT", silent_server)
    start = time.perf_counter()
    with pytest.raises(ModelUnavailableError, match="no answer from"):
        create_model("hf:nobody-xyz/no-such-model")
    assert time.perf_counter() - start < 5


class _Hub(http.server.BaseHTTPRequestHandler):
    codes: ClassVar[dict[str, int]] = {"/api/models/org/gone": 404, "/api/models/org/gated": 401}

    def do_GET(self) -> None:
        self.send_response(self.codes.get(self.path, 200))
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize(("hub_id", "status"), [("org/gone", "missing"), ("org/gated", "denied"), ("org/there", "ok")])
def test_hub_probe_statuses(monkeypatch: pytest.MonkeyPatch, hub_id: str, status: str) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.server_port}")
        assert probe_hub(hub_id)[0] == status
        if status == "missing":
            monkeypatch.setenv("HF_HUB_OFFLINE", "0")
            monkeypatch.setenv("TRANSFORMERS_OFFLINE", "0")
            with pytest.raises(ModelUnavailableError, match=r"no such model on the hub \(HTTP 404"):
                create_model(f"hf:{hub_id}")
    finally:
        server.shutdown()
        server.server_close()


def test_card_names_fail_fast_when_not_cached() -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    start = time.perf_counter()
    with pytest.raises(ModelUnavailableError, match="--revision 1fa7163f240e3a0b35cb1154bc5126062cc6a90b"):
        create_model("camelbert-msa-ner")
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize(
    ("path", "message"),
    [("no/such/dir", "no such local directory"), ("./missing-model", "no such local directory")],
)
def test_missing_local_paths(path: str, message: str) -> None:
    with pytest.raises(ModelUnavailableError, match=message):
        create_model(f"hf:{path}")


def test_directory_without_config(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match=r"local model directory has no config\.json"):
        create_model(f"hf:{tmp_path}")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"colour": "red"}, r"field 'option': unknown option for model 'hf:.*' \(got 'colour'\); fix: use one of"),
        ({"aggregation": "mean"}, r"option 'aggregation' of model .* must be one of first, average, max"),
        ({"input": "chars"}, r"option 'input' of model .* must be one of raw, words"),
        ({"batch_size": 0}, r"option 'batch_size' of model .* must be an integer >= 1 and <= 4096 \(got 0\)"),
        ({"stride": 1000}, r"stride must be an integer in \[0, window size\)"),
        ({"device": "cuda:7"}, r"CUDA is not available here"),
        ({"card": "no-such-card"}, r"unknown model card"),
    ],
)
def test_bad_options(tiny: dict[str, Path], options: dict[str, object], message: str) -> None:
    import torch

    if options.get("device") and torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    with pytest.raises(ModelError, match=message):
        _load(tiny["bert"], **options)


def test_predict_rejects_a_bare_string(tiny: dict[str, Path]) -> None:
    with pytest.raises(ModelError, match="not one string"):
        _load(tiny["bert"]).predict("نص")  # type: ignore[arg-type]


# ------------------------------------------------------------------ pure functions: decoding and snapping


@pytest.mark.parametrize(
    ("tags", "entities", "repaired"),
    [
        (["O", "O"], [], 0),
        (["B-PER", "I-PER", "O"], [(0, 1, "PER")], 0),
        (["I-PER", "I-PER"], [(0, 1, "PER")], 1),
        (["B-PER", "I-LOC"], [(0, 0, "PER"), (1, 1, "LOC")], 1),
        (["B-PER", "B-PER"], [(0, 0, "PER"), (1, 1, "PER")], 0),
        (["O", "I-ORG", "O", "I-ORG"], [(1, 1, "ORG"), (3, 3, "ORG")], 2),
        (["S-PER", "B-LOC", "E-LOC", "U-ORG"], [(0, 0, "PER"), (1, 2, "LOC"), (3, 3, "ORG")], 0),
        (["E-LOC"], [(0, 0, "LOC")], 1),
        (["PER", "PER", "O", "LOC"], [(0, 1, "PER"), (3, 3, "LOC")], 0),
        (["B_PER", "I_PER"], [(0, 1, "PER")], 0),
    ],
)
def test_decode_tags(tags: list[str], entities: list[tuple[int, int, str]], repaired: int) -> None:
    decoded = decode(tags, scheme="ANY", policy="adapter")
    # the table gives inclusive last words; the codec's token ranges are half-open
    assert ([(first, stop - 1, kind) for first, stop, kind in decoded.entities], decoded.repairs) == (
        entities,
        repaired,
    )


LABELS = LabelMap({"PERS": "PERS", "LOC": "LOC"}, frozenset({"MISC"}), "test")
TEXT = "قال أحمد كلاما في القاهرة"  # words at 0-3, 4-8, 9-14, 15-17, 18-25


@pytest.mark.parametrize(
    ("words", "spans", "diagnostics"),
    [
        # model words equal to text words
        ([(0, 3, "O"), (4, 8, "B-PERS"), (9, 14, "O")], [Span(4, 8, "PERS")], {}),
        # XLM-R's lone "▁" whose offset points at the next word's first letter: snapped to the word
        ([(0, 3, "O"), (4, 5, "B-PERS"), (5, 8, "O")], [Span(4, 8, "PERS")], {"snapped_spans": 1}),
        # a lone "▁" covering only the space: no word, removed and counted
        ([(0, 3, "O"), (3, 4, "B-PERS"), (4, 8, "O")], [], {"empty_spans": 1}),
        # offsets that include the leading space are trimmed without counting a snap
        ([(0, 3, "O"), (3, 8, "B-PERS")], [Span(4, 8, "PERS")], {}),
        # a span ending inside a word is widened to the word
        ([(15, 17, "O"), (18, 22, "B-LOC"), (22, 25, "O")], [Span(18, 25, "LOC")], {"snapped_spans": 1}),
        # dropped and repaired
        ([(0, 3, "B-MISC"), (4, 8, "I-PERS")], [Span(4, 8, "PERS")], {"dropped_label:MISC": 1, "repaired_tags": 1}),
        # two model words snapping to one span
        ([(4, 6, "B-PERS"), (6, 8, "B-PERS")], [Span(4, 8, "PERS")], {"snapped_spans": 2, "duplicate_spans": 1}),
    ],
)
def test_spans_from_words(words: list[tuple[int, int, str]], spans: list[Span], diagnostics: dict[str, int]) -> None:
    got, counts = spans_from_words(TEXT, words, LABELS)
    assert got == spans
    assert dict(counts) == diagnostics


def test_spans_from_words_raises_for_an_unmapped_label() -> None:
    with pytest.raises(LabelMapError, match=r"tiny emits labels with no mapping \(test\) \(got 'ORG'\)"):
        spans_from_words(TEXT, [(0, 3, "B-ORG")], LABELS, model="tiny")


def test_xlmr_tokenizer_really_emits_lone_metaspace_tokens(tiny: dict[str, Path]) -> None:
    """The tiny XLM-R tokenizer reproduces the lone ``▁`` tokens the snapping exists for."""
    m = _load(tiny["xlmr_b"])
    text = TEXTS[0]
    enc = m.tokenizer(text, return_offsets_mapping=True)
    tokens = m.tokenizer.convert_ids_to_tokens(enc["input_ids"])
    lone = [o for t, o in zip(tokens, enc["offset_mapping"], strict=True) if t == "▁"]
    assert lone
    assert all(text[s:e].isspace() for s, e in lone)
    prediction = m.predict([text])[0]
    _check_spans(text, prediction.spans, m.labels)
    assert not any(text[s.start].isspace() for s in prediction.spans)
    for start, end in word_offsets(text):  # every word in exactly one span, the last one included
        assert sum(1 for s in prediction.spans if s.start <= start and end <= s.end) == 1


def test_a_slow_tokenizer_is_refused_with_the_fix(tiny: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import transformers

    real = transformers.AutoTokenizer.from_pretrained

    class Slow:
        is_fast = False

        def __init__(self, inner: object) -> None:
            self.inner = inner

    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", lambda *a, **k: Slow(real(*a, **k)))
    with pytest.raises(
        ModelError, match=r"not a fast tokenizer; character offsets need one.*fix: save a tokenizer\.json"
    ):
        _load(tiny["bert"])


# ------------------------------------------------------------------ label map parsing


@pytest.mark.parametrize(
    ("spec", "mapping", "drop"),
    [
        ("PER=PERS, LOC=LOC ,MISC=", {"PER": "PERS", "LOC": "LOC"}, {"MISC"}),
        ({"PER": "PERS", "MISC": None}, {"PER": "PERS"}, {"MISC"}),
        ({"map": {"PER": "PERS"}, "drop": ["MISC", "DATE"]}, {"PER": "PERS"}, {"MISC", "DATE"}),
    ],
)
def test_parse_label_map_forms(spec: object, mapping: dict[str, str], drop: set[str]) -> None:
    from arabench.models.labelmap import parse_label_map

    parsed = parse_label_map(spec)  # type: ignore[arg-type]
    assert dict(parsed.mapping) == mapping
    assert parsed.drop == drop


def test_parse_label_map_json_file(tmp_path: Path) -> None:
    from arabench.models.labelmap import parse_label_map

    path = tmp_path / "map.json"
    path.write_text(json.dumps({"map": {"PER": "PERS"}, "drop": ["MISC"]}), encoding="utf-8")
    parsed = parse_label_map(str(path))
    assert (dict(parsed.mapping), parsed.drop, parsed.source) == ({"PER": "PERS"}, {"MISC"}, f"file:{path}")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(LabelMapError, match=r"broken\.json: field 'label_map': cannot read label map"):
        parse_label_map(broken)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("PER", r"malformed label map entry \(got 'PER'\)"),
        ("=PERS", r"malformed label map entry"),
        ("PER=PERS,PER=PER", r"raw label given twice \(got 'PER'\)"),
        ({"PER": 3}, r"field 'label_map.PER': a label map value must be a label string or null"),
        ({"map": {"PER": "PERS"}, "extra": 1}, r"unknown keys in label map"),
        ({"map": {"PER": "PERS"}, "drop": ["PER"]}, r"both mapped and dropped"),
    ],
)
def test_parse_label_map_errors(spec: object, message: str) -> None:
    from arabench.models.labelmap import parse_label_map

    with pytest.raises(LabelMapError, match=message):
        parse_label_map(spec)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "view", "expected"),
    [
        (["PER", "ORG", "LOC", "MISC"], "conll4", {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "MISC": "MISC"}),
        (
            ["PERSON", "ORGANIZATION", "LOCATION"],
            "anercorp",
            {"PERSON": "PERS", "ORGANIZATION": "ORG", "LOCATION": "LOC"},
        ),
        (
            ["PERSON", "GPE", "FACILITY", "NATIONALITY"],
            "native",
            {"PERSON": "PERS", "GPE": "GPE", "FACILITY": "FAC", "NATIONALITY": "NORP"},
        ),
        (["GPE", "FAC"], "conll4", {"GPE": "LOC", "FAC": "LOC"}),
    ],
)
def test_infer_label_map(raw: list[str], view: str, expected: dict[str, str]) -> None:
    from arabench.annotations.schema import default_schema
    from arabench.models.labelmap import infer_label_map

    inferred = infer_label_map(raw, default_schema().views[view])
    assert dict(inferred.mapping) == expected
    assert inferred.inferred


def test_infer_label_map_names_every_unmapped_label() -> None:
    from arabench.annotations.schema import default_schema
    from arabench.models.labelmap import infer_label_map

    with pytest.raises(LabelMapError, match=r"\(got \['DISEASE', 'PRICE'\]\)"):
        infer_label_map(["PER", "DISEASE", "PRICE"], default_schema().views["conll4"], model="m")
    assert infer_label_map(["PER", "DISEASE"], default_schema().views["conll4"], drop=["DISEASE"]).drop == {"DISEASE"}
