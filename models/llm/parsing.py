"""Reading an LLM answer into entities and relations, counting every repair.

**The answer** is parsed leniently but countably (:func:`parse_answer`): JSON
inside a code fence or prose is found (``tolerated_format:fenced``,
``tolerated_format:prose``); trailing commas, curly quotes, single quotes and
Python literals are repaired (``repaired_json``); a bare list of entities
(``tolerated_format:list``), ``["text", "TYPE"]`` pairs (``tolerated_format:pair``)
or an object grouped by type (``{"PERS": ["..."]}``, ``tolerated_format:grouped``)
are accepted; wrong key names (``label`` for ``type``, ``entity`` for ``text``,
...) are read through the table :data:`KEY_ALIASES` and counted
(``tolerated_key:<alias>``). An answer with no JSON object (or one without
entities) is a ``parse_failures``; an empty answer an ``empty_answers``. Types
are matched case-insensitively; ``label_map`` (``{"PERSON": "PERS", "MISC": None}``
or ``"PERSON=PERS,MISC="``) maps other names first.
"""

from __future__ import annotations

import ast
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["KEY_ALIASES", "AnswerEntity", "AnswerRelation", "ParsedAnswer", "parse_answer"]

#: Wrong key names tolerated in answers: canonical key -> accepted aliases (each use counted).
KEY_ALIASES: Mapping[str, tuple[str, ...]] = {
    "entities": ("entities", "named_entities", "ents", "mentions", "entity_list", "الكيانات"),
    "relations": ("relations", "relationships", "rels", "relation_list", "العلاقات"),
    "text": ("text", "entity", "mention", "span", "name", "string", "value", "surface", "النص"),
    "type": ("type", "label", "entity_type", "category", "tag", "class", "ner", "النوع"),
    "id": ("id", "entity_id", "eid", "ref"),
    "occurrence": ("occurrence", "occurrence_index", "nth", "occ", "index"),
    "relation_type": ("type", "label", "relation", "relation_type", "predicate", "rel"),
    "arg1": ("arg1", "head", "subject", "source", "from", "e1", "first"),
    "arg2": ("arg2", "tail", "object", "target", "to", "e2", "second"),
}


@dataclass(frozen=True)
class AnswerEntity:
    """One entity of an answer, before alignment."""

    id: str | None
    text: str
    type: str
    occurrence: int | None = None


@dataclass(frozen=True)
class AnswerRelation:
    """One relation of an answer: a type and two references (entity ids or texts)."""

    type: str
    arg1: str
    arg2: str


@dataclass
class ParsedAnswer:
    """What :func:`parse_answer` read, with its counters."""

    entities: list[AnswerEntity] = field(default_factory=list)
    relations: list[AnswerRelation] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    ok: bool = True


_FENCE = re.compile(r"```[ \t]*(?:json|JSON)?[ \t]*\n?(.*?)```", re.DOTALL)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


#: The longest answer parsed (characters): one window's answer is a few kilobytes.
MAX_ANSWER_CHARS = 1_000_000
#: The deepest bracket nesting of an answer parsed (an answer nests 3 or 4 levels).
MAX_ANSWER_DEPTH = 100
#: The most ``{``/``[`` positions tried as the start of the JSON in prose.
MAX_JSON_STARTS = 64


def _depth(text: str) -> int:
    """The deepest nesting of brackets in ``text`` (strings not excluded: an upper bound)."""
    depth = deepest = 0
    for ch in text:
        if ch in "{[":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "}]":
            depth = max(0, depth - 1)
    return deepest


def _loads(candidate: str) -> tuple[Any, bool] | None:
    """Decode one JSON-ish object: ``(value, repaired)`` or ``None``."""
    try:
        return json.loads(candidate), False
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the decoder goes
        pass
    fixed = _TRAILING_COMMA.sub(r"\1", candidate)
    fixed = fixed.replace("“", '"').replace("”", '"')
    try:
        return json.loads(fixed), True
    except (ValueError, RecursionError):
        pass
    try:  # single quotes, True/False/None
        value = ast.literal_eval(fixed)
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        pass
    else:
        if isinstance(value, (dict, list)):
            return value, True
    py = re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", re.sub(r"\bnull\b", "None", fixed)))
    try:
        value = ast.literal_eval(py)
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        return None
    return (value, True) if isinstance(value, (dict, list)) else None


def _balanced(text: str, start: int) -> str | None:
    """The bracketed region starting at ``text[start]`` (``{`` or ``[``), honouring strings."""
    opener = text[start]
    closer = "}" if opener == "{" else "]"
    depth = 0
    quote: str | None = None
    escaped = False
    for i in range(start, len(text)):
        ch = text[i]
        if quote is not None:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return text[start : i + 1] if ch == closer else None
    return None


def _extract_json(content: str) -> tuple[Any, bool, str | None] | None:
    """Find the JSON answer in ``content``: ``(value, syntax repaired, wrapper)``.

    ``wrapper`` is ``"fenced"`` (inside a code fence), ``"prose"`` (text around
    it) or ``None`` (the whole answer is the JSON).
    """
    fenced = [m.group(1) for m in _FENCE.finditer(content)]
    for block, wrapper in [*((b, "fenced") for b in fenced), (content, None)]:
        got = _loads(block.strip())
        if got is not None and isinstance(got[0], (dict, list)):
            return got[0], got[1], wrapper
        tried = 0
        for i, ch in enumerate(block):
            if ch not in "{[":
                continue
            tried += 1
            if tried > MAX_JSON_STARTS:  # each try scans the rest of the answer: a bounded number of them
                break
            region = _balanced(block, i)
            if region is None:
                # Unbalanced (e.g. a quote mark inside Arabic text): try up to the last closer.
                last = block.rfind("}" if ch == "{" else "]")
                region = block[i : last + 1] if last > i else None
            if region is None:
                continue
            got = _loads(region)
            if got is None or not isinstance(got[0], (dict, list)):
                continue
            if isinstance(got[0], list) and not all(isinstance(x, (dict, list)) for x in got[0]):
                continue
            return got[0], got[1], wrapper or "prose"
    return None


def _get(item: Mapping[str, Any], key: str, counts: Counter[str]) -> Any:
    for alias in KEY_ALIASES[key]:
        if alias in item:
            if alias != KEY_ALIASES[key][0]:
                counts[f"tolerated_key:{alias}"] += 1
            return item[alias]
    lowered = {str(k).strip().lower(): v for k, v in item.items()}
    for alias in KEY_ALIASES[key]:
        if alias in lowered:
            counts[f"tolerated_key:{alias}"] += 1
            return lowered[alias]
    return None


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _occurrence(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def parse_answer(content: str | None, *, entity_types: Iterable[str] = ()) -> ParsedAnswer:
    """Read an LLM answer into entities and relations, counting every repair.

    Accepted shapes: ``{"entities": [...], "relations": [...]}`` (keys through
    :data:`KEY_ALIASES`), a bare list of entities (``tolerated_format:list``), an
    object grouped by type ``{"PERS": ["..."]}`` (``tolerated_format:grouped``,
    recognised when its keys are in ``entity_types``), entities written as
    ``["text", "TYPE"]`` pairs (``tolerated_format:pair``). JSON inside a code
    fence (``tolerated_format:fenced``) or prose (``tolerated_format:prose``) is
    found; trailing commas, curly double quotes, single quotes and Python
    literals are repaired (``repaired_json``).

    Returns:
        A :class:`ParsedAnswer`; ``ok`` is False (and ``parse_failures`` or
        ``empty_answers`` counted) when nothing usable was found.
    """
    out = ParsedAnswer()
    counts = out.counts
    if content is None or not content.strip():
        counts["empty_answers"] += 1
        out.ok = False
        return out
    if len(content) > MAX_ANSWER_CHARS or _depth(content) > MAX_ANSWER_DEPTH:
        counts["parse_failures"] += 1
        counts["answer_too_large"] += 1
        out.ok = False
        return out
    got = _extract_json(content)
    if got is None:
        counts["parse_failures"] += 1
        out.ok = False
        return out
    data, repaired, wrapper = got
    if repaired:
        counts["repaired_json"] += 1
    if wrapper is not None:
        counts[f"tolerated_format:{wrapper}"] += 1
    known_types = {t.upper() for t in entity_types}
    raw_entities: Any
    raw_relations: Any = []
    if isinstance(data, list):
        counts["tolerated_format:list"] += 1
        raw_entities = data
    else:
        raw_entities = _get(data, "entities", counts)
        raw_relations = _get(data, "relations", counts) or []
        if raw_entities is None:
            grouped = {k: v for k, v in data.items() if str(k).strip().upper() in known_types}
            if grouped:
                counts["tolerated_format:grouped"] += 1
                raw_entities = [
                    {"text": t, "type": k}
                    for k, values in grouped.items()
                    for t in (values if isinstance(values, list) else [values])
                ]
            elif not data:
                raw_entities = []
            elif raw_relations:
                raw_entities = []
            else:
                counts["parse_failures"] += 1
                out.ok = False
                return out
    if not isinstance(raw_entities, list):
        counts["parse_failures"] += 1
        out.ok = False
        return out
    for item in raw_entities:
        if isinstance(item, (list, tuple)) and len(item) >= 2 and all(isinstance(x, str) for x in item[:2]):
            counts["tolerated_format:pair"] += 1
            item = {"text": item[0], "type": item[1]}
        if not isinstance(item, Mapping):
            counts["malformed_entities"] += 1
            continue
        text = _as_text(_get(item, "text", counts))
        kind = _as_text(_get(item, "type", counts))
        if not text or not text.strip() or not kind or not kind.strip():
            counts["malformed_entities"] += 1
            continue
        ident = _as_text(_get(item, "id", counts))
        out.entities.append(
            AnswerEntity(
                id=ident.strip() if ident else None,
                text=text,
                type=kind.strip(),
                occurrence=_occurrence(_get(item, "occurrence", counts)),
            )
        )
    if not isinstance(raw_relations, list):
        counts["malformed_relations"] += 1
        raw_relations = []
    for item in raw_relations:
        if not isinstance(item, Mapping):
            counts["malformed_relations"] += 1
            continue
        kind = _as_text(_get(item, "relation_type", counts))
        arg1 = _as_text(_get(item, "arg1", counts))
        arg2 = _as_text(_get(item, "arg2", counts))
        if not kind or not arg1 or not arg2:
            counts["malformed_relations"] += 1
            continue
        out.relations.append(AnswerRelation(kind.strip(), arg1.strip(), arg2.strip()))
    return out
