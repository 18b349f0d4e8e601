"""Model options: one typed declaration per adapter (:class:`arabench.models.base.Option`), read everywhere.

The CLI, configuration files, cards and the Python API type every value by it; the harness names no model
(a new adapter with an integer option runs with an edit to nothing but its own module and a registry entry).
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from arabench.annotations.errors import BenchmarkError, ModelError
from arabench.annotations.spans import Span
from arabench.benchmark.cli import main
from arabench.benchmark.config import load_config, parse_model_option
from arabench.models.base import Option, Prediction, parse_options


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def _results(out: Path) -> dict:
    return json.loads((out / "results.json").read_text(encoding="utf-8"))


class WidthModel:
    """A test adapter: one PERS mention over the first ``width`` characters of each text."""

    name = "width"
    view = "native"
    labels = frozenset({"PERS"})
    OPTIONS = (Option("width", "int", 3, "characters per mention", minimum=1, maximum=10),)

    def __init__(self, *, width: int = 3) -> None:
        assert isinstance(width, int)  # typed by the declaration before it gets here
        self.width = width

    @classmethod
    def from_spec(cls, arg: str | None, **options: object) -> WidthModel:
        return cls(**parse_options(cls.OPTIONS, options, model="width"))

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        return [Prediction(spans=(Span(0, min(self.width, len(t)), "PERS"),)) for t in texts]

    def provenance(self) -> dict[str, object]:
        return {"id": "width", "revision": "1", "adapter_version": "1", "label_map": None, "width": self.width}


@pytest.fixture
def width_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    from arabench.models import registry

    monkeypatch.setattr(registry, "NAMES", dict(registry.NAMES))
    registry.register_model("width", f"{__name__}:WidthModel", view="native", description="test adapter")


def test_a_new_adapter_with_a_typed_integer_option_runs_through_the_registry_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, width_registered: None
) -> None:
    monkeypatch.setenv("ARABENCH_CACHE", str(tmp_path / "cache"))
    status, _, err = _cli(
        "run", "-m", "width", "--model-option", "width", "width=4", "--bootstrap", "0", "--out", str(tmp_path / "r"),
        "-q",
    )  # fmt: skip
    assert status == 0, err
    entry = _results(tmp_path / "r")["models"][0]
    assert entry["status"] == "scored" and entry["provenance"]["width"] == 4
    assert _results(tmp_path / "r")["settings"]["configuration"]["models"] == [
        {"name": "width", "options": {"width": 4}}
    ]
    for bad, words in (("width=four", "an integer"), ("width=11", "<= 10"), ("width=0", ">= 1"), ("size=2", "")):
        status, _, err = _cli("run", "-m", "width", "--model-option", "width", bad, "--out", str(tmp_path / "x"))
        assert status == 2, bad
        assert words in err and ("option 'width' of model 'width'" in err or "use one of: width" in err)
    status, out, _ = _cli("models", "width")
    assert status == 0 and "width (an integer >= 1 and <= 10, default 3): characters per mention" in out
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main(["run", "--help"])
    assert "width width" in " ".join(out.getvalue().split())


def test_oracle_relations_false_gives_the_scores_of_an_oracle_without_relations(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ARABENCH_CACHE", str(tmp_path / "cache"))
    base = ("run", "-m", "oracle", "--bootstrap", "0", "-q")
    assert _cli(*base, "--out", str(tmp_path / "with"))[0] == 0
    status, _, err = _cli(*base, "--model-option", "oracle", "relations=false", "--out", str(tmp_path / "without"))
    assert status == 0, err
    with_relations = _results(tmp_path / "with")["models"][0]["scores"]["native"]["relations"]
    without = _results(tmp_path / "without")["models"][0]["scores"]["native"]
    assert with_relations["strict"]["word"]["micro"]["tp"] > 0
    assert without["relations"] is None  # the model predicts no relation
    assert without["spans"] == _results(tmp_path / "with")["models"][0]["scores"]["native"]["spans"]


@pytest.mark.parametrize(
    ("model", "assignment", "expected"),
    [
        ("oracle", "relations=false", ("relations", False)),
        ("oracle", "relations=False", ("relations", False)),
        ("oracle", "relations=yes", ("relations", True)),
        ("llm:m", "timeout=2.5", ("timeout", 2.5)),
        ("llm:m", "cache=refresh", ("cache", "refresh")),
        ("llm:m", 'extra_body={"top_p": 1}', ("extra_body", {"top_p": 1})),
        ("crf", "cache=false", ("cache", False)),
    ],
)
def test_shell_values_are_typed_by_the_declaration(model: str, assignment: str, expected: tuple) -> None:
    assert parse_model_option(model, assignment) == expected


@pytest.mark.parametrize(
    ("model", "assignment", "message"),
    [
        ("llm:m", "timeout=nan", "option 'timeout' of model 'llm:m' must be a finite number >= 0.001 (got 'nan')"),
        ("llm:m", "timeout=.inf", "option 'timeout' of model 'llm:m' must be a finite number >= 0.001 (got '.inf')"),
        ("llm:m", "timeout=inf", "must be a finite number"),
        ("llm:m", "backoff=-1", "option 'backoff' of model 'llm:m' must be a finite number >= 0"),
        ("llm:m", "max_retries=1.5", "option 'max_retries' of model 'llm:m' must be an integer >= 0"),
        ("oracle", "relations=maybe", "option 'relations' of model 'oracle' must be true or false"),
        ("oracle", "layer=deep", "must be one of nested, flat"),
        ("oracle", "gold=x", "unknown option for model 'oracle'"),
        ("llm:m", "extra_body=[1]", "must be a mapping (or a JSON object)"),
    ],
)
def test_bad_shell_values_name_the_option(model: str, assignment: str, message: str) -> None:
    with pytest.raises(ModelError) as info:
        parse_model_option(model, assignment)
    assert message in str(info.value)


def _config(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "suite.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_quoted_booleans_in_configs_are_typed(tmp_path: Path) -> None:
    config = load_config(
        _config(
            tmp_path,
            'cache: "false"\nmodels:\n  - name: oracle\n    options: {relations: "false", layer: flat}\n'
            '  - name: llm:m\n    options: {timeout: "30", json_mode: "no"}\n',
        )
    )
    assert config.cache is False
    assert config.model_options == {
        "oracle": {"relations": False, "layer": "flat"},
        "llm:m": {"timeout": 30.0, "json_mode": False},
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "models:\n  - name: llm:m\n    options:\n      base_url: [a, b]\n",
            r"suite.yaml:4: field 'base_url': option 'base_url' of model 'llm:m' must be text",
        ),
        (
            "models:\n  - name: llm:m\n    options:\n      labels: 5\n",
            r"suite.yaml:4: field 'labels': option 'labels' of model 'llm:m' must be a list",
        ),
        (
            "models:\n  - name: llm:m\n    options:\n      timeout: .nan\n",
            r"suite.yaml:4: field 'timeout': option 'timeout' of model 'llm:m' must be a finite number",
        ),
        (
            "models:\n  - name: llm:m\n    options:\n      timeout: .inf\n",
            r"suite.yaml:4: field 'timeout': .* must be a finite number >= 0.001",
        ),
        ("? [a, b]\n: 1\n", r"suite.yaml:1: field 'key': a configuration key must be a name"),
        ('cache: "perhaps"\n', r"suite.yaml:1: field 'cache': configuration key 'cache' must be true or false"),
    ],
)
def test_bad_config_values_are_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(BenchmarkError, match=message):
        load_config(_config(tmp_path, text))


def test_a_non_utf8_config_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BenchmarkError, match=r"suite.yaml: configuration file is not UTF-8 \(byte offset 7\)"):
        load_config(_config(tmp_path, b"seed: 1\xff\n"))


def test_a_quoted_false_default_keeps_a_card_out_of_the_default_suite(tmp_path: Path) -> None:
    import yaml

    from arabench.models.cards import CARDS_DIR, load_card

    card = yaml.safe_load((CARDS_DIR / "camelbert-msa-ner.yaml").read_text(encoding="utf-8"))
    card.update(name="quoted", default="false")
    path = tmp_path / "quoted.yaml"
    path.write_text(yaml.safe_dump(card, allow_unicode=True), encoding="utf-8")
    assert load_card(path).default is False
    card["default"] = "perhaps"
    path.write_text(yaml.safe_dump(card, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ModelError, match=r"quoted.yaml: field 'default': option 'default'.*must be true or false"):
        load_card(path)


def test_every_adapter_declares_typed_options_and_the_harness_names_no_model() -> None:
    import re

    from arabench.models.registry import NAMES, PREFIXES, model_options

    for name in [*NAMES, *(f"{p}:x" for p in PREFIXES)]:
        declared = model_options(name)
        assert declared and all(isinstance(o, Option) for o in declared), name
    root = Path(__file__).resolve().parents[1] / "benchmark"
    names = "|".join(re.escape(n) for n in ("rules", "oracle", "empty", "crf"))
    pattern = re.compile(rf"""(==|!=|\bin\b|startswith\()\s*\(?["']({names}|llm:|llm-hf:|hf:)["']""")
    for path in [root / "config.py", root / "runner.py", root / "dryrun.py", root / "commands" / "run.py"]:
        text = path.read_text(encoding="utf-8")
        assert not pattern.search(text), (path, pattern.search(text))


def test_docs_models_md_holds_the_generated_option_tables() -> None:
    from arabench.models.registry import options_markdown

    text = (Path(__file__).resolve().parents[1] / "docs" / "models.md").read_text(encoding="utf-8")
    between = text.split("<!-- options: generated -->\n", 1)[1].split("<!-- /options -->", 1)[0]
    assert between == options_markdown(), "regenerate the tables with arabench.models.registry.options_markdown()"
