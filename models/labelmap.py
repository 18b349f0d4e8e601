"""Label maps: a model's raw labels -> the labels of its view, as data with exact keys.

A :class:`LabelMap` maps a raw entity type (the model's tag with its BIO
prefix stripped: ``B-PER`` -> ``PER``) to a label of the model's view. Raw
types listed in ``drop`` are removed from predictions and counted
(``dropped_label:<RAW>``); any other raw type without an entry is an error,
never a silent loss.

Label maps come from

* a model card (``label_map`` and ``drop`` in ``models/model_cards/*.yaml``);
* a command-line or API option: ``"PER=PERS,LOC=LOC,MISC="`` (an empty right
  side drops the label) or the path of a YAML/JSON file holding either
  ``{map: {RAW: LABEL}, drop: [RAW, ...]}`` or a flat ``{RAW: LABEL or null}``;
* inference from a model's ``config.id2label`` (:func:`infer_label_map`) for a
  model without a card: a raw type equal to a view label maps to itself;
  otherwise the small :data:`SYNONYMS` table names the schema type it stands
  for, and the view's label for that type is used. Types that still have no
  label are listed and raise unless dropped; the inferred map is reported in
  the model's provenance.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import yaml

from arabench.annotations import tags
from arabench.annotations.errors import LabelMapError, yaml_error
from arabench.annotations.schema import View

__all__ = [
    "SYNONYMS",
    "DuplicateKeyError",
    "LabelMap",
    "UniqueKeyLoader",
    "infer_label_map",
    "parse_label_map",
    "split_labels",
    "split_tag",
]

#: Common raw type names -> the schema type they stand for (used only by inference).
SYNONYMS: Mapping[str, str] = MappingProxyType(
    {
        "PER": "PERS",
        "PERS": "PERS",
        "PERSON": "PERS",
        "ORG": "ORG",
        "ORGANIZATION": "ORG",
        "ORGANISATION": "ORG",
        "LOC": "LOC",
        "LOCATION": "LOC",
        "GPE": "GPE",
        "FAC": "FAC",
        "FACILITY": "FAC",
        "NORP": "NORP",
        "NATIONALITY": "NORP",
        "OCC": "OCC",
        "OCCUPATION": "OCC",
        "EVENT": "EVENT",
        "DATE": "DATE",
        "TIME": "TIME",
        "LANGUAGE": "LANGUAGE",
        "WEBSITE": "WEBSITE",
        "LAW": "LAW",
        "PRODUCT": "PRODUCT",
        "CARDINAL": "CARDINAL",
        "ORDINAL": "ORDINAL",
        "PERCENT": "PERCENT",
        "QUANTITY": "QUANTITY",
        "UNIT": "UNIT",
        "MONEY": "MONEY",
        "CURR": "CURR",
        "CURRENCY": "CURR",
    }
)


def split_tag(tag: str) -> tuple[str, str | None]:
    """Split a model's token tag into ``(prefix, type)``: :func:`arabench.annotations.tags.split_tag` in scheme ``ANY``.

    ``"O"`` -> ``("O", None)``; ``"B-PER"`` / ``"B_PER"`` -> ``("B", "PER")``;
    BIOES/BILOU prefixes (``E S L U``) are kept as they are; a tag without a
    prefix (IO tagging, ``"PER"``) -> ``("I", "PER")``.
    """
    return tags.split_tag(tag, "ANY")


@dataclass(frozen=True)
class LabelMap:
    """Raw entity type -> view label, with the raw types to drop.

    Args:
        mapping: Raw type (no BIO prefix) -> view label.
        drop: Raw types removed from predictions (and counted).
        source: Where the map comes from (``"card:<name>"``, ``"option"``,
            ``"file:<path>"``, ``"inferred from config.id2label"``).
    """

    mapping: Mapping[str, str]
    drop: frozenset[str] = frozenset()
    source: str = "option"
    inferred: bool = field(default=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mapping", MappingProxyType(dict(self.mapping)))
        object.__setattr__(self, "drop", frozenset(self.drop))
        both = sorted(set(self.mapping) & self.drop)
        if both:
            raise LabelMapError(
                "a raw label is both mapped and dropped",
                field="label_map",
                value=both,
                fix="keep each raw label in the map or in drop, not both",
            )

    def label(self, raw_type: str, *, model: str = "model") -> str | None:
        """The view label of ``raw_type``, or ``None`` if it is dropped.

        Raises:
            LabelMapError: If ``raw_type`` is neither mapped nor dropped.
        """
        try:
            return self.mapping[raw_type]
        except KeyError:
            if raw_type in self.drop:
                return None
        raise self._unmapped([raw_type], model)

    def check(self, raw_types: Iterable[str], *, view: View, model: str = "model") -> None:
        """Check the map covers ``raw_types`` and targets only labels of ``view``.

        Raises:
            LabelMapError: If a raw type is neither mapped nor dropped, a
                dropped type is not one the model emits (a typo would keep the
                label it meant), or a target is not a label of ``view``.
        """
        raw = list(dict.fromkeys(raw_types))
        missing = [t for t in raw if t not in self.mapping and t not in self.drop]
        if missing:
            raise self._unmapped(missing, model)
        stray = sorted(self.drop - set(raw))
        if stray:
            raise LabelMapError(
                f"drop names labels that {model} does not emit",
                field="drop",
                value=stray if len(stray) > 1 else stray[0],
                fix=f"drop some of the model's labels: {', '.join(raw)}",
            )
        bad = {k: v for k, v in self.mapping.items() if v not in view.labels}
        if bad:
            raise LabelMapError(
                f"label map of {model} targets labels that view {view.name!r} does not have",
                field="label_map",
                value=bad,
                fix=f"map to one of {', '.join(sorted(view.labels))} or choose another view",
            )

    def _unmapped(self, raw_types: list[str], model: str) -> LabelMapError:
        example = ",".join(f"{t}=<LABEL>" for t in raw_types)
        return LabelMapError(
            f"{model} emits labels with no mapping ({self.source})",
            field="label_map",
            value=raw_types if len(raw_types) > 1 else raw_types[0],
            fix=f"add them to the label map (label_map='{example}') or list them in drop=",
        )

    def as_dict(self) -> dict[str, object]:
        """JSON-serializable form (for provenance)."""
        return {"map": dict(sorted(self.mapping.items())), "drop": sorted(self.drop), "source": self.source}


def _from_data(data: object, *, source: str, drop: Iterable[str] = ()) -> LabelMap:
    if not isinstance(data, Mapping):
        raise LabelMapError(
            "a label map must be a mapping",
            file=source if source.startswith("file:") else None,
            field="label_map",
            value=data,
            fix="write {map: {RAW: LABEL}, drop: [RAW]} or 'RAW=LABEL,...'",
        )
    dropped = set(drop)
    if "map" in data and isinstance(data["map"], Mapping):
        extra = sorted(set(data) - {"map", "drop"})
        if extra:
            raise LabelMapError(
                "unknown keys in label map", field="label_map", value=extra, fix="use only 'map' and 'drop'"
            )
        dropped |= set(split_labels(data.get("drop")))
        data = data["map"]
    mapping = {}
    for key, value in data.items():
        if value is None or value == "":
            dropped.add(str(key))
        elif not isinstance(value, str):
            raise LabelMapError(
                "a label map value must be a label string or null",
                field=f"label_map.{key}",
                value=value,
                fix="write RAW: LABEL, or RAW: null to drop it",
            )
        else:
            mapping[str(key)] = value
    return LabelMap(mapping, frozenset(dropped), source)


class DuplicateKeyError(ValueError):
    """A key written twice in one mapping of a YAML or JSON file: ``args == (key, line or None)``."""


class UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key given twice in one mapping (PyYAML keeps the last)."""


def _unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            if key in seen:
                raise DuplicateKeyError(key, key_node.start_mark.line + 1)
            seen.add(key)
        except TypeError:  # an unhashable key: construct_mapping reports it
            break
    return loader.construct_mapping(node, deep=deep)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def _json_unique(pairs: list[tuple[str, object]]) -> dict[str, object]:
    obj: dict[str, object] = {}
    for key, value in pairs:
        if key in obj:
            raise DuplicateKeyError(key, None)
        obj[key] = value
    return obj


def split_labels(labels: str | Iterable[object] | None) -> list[str]:
    """A list of labels given as ``"A,B"`` text or as a list (``drop``, ``labels``): stripped, empty ones left out.

    The one reading of such lists (options from the shell, configuration files, cards and API calls).
    """
    if labels is None:
        return []
    items = labels.split(",") if isinstance(labels, str) else [str(x) for x in labels]
    return [x.strip() for x in items if x.strip()]


def parse_label_map(spec: str | Path | Mapping[str, object], *, drop: Iterable[str] = ()) -> LabelMap:
    """Read a label map from an option string, a YAML/JSON file path or a mapping.

    Args:
        spec: ``"PER=PERS,LOC=LOC,MISC="`` (empty right side drops), a path to
            a ``.yaml``/``.yml``/``.json`` file, or a mapping.
        drop: Further raw types to drop.

    Raises:
        LabelMapError: If the spec is malformed (the message names the part).
    """
    if isinstance(spec, Mapping):
        return _from_data(spec, source="option", drop=drop)
    path = Path(spec)
    if isinstance(spec, Path) or path.suffix.lower() in {".yaml", ".yml", ".json"}:
        try:
            text = path.read_text(encoding="utf-8")
            if path.suffix.lower() == ".json":
                data = json.loads(text, object_pairs_hook=_json_unique)
            else:
                data = yaml.load(text, Loader=UniqueKeyLoader)  # a SafeLoader subclass
        except DuplicateKeyError as exc:
            raise LabelMapError(
                "raw label given twice in the label map file (only one value would be kept)",
                file=path,
                line=exc.args[1],
                field="label_map",
                value=exc.args[0],
                fix="give each raw label once",
            ) from None
        except yaml.YAMLError as exc:
            raise yaml_error(exc, what="label map file", file=path, error=LabelMapError) from None
        except (OSError, ValueError) as exc:
            raise LabelMapError(
                f"cannot read label map: {exc}", file=path, field="label_map", fix="check the path and the syntax"
            ) from exc
        return _from_data(data, source=f"file:{path}", drop=drop)
    mapping: dict[str, str | None] = {}
    for part in str(spec).split(","):
        part = part.strip()
        if not part:
            continue
        raw, sep, label = (p.strip() for p in part.partition("="))
        if not sep or not raw:
            raise LabelMapError(
                "malformed label map entry",
                field="label_map",
                value=part,
                fix="write RAW=LABEL pairs separated by commas, e.g. 'PER=PERS,LOC=LOC,MISC=' (empty drops)",
            )
        if raw in mapping:
            raise LabelMapError("raw label given twice", field="label_map", value=raw, fix="give each raw label once")
        mapping[raw] = label or None
    return _from_data(mapping, source="option", drop=drop)


def infer_label_map(
    raw_types: Iterable[str], view: View, *, drop: Iterable[str] = (), model: str = "model"
) -> LabelMap:
    """Infer a label map from a model's raw types (its ``config.id2label`` without BIO prefixes).

    A raw type equal to a label of ``view`` maps to itself; otherwise
    :data:`SYNONYMS` (case-insensitive) gives the schema type it stands for and
    the view's label of that type is used.

    Raises:
        LabelMapError: Naming every raw type that could not be mapped and is
            not in ``drop``.
    """
    dropped = set(drop)
    mapping: dict[str, str] = {}
    unmapped: list[str] = []
    for raw in dict.fromkeys(raw_types):
        if raw in dropped:
            continue
        if raw in view.labels:
            mapping[raw] = raw
            continue
        schema_type = SYNONYMS.get(raw.upper())
        label = view.mapping.get(schema_type) if schema_type else None
        if label is None:
            unmapped.append(raw)
        else:
            mapping[raw] = label
    result = LabelMap(mapping, frozenset(dropped), f"inferred from config.id2label into view {view.name!r}", True)
    if unmapped:
        raise LabelMapError(
            f"cannot infer a label for every label of {model} in view {view.name!r} (inferred so far: {dict(mapping)})",
            field="label_map",
            value=unmapped if len(unmapped) > 1 else unmapped[0],
            fix="pass label_map='RAW=LABEL,...' for them, list them in drop=, or choose another view=",
        )
    return result
