"""``camel:`` alone is the catalogue's default model, and ``arabench models`` probes camel-tools truthfully."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from arabench.annotations.errors import ModelUnavailableError
from arabench.models import camel, registry


@pytest.fixture(autouse=True)
def _fresh_probe():
    camel.camel_available.cache_clear()
    yield
    camel.camel_available.cache_clear()


#: The part of CAMeL Tools' catalogue.json the probe reads (the shape of camel_tools.data.catalogue's input).
CATALOGUE = {
    "version": "1.6",
    "packages": {},
    "components": {"NamedEntityRecognition": {"default": "arabert", "datasets": {"arabert": {"path": "ner/arabert"}}}},
}


@pytest.mark.parametrize(
    ("catalogue", "files", "model", "ok", "reason"),
    [
        (None, (), None, False, r"no .*catalogue.json: run `camel_data -i ner`"),
        ("{not json", (), None, False, r"cannot read .*catalogue.json \(JSONDecodeError"),
        (CATALOGUE, (), None, False, r"NER model 'arabert' is not installed \(no .*ner/arabert/config.json\)"),
        (CATALOGUE, ("data/ner/arabert/config.json",), None, True, "installed in"),
        (CATALOGUE, ("data/ner/arabert/config.json",), "arabert", True, "installed in"),
        (CATALOGUE, ("data/ner/arabert/config.json",), "other", False, "no CAMeL Tools NER model 'other' .*arabert"),
        (CATALOGUE, ("model/config.json",), "{root}/model", True, "local model"),
        (CATALOGUE, ("model/weights.bin",), "{root}/model", False, r"no .*model/config.json"),
    ],
)
def test_probe_reads_the_data_directory(tmp_path, monkeypatch, catalogue, files, model, ok, reason):
    if catalogue is not None:
        text = catalogue if isinstance(catalogue, str) else json.dumps(catalogue)
        (tmp_path / "catalogue.json").write_text(text)
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    monkeypatch.setenv("CAMELTOOLS_DATA", str(tmp_path))
    got_ok, why = camel.camel_available(model.format(root=tmp_path) if model else model)
    assert got_ok is ok
    assert re.search(reason, why), why


def test_models_lists_camel_as_not_runnable_with_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("CAMELTOOLS_DATA", str(tmp_path))
    info = registry.get_info("camel:").as_dict()
    assert info["available"] is False
    assert "camel_data -i ner" in info["reason"]
    assert registry.get_info("camel:arabert").available()[0] is False


def test_bare_camel_means_the_default_model(tmp_path, monkeypatch):
    seen = {}

    class Fake:
        @classmethod
        def from_spec(cls, arg, **options):
            seen["arg"] = arg
            return cls()

    monkeypatch.setattr(registry, "load_adapter", lambda target: Fake)
    registry.create_model("camel:")
    assert seen["arg"] is None
    registry.create_model("camel:arabert")
    assert seen["arg"] == "arabert"


def test_bare_camel_reaches_the_adapter_not_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CAMELTOOLS_DATA", str(tmp_path))
    code = (
        "from arabench.models.registry import create_model\n"
        "try:\n    create_model('camel:')\n"
        "except Exception as exc:\n    print(type(exc).__name__, str(exc))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "needs an argument" not in out
    assert ModelUnavailableError.__name__ in out or out == ""


def test_models_json_lists_camel_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("CAMELTOOLS_DATA", str(tmp_path))
    out = subprocess.run(
        [sys.executable, "-m", "arabench.benchmark.cli", "models", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    rows = {r["name"]: r for r in json.loads(out.stdout)}
    assert rows["camel:"]["available"] is False
    assert "CAMELTOOLS_DATA" in rows["camel:"]["reason"]


def test_run_prints_the_skip_reason_with_its_fix_in_full(tmp_path, monkeypatch):
    monkeypatch.setenv("CAMELTOOLS_DATA", str(tmp_path / "camel"))
    out = subprocess.run(
        [sys.executable, "-m", "arabench.benchmark.cli", "run", "-m", "camel:", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    assert "…" not in out
    joined = " ".join(out.split())
    assert (
        "point $CAMELTOOLS_DATA at a directory holding CAMeL Tools' catalogue.json and its installed NER model"
        in joined
    )
