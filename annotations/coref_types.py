"""Which entity types may corefer: the one home of the type rules of the entity layer (guidelines §14).

:mod:`arabench.annotations.validate` checks clusters with them and
:mod:`arabench.annotations.brat` writes BRAT's ``Equiv`` lines from them, so what
BRAT lets an annotator join is exactly what ``arabench validate`` accepts.
"""

from __future__ import annotations

from arabench.annotations.schema import Schema, default_schema

__all__ = ["STANDS_FOR", "UNCLUSTERED_TYPES", "coreferable_groups"]

#: Mention types that may join an entity of another type (guidelines §14.3-14.4):
#: a NORP adjective used as the actor stands for its country's GPE entity.
STANDS_FOR: dict[str, str] = {"NORP": "GPE"}
#: Value types: never clustered, every mention is a singleton (guidelines §14.2 item 7).
UNCLUSTERED_TYPES: frozenset[str] = frozenset(
    {"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "QUANTITY", "UNIT", "MONEY", "CURR"}
)


def coreferable_groups(schema: Schema | None = None) -> list[tuple[str, ...]]:
    """The groups of entity types whose mentions may share an ``Equiv`` line.

    One group per schema type that may be clustered (every type but
    :data:`UNCLUSTERED_TYPES`), plus one group per :data:`STANDS_FOR` pair (a
    NORP mention in a GPE entity), in schema order. Types of different groups
    never corefer.
    """
    schema = schema or default_schema()
    order = list(schema.entity_types)
    groups: list[tuple[str, ...]] = [(t,) for t in order if t not in UNCLUSTERED_TYPES]
    for mention, entity in STANDS_FOR.items():
        if mention in order and entity in order:
            groups.append(tuple(sorted({mention, entity}, key=order.index)))
    return groups
