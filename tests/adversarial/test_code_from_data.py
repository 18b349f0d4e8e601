"""No code runs because data says so: a model card's ``adapter:`` names a registered adapter, never a module.

Before: ``adapter: this:X`` printed the Zen of Python and ``adapter: evilmod:X``
ran a file from the working directory. Third-party adapters now come in through
the ``arabench.models`` entry-point group of an installed distribution.
"""

from __future__ import annotations

import importlib.metadata
import logging
import sys
from pathlib import Path

import pytest

from arabench.annotations.errors import ModelError
from arabench.models import registry
from arabench.models.cards import CARDS_DIR, known_cards, load_card
from arabench.models.registry import ENTRY_POINT_GROUP, PREFIXES, create_model, list_models

CARDS = CARDS_DIR
EVIL = "from pathlib import Path\nPath(__file__).with_name('ran.txt').write_text('pwned')\nclass X: ...\n"


def write_card(directory: Path, adapter: str | None) -> Path:
    """The packaged marefa-ner card, renamed ``toy-card``, with ``adapter:`` set (left out when ``None``)."""
    text = (CARDS / "marefa-ner.yaml").read_text(encoding="utf-8").replace("name: marefa-ner", "name: toy-card", 1)
    text = text.replace("  name: marefa\n", "  name: toy-view\n", 1)
    if adapter is not None:
        text += f"adapter: {adapter!r}\n"
    path = directory / "toy-card.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("adapter", ["this:X", "evilmod:X", "os.path", "arabench.models.hf:HFTokenClassificationModel"])
def test_a_card_naming_a_module_is_refused_and_nothing_is_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], adapter: str
) -> None:
    (tmp_path / "evilmod.py").write_text(EVIL, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "this", raising=False)
    path = write_card(tmp_path, adapter)
    with pytest.raises(ModelError) as caught:
        load_card(path)
    assert str(caught.value) == (
        f"{path}: field 'adapter': a model card's adapter must name a registered adapter, not a module "
        f"(got {adapter!r}); fix: name a registered adapter prefix such as hf (third-party adapters register through "
        "the 'arabench.models' entry-point group; see docs/models.md)"
    )
    assert "this" not in sys.modules and "evilmod" not in sys.modules
    assert not (tmp_path / "ran.txt").exists()
    assert "Beautiful is better than ugly" not in capsys.readouterr().out


def test_a_card_naming_an_unregistered_adapter_is_refused_with_a_suggestion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = load_card(write_card(tmp_path, "hff"))
    monkeypatch.setattr(registry, "_cards", lambda: {card.name: card})
    with pytest.raises(ModelError) as caught:
        create_model("toy-card")
    message = str(caught.value)
    assert message.startswith(
        f"{tmp_path / 'toy-card.yaml'}: field 'adapter': a model card's adapter must name a registered adapter, "
        "not a module (got 'hff'); fix: did you mean 'hf'? use one of: "
    )
    assert "third-party adapters register through the 'arabench.models' entry-point group" in message


def test_a_card_without_adapter_uses_the_hf_adapter(tmp_path: Path) -> None:
    card = known_cards(write_card(tmp_path, None).parent)["toy-card"]
    assert card.adapter == "hf" and registry.card_adapter(card.adapter) == registry.HF_ADAPTER


TOY = '''
class Toy:
    """A third-party adapter: finds nothing, remembers its argument."""

    view = "native"
    labels = frozenset({"PERS"})

    def __init__(self, arg, **options):
        self.arg, self.options = arg, options

    @classmethod
    def from_spec(cls, arg, **options):
        return cls(arg, **options)
'''


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[importlib.metadata.EntryPoint]:
    """An installed distribution's entry points (importlib.metadata answered by the test), registry reset after."""
    (tmp_path / "toy_arabench_plugin.py").write_text(TOY, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    points = [
        importlib.metadata.EntryPoint("toy", "toy_arabench_plugin:Toy", ENTRY_POINT_GROUP),
        importlib.metadata.EntryPoint("hf", "toy_arabench_plugin:Toy", ENTRY_POINT_GROUP),  # may not replace hf
        importlib.metadata.EntryPoint("broken", "no-colon", ENTRY_POINT_GROUP),
        importlib.metadata.EntryPoint("other", "toy_arabench_plugin:Toy", "someone.else"),
    ]

    def entry_points(*, group: str) -> list[importlib.metadata.EntryPoint]:
        return [p for p in points if p.group == group]

    monkeypatch.setattr(registry.importlib.metadata, "entry_points", entry_points)
    monkeypatch.setattr(registry, "_plugins_loaded", False)
    before = dict(PREFIXES)
    yield points
    PREFIXES.clear()
    PREFIXES.update(before)
    sys.modules.pop("toy_arabench_plugin", None)


def test_third_party_adapters_come_in_through_entry_points(
    plugin: list[importlib.metadata.EntryPoint], caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    hf = PREFIXES["hf"]
    with caplog.at_level(logging.WARNING, logger="arabench.models.registry"):
        infos = {i.name: i for i in list_models()}
    assert "toy_arabench_plugin" not in sys.modules  # registered lazily: nothing imported to list it
    assert infos["toy:"].adapter == "toy_arabench_plugin:Toy" and infos["toy:"].kind == "prefix"
    assert "broken:" not in infos and "other:" not in infos and PREFIXES["hf"] == hf
    assert [r.getMessage() for r in caplog.records] == [
        "ignoring the arabench.models entry point 'hf' of an installed distribution: the name is taken",
        "ignoring the arabench.models entry point 'broken' of an installed distribution: not module:Class",
    ]
    model = create_model("toy:some-arg", batch_size=2)
    assert type(model).__name__ == "Toy" and model.arg == "some-arg" and model.options == {"batch_size": 2}
    assert create_model("toy:").arg is None
    # A card may then name the plugin's adapter by its registered name.
    assert registry.card_adapter(load_card(write_card(tmp_path, "toy")).adapter) == "toy_arabench_plugin:Toy"
