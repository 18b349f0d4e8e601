"""One vocabulary across the subcommands: the shared options have the same name and the same help everywhere."""

from __future__ import annotations

import argparse
import importlib

import pytest

from arabench.annotations.formats import FORMATS
from arabench.annotations.tags import SCHEME_ALIASES, SCHEMES
from arabench.benchmark.cli import COMMANDS
from arabench.benchmark.commands.options import SHARED_OPTIONS, grid_help
from arabench.eval.modes import BOUNDARIES, LAYERS, MODES
from arabench.models.registry import NAMES, PREFIXES, register_model


def _options(command: str) -> dict[str, argparse.Action]:
    parser = argparse.ArgumentParser(prog=f"arabench {command}")
    importlib.import_module(COMMANDS[command]).add_arguments(parser)
    return {s: a for a in parser._actions for s in a.option_strings}


@pytest.fixture(scope="module")
def options() -> dict[str, dict[str, argparse.Action]]:
    return {command: _options(command) for command in COMMANDS}


def test_every_shared_option_has_one_help_across_subcommands(options) -> None:
    for option in SHARED_OPTIONS:
        helps = {c: o[option].help for c, o in options.items() if option in o}
        assert helps, f"{option} is declared by no subcommand"
        assert len(set(helps.values())) == 1, (option, helps)
        assert all(helps.values()), (option, helps)


def test_every_option_of_every_subcommand_has_help(options) -> None:
    for command, opts in options.items():
        for name, action in opts.items():
            assert action.help, f"arabench {command} {name} has no help"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("compare", {"--mode", "--boundary", "--layer", "--seed"}),
        ("score", {"--mode", "--boundary", "--layer", "--scheme", "--format"}),
        ("convert", {"--scheme"}),
        ("run", {"--model", "--seed"}),
        ("validate", {"--format", "--no-type-check"}),
        ("stats", {"--format", "--no-type-check"}),
        ("agree", {"--no-type-check"}),
    ],
)
def test_subcommands_use_the_shared_options(options, command, expected) -> None:
    assert expected <= set(options[command])


def test_grid_help_names_every_value_of_eval_modes() -> None:
    helps = grid_help()
    assert all(m in helps["--mode"] for m in MODES)
    assert all(b in helps["--boundary"] for b in BOUNDARIES)
    assert all(x in helps["--layer"] for x in LAYERS)


def test_scheme_help_lists_every_file_scheme_and_alias(options) -> None:
    text = options["score"]["--scheme"].help
    file_schemes = [name for name in SCHEMES if name != "ANY"]  # ANY reads a model's label set, not a file
    assert all(name in text for name in [*file_schemes, *SCHEME_ALIASES])
    assert tuple(options["score"]["--scheme"].choices) == (*file_schemes, *SCHEME_ALIASES)


def test_format_help_lists_every_format(options) -> None:
    assert all(name in options["score"]["--format"].help for name in FORMATS)


def test_model_help_is_read_from_the_registry(monkeypatch) -> None:
    text = _options("run")["--model"].help
    for name in NAMES:
        assert name in text
    for prefix in PREFIXES:
        assert f"{prefix}:" in text
    assert "camel: alone" in text
    monkeypatch.setattr("arabench.models.registry.NAMES", dict(NAMES))
    monkeypatch.setattr("arabench.models.registry.PREFIXES", dict(PREFIXES))
    register_model("zz-plugin", "tests.nowhere:Model", prefix=True, description="a plugin: zz-plugin:<thing>")
    import arabench.models.registry

    assert "zz-plugin" in arabench.models.registry.PREFIXES
    assert "zz-plugin:<thing>" in _options("run")["--model"].help
