"""The scoring grid (modes × boundaries × layers, relation modes, headline) is declared once, in eval.modes.

Every reader is checked to follow it: the harness's JSON tree and settings,
``arabench score`` and ``arabench compare`` options, agreement's settings; and
no module of ``eval/`` or ``benchmark/`` spells the grid out again.
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

import pytest
from harness_fixtures import write_brat_corpus

from arabench import benchmark
from arabench.annotations.corpus import read_corpus
from arabench.eval.modes import (
    BOUNDARIES,
    ENTITY_MATCHES,
    HEADLINE,
    LAYERS,
    MODES,
    RELATION_MODES,
    relation_grid,
    span_grid,
)

ROOT = Path(__file__).resolve().parent.parent


def test_the_grid_in_its_order() -> None:
    assert list(MODES) == ["strict", "exact", "partial", "type"]
    assert (BOUNDARIES, LAYERS, RELATION_MODES) == (("char", "word"), ("flat", "nested"), ("strict", "boundaries"))
    grid = list(span_grid())
    assert len(grid) == len(set(grid)) == 16
    assert grid[0] == ("strict", "char", "flat") and grid[-1] == ("type", "word", "nested")
    assert HEADLINE in grid and HEADLINE._asdict() == {"mode": "strict", "boundary": "word", "layer": "flat"}
    assert list(relation_grid()) == [(m, b) for m in RELATION_MODES for b in BOUNDARIES]
    assert set(ENTITY_MATCHES) == set(RELATION_MODES) and set(ENTITY_MATCHES.values()) <= set(MODES)


def test_results_follow_the_grid(tmp_path: Path) -> None:
    results = benchmark.run(["oracle"], corpus=write_brat_corpus(tmp_path / "gold"), cache=False, bootstrap=0)
    settings = results.settings
    assert (settings["modes"], settings["boundaries"], settings["layers"]) == (list(MODES), [*BOUNDARIES], [*LAYERS])
    assert settings["headline"] == HEADLINE._asdict()
    tree = results.models[0].scores["native"]
    assert [(m, b, x) for m in tree["spans"] for b in tree["spans"][m] for x in tree["spans"][m][b]] == list(
        span_grid()
    )
    assert [(m, b) for m in tree["relations"] for b in tree["relations"][m]] == list(relation_grid())


@pytest.mark.parametrize("command", ["score", "compare"])
def test_command_options_follow_the_grid(command: str) -> None:
    module = __import__(f"arabench.benchmark.commands.{command}", fromlist=["add_arguments"])
    parser = argparse.ArgumentParser()
    module.add_arguments(parser)
    actions = {a.dest: a for a in parser._actions}
    repeatable = command == "score"  # score's --mode/--boundary/--layer repeat or say all; absent: the headline
    for dest, values in (("mode", list(MODES)), ("boundary", list(BOUNDARIES)), ("layer", list(LAYERS))):
        assert list(actions[dest].choices) == values + ["all"] * repeatable
        default = module._chosen(None, tuple(values), getattr(HEADLINE, dest)) if repeatable else actions[dest].default
        assert default in (getattr(HEADLINE, dest), [getattr(HEADLINE, dest)])


def test_agreement_follows_the_grid() -> None:
    from arabench.benchmark.agreement import agreement

    docs = read_corpus(ROOT / "annotations" / "gold")
    result = agreement(docs, docs)
    assert list(result.entities) == list(relation_grid()) and list(result.relations) == list(relation_grid())
    assert all(scores.mode == ENTITY_MATCHES[match] for (match, _), scores in result.entities.items())


def _grids() -> dict[frozenset[str], str]:
    return {
        frozenset(MODES): "MODES",
        frozenset(BOUNDARIES): "BOUNDARIES",
        frozenset(LAYERS): "LAYERS",
        frozenset(RELATION_MODES): "RELATION_MODES",
    }


def _spelled_out_grids(path: Path) -> list[str]:
    """``line: NAME`` for every tuple, list or set literal of strings that spells out an axis of the grid."""
    grids = _grids()
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and len(node.elts) > 1:
            values = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            if len(values) == len(node.elts) and frozenset(values) in grids:
                found.append(f"{node.lineno}: {grids[frozenset(values)]}")
    return found


def test_the_finder_finds_a_spelled_out_grid(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text('LAYERS = ("nested", "flat")\nOTHER = ("flat", "deep")\n', encoding="utf-8")
    assert _spelled_out_grids(path) == ["1: LAYERS"]


@pytest.mark.parametrize(
    "path",
    [p for package in ("eval", "benchmark") for p in sorted((ROOT / package).rglob("*.py")) if p.name != "modes.py"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_module_spells_the_grid_out_again(path: Path) -> None:
    assert _spelled_out_grids(path) == []


def test_the_harness_refuses_an_object_that_is_not_an_nermodel(tmp_path: Path) -> None:
    from arabench.annotations.errors import ModelError

    class NoView:
        name = "noview"
        labels = frozenset({"PERS"})

        def predict(self, texts: list[str]) -> list[object]:
            return []

        def provenance(self) -> dict[str, object]:
            return {"id": self.name}

    with pytest.raises(ModelError, match=r"not a model name nor an NERModel.*NoView.*name, view, labels"):
        benchmark.run([NoView()], corpus=write_brat_corpus(tmp_path / "gold"), cache=False, bootstrap=0)
