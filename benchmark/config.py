"""Run configuration: model options from the shell and ``arabench run --config suite.yaml``.

**Model options.** ``--model-option MODEL KEY=VALUE`` gives one option of one
model. The keys a model accepts, their types, defaults and ranges are its
adapter's declaration (``OPTIONS``, a tuple of :class:`arabench.models.base.Option`,
read through :func:`arabench.models.registry.model_options`); an unknown key is
an error listing them. Values, shell text or configuration values alike, are
typed by :meth:`~arabench.models.base.Option.parse`: integers, finite numbers,
booleans (``true``/``false``, quoted or not), lists (comma-separated text or
YAML lists), mappings (JSON objects), label maps, text. The harness names no model.

**Configuration file** (YAML; every key optional, each a ``run`` flag)::

    corpus: data/anercorp.conll         # or a list of corpora: one results directory per corpus
    corpus_view: anercorp               # --corpus-view
    units: file                         # --units (file: a CoNLL corpus's own sentences; split: re-split them)
    view: anercorp                      # --view (the leaderboard view)
    views: my_views.yaml                # --views (user views)
    cards: my_cards/                    # --cards (user model cards)
    models:                             # --model / --model-option
      - rules
      - name: file:preds.conll
        options: {view: anercorp}
    seed: 0                             # --seed
    bootstrap: 1000                     # --bootstrap
    out: results/                       # --out
    cache: true                         # false = --no-cache
    cache_dir: .cache/                  # --cache-dir (every cache of the run)
    llm_base_url: http://127.0.0.1:8000/v1
    relation_level: entity              # --relation-level (entity or mention)
    directory: /path/to/project         # relative paths are read from here

Relative paths are read relative to ``directory``, by default the file's directory
(``results.json`` records the working directory of the run there). Flags given on the
command line override the file. A ``results.json`` written by ``run`` can be
given as ``--config`` too: it records the resolved configuration
(``settings.configuration``), so the run is repeated from it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from arabench.annotations.errors import BenchmarkError, ModelError, yaml_error
from arabench.annotations.files import MAX_RESULTS_BYTES, read_bounded_text, read_yaml_text

if TYPE_CHECKING:
    from arabench.models.base import Option

__all__ = [
    "CONFIG_KEYS",
    "RunConfig",
    "known_options",
    "load_config",
    "parse_model_option",
    "parse_option_value",
]


def _declared(model: str) -> dict[str, Option]:
    """The user options of ``model``'s adapter by name (its typed declaration, :class:`arabench.models.base.Option`)."""
    from arabench.models.registry import model_options

    return {o.name: o for o in model_options(model) if o.user}


def known_options(model: str) -> tuple[str, ...]:
    """The option keys ``model`` accepts from the shell or a configuration file (its adapter's declaration).

    Raises:
        ModelError: If the model name is unknown (with the registry's suggestions).
    """
    return tuple(sorted(_declared(model)))


def parse_option_value(
    key: str, value: object, *, model: str = "", file: str | Path | None = None, line: int | None = None
) -> object:
    """Type the value of option ``key`` of ``model`` by its adapter's declaration (shell text or a config value).

    Raises:
        ModelError: For an unknown key, or a value not of the option's declared type.
    """
    check_option_key(model, key, file=file, line=line)
    return _declared(model)[key].parse(value, model=model, file=file, line=line)


def parse_model_option(model: str, assignment: str) -> tuple[str, object]:
    """Parse ``KEY=VALUE`` given for ``model`` with its adapter's option declaration.

    Returns:
        The key and the typed value.

    Raises:
        ModelError: For a missing ``=``, an unknown key (listing the known ones) or a value of the wrong type.
    """
    key, sep, text = assignment.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ModelError(
            "a model option is KEY=VALUE",
            field=f"--model-option {model}",
            value=assignment,
            fix="e.g. --model-option file:preds.conll view=anercorp",
        )
    return key, parse_option_value(key, text, model=model)


def check_option_key(model: str, key: str, *, file: str | Path | None = None, line: int | None = None) -> None:
    """Refuse a key ``model``'s adapter does not declare, listing the ones it does."""
    known = known_options(model)
    if key not in known:
        raise ModelError(
            f"unknown option for model {model!r}",
            file=file,
            line=line,
            field="option",
            value=key,
            fix=f"use one of: {', '.join(known)}" if known else f"model {model!r} takes no option",
        )


# ----------------------------------------------------------------------------- configuration file

#: Keys of a configuration file and what each holds.
CONFIG_KEYS: dict[str, str] = {
    "corpus": "a corpus path or hf-dataset:<id>, or a list of them",
    "corpus_view": "a view name",
    "units": "file or split",
    "view": "a view name",
    "views": "a views YAML file",
    "cards": "a directory of model card YAML files",
    "models": "a list of model names or {name, options} mappings",
    "seed": "an integer",
    "bootstrap": "a non-negative integer",
    "out": "a directory",
    "cache": "true or false",
    "cache_dir": "a directory (the one cache root of the run)",
    "llm_base_url": "a URL",
    "relation_level": "entity or mention",
    "quiet": "true or false",
    "verbose": "true or false",
    "directory": "the directory relative paths are read from (default: the file's own)",
}
_PATH_KEYS = ("views", "cards", "out", "cache_dir")


@dataclass
class RunConfig:
    """A resolved run configuration (the file's values, then the flags over them).

    Attributes mirror :data:`CONFIG_KEYS`; ``model_options`` maps a model name to its options.
    """

    corpus: list[str] = field(default_factory=list)
    corpus_view: str | None = None
    units: str = "file"
    view: str | None = None
    views: str | None = None
    cards: str | None = None
    models: list[str] | None = None
    model_options: dict[str, dict[str, object]] = field(default_factory=dict)
    seed: int = 0
    bootstrap: int | None = None
    out: str = "results"
    cache: bool = True
    cache_dir: str | None = None
    llm_base_url: str | None = None
    relation_level: str = "entity"
    quiet: bool = False
    verbose: bool = False
    source: str | None = None

    def as_json(self) -> dict[str, object]:
        """The configuration as recorded in ``results.json`` (the keys of a configuration file).

        Credentials in a URL (``user:password@``, secret query values) are recorded as ``***``: a run repeated
        from the record needs them given again.
        """
        from arabench.models.llm.http import redact_url
        from arabench.models.llm.redaction import redacted_body

        def recorded(options: Mapping[str, object]) -> dict[str, object]:
            kept = {k: redact_url(v) if k == "base_url" and isinstance(v, str) else v for k, v in options.items()}
            out = redacted_body(kept)  # extra_body={"api_key": ...} and the like: never recorded
            return out if isinstance(out, dict) else kept

        models: list[object] | None = None
        if self.models is not None:
            models = [
                {"name": m, "options": recorded(self.model_options[m])} if self.model_options.get(m) else m
                for m in self.models
            ]
        corpus: object = self.corpus[0] if len(self.corpus) == 1 else (list(self.corpus) or None)
        data: dict[str, object] = {
            "corpus": corpus,
            "corpus_view": self.corpus_view,
            "units": self.units,
            "view": self.view,
            "views": self.views,
            "cards": self.cards,
            "models": models,
            "seed": self.seed,
            "bootstrap": self.bootstrap,
            "out": self.out,
            "cache": self.cache,
            "cache_dir": self.cache_dir,
            "llm_base_url": None if self.llm_base_url is None else redact_url(self.llm_base_url),
            "relation_level": self.relation_level,
            "directory": os.getcwd(),
        }
        return {k: v for k, v in data.items() if v is not None}


class _Loader(yaml.SafeLoader):
    """A SafeLoader whose mappings remember their keys' lines and refuse a key given twice."""


class _Lines(dict):  # type: ignore[type-arg]
    lines: dict[str, int]


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _Lines:
    out = _Lines()
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise BenchmarkError(
                "a configuration key must be a name",
                file=getattr(loader, "path", None),
                line=line,
                field="key",
                value=type(key).__name__,
                fix="write KEY: VALUE with a plain word as KEY",
            )
        if key in out:
            raise BenchmarkError(
                f"key given twice (first on line {out.lines[str(key)]}; only the last value would be kept)",
                file=getattr(loader, "path", None),
                line=line,
                field=str(key),
                fix="give each key once",
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[str(key)] = line
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read(path: Path) -> tuple[Mapping[str, Any], Callable[[str], int | None]]:
    if path.suffix.lower() == ".json":  # a configuration in JSON, or the results.json of an earlier run
        text = read_bounded_text(path, limit=MAX_RESULTS_BYTES, what="configuration file")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BenchmarkError(
                f"configuration file is not valid JSON: {exc.msg}", file=path, line=exc.lineno, fix="fix the syntax"
            ) from None
        if isinstance(data, dict) and "schema_version" in data:  # a results.json: its recorded configuration
            recorded = (data.get("settings") or {}).get("configuration")
            if not isinstance(recorded, dict):
                raise BenchmarkError(
                    "this results.json records no configuration",
                    file=path,
                    field="settings.configuration",
                    fix="repeat runs from a results.json written by this version of arabench run",
                )
            data = recorded
        return (data if isinstance(data, dict) else {"": data}), lambda key: None
    try:
        text = read_yaml_text(path, what="configuration file")  # bounded: size, depth, aliases, tags
    except yaml.YAMLError as exc:
        raise yaml_error(exc, what="configuration file", file=path) from None
    loader = _Loader(text)
    loader.path = str(path)  # type: ignore[attr-defined]
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        raise yaml_error(exc, what="configuration file", file=path) from None
    finally:
        loader.dispose()
    if data is None:
        data = _Lines()
        data.lines = {}
    if not isinstance(data, _Lines):
        raise BenchmarkError(
            "a configuration file is a YAML mapping", file=path, line=1, fix="write KEY: VALUE lines (see docs/cli.md)"
        )
    return data, data.lines.get


def load_config(path: str | Path) -> RunConfig:
    """Read and check a run configuration file (YAML, or a ``results.json`` to repeat a run).

    Raises:
        BenchmarkError: Naming the file, the line, the key, the bad value and the fix.
    """
    path = Path(path).expanduser()
    data, line_of = _read(path)
    base = path.resolve().parent
    if "directory" in data:
        if not isinstance(data["directory"], str) or not (base / data["directory"]).is_dir():
            raise BenchmarkError(
                "configuration key 'directory' must be an existing directory",
                file=path,
                line=line_of("directory"),
                field="directory",
                value=data["directory"],
                fix="name the directory relative paths are read from, or leave the key out",
            )
        base = (path.resolve().parent / data["directory"]).resolve()

    def bad(key: str, value: object, expected: str, line: int | None = None) -> BenchmarkError:
        return BenchmarkError(
            f"configuration key {key!r} must be {expected}",
            file=path,
            line=line if line is not None else line_of(key),
            field=key,
            value=value,
            fix=f"write {key}: <{expected}>",
        )

    unknown = [k for k in data if k not in CONFIG_KEYS]
    if unknown:
        key = str(unknown[0])
        raise BenchmarkError(
            "unknown configuration key",
            file=path,
            line=line_of(key),
            field=key,
            value=key,
            fix=f"use one of: {', '.join(CONFIG_KEYS)}",
        )
    config = RunConfig(source=str(path))
    if "relation_level" in data:
        from arabench.eval.modes import RELATION_LEVELS

        if data["relation_level"] not in RELATION_LEVELS:
            raise bad("relation_level", data["relation_level"], " or ".join(RELATION_LEVELS))
        config.relation_level = data["relation_level"]
    if "units" in data:
        from arabench.benchmark.corpus_io import UNIT_CHOICES

        if data["units"] not in UNIT_CHOICES:
            raise bad("units", data["units"], CONFIG_KEYS["units"])
        config.units = data["units"]
    for key in ("corpus_view", "view", "llm_base_url", *_PATH_KEYS):
        if key in data:
            value = data[key]
            if not isinstance(value, str) or not value:
                raise bad(key, value, CONFIG_KEYS[key])
            setattr(config, key, str(base / value) if key in _PATH_KEYS else value)
    for key in ("seed", "bootstrap"):
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise bad(key, value, CONFIG_KEYS[key])
            setattr(config, key, value)
    for key in ("cache", "quiet", "verbose"):
        if key in data:
            from arabench.models.base import Option

            try:  # typed like a model option: "false" is false, never truthy text
                value = Option(key, "bool").parse(data[key])
            except ModelError:
                raise bad(key, data[key], CONFIG_KEYS[key]) from None
            if value is None:
                raise bad(key, data[key], CONFIG_KEYS[key])
            setattr(config, key, value)
    if "corpus" in data:
        corpora = data["corpus"] if isinstance(data["corpus"], list) else [data["corpus"]]
        if not corpora or not all(isinstance(c, str) and c for c in corpora):
            raise bad("corpus", data["corpus"], CONFIG_KEYS["corpus"])
        config.corpus = [_corpus_path(c, base) for c in corpora]
    if "models" in data:
        config.models, config.model_options = _models(data["models"], path, line_of("models"), base)
    return config


def _corpus_path(corpus: str, base: Path) -> str:
    if corpus.startswith("hf-dataset:") or Path(corpus).is_absolute():
        return corpus
    return str(base / corpus)


def _models(value: object, path: Path, line: int | None, base: Path) -> tuple[list[str], dict[str, dict[str, object]]]:
    if not isinstance(value, list) or not value:
        raise BenchmarkError(
            "configuration key 'models' must be a non-empty list",
            file=path,
            line=line,
            field="models",
            value=value,
            fix="write models: [rules, {name: file:preds.conll, options: {view: anercorp}}]",
        )
    from arabench.models.registry import get_info

    names: list[str] = []
    options: dict[str, dict[str, object]] = {}
    for i, item in enumerate(value):
        item_line = item.lines.get("name", line) if isinstance(item, _Lines) else line
        if isinstance(item, str):
            name, given = item, {}
        elif isinstance(item, Mapping) and isinstance(item.get("name"), str):
            extra = sorted(set(item) - {"name", "options"})
            given = item.get("options") or {}
            if extra or not isinstance(given, Mapping):
                raise BenchmarkError(
                    "a model entry is a name or {name, options}",
                    file=path,
                    line=item_line,
                    field=f"models[{i}]",
                    value=extra[0] if extra else given,
                    fix="write {name: MODEL, options: {KEY: VALUE}}",
                )
            name = item["name"]
        else:
            raise BenchmarkError(
                "a model entry is a name or {name, options}",
                file=path,
                line=item_line,
                field=f"models[{i}]",
                value=item,
                fix="write - rules, or - {name: MODEL, options: {KEY: VALUE}}",
            )
        name = _model_path(name, base)
        try:
            get_info(name)  # an unknown name: "did you mean", with the line
        except ModelError as exc:
            raise ModelError(
                exc.message, file=path, line=item_line, field=f"models[{i}]", value=exc.value, fix=exc.fix
            ) from None
        opts: dict[str, object] = {}
        option_lines = getattr(given, "lines", {})
        for key, raw in given.items():
            key_line = option_lines.get(str(key), item_line)
            try:
                check_option_key(name, str(key), file=path, line=key_line)
            except ModelError as exc:
                if exc.file is None:  # an unknown model name: say where it is
                    raise ModelError(
                        exc.message, file=path, line=item_line, field=exc.field, value=exc.value, fix=exc.fix
                    ) from None
                raise
            opts[str(key)] = parse_option_value(str(key), raw, model=name, file=path, line=key_line)
        names.append(name)
        if opts:
            options[name] = opts
    return names, options


def _model_path(name: str, base: Path) -> str:
    """``file:rel/path`` relative to the configuration file's directory (other names unchanged)."""
    head, sep, arg = name.partition(":")
    if sep and head == "file" and arg and not Path(arg).is_absolute():
        return f"file:{base / arg}"
    return name


def merge_flags(config: RunConfig, flags: Mapping[str, object], model_options: Sequence[tuple[str, str]]) -> RunConfig:
    """Lay the command-line flags given (not ``None``) over ``config``; ``--model-option`` pairs are parsed."""
    for key, value in flags.items():
        if value is not None:
            setattr(config, key, value)
    for model, assignment in model_options:
        if config.models is None or model not in config.models:
            raise ModelError(
                "--model-option names a model that is not in the run",
                field="--model-option",
                value=model,
                fix=f"name it with --model {model}"
                if config.models is None
                else f"use one of: {', '.join(config.models)}",
            )
        key, value = parse_model_option(model, assignment)
        config.model_options.setdefault(model, {})[key] = value
    return config
