"""The model registry: lazy imports, names, prefixes, cards, suggestions, availability."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from arabench.annotations.errors import ModelError, ModelUnavailableError
from arabench.models import registry
from arabench.models.cards import known_cards
from arabench.models.registry import (
    ModelInfo,
    create_model,
    default_suite,
    get_info,
    hub_model_available,
    list_models,
    load_adapter,
    register_model,
    split_name,
)

HEAVY = ("torch", "transformers", "huggingface_hub", "tokenizers", "datasets", "httpx")


def test_importing_the_registry_and_listing_models_imports_nothing_heavy() -> None:
    code = (
        "import sys, json\n"
        "import arabench.models.registry as r\n"
        "infos = [i.as_dict() for i in r.list_models()]\n"
        "r.default_suite()\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # huggingface_hub is imported by the availability probe of hub cards; nothing else heavy is.
    loaded = set(json.loads(out.stdout)) - {"huggingface_hub"}
    assert loaded == set(), out.stdout


def test_importing_the_registry_alone_imports_no_hub_client() -> None:
    code = f"import sys, arabench.models.registry; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("rules", ("rules", None)),
        ("hf:CAMeL-Lab/x@abc", ("hf", "CAMeL-Lab/x@abc")),
        ("hf:/tmp/model", ("hf", "/tmp/model")),
        ("file:preds/out.jsonl", ("file", "preds/out.jsonl")),
        ("llm-hf:/models/tiny", ("llm-hf", "/models/tiny")),
        ("llm:gpt-4o", ("llm", "gpt-4o")),
        ("camel:msa", ("camel", "msa")),
        ("camelbert-msa-ner", ("camelbert-msa-ner", None)),
        ("nope:thing", ("nope:thing", None)),
    ],
)
def test_split_name(name: str, expected: tuple[str, str | None]) -> None:
    assert split_name(name) == expected


def test_list_models_has_names_prefixes_and_every_card() -> None:
    names = [i.name for i in list_models()]
    for expected in ("rules", "oracle", "empty", "hf:", "file:", "camel:", "llm:", "llm-hf:"):
        assert expected in names
    for card in known_cards():
        assert card in names
    assert len(names) == len(set(names))


def test_contract_targets() -> None:
    targets = {i.name: i.adapter for i in list_models()}
    assert targets["rules"] == "arabench.models.rules.adapter:RuleModel"
    assert targets["oracle"] == "arabench.models.simple:OracleModel"
    assert targets["empty"] == "arabench.models.simple:EmptyModel"
    assert targets["file:"] == "arabench.models.predictions:PredictionsFileModel"
    assert targets["hf:"] == "arabench.models.hf:HFTokenClassificationModel"
    assert targets["camel:"] == "arabench.models.camel:CamelToolsModel"
    assert targets["llm:"] == "arabench.models.llm.adapters:OpenAIChatModel"
    assert targets["llm-hf:"] == "arabench.models.llm.adapters:HFGenerationModel"
    assert targets["camelbert-msa-ner"] == "arabench.models.hf:HFTokenClassificationModel"


def test_default_suite_is_the_offline_baselines_plus_every_default_card() -> None:
    suite = default_suite()
    assert suite[:2] == ["rules", "crf"]
    assert set(suite[2:]) == {n for n, c in known_cards().items() if c.default}
    names = {i.name for i in list_models()}
    assert set(suite) <= names


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("rulez", "'rules'"),
        ("camelbert-msa", "'camelbert-msa-ner'"),
        ("camelbert_mix_ner", "'camelbert-mix-ner'"),
        ("marefa", "'marefa-ner'"),
        ("CAMeL-Lab/bert-base-arabic-camelbert-da-ner", "'camelbert-da-ner'"),
    ],
)
def test_unknown_name_suggests_and_lists(name: str, suggestion: str) -> None:
    with pytest.raises(ModelError) as err:
        create_model(name)
    message = str(err.value)
    assert "unknown model" in message
    assert repr(name) in message
    assert f"did you mean {suggestion}" in message
    for listed in ("rules", "hf:", "file:", "camelbert-msa-ner"):
        assert listed in message


def test_unknown_name_without_close_match_still_lists() -> None:
    with pytest.raises(ModelError) as err:
        get_info("zzzzzzzz")
    assert "did you mean" not in str(err.value)
    assert "use one of: rules, oracle, empty" in str(err.value)


def test_prefix_without_argument() -> None:
    with pytest.raises(ModelError, match=r"model prefix 'hf' needs an argument"):
        create_model("hf:")


@pytest.mark.parametrize("bad", ["", None, 3])
def test_bad_name_type(bad: object) -> None:
    with pytest.raises(ModelError, match="non-empty string"):
        create_model(bad)  # type: ignore[arg-type]


def test_plain_names_are_created_lazily() -> None:
    model = create_model("empty")
    assert model.name == "empty"
    assert model.predict(["نص قصير"])[0].spans == ()


def test_load_adapter_errors() -> None:
    with pytest.raises(ModelUnavailableError, match=r"cannot import the adapter module 'no_such_module_xyz'"):
        load_adapter("no_such_module_xyz:Thing")
    with pytest.raises(ModelError, match=r"has no adapter class 'Nope'"):
        load_adapter("arabench.models.registry:Nope")


def test_register_model_validates_and_is_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "NAMES", dict(registry.NAMES))
    monkeypatch.setattr(registry, "PREFIXES", dict(registry.PREFIXES))
    with pytest.raises(ModelError, match="module:Class"):
        register_model("x", "no-colon")
    with pytest.raises(ModelError, match="already registered"):
        register_model("rules", "arabench.models.rules:RuleModel")
    register_model("nothing", "arabench.models.simple:EmptyModel", view="native", description="test entry")
    assert "nothing" in [i.name for i in list_models()]
    assert create_model("nothing").predict(["كلمة"])[0].spans == ()


def test_missing_extra_makes_a_model_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "EXTRA_PACKAGES", {**registry.EXTRA_PACKAGES, "camel": ("no_such_pkg_xyz",)})
    ok, why = get_info("camel:").available()
    assert not ok
    assert "no_such_module" not in why
    # Either the adapter module or the extra package is reported, each with what to do.
    assert "not installed" in why or "pip install 'arabench[camel]'" in why
    info = ModelInfo("t", "arabench.models.simple:EmptyModel", "name", "native", extra="camel")
    assert info.available() == (False, "package no_such_pkg_xyz is missing: pip install 'arabench[camel]'")


def test_uncached_card_is_unavailable_with_the_remedy() -> None:
    card = known_cards()["camelbert-msa-ner"]
    ok, why = get_info("camelbert-msa-ner").available()
    assert not ok
    assert f"hf download {card.hub_id} --revision {card.revision}" in why
    assert "HF_HUB_OFFLINE" in why


def _fake_cache(root: Path, hub_id: str, commit: str) -> Path:
    repo = root / f"models--{hub_id.replace('/', '--')}"
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}", encoding="utf-8")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit, encoding="utf-8")
    return snapshot


def test_cached_hub_model_is_available(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants

    card = known_cards()["marefa-ner"]
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    _fake_cache(tmp_path, card.hub_id, card.revision)
    ok, why = get_info("marefa-ner").available()
    assert ok, why
    assert card.revision[:12] in why
    # another revision than the cached one is not available
    ok, why = hub_model_available(card.hub_id, "0" * 40)
    assert not ok
    assert "--revision " + "0" * 40 in why


def test_hf_prefixed_names_probe_their_argument(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")
    assert get_info(f"hf:{tmp_path}").available() == (True, f"local directory {tmp_path}")
    missing = tmp_path / "missing"
    assert get_info(f"hf:{missing}").available() == (False, f"no such local directory: {missing}")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert get_info(f"hf:{empty}").available() == (False, f"local directory {empty} has no config.json")


def test_availability_check_is_fast_and_offline() -> None:
    start = time.perf_counter()
    for info in list_models():
        info.available()
    assert time.perf_counter() - start < 5


def test_model_info_as_dict_is_json() -> None:
    data = [i.as_dict() for i in list_models()]
    json.dumps(data)
    card = next(d for d in data if d["name"] == "camelbert-msa-ner")
    assert card["hub_id"] == "CAMeL-Lab/bert-base-arabic-camelbert-msa-ner"
    assert card["view"] == "anercorp"
    assert card["available"] is False


# ------------------------------------------------------------------ arabench models


def test_cli_models_table(capsys: pytest.CaptureFixture[str]) -> None:
    from arabench.benchmark.cli import main

    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["name", "adapter", "view", "needs", "runs", "here", "now"]
    assert "camelbert-msa-ner" in out
    assert "why not, and what to do:" in out
    assert "hf download CAMeL-Lab/bert-base-arabic-camelbert-msa-ner --revision" in out
    ready = sum(1 for i in list_models() if i.available()[0])
    assert f"{ready} of {len(list_models())} can run here now" in out


def test_cli_models_json_and_available_filter(capsys: pytest.CaptureFixture[str]) -> None:
    from arabench.benchmark.cli import main

    assert main(["models", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["name"] for d in data] == [i.name for i in list_models()]
    assert main(["models", "--json", "--available"]) == 0
    ready = json.loads(capsys.readouterr().out)
    assert ready and all(d["available"] for d in ready)
    assert "camelbert-msa-ner" not in {d["name"] for d in ready}


def test_cli_models_one_card(capsys: pytest.CaptureFixture[str]) -> None:
    from arabench.benchmark.cli import main

    assert main(["models", "marefa-ner", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["card"]["label_map"]["map"]["job"] == "OCC"
    assert data["card"]["revision"] == known_cards()["marefa-ner"].revision
    assert main(["models", "hatmimoha-arabic-ner"]) == 0
    out = capsys.readouterr().out
    assert "drop" in out and "PRICE" in out


def test_cli_models_unknown_name(capsys: pytest.CaptureFixture[str]) -> None:
    from arabench.benchmark.cli import main

    assert main(["models", "marefa"]) == 2
    assert "did you mean 'marefa-ner'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("status", "available", "reason"),
    [
        ("ok", True, "it will be downloaded from the hub"),
        ("missing", False, "no such model"),
        ("denied", False, "the hub refuses access"),
        ("unreachable", False, "the hub is unreachable"),
    ],
)
def test_uncached_hub_model_is_available_when_the_hub_has_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path, status: str, available: bool, reason: str
) -> None:
    import arabench.models.hub as hub_module
    import arabench.models.registry as registry

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setattr(hub_module, "_UNREACHABLE_HUBS", {})
    calls: list[str] = []

    def fake_probe(hub_id: str, revision: str | None = None, *, timeout: float = 2.0) -> tuple[str, str]:
        calls.append(hub_id)
        return status, "HTTP test"

    monkeypatch.setattr(hub_module, "probe_hub", fake_probe)
    ok, why = registry.hub_model_available("someone/model-a")
    assert (ok, reason in why) == (available, True), why
    registry.hub_model_available("someone/model-b")
    # an unreachable hub is probed once per process, not once per model
    assert len(calls) == (1 if status == "unreachable" else 2)
