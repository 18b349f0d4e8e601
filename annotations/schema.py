"""The annotation schema (entity types, relation types, label views), loaded from YAML data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from functools import lru_cache
from pathlib import Path

import yaml

from annotations.errors import SchemaError
from annotations.spans import Span

__all__ = [
    "DEFAULT_SCHEMA_PATH",
    "EntityType",
    "RelationType",
    "View",
    "Schema",
    "load_schema",
    "make_view",
    "default_schema",
]

DEFAULT_SCHEMA_PATH = Path(__file__).with_name("schema.yaml")


@dataclass(frozen=True)
class EntityType:
    """One entity type: its name, a one-line definition and an Arabic example."""

    name: str
    definition: str
    example: str


@dataclass(frozen=True)
class RelationType:
    """One relation type and the entity types its arguments may have."""

    name: str
    arg1: frozenset[str]
    arg2: frozenset[str]
    symmetric: bool
    definition: str

    def allows(self, arg1_type: str, arg2_type: str) -> bool:
        """True if the argument types are allowed (either order when symmetric)."""
        if arg1_type in self.arg1 and arg2_type in self.arg2:
            return True
        return self.symmetric and arg2_type in self.arg1 and arg1_type in self.arg2


@dataclass(frozen=True)
class View:
    """A label view: every schema type maps to a view label or to ``None``.

    Gold spans of a type that maps to ``None`` are not scored in the view.
    """

    name: str
    description: str
    mapping: Mapping[str, str | None]

    @property
    def labels(self) -> frozenset[str]:
        """The labels of this view."""
        return frozenset(v for v in self.mapping.values() if v is not None)

    def label_of(self, schema_type: str) -> str | None:
        """The view label of a schema type (``None`` if the view ignores it)."""
        try:
            return self.mapping[schema_type]
        except KeyError:
            raise SchemaError(
                f"view {self.name!r} has no entry for type {schema_type!r}",
                field="type",
                value=schema_type,
                fix=f"use one of {', '.join(self.mapping)}",
            ) from None

    def project(self, spans: Iterable[Span]) -> list[Span]:
        """Relabel schema-typed spans into this view, leaving out types it ignores."""
        result = []
        for span in spans:
            label = self.label_of(span.label)
            if label is not None:
                result.append(span if label == span.label else span.with_label(label))
        return result

    def ignored_types(self) -> frozenset[str]:
        """Schema types this view does not score."""
        return frozenset(k for k, v in self.mapping.items() if v is None)

    def coarsening_to(self, target: View) -> dict[str, str | None] | None:
        """Map this view's labels onto a coarser view's labels, if the schema allows it.

        This view coarsens into ``target`` when every schema type behind one
        of its labels maps to the same ``target`` label (or to ``None``), so a
        prediction labelled in this view can be relabelled into ``target``
        without guessing. For example ``native`` coarsens into ``conll4``
        (GPE, LOC and FAC all become LOC), and ``anercorp`` into ``conll4``
        (PERS becomes PER), but ``conll4`` does not coarsen into ``native``.

        Types this view ignores must be ignored by ``target`` too, otherwise
        the gold of ``target`` would hold mentions this view cannot predict.

        Returns:
            ``{label: target label or None}`` for every label of this view,
            or ``None`` if this view does not coarsen into ``target``.
        """
        result: dict[str, str | None] = {}
        for schema_type, label in self.mapping.items():
            goal = target.mapping.get(schema_type)
            if label is None:
                if goal is not None:
                    return None
                continue
            if label in result and result[label] != goal:
                return None
            result[label] = goal
        return result


@dataclass(frozen=True)
class Schema:
    """Entity types, relation types and label views."""

    version: int
    entity_types: Mapping[str, EntityType]
    relation_types: Mapping[str, RelationType]
    views: Mapping[str, View]
    path: str

    def check_entity_type(self, name: str, *, file: str | None = None, line: int | None = None) -> None:
        """Raise a :class:`SchemaError` with a suggestion if ``name`` is not an entity type."""
        if name not in self.entity_types:
            raise SchemaError(
                "unknown entity type",
                file=file,
                line=line,
                field="type",
                value=name,
                fix=_suggest(name, self.entity_types, self.path),
            )

    def check_relation_type(self, name: str, *, file: str | None = None, line: int | None = None) -> None:
        """Raise a :class:`SchemaError` with a suggestion if ``name`` is not a relation type."""
        if name not in self.relation_types:
            raise SchemaError(
                "unknown relation type",
                file=file,
                line=line,
                field="type",
                value=name,
                fix=_suggest(name, self.relation_types, self.path),
            )

    def view(self, name: str) -> View:
        """Return the label view called ``name``."""
        try:
            return self.views[name]
        except KeyError:
            raise SchemaError(
                "unknown label view",
                field="view",
                value=name,
                fix=_suggest(name, self.views, self.path),
            ) from None


def _suggest(name: str, known: Iterable[str], path: str) -> str:
    known = list(known)
    close = get_close_matches(name.upper(), [k.upper() for k in known], n=1)
    hint = ""
    if close:
        match = next(k for k in known if k.upper() == close[0])
        hint = f"did you mean {match!r}? "
    return f"{hint}use one of {', '.join(known)} (see {path})"


def load_schema(path: str | Path = DEFAULT_SCHEMA_PATH) -> Schema:
    """Read and check a schema YAML file.

    Raises:
        SchemaError: If the file is missing a section, a relation names an
            unknown type, or a view misses or invents a type.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SchemaError(f"cannot read schema: {exc}", file=path, fix="check the path and the YAML syntax") from exc
    if not isinstance(data, dict):
        raise SchemaError("schema must be a YAML mapping", file=path, fix="see annotations/schema.yaml")
    for key in ("version", "entity_types", "relation_types", "views"):
        if key not in data:
            raise SchemaError("missing section", file=path, field=key, fix=f"add a {key!r} section")
    entities = {
        name: EntityType(name, str(spec["definition"]), str(spec["example"]))
        for name, spec in data["entity_types"].items()
    }
    relations = {}
    for name, spec in data["relation_types"].items():
        for arg in ("arg1", "arg2"):
            for t in spec[arg]:
                if t not in entities:
                    raise SchemaError(
                        f"relation {name!r} allows an unknown entity type",
                        file=path,
                        field=arg,
                        value=t,
                        fix=_suggest(t, entities, str(path)),
                    )
        relations[name] = RelationType(
            name,
            frozenset(spec["arg1"]),
            frozenset(spec["arg2"]),
            bool(spec.get("symmetric", False)),
            str(spec.get("definition", "")),
        )
    views = {
        name: make_view(
            name, spec["map"], entity_types=entities, description=str(spec.get("description", "")), source=path
        )
        for name, spec in data["views"].items()
    }
    return Schema(int(data["version"]), entities, relations, views, str(path))


def make_view(
    name: str,
    mapping: Mapping[str, str | None] | str,
    *,
    entity_types: Iterable[str],
    description: str = "",
    source: str | Path | None = None,
) -> View:
    """Build a :class:`View`, checking that it maps every entity type exactly once.

    Args:
        name: The view's name.
        mapping: Schema type to view label (or ``None``), or ``"identity"``.
        entity_types: The schema's entity types.
        description: One line on what the view is for.
        source: The file the mapping comes from, for error messages.

    Raises:
        SchemaError: If a type is missing or unknown.
    """
    types = list(entity_types)
    if mapping == "identity":
        return View(name, description, {t: t for t in types})
    if not isinstance(mapping, Mapping):
        raise SchemaError(
            f"view {name!r} must be a mapping or 'identity'",
            file=source,
            field=f"views.{name}.map",
            value=mapping,
            fix="map each schema type to a view label or to null",
        )
    missing = [t for t in types if t not in mapping]
    extra = [t for t in mapping if t not in types]
    if missing or extra:
        raise SchemaError(
            f"view {name!r} must map every entity type exactly once",
            file=source,
            field=f"views.{name}.map",
            value={"missing": missing, "unknown": extra},
            fix="map each schema type to a view label or to null",
        )
    return View(name, description, {t: (None if mapping[t] is None else str(mapping[t])) for t in types})


@lru_cache(maxsize=1)
def default_schema() -> Schema:
    """The schema shipped with arabench (``annotations/schema.yaml``), cached."""
    return load_schema(DEFAULT_SCHEMA_PATH)
