"""The annotation schema (entity types, relation types, label views), loaded from YAML data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from functools import lru_cache
from pathlib import Path

import yaml

from arabench.annotations.errors import SchemaError, yaml_error
from arabench.annotations.files import read_yaml_text
from arabench.annotations.spans import Span
from arabench.annotations.view_providers import add_view_provider
from arabench.annotations.view_providers import providers as _providers

__all__ = [
    "DEFAULT_SCHEMA_PATH",
    "EntityType",
    "RelationType",
    "View",
    "Schema",
    "load_schema",
    "make_view",
    "default_schema",
    "load_views",
    "register_view",
    "registered_views",
    "register_views_file",
    "unregister_view",
    "add_view_provider",
    "view_source",
    "ViewSource",
    "VIEW_KINDS",
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
    extra_labels: frozenset[str] = frozenset()
    """Labels of the view's tag set that no schema type maps to (e.g. ACE's VEH and WEA).

    A corpus or model in the view may use them; gold projected from the schema
    never holds them, so such predictions on schema gold are false positives.
    """

    @property
    def labels(self) -> frozenset[str]:
        """The labels of this view."""
        return frozenset(v for v in self.mapping.values() if v is not None) | self.extra_labels

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
        (GPE, LOC and FAC all become LOC) and ``fane`` into ``ace`` (PRO is
        left out), but ``conll4`` does not coarsen into ``native``.

        Types this view ignores must be ignored by ``target`` too, otherwise
        the gold of ``target`` would hold mentions this view cannot predict:
        ``anercorp`` (NORP unscored) does not coarsen into ``conll4`` (NORP
        is MISC). An extra label (:attr:`extra_labels`) maps to itself and
        needs the same label in ``target``.

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
        for label in sorted(self.extra_labels - set(result)):
            if label not in target.labels:
                return None  # relabelling would have to drop the label's predictions
            result[label] = label
        return result

    def renaming_to(self, target: View) -> dict[str, str | None] | None:
        """Map this view's labels onto ``target``'s where :meth:`coarsening_to` cannot: by name, then by schema type.

        Each label goes to the label of ``target`` with its name; else, when the label is a schema type
        (``PERS``), to ``target``'s label of that type (``PER``); else to the one ``target`` label every
        schema type behind it maps to (``None`` when they all map to ``None``: its predictions are left
        out, and counted). ``anercorp`` renames into ``conll4`` (PERS -> PER) though it does not coarsen
        into it: conll4's MISC also holds NORP, which an anercorp model never tags, so those gold
        mentions count as misses, honestly.

        Returns:
            ``{label: target label or None}`` for every label of this view, or ``None`` when a label
            would need two target labels, or no label reaches ``target`` at all.
        """
        result: dict[str, str | None] = {}
        for label in sorted(self.labels):
            if label in target.labels:
                result[label] = label
            elif target.mapping.get(label) is not None:
                result[label] = target.mapping[label]
            else:
                goals = {target.mapping.get(t) for t, mine in self.mapping.items() if mine == label} - {None}
                if len(goals) > 1:
                    return None
                result[label] = next(iter(goals), None)
        return result if any(v is not None for v in result.values()) else None


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

    def views_with_labels(self, labels: Iterable[str]) -> list[str]:
        """Names of the views whose labels include every one of ``labels``, smallest tag set first.

        For example a corpus tagged PER, GPE, ORG, FAC, PRO, LOC, VEH, WEA fits ``fane`` only, and one tagged
        PER, LOC, ORG, MISC fits ``conll4``; a caller inferring a corpus's view takes the first, or asks the
        user to pass one when the list is empty.
        """
        wanted = set(labels)
        fits = [v for v in self.views.values() if wanted <= v.labels]
        return [v.name for v in sorted(fits, key=lambda v: len(v.labels))]

    def view(self, name: str) -> View:
        """The label view called ``name`` (for the packaged schema: any registered view, :func:`register_view`)."""
        if name not in self.views and _providers and self is default_schema():
            _run_providers()
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
    except OSError as exc:
        raise SchemaError(f"cannot read schema: {exc}", file=path, fix="check the path") from exc
    except yaml.YAMLError as exc:
        raise yaml_error(exc, what="schema file", file=path, error=SchemaError) from None
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
            name,
            spec["map"],
            entity_types=entities,
            description=str(spec.get("description", "")),
            source=path,
            labels=spec.get("labels"),
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
    labels: Iterable[str] | None = None,
) -> View:
    """Build a :class:`View`, checking that it maps every entity type exactly once.

    Args:
        name: The view's name.
        mapping: Schema type to view label (or ``None``), or ``"identity"``.
        entity_types: The schema's entity types.
        description: One line on what the view is for.
        source: The file the mapping comes from, for error messages.
        labels: The view's whole tag set, when it has labels no schema type
            maps to (they become :attr:`View.extra_labels`); ``None`` means
            the labels the mapping reaches.

    Raises:
        SchemaError: If a type is missing or unknown, or the mapping targets
            a label not in ``labels``.
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
    checked = {t: (None if mapping[t] is None else str(mapping[t])) for t in types}
    if labels is None:
        return View(name, description, checked)
    declared = [str(x) for x in labels]
    outside = sorted({v for v in checked.values() if v is not None} - set(declared))
    if outside:
        raise SchemaError(
            f"view {name!r} maps types to labels missing from its labels",
            file=source,
            field=f"views.{name}.labels",
            value=outside,
            fix=f"add {', '.join(outside)} to labels, or map those types to a listed label",
        )
    reached = {v for v in checked.values() if v is not None}
    return View(name, description, checked, frozenset(declared) - reached)


@lru_cache(maxsize=1)
def default_schema() -> Schema:
    """The schema shipped with arabench (``annotations/schema.yaml``), cached."""
    return load_schema(DEFAULT_SCHEMA_PATH)


# ----------------------------------------------------------------------------- user views

_VIEW_FIELDS = ("description", "labels", "map")


def _mapping_items(node: yaml.Node, path: Path, field: str) -> list[tuple[str, int, yaml.Node]]:
    """The ``(key, line, value node)`` entries of a YAML mapping node, refusing a key given twice."""
    if not isinstance(node, yaml.MappingNode):
        raise SchemaError(
            "expected a mapping", file=path, line=node.start_mark.line + 1, field=field, fix="write KEY: VALUE lines"
        )
    items: list[tuple[str, int, yaml.Node]] = []
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        key, line = str(key_node.value), key_node.start_mark.line + 1
        if key in seen:
            raise SchemaError(
                f"key given twice (first on line {seen[key]}; only the last value would be kept)",
                file=path,
                line=line,
                field=f"{field}.{key}",
                value=key,
                fix="give each key once",
            )
        seen[key] = line
        items.append((key, line, value_node))
    return items


def _scalar(node: yaml.Node, path: Path, field: str, *, nullable: bool = False) -> str | None:
    if isinstance(node, yaml.ScalarNode):
        if nullable and node.tag == "tag:yaml.org,2002:null":
            return None
        if node.tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:null") and node.value:
            return str(node.value)
    raise SchemaError(
        "expected a label name" + (" or null" if nullable else ""),
        file=path,
        line=node.start_mark.line + 1,
        field=field,
        value=getattr(node, "value", None) if isinstance(node, yaml.ScalarNode) else node.id,  # type: ignore[attr-defined]
        fix="write a label such as PER" + (", or null to leave the type unscored" if nullable else ""),
    )


#: The most views one views file may define (each one is scored for every model and setting).
MAX_USER_VIEWS = 200


def load_views(path: str | Path, *, schema: Schema | None = None) -> dict[str, View]:
    """Read label views defined by a user in a YAML file.

    The file holds one top-level key ``views``; each view gives
    ``description``, ``labels`` (its tag set) and ``map`` (every schema type
    to one of ``labels`` or ``null``)::

        views:
          merged8:
            description: PER/LOC/ORG/TIME/NUM/MON/EVE/LAN
            labels: [PER, LOC, ORG, TIME, NUM, MON, EVE, LAN]
            map:
              PERS: PER
              NORP: null
              ...

    Args:
        path: The YAML file.
        schema: The schema whose entity types the maps name (the packaged one by default).

    Returns:
        The views by name, in file order (not registered; see :func:`register_view`).

    Raises:
        SchemaError: Naming the file, the line, the field and the fix: for
            unreadable YAML, a key given twice, an unknown field or schema
            type, a missing type, a label not in ``labels``, or a name that
            is already a packaged view.
    """
    path = Path(path)
    schema = schema or default_schema()
    try:
        root = yaml.compose(read_yaml_text(path, what="views file", error=SchemaError), Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise yaml_error(exc, what="views file", file=path, error=SchemaError) from None
    if root is None:
        raise SchemaError("views file is empty", file=path, field="views", fix="add a 'views:' mapping")
    top = _mapping_items(root, path, "views file")
    unknown = [(k, line) for k, line, _ in top if k != "views"]
    if unknown:
        raise SchemaError(
            "unknown top-level key", file=path, line=unknown[0][1], field=unknown[0][0], fix="put views under 'views:'"
        )
    if not top:
        raise SchemaError("views file has no 'views' key", file=path, line=1, field="views", fix="add 'views:'")
    types = list(schema.entity_types)
    views: dict[str, View] = {}
    specs = _mapping_items(top[0][2], path, "views")
    if len(specs) > MAX_USER_VIEWS:
        raise SchemaError(
            f"views file defines {len(specs)} views, more than the {MAX_USER_VIEWS} read",
            file=path,
            field="views",
            fix=f"keep at most {MAX_USER_VIEWS} views in one file (each is scored for every model)",
        )
    for name, line, spec in specs:
        if schema is default_schema():
            _run_providers()  # a card's view is known before a user view takes its name
        had = _sources.get(name) if name in schema.views else None
        if name in schema.views and (had is None or had.kind != "user" or had.file != str(path)):
            owner = (had or ViewSource("packaged", schema.path)).describe()
            raise SchemaError(
                f"a user view must not reuse the name of a {owner}",
                file=path,
                line=line,
                field=f"views.{name}",
                value=name,
                fix=f"rename view {name!r} in {path}",
            )
        fields = {key: (key_line, node) for key, key_line, node in _mapping_items(spec, path, f"views.{name}")}
        for key, (key_line, _) in fields.items():
            if key not in _VIEW_FIELDS:
                raise SchemaError(
                    "unknown field of a view",
                    file=path,
                    line=key_line,
                    field=f"views.{name}.{key}",
                    value=key,
                    fix=f"use {', '.join(_VIEW_FIELDS)}",
                )
        for key in _VIEW_FIELDS:
            if key not in fields:
                raise SchemaError(
                    "view misses a field", file=path, line=line, field=f"views.{name}.{key}", fix=f"add {key}:"
                )
        labels_line, labels_node = fields["labels"]
        if not isinstance(labels_node, yaml.SequenceNode) or not labels_node.value:
            raise SchemaError(
                "labels must be a non-empty list",
                file=path,
                line=labels_line,
                field=f"views.{name}.labels",
                fix="e.g. labels: [PER, LOC, ORG]",
            )
        labels: list[str] = []
        for item in labels_node.value:
            label = _scalar(item, path, f"views.{name}.labels")
            if label in labels:
                raise SchemaError(
                    "label listed twice",
                    file=path,
                    line=item.start_mark.line + 1,
                    field=f"views.{name}.labels",
                    value=label,
                    fix="list each label once",
                )
            labels.append(str(label))
        map_line, map_node = fields["map"]
        mapping: dict[str, str | None] = {}
        for schema_type, type_line, value in _mapping_items(map_node, path, f"views.{name}.map"):
            if schema_type not in schema.entity_types:
                raise SchemaError(
                    "unknown schema type",
                    file=path,
                    line=type_line,
                    field=f"views.{name}.map",
                    value=schema_type,
                    fix=_suggest(schema_type, types, schema.path),
                )
            label = _scalar(value, path, f"views.{name}.map.{schema_type}", nullable=True)
            if label is not None and label not in labels:
                raise SchemaError(
                    "label not in the view's labels",
                    file=path,
                    line=type_line,
                    field=f"views.{name}.map.{schema_type}",
                    value=label,
                    fix=f"use one of {', '.join(labels)} or null, or add {label} to labels",
                )
            mapping[schema_type] = label
        missing = [t for t in types if t not in mapping]
        if missing:
            raise SchemaError(
                "map misses schema types",
                file=path,
                line=map_line,
                field=f"views.{name}.map",
                value=missing,
                fix="map each of them to a label or to null (null: not scored in this view)",
            )
        description = _scalar(fields["description"][1], path, f"views.{name}.description", nullable=True) or ""
        views[name] = make_view(name, mapping, entity_types=types, description=description, source=path, labels=labels)
    return views


# ----------------------------------------------------------------------------- the view registry

#: Kinds of view source, in the order a lookup reports them.
VIEW_KINDS = ("packaged", "card", "user")


@dataclass(frozen=True)
class ViewSource:
    """Where a registered view comes from: the packaged schema, a model card, or a user's views file."""

    kind: str  # one of VIEW_KINDS
    file: str
    owner: str = ""  # the card's name, for a card view

    def describe(self) -> str:
        """``packaged view (schema.yaml)``, ``view of model card NAME (PATH)`` or ``user view (PATH)``."""
        if self.kind == "packaged":
            return f"packaged view ({self.file})"
        if self.kind == "card":
            return f"view of model card {self.owner!r} ({self.file})"
        return f"user view ({self.file})"

    def fix(self, name: str) -> str:
        """How the owner of this source renames a view called ``name``."""
        if self.kind == "card":
            return f"give the view of card {self.owner!r} another name (view.name in {self.file})"
        if self.kind == "user":
            return f"rename view {name!r} in {self.file}"
        return f"edit {self.file}"


_sources: dict[str, ViewSource] = {}
_providing = False


def _run_providers() -> None:
    global _providing
    if _providing:  # a provider looking a view up itself
        return
    _providing = True
    try:
        for provider in list(_providers):
            provider()
    finally:
        _providing = False


def _same_view(a: View, b: View) -> bool:
    return dict(a.mapping) == dict(b.mapping) and a.extra_labels == b.extra_labels


def register_view(view: View, source: ViewSource | None = None) -> None:
    """Register ``view`` in the one view registry (the packaged schema's views, :func:`default_schema`).

    Everything that looks views up by name (``Schema.view``, ``run``/``score``/``compare --view``,
    corpora, model cards) then finds it. The same definition from the same kind of source again is
    harmless (two cards sharing a view); anything else under a known name is refused, blaming the
    source being registered and saying which source has the name.

    Args:
        view: The view.
        source: Where it comes from (default: a user view of unknown file).

    Raises:
        SchemaError: If the name is taken by a packaged view, or by a view of another kind of source,
            or by a different view of the same kind.
    """
    source = source or ViewSource("user", "(python)")
    views = default_schema().views
    known = views.get(view.name)
    if known is not None:
        had = _sources.get(view.name, ViewSource("packaged", default_schema().path))
        same_kind = had.kind == source.kind and had.kind != "packaged"
        if same_kind and (_same_view(known, view) and (had.kind == "card" or had.file == source.file)):
            return
        if same_kind and had.kind == "card":
            message = f"view {view.name!r} is defined differently by model card {had.owner!r} ({had.file})"
        elif had.kind == "packaged":
            message = f"view name {view.name!r} is taken by a packaged view"
        else:
            message = f"view name {view.name!r} is taken by a {had.describe()}"
        raise SchemaError(
            message,
            file=source.file if source.file != "(python)" else None,
            field="view.name" if source.kind == "card" else f"views.{view.name}",
            value=view.name,
            fix=source.fix(view.name) + (", or copy the other card's map" if same_kind else ""),
        )
    views[view.name] = view  # type: ignore[index]  # load_schema builds a dict
    _sources[view.name] = source


def register_views_file(path: str | Path) -> dict[str, View]:
    """Read a user views file (:func:`load_views`) and register its views, each with the file as its source.

    Raises:
        SchemaError: As :func:`load_views` and :func:`register_view`, naming the file.
    """
    views = load_views(path)
    for view in views.values():
        register_view(view, ViewSource("user", str(Path(path))))
    return views


def unregister_view(name: str) -> None:
    """Forget a view added by :func:`register_view` (packaged views stay)."""
    if name in _sources and _sources[name].kind != "packaged":
        del _sources[name]
        del default_schema().views[name]  # type: ignore[attr-defined]


def view_source(name: str) -> ViewSource:
    """Where the registered view ``name`` comes from.

    Raises:
        SchemaError: If no view of that name is registered (with the known names).
    """
    view = default_schema().view(name)
    return _sources.get(view.name, ViewSource("packaged", default_schema().path))


def registered_views(kinds: Iterable[str] = VIEW_KINDS, *, provide: bool = True) -> dict[str, View]:
    """Every registered view of the given source kinds, by name (packaged first, then in order of registration).

    Providers (:func:`add_view_provider`: the model cards' views) are run first unless ``provide`` is
    false, so the listing is whole.
    """
    if provide:
        _run_providers()
    wanted = set(kinds)
    schema = default_schema()
    return {
        name: v
        for name, v in schema.views.items()
        if _sources.get(name, ViewSource("packaged", schema.path)).kind in wanted
    }
