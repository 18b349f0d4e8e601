"""Model cards: what arabench knows about a published NER model, as YAML data.

One file per model in ``models/model_cards/*.yaml``; the file stem is the card's
name (what :func:`arabench.models.registry.create_model` accepts). Fields:

``name``
    The registry name (must equal the file stem).
``hub_id``
    The Hugging Face hub id.
``revision`` / ``revision_note``
    The pinned commit, or ``null`` with a note saying why it is not pinned.
``description``
    One line.
``labels`` / ``labels_checked``
    The model's ``config.json`` ``id2label`` in id order, and where that
    label set was checked.
``view``
    A schema view name (``anercorp``, ``conll4``, ``native``) or
    ``{name: ..., description: ..., map: {SCHEMA_TYPE: LABEL or null}}`` for a
    view defined by the card (built with :func:`arabench.annotations.schema.make_view`).
``label_map`` / ``drop``
    Raw type (BIO prefix stripped) -> view label, and raw types to drop.
``input``
    ``raw`` (the raw text goes to the tokenizer) or ``words`` (words from
    :func:`arabench.annotations.tokenize.word_offsets` with ``is_split_into_words``).
``training_data``, ``license``, ``citation``
    Provenance for the report.
``default``
    Whether ``arabench run`` evaluates it by default.
``adapter``
    Optional: the name of a registered adapter prefix (``hf`` when absent;
    third-party adapters register through the ``arabench.models`` entry-point
    group, see :mod:`arabench.models.registry`). Never a module path: a card is
    data, and data does not choose the code that runs.

**User cards.** Directories of card files named in ``$ARABENCH_CARDS``
(``os.pathsep``-separated) or added with :func:`add_cards_dir` (``arabench
run --cards DIR``) are read next to the packaged ones and checked the same
way; a user card may not take the name of another card.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from arabench.annotations.errors import ModelError, SchemaError, yaml_error
from arabench.annotations.files import read_yaml_text
from arabench.annotations.schema import (
    Schema,
    View,
    ViewSource,
    add_view_provider,
    default_schema,
    make_view,
    register_view,
    registered_views,
)
from arabench.models.labelmap import DuplicateKeyError, LabelMap, UniqueKeyLoader, split_tag

__all__ = [
    "CARDS_DIR",
    "CARDS_ENV",
    "ModelCard",
    "add_cards_dir",
    "card_for",
    "known_cards",
    "load_card",
    "resolve_view",
    "user_cards_dirs",
]

CARDS_DIR = Path(__file__).with_name("model_cards")
#: Environment variable naming directories of user model cards (``os.pathsep``-separated).
CARDS_ENV = "ARABENCH_CARDS"
_added_dirs: list[str] = []

_REQUIRED = (
    "name",
    "hub_id",
    "revision",
    "description",
    "labels",
    "labels_checked",
    "view",
    "label_map",
    "input",
    "training_data",
    "license",
    "citation",
)
_OPTIONAL = ("revision_note", "drop", "default", "adapter", "notes")


@dataclass(frozen=True)
class ModelCard:
    """A parsed, checked model card (see the module docstring for the fields)."""

    name: str
    hub_id: str
    revision: str | None
    revision_note: str
    description: str
    labels: tuple[str, ...]
    labels_checked: str
    view: View
    label_map: LabelMap
    input: str
    training_data: str
    license: str
    citation: str
    default: bool
    adapter: str
    notes: str
    path: str

    @property
    def view_name(self) -> str:
        """The name of the card's view."""
        return self.view.name

    @property
    def spec(self) -> str:
        """The ``hf:`` argument: ``hub_id`` or ``hub_id@revision``."""
        return self.hub_id if self.revision is None else f"{self.hub_id}@{self.revision}"

    @property
    def raw_types(self) -> tuple[str, ...]:
        """The entity types of :attr:`labels` without BIO prefixes, in order."""
        types = (split_tag(t)[1] for t in self.labels)
        return tuple(dict.fromkeys(t for t in types if t is not None))

    def as_dict(self) -> dict[str, object]:
        """JSON-serializable summary for provenance and reports."""
        return {
            "name": self.name,
            "hub_id": self.hub_id,
            "revision": self.revision,
            "view": self.view.name,
            "label_map": self.label_map.as_dict(),
            "input": self.input,
            "license": self.license,
            "training_data": self.training_data,
        }


def _adapter(name: object, path: Path) -> str:
    """The adapter a card names: the name of a registered prefix (resolved by the registry), never a module."""
    if not isinstance(name, str) or not name or ":" in name or "." in name or "/" in name:
        raise ModelError(
            "a model card's adapter must name a registered adapter, not a module",
            file=path,
            field="adapter",
            value=name,
            fix="name a registered adapter prefix such as hf (third-party adapters register through the "
            "'arabench.models' entry-point group; see docs/models.md)",
        )
    return name


def load_card(path: str | Path) -> ModelCard:
    """Read and check one card file.

    Checks: every required field is present and no unknown field is; the view
    maps every schema type; every raw label of ``labels`` is mapped or dropped;
    every mapped label is a label of the view; the map names no label the
    model does not emit.

    Raises:
        ModelError: Naming the file, the field and the fix.
    """
    path = Path(path)
    try:
        text = read_yaml_text(path, what="model card", error=ModelError)  # bounded: size, depth, aliases, tags
        data = yaml.load(text, Loader=UniqueKeyLoader)  # a SafeLoader subclass
    except DuplicateKeyError as exc:
        raise ModelError(
            "model card gives a key twice in one mapping (only the last value would be kept)",
            file=path,
            line=exc.args[1],
            value=exc.args[0],
            fix="give each key (e.g. each raw label of label_map) once",
        ) from None
    except yaml.YAMLError as exc:
        raise yaml_error(exc, what="model card", file=path, error=ModelError) from None
    except (OSError, UnicodeDecodeError, RecursionError) as exc:
        raise ModelError(f"cannot read model card: {exc}", file=path, fix="check the path and the YAML syntax") from exc
    if not isinstance(data, Mapping):
        raise ModelError("a model card must be a YAML mapping", file=path, fix="see models/cards.py for the fields")
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise ModelError("model card misses fields", file=path, field=missing[0], value=missing, fix="add them")
    unknown = sorted(set(data) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise ModelError(
            "model card has unknown fields", file=path, field=unknown[0], value=unknown, fix="remove or rename them"
        )
    name = str(data["name"])
    if name != path.stem:
        raise ModelError("card name must equal the file stem", file=path, field="name", value=name, fix=path.stem)
    if data["revision"] is None and not data.get("revision_note"):
        raise ModelError(
            "an unpinned card must say why", file=path, field="revision_note", fix="add revision_note, or pin a commit"
        )
    if data["input"] not in ("raw", "words"):
        raise ModelError("unknown input convention", file=path, field="input", value=data["input"], fix="raw or words")
    labels = data["labels"]
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels) or "O" not in labels:
        raise ModelError(
            "labels must be the list of config.id2label values, with 'O'",
            file=path,
            field="labels",
            value=labels,
            fix="copy id2label from the model's config.json in id order",
        )
    view = _card_view(data["view"], path)
    raw_map = data["label_map"]
    if not isinstance(raw_map, Mapping) or not all(isinstance(v, str) for v in raw_map.values()):
        raise ModelError(
            "label_map must map raw types to view labels", file=path, field="label_map", value=raw_map, fix="RAW: LABEL"
        )
    drop = data.get("drop") or []
    if not isinstance(drop, list) or not all(isinstance(d, str) for d in drop):
        raise ModelError(
            "drop must be a list of raw types", file=path, field="drop", value=drop, fix="e.g. drop: [MISC]"
        )
    try:
        label_map = LabelMap(dict(raw_map), frozenset(drop), f"card:{name}")
    except ModelError as exc:
        raise ModelError(exc.message, file=path, field=exc.field, value=exc.value, fix=exc.fix) from None
    raw_types = {split_tag(t)[1] for t in labels} - {None}
    stale = sorted((set(label_map.mapping) | label_map.drop) - raw_types)
    if stale:
        raise ModelError(
            "label_map/drop name labels the model does not emit",
            file=path,
            field="label_map",
            value=stale,
            fix=f"use only {sorted(raw_types)}",
        )
    try:
        label_map.check(sorted(raw_types), view=view, model=name)
    except ModelError as exc:
        raise ModelError(exc.message, file=path, field=exc.field, value=exc.value, fix=exc.fix) from None
    return ModelCard(
        name=name,
        hub_id=str(data["hub_id"]),
        revision=None if data["revision"] is None else str(data["revision"]),
        revision_note=str(data.get("revision_note") or ""),
        description=str(data["description"]),
        labels=tuple(labels),
        labels_checked=str(data["labels_checked"]),
        view=view,
        label_map=label_map,
        input=str(data["input"]),
        training_data=str(data["training_data"]),
        license=str(data["license"]),
        citation=str(data["citation"]).strip(),
        default=_card_bool(data.get("default", True), path, "default"),
        adapter=_adapter(data.get("adapter", "hf"), path),
        notes=str(data.get("notes") or ""),
        path=str(path),
    )


def _card_bool(value: object, path: Path, field: str) -> bool:
    """A card's boolean field, typed like every option (``"false"`` is false, never truthy text)."""
    from arabench.models.base import Option

    try:
        return bool(Option(field, "bool").parse(value, model=path.stem))
    except ModelError as exc:
        raise ModelError(
            exc.message, file=path, field=field, value=value, fix=f"write {field}: true or false"
        ) from None


def _card_view(spec: object, path: Path) -> View:
    schema = default_schema()
    if isinstance(spec, str):
        try:
            return schema.view(spec)
        except SchemaError as exc:
            raise ModelError(exc.message, file=path, field="view", value=spec, fix=exc.fix) from None
    if isinstance(spec, Mapping) and "name" in spec and "map" in spec:
        view_name = str(spec["name"])
        if view_name in registered_views(("packaged",), provide=False):
            raise ModelError(
                "a card-defined view must not reuse a schema view name",
                file=path,
                field="view.name",
                value=view_name,
                fix="choose a new name",
            )
        try:
            return make_view(
                view_name,
                spec["map"],
                entity_types=schema.entity_types,
                description=str(spec.get("description", "")),
                source=path,
            )
        except SchemaError as exc:
            raise ModelError(exc.message, file=path, field="view.map", value=exc.value, fix=exc.fix) from None
    raise ModelError(
        "view must be a schema view name or {name, description, map}",
        file=path,
        field="view",
        value=spec,
        fix="e.g. view: anercorp",
    )


@lru_cache(maxsize=4)
def _load_dir(directory: str) -> dict[str, ModelCard]:
    cards: dict[str, ModelCard] = {}
    views: dict[str, ModelCard] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        card = load_card(path)
        other = views.setdefault(card.view.name, card)
        if dict(other.view.mapping) != dict(card.view.mapping):
            raise ModelError(
                f"view {card.view.name!r} is defined differently by card {other.name!r}",
                file=path,
                field="view",
                value=card.view.name,
                fix="give the view another name, or copy the other card's map",
            )
        cards[card.name] = card
    return cards


def user_cards_dirs() -> list[str]:
    """The directories of user cards: ``$ARABENCH_CARDS`` first, then those given to :func:`add_cards_dir`."""
    env = [d for d in os.environ.get(CARDS_ENV, "").split(os.pathsep) if d.strip()]
    return list(dict.fromkeys([*env, *_added_dirs]))


def _check_cards_dir(directory: str | Path, *, origin: str) -> Path:
    path = Path(directory).expanduser()
    if not path.is_dir():
        raise ModelError(
            "model cards directory not found", file=path, field=origin, fix="name a directory of card .yaml files"
        )
    return path.resolve()


def add_cards_dir(directory: str | Path) -> None:
    """Read user model cards from ``directory`` too (checked at once, like the packaged ones).

    Raises:
        ModelError: If the directory does not exist, or a card in it is invalid or takes a known name.
    """
    path = str(_check_cards_dir(directory, origin="--cards"))
    if path not in _added_dirs:
        _added_dirs.append(path)
    try:
        known_cards()
    except ModelError:
        _added_dirs.remove(path)
        raise


def known_cards(directory: str | Path | None = None) -> dict[str, ModelCard]:
    """Every card by name; cached per directory.

    Args:
        directory: Read only this directory; by default the packaged cards (``models/model_cards``) and
            the user cards (:func:`user_cards_dirs`).

    Raises:
        ModelError: For an invalid card, or a user card whose name or view name another card has.
    """
    if directory is not None:
        return dict(_load_dir(str(directory)))
    cards = dict(_load_dir(str(CARDS_DIR)))
    for user_dir in user_cards_dirs():
        path = _check_cards_dir(user_dir, origin=f"${CARDS_ENV}" if user_dir not in _added_dirs else "--cards")
        for name, card in _load_dir(str(path)).items():
            if name in cards:
                raise ModelError(
                    "a user model card takes the name of another card",
                    file=card.path,
                    field="name",
                    value=name,
                    fix="rename the card file (and its name field)",
                )
            cards[name] = card
    for card in cards.values():  # the cards' views join the one view registry
        _register_card_view(card)
    return cards


def _register_card_view(card: ModelCard) -> None:
    if card.view.name in registered_views(("packaged",), provide=False):
        return  # a card naming a packaged view (view: anercorp)
    try:
        register_view(card.view, ViewSource("card", card.path, card.name))
    except SchemaError as exc:
        raise ModelError(exc.message, file=card.path, field="view", value=exc.value, fix=exc.fix) from None


def card_for(name_or_hub_id: str) -> ModelCard | None:
    """The card whose name or hub id is ``name_or_hub_id`` (revision suffix ignored), if any."""
    cards = known_cards()
    if name_or_hub_id in cards:
        return cards[name_or_hub_id]
    hub_id = name_or_hub_id.split("@", 1)[0]
    return next((c for c in cards.values() if c.hub_id == hub_id), None)


def resolve_view(name: str, *, schema: Schema | None = None) -> View:
    """The view called ``name``: a view of ``schema``, else a view of the one registry (packaged, card and user views).

    This is the one function that turns a model's :attr:`~models.base.NERModel.view` into a
    :class:`~annotations.schema.View`; the card views reach the registry when the cards are read
    (:func:`known_cards`, run by the registry on a lookup miss).

    Raises:
        SchemaError: If no registered view has that name.
    """
    if schema is not None and name in schema.views:
        return schema.views[name]
    return default_schema().view(name)  # raises with the registry's suggestion


def _provide_card_views() -> None:
    known_cards()


add_view_provider(_provide_card_views)
