"""LLM extraction: entities and relations from a chat model, aligned back to raw character offsets.

Two adapters share the prompts, the parsing and the alignment:

* ``llm:<model>`` (:class:`OpenAIChatModel`): any server that speaks the OpenAI
  chat-completions protocol (hosted APIs, vLLM, Ollama, llama.cpp), over plain
  ``httpx``: ``POST {base_url}/chat/completions`` with ``model``, ``messages``,
  ``temperature`` (0), ``seed`` and, when ``json_mode`` is on (the default),
  ``response_format: {"type": "json_object"}``. The base URL comes from the
  option ``base_url`` (CLI ``--llm-base-url``) or ``$ARABENCH_LLM_BASE_URL``;
  the API key from the environment variable named by ``api_key_env``
  (default ``OPENAI_API_KEY``). The key is sent as a bearer token and is never
  stored: not in provenance, results, cache keys or cache entries.
* ``llm-hf:<path>`` (:class:`HFGenerationModel`): a local Hugging Face causal
  LM (``AutoModelForCausalLM``), prompted with the tokenizer's chat template
  when it has one (else a plain ``System:/User:/Assistant:`` prompt), greedy
  decoding, at most ``max_new_tokens`` new tokens.

**Prompts** are data: ``models/prompts/<name>.v<N>.yaml`` (a system message, a
user template, optional worked examples, a version), rendered with the schema's
entity types (English definitions from ``annotations/schema.yaml``, Arabic ones
from ``models/prompts/definitions.v1.yaml``) and relation types with their
argument types. Option ``prompt``: ``ner-zero-shot`` (default), ``ner-few-shot``,
``<name>@v<N>`` or the path of a YAML file. The template's name, version and
the sha256 of its rendered text are in provenance and in the cache key.

**Windows.** A text is split into paragraphs at line breaks; consecutive
paragraphs are packed into windows of at most ``max_window_chars`` characters
(default 1500); a longer paragraph is split after sentence ends (``. ! ? ؟ ؛ …``),
a longer sentence between words. Nothing is truncated: every non-space
character is in exactly one window (a single word longer than the limit is a
window of its own, counted ``oversized_windows``).

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

**Alignment** (:func:`align_entities`), per window, of each entity string:

1. Quote marks and brackets around the string are removed. A string that starts
   with proclitics followed by the article (``وبالقاهرة``, ``للجامعة``) loses the
   proclitics (``القاهرة``, ``لجامعة``), as the guidelines say; so does a string
   whose rest stands alone elsewhere in the text (``ومصر`` when ``مصر`` occurs as
   a word: a letter that may belong to the name, as in ``واشنطن``, is otherwise
   kept). Counted ``stripped_proclitics``; the unstripped string is tried when
   the stripped one is not found.
2. Exact substring search in the raw window. An occurrence counts only if it
   starts at a word start or right after the word's proclitics (``و ف ب ل ك`` and
   their combinations ``وب فل ...``), and ends at a word end (trailing
   diacritics or tatweel of that word are absorbed). So ``مصر`` never labels the
   inside of ``المصرية``, and ``القاهرة`` labels the ``القاهرة`` of ``بالقاهرة``
   (the span starts after ``ب``, as the guidelines want).
3. For a string starting with ``ال`` that has no such occurrence, the ``لل``
   spelling is tried: ``لجامعة العربية`` right after a preposition ``ل``.
4. If there is still none, the same search runs on a normalized copy of the
   window (tatweel, diacritics and zero-width marks removed, ``أ إ آ ٱ`` → ``ا``,
   Persian ``ی ک`` → ``ي ك``, white-space runs → one space) and each match is
   mapped back to raw offsets through the offset map (``normalized_matches``).
5. If the entity has an ``occurrence`` (1-based, counted among the occurrences
   of steps 2-4, in text order: :func:`find_mentions`) within range, only that
   occurrence is labelled; otherwise **every** occurrence is (an LLM lists a
   repeated name once; each mention in the gold is separate). An occurrence
   index out of range labels every occurrence and is counted
   (``occurrence_out_of_range``).
6. Without an ``occurrence``, an occurrence lying strictly inside an occurrence
   of another answer entity of the *same* type is that entity's part, not a
   mention (the surname ``الخطيب`` inside ``سامي الخطيب``), and is skipped
   (``skipped_inner_occurrences``), unless no other occurrence is left. Nested
   mentions of another type (the ORG inside an OCC) are kept.
7. A string with no occurrence is counted ``unalignable`` and listed in
   :attr:`LLMExtractor.samples`; it is never dropped silently.

``tests/benchmarks/bench_llm_alignment.py`` measures what this rule costs a perfect LLM
on the gold (F1 of the gold mentions sent back as strings).

**Relations** refer to entity ids (or, tolerated, to entity texts). Each side
resolves to the aligned spans of its entity; when an entity aligned to several
occurrences, the relation joins the pair of occurrences closest to each other
(smallest character gap; ties: the earliest pair). A relation whose argument
did not resolve or align is counted ``unalignable_relations``; an unknown
relation type ``unknown_relation_type`` (not emitted); argument types the schema
does not allow for the relation type are kept (the scorer judges them) and
counted ``relation_arg_mismatch``.

**Robustness.** HTTP 429, 5xx, connection errors and timeouts are retried with
exponential backoff (``backoff`` × 2^attempt seconds, at most ``max_backoff``;
``Retry-After`` is honoured), at most ``max_retries`` times. A 400 that mentions
``response_format`` is retried once without it (``json_mode_unsupported``) and
JSON mode stays off for the rest of the run. 401, 403 and 404 are configuration
errors (bad key, model or URL) and raise :class:`~annotations.errors.ModelError`.
Anything else that goes wrong in a window gives that window no spans and is
counted; the run goes on.

**Cache.** Answers are stored under ``<cache root>/llm/`` (the harness's cache
root: ``$ARABENCH_CACHE`` or ``~/.cache/arabench``) keyed by the sha256 of the
backend, the base URL or model fingerprint, the prompt's name, version and
sha256, the decoding parameters and the window's messages; a re-run sends no
request. Temperature 0 and a fixed seed make answers as repeatable as the
server allows.

Diagnostics (per text, summed by the harness):
    ``windows``: windows sent. ``oversized_windows``: windows longer than
    ``max_window_chars`` (a single longer word). ``failed_windows``: windows
    with no usable answer (after retries). ``http_errors``: non-2xx responses
    (every attempt). ``timeouts``: attempts that timed out.
    ``connection_errors``: attempts that could not connect. ``retries``:
    attempts repeated. ``bad_responses``: 2xx bodies without a message.
    ``json_mode_unsupported``: requests re-sent without ``response_format``.
    ``truncated_answers``: answers cut by the token limit.
    ``prompt_too_long``: (``llm-hf``) windows whose prompt exceeds the model's
    context. ``window_errors``: unexpected errors in a window.
    ``empty_answers``, ``parse_failures``, ``repaired_json``,
    ``tolerated_key:<alias>``, ``tolerated_format:<kind>``,
    ``malformed_entities``, ``malformed_relations``: see :func:`parse_answer`.
    ``unknown_type:<T>``: entities of a type outside the schema (not emitted).
    ``dropped_label:<T>``: entities of a schema type outside ``labels``, or
    mapped to null by ``label_map`` (not emitted). ``unalignable``: entity
    strings not found. ``normalized_matches``, ``stripped_proclitics``,
    ``occurrence_out_of_range``: see the alignment steps.
    ``skipped_inner_occurrences``: see the alignment steps.
    ``duplicate_spans``: the same span produced twice (kept once).
    ``unalignable_relations``, ``unknown_relation_type``,
    ``relation_arg_mismatch``, ``self_relations``, ``duplicate_relations``,
    ``ambiguous_relation_args`` (an argument naming two answer entities by the
    same id or text; the first is taken): see the relation rule.
"""

from __future__ import annotations

import ast
import email.utils
import hashlib
import ipaddress
import json
import logging
import os
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from annotations.errors import CacheError, ModelError, ModelUnavailableError
from annotations.schema import Schema, default_schema
from annotations.spans import Relation, Span
from annotations.tokenize import WordIndex
from models.base import Prediction

__all__ = [
    "ADAPTER_VERSION",
    "DEFAULT_PROMPT",
    "KEY_ALIASES",
    "PROMPTS_DIR",
    "Alignment",
    "AnswerEntity",
    "AnswerRelation",
    "HFGenerationModel",
    "LLMExtractor",
    "OpenAIChatModel",
    "ParsedAnswer",
    "PromptTemplate",
    "ResponseCache",
    "align_entities",
    "align_relations",
    "available_prompts",
    "find_mentions",
    "load_prompt",
    "normalize_with_map",
    "parse_answer",
    "split_windows",
]

log = logging.getLogger("arabench")

#: Bumped whenever the adapters change what they predict.
ADAPTER_VERSION = "1"
#: Where prompt templates live.
PROMPTS_DIR = Path(__file__).with_name("prompts")
#: The template used when no ``prompt`` option is given.
DEFAULT_PROMPT = "ner-zero-shot"
#: Samples kept per problem kind in :attr:`LLMExtractor.samples`.
MAX_SAMPLES = 20

# ----------------------------------------------------------------------------- prompts

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_TEMPLATE_FILE = re.compile(r"^(?P<name>.+)\.v(?P<version>\d+)\.ya?ml$")


@dataclass(frozen=True)
class PromptTemplate:
    """A prompt template read from ``models/prompts/<name>.v<N>.yaml``.

    Attributes:
        name: The template name (``ner-zero-shot``).
        version: Its version (bumped when the wording changes).
        system: The system message, with ``{{types}}`` and ``{{relations}}``.
        user: The user message, with ``{{text}}``.
        examples: Worked examples ``(text, answer)``, sent as earlier turns.
        definitions_ar: Arabic definitions: ``{"entity_types": {...}, "relation_types": {...}}``.
        path: The file it was read from.
    """

    name: str
    version: int
    system: str
    user: str
    examples: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    definitions_ar: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    path: str = ""

    def render_system(self, schema: Schema, labels: Iterable[str]) -> str:
        """The system message with the entity and relation types of ``labels`` filled in."""
        wanted = [t for t in schema.entity_types if t in set(labels)]
        ar_types = self.definitions_ar.get("entity_types", {})
        ar_rels = self.definitions_ar.get("relation_types", {})
        types = "\n".join(
            f"- {t}: {schema.entity_types[t].definition} | {ar_types.get(t, '')}".rstrip(" |") for t in wanted
        )
        rels = []
        for name, rel in schema.relation_types.items():
            arg1 = sorted(rel.arg1 & set(wanted))
            arg2 = sorted(rel.arg2 & set(wanted))
            if not arg1 or not arg2:
                continue
            rels.append(
                f"- {name} ({'/'.join(arg1)} -> {'/'.join(arg2)}): {rel.definition} | {ar_rels.get(name, '')}".rstrip(
                    " |"
                )
            )
        return _fill(self.system, {"types": types, "relations": "\n".join(rels) or "(none)"}, self.path)

    def messages(self, text: str, *, system: str) -> list[dict[str, str]]:
        """The chat messages for one window: system, the examples as user/assistant turns, then the window."""
        messages = [{"role": "system", "content": system}]
        for example_text, answer in self.examples:
            messages.append({"role": "user", "content": _fill(self.user, {"text": example_text}, self.path)})
            messages.append({"role": "assistant", "content": json.dumps(answer, ensure_ascii=False)})
        messages.append({"role": "user", "content": _fill(self.user, {"text": text}, self.path)})
        return messages


def _fill(template: str, values: Mapping[str, str], source: str) -> str:
    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise ModelError(
                "unknown placeholder in a prompt template",
                file=source,
                field="placeholder",
                value=key,
                fix=f"use only {', '.join('{{' + k + '}}' for k in values)} in this message",
            )
        return values[key]

    return _PLACEHOLDER.sub(replace, template)


def available_prompts() -> dict[str, list[int]]:
    """Template name -> its versions, from ``models/prompts/``."""
    found: dict[str, list[int]] = {}
    for path in sorted(PROMPTS_DIR.glob("*.yaml")):
        m = _TEMPLATE_FILE.match(path.name)
        if m and m.group("name") != "definitions":
            found.setdefault(m.group("name"), []).append(int(m.group("version")))
    return {k: sorted(v) for k, v in found.items()}


def load_prompt(spec: str | Path = DEFAULT_PROMPT) -> PromptTemplate:
    """Read a prompt template: a name (latest version), ``name@v<N>`` or a YAML file path.

    Raises:
        ModelError: If the template does not exist or is malformed.
    """
    path = Path(spec).expanduser()
    if not (str(spec).endswith((".yaml", ".yml")) and path.is_file()):
        name, _, version = str(spec).partition("@")
        versions = available_prompts().get(name)
        if not versions:
            raise ModelError(
                "unknown prompt template",
                field="prompt",
                value=str(spec),
                fix=f"use one of {', '.join(available_prompts())} (optionally @v<N>) or a .yaml path",
            )
        if version:
            number = version.lstrip("v")
            if not number.isdigit() or int(number) not in versions:
                raise ModelError(
                    "unknown prompt template version",
                    field="prompt",
                    value=str(spec),
                    fix=f"versions of {name}: {', '.join(f'v{v}' for v in versions)}",
                )
            chosen = int(number)
        else:
            chosen = versions[-1]
        path = PROMPTS_DIR / f"{name}.v{chosen}.yaml"
    return _read_prompt(str(path.resolve()))


@lru_cache(maxsize=16)
def _read_prompt(path: str) -> PromptTemplate:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ModelError(f"cannot read prompt template: {exc}", file=path, fix="check the YAML syntax") from None
    if not isinstance(data, dict):
        raise ModelError("a prompt template must be a YAML mapping", file=path, fix="see models/prompts/")
    for key in ("name", "version", "system", "user"):
        if key not in data:
            raise ModelError("prompt template misses a field", file=path, field=key, fix=f"add {key!r}")
    if "{{text}}" not in data["user"]:
        raise ModelError(
            "the user message must contain {{text}}", file=path, field="user", fix="put {{text}} where the text goes"
        )
    definitions: dict[str, Any] = {}
    if data.get("definitions"):
        def_path = Path(path).parent / str(data["definitions"])
        try:
            definitions = yaml.safe_load(def_path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ModelError(
                f"cannot read the definitions file: {exc}", file=path, field="definitions", fix="check the file name"
            ) from None
    examples = []
    for i, example in enumerate(data.get("examples") or []):
        if not isinstance(example, dict) or "text" not in example or "answer" not in example:
            raise ModelError(
                "an example needs 'text' and 'answer'", file=path, field=f"examples[{i}]", fix="see ner-few-shot"
            )
        examples.append((str(example["text"]), example["answer"]))
    return PromptTemplate(
        name=str(data["name"]),
        version=int(data["version"]),
        system=str(data["system"]),
        user=str(data["user"]),
        examples=tuple(examples),
        definitions_ar={
            "entity_types": dict(definitions.get("entity_types") or {}),
            "relation_types": dict(definitions.get("relation_types") or {}),
        },
        path=path,
    )


# ----------------------------------------------------------------------------- windows

_SENTENCE_END_RE = re.compile(r"[.!?؟؛…]+[\"'»”)\]]*(?=\s)")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _pieces(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Split one paragraph into pieces of at most ``limit`` chars: at sentence ends, then between words."""
    if end - start <= limit:
        return [(start, end)]
    sentences: list[tuple[int, int]] = []
    cursor = start
    for m in _SENTENCE_END_RE.finditer(text, start, end):
        sentences.append(_trim(text, cursor, m.end()))
        cursor = m.end()
    sentences.append(_trim(text, cursor, end))
    out: list[tuple[int, int]] = []
    for s, e in sentences:
        if e <= s:
            continue
        if e - s <= limit:
            out.append((s, e))
            continue
        words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[s:e])]
        for ws, we in words:
            out.append((s + ws, s + we))
    return out


def split_windows(text: str, *, max_chars: int = 1500) -> list[tuple[int, int]]:
    """Split ``text`` into windows ``(start, end)`` of raw offsets (see the module docstring).

    Paragraphs (lines) are packed together up to ``max_chars``; a longer paragraph
    is split after sentence ends, a longer sentence between words. Windows never
    start or end with white space, and every non-space character of ``text`` is
    in exactly one window. A window is longer than ``max_chars`` only when it is
    a single word longer than that.
    """
    if max_chars < 1:
        raise ModelError(
            "max_window_chars must be positive", field="max_window_chars", value=max_chars, fix="e.g. 1500"
        )
    units: list[tuple[int, int]] = []
    for m in re.finditer(r"[^\n]+", text):
        s, e = _trim(text, m.start(), m.end())
        if e > s:
            units.extend(_pieces(text, s, e, max_chars))
    windows: list[tuple[int, int]] = []
    for s, e in units:
        if windows and e - windows[-1][0] <= max_chars:
            windows[-1] = (windows[-1][0], e)
        else:
            windows.append((s, e))
    return windows


# ----------------------------------------------------------------------------- parsing

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


def _loads(candidate: str) -> tuple[Any, bool] | None:
    """Decode one JSON-ish object: ``(value, repaired)`` or ``None``."""
    try:
        return json.loads(candidate), False
    except ValueError:
        pass
    fixed = _TRAILING_COMMA.sub(r"\1", candidate)
    fixed = fixed.replace("“", '"').replace("”", '"')
    try:
        return json.loads(fixed), True
    except ValueError:
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
        for i, ch in enumerate(block):
            if ch not in "{[":
                continue
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


# ----------------------------------------------------------------------------- alignment

_TATWEEL = "\u0640"
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u200e\u200f\u061c\ufeff")
_ALEFS = {"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627"}
_PERSIAN = {"\u06cc": "\u064a", "\u06a9": "\u0643"}
#: Proclitic sequences a span leaves out (guidelines §2): optional و/ف then optional ب/ل/ك.
PROCLITICS = frozenset({"و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك"})
_QUOTES = "«»\"'“”‘’„()[]{}<>‹›"


def _ignorable(ch: str) -> bool:
    """Characters the normalized match drops: tatweel, combining marks, zero-width marks."""
    return ch == _TATWEEL or ch in _ZERO_WIDTH or unicodedata.category(ch) == "Mn"


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Normalize for matching and map every normalized character to its raw offset.

    Removes tatweel, combining marks (harakat, shadda, superscript alef) and
    zero-width marks; unifies ``أ إ آ ٱ`` to ``ا`` and Persian ``ی ک`` to ``ي ك``;
    turns each run of white space into one space.

    Returns:
        ``(normalized, offsets)`` with ``len(offsets) == len(normalized)`` and
        ``normalized[i]`` coming from ``text[offsets[i]]``.
    """
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if _ignorable(ch):
            continue
        if ch.isspace():
            if chars and chars[-1] == " ":
                continue
            ch = " "
        chars.append(_ALEFS.get(ch, _PERSIAN.get(ch, ch)))
        offsets.append(i)
    return "".join(chars), offsets


def _normalize(text: str) -> str:
    return normalize_with_map(unicodedata.normalize("NFC", text))[0].strip()


@dataclass
class _Words:
    """Word boundaries of a window, for the occurrence rule."""

    text: str
    index: WordIndex

    def word_at(self, offset: int) -> int | None:
        from bisect import bisect_right

        i = bisect_right(self.index.starts, offset) - 1
        if i >= 0 and offset < self.index.ends[i]:
            return i
        return None

    def accept(self, start: int, end: int) -> tuple[int, int] | None:
        """Whether ``[start, end)`` starts at a word start (or after its proclitics) and ends at a word end."""
        if start >= end:
            return None
        first = self.word_at(start)
        last = self.word_at(end - 1)
        if first is None or last is None:
            return None
        prefix = "".join(c for c in self.text[self.index.starts[first] : start] if not _ignorable(c))
        if prefix and prefix not in PROCLITICS:
            return None
        word_end = self.index.ends[last]
        if any(not _ignorable(c) for c in self.text[end:word_end]):
            return None
        return start, word_end


def _strip_mention(text: str) -> tuple[str, str | None]:
    """Remove quote marks around a mention, and proclitics before the article (guidelines §2).

    Returns:
        ``(mention, without_proclitics)``; the second is ``None`` when there was
        no proclitic to strip (``وبالقاهرة`` -> ``القاهرة``, ``للجامعة`` -> ``لجامعة``).
    """
    text = unicodedata.normalize("NFC", text).strip().strip(_QUOTES + " \t\n.,،؛:").strip()
    m = re.match(r"^(?:([وف]?[بكل]|[وف])(?=ال.)|([وف]?ل)(?=ل[^ا]))", text)
    if m:
        return text, text[m.end() :]
    return text, None


def _occurrences(window: _Words, needle: str) -> tuple[list[tuple[int, int]], bool]:
    """Accepted occurrences of ``needle`` in the window: exact, then the لل spelling, then normalized."""
    text = window.text
    found: list[tuple[int, int]] = []
    start = text.find(needle)
    while start != -1:
        got = window.accept(start, start + len(needle))
        if got is not None:
            found.append(got)
        start = text.find(needle, start + 1)
    if not found and needle.startswith("ال") and len(needle) > 2:
        short = needle[1:]  # ل + word: the article's alif dropped after the preposition ل
        start = text.find(short)
        while start != -1:
            if start > 0 and text[start - 1] == "ل":
                got = window.accept(start, start + len(short))
                if got is not None:
                    found.append(got)
            start = text.find(short, start + 1)
    if found:
        return sorted(set(found)), False
    norm_needle = _normalize(needle)
    if not norm_needle:
        return [], False
    norm, offsets = _normalized_window(text)
    start = norm.find(norm_needle)
    while start != -1:
        raw_start = offsets[start]
        raw_end = offsets[start + len(norm_needle) - 1] + 1
        got = window.accept(raw_start, raw_end)
        if got is not None:
            found.append(got)
        start = norm.find(norm_needle, start + 1)
    return sorted(set(found)), bool(found)


def find_mentions(text: str, mention: str, *, window: tuple[int, int] | None = None) -> list[tuple[int, int]]:
    """Where a mention string occurs in ``text[window]`` under the alignment rule, in raw offsets of ``text``.

    These are the occurrences an answer's ``occurrence`` index counts (1-based,
    in this order): whole words, or words behind proclitics; exact first, then
    the ``لل`` spelling, then normalized.
    """
    start, end = window if window is not None else (0, len(text))
    words = _Words(text[start:end], WordIndex.of(text[start:end]))
    mention, stripped = _strip_mention(mention)
    found = _occurrences(words, stripped)[0] if stripped else []
    if not found and mention:
        found = _occurrences(words, mention)[0]
    return [(start + s, start + e) for s, e in found]


@lru_cache(maxsize=64)
def _normalized_window(text: str) -> tuple[str, list[int]]:
    return normalize_with_map(text)


@dataclass
class Alignment:
    """The aligned spans of one window's answer.

    Attributes:
        spans: Every emitted span (raw offsets of the whole text).
        by_entity: For each answer entity (by position), its spans (empty when
            not aligned or not emitted).
        counts: Diagnostics counters.
        unaligned: The strings that were not found (for samples).
    """

    spans: list[Span] = field(default_factory=list)
    by_entity: list[list[Span]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    unaligned: list[str] = field(default_factory=list)


def align_entities(
    text: str,
    entities: Sequence[AnswerEntity],
    *,
    window: tuple[int, int] | None = None,
    labels: Iterable[str] | None = None,
    label_map: Mapping[str, str | None] | None = None,
    schema: Schema | None = None,
) -> Alignment:
    """Locate answer entities in ``text[window]`` and return spans in raw offsets of ``text``.

    Args:
        text: The whole raw text.
        entities: The answer's entities.
        window: The ``(start, end)`` of the window the answer is about (default: all of ``text``).
        labels: The types to emit (default: every schema type); other schema
            types are counted ``dropped_label:<T>``.
        label_map: Raw answer type -> schema type (or ``None`` to drop, counted),
            applied before the schema check; exact keys, then upper-cased keys.
        schema: The schema (default: the packaged one).

    Returns:
        The :class:`Alignment` (see the module docstring for the rule).
    """
    schema = schema or default_schema()
    start, end = window if window is not None else (0, len(text))
    words = _Words(text[start:end], WordIndex.of(text[start:end]))
    whole: list[_Words] = []  # the whole text's words, built when a proclitic needs attesting
    allowed = set(schema.entity_types) if labels is None else set(labels)
    upper_map = {k.upper(): v for k, v in (label_map or {}).items()}
    result = Alignment()
    # First pass: each entity's type and accepted occurrences (window offsets).
    located: list[tuple[str, list[tuple[int, int]]] | None] = []
    for entity in entities:
        kind = entity.type
        if label_map is not None and (kind in label_map or kind.upper() in upper_map):
            kind = label_map[kind] if kind in label_map else upper_map[kind.upper()]
            if kind is None:
                result.counts[f"dropped_label:{entity.type}"] += 1
                located.append(None)
                continue
        if kind not in schema.entity_types and kind.upper() in schema.entity_types:
            kind = kind.upper()
        if kind not in schema.entity_types:
            result.counts[f"unknown_type:{entity.type}"] += 1
            located.append(None)
            continue
        if kind not in allowed:
            result.counts[f"dropped_label:{kind}"] += 1
            located.append(None)
            continue
        mention, stripped = _strip_mention(entity.text)
        if not mention:
            result.counts["malformed_entities"] += 1
            located.append(None)
            continue
        if stripped is None:
            stripped = _attested_remainder(mention, text, whole)
        found, normalized = _occurrences(words, stripped) if stripped else ([], False)
        if found:
            result.counts["stripped_proclitics"] += 1
        else:
            found, normalized = _occurrences(words, mention)
        if not found:
            result.counts["unalignable"] += 1
            result.unaligned.append(entity.text)
            located.append(None)
            continue
        if normalized:
            result.counts["normalized_matches"] += 1
        if entity.occurrence is not None:
            if 1 <= entity.occurrence <= len(found):
                found = [found[entity.occurrence - 1]]
            else:
                result.counts["occurrence_out_of_range"] += 1
        located.append((kind, found))
    # Second pass: an occurrence strictly inside another entity's occurrence of the same type is
    # that entity's part (a surname inside the full name), not a mention; unless it is the only one.
    by_type: dict[str, list[tuple[int, int, int]]] = {}
    for i, item in enumerate(located):
        if item is not None:
            by_type.setdefault(item[0], []).extend((i, s, e) for s, e in item[1])
    seen: set[Span] = set()
    for i, (entity, item) in enumerate(zip(entities, located, strict=True)):
        spans: list[Span] = []
        result.by_entity.append(spans)
        if item is None:
            continue
        kind, found = item
        if entity.occurrence is None and len(found) > 1:
            outer = [
                (s, e)
                for s, e in found
                if not any(j != i and os_ <= s and e <= oe and (os_, oe) != (s, e) for j, os_, oe in by_type[kind])
            ]
            if outer and len(outer) < len(found):
                result.counts["skipped_inner_occurrences"] += len(found) - len(outer)
                found = outer
        for s, e in found:
            span = Span(start + s, start + e, kind)
            spans.append(span)
            if span in seen:
                result.counts["duplicate_spans"] += 1
                continue
            seen.add(span)
            result.spans.append(span)
    return result


def _attested_remainder(mention: str, text: str, cache: list[_Words]) -> str | None:
    """The mention without a leading proclitic, if that remainder is a whole word sequence elsewhere in the text.

    ``ومصر`` -> ``مصر`` when ``مصر`` also stands alone in the text; ``واشنطن`` is
    kept (``اشنطن`` never stands alone). Proclitics before the article are
    handled by :func:`_strip_mention`.
    """
    m = re.match(r"^([وف]?[بكل]|[وف])(?=\w{2})", mention)
    if not m:
        return None
    remainder = mention[m.end() :]
    if not cache:
        cache.append(_Words(text, WordIndex.of(text)))
    words = cache[0]
    position = text.find(remainder)
    while position != -1:
        first = words.word_at(position)
        standalone = first is not None and words.index.starts[first] == position
        if standalone and words.accept(position, position + len(remainder)) is not None:
            return remainder
        position = text.find(remainder, position + 1)
    return None


def _closest_pair(first: Sequence[Span], second: Sequence[Span]) -> tuple[Span, Span] | None:
    best: tuple[tuple[int, int, int], Span, Span] | None = None
    for a in first:
        for b in second:
            if a == b:
                continue
            gap = max(0, max(a.start, b.start) - min(a.end, b.end))
            key = (gap, min(a.start, b.start), max(a.start, b.start))
            if best is None or key < best[0]:
                best = (key, a, b)
    return None if best is None else (best[1], best[2])


def align_relations(
    relations: Sequence[AnswerRelation],
    entities: Sequence[AnswerEntity],
    aligned: Alignment,
    *,
    schema: Schema | None = None,
) -> tuple[list[Relation], Counter[str]]:
    """Turn answer relations into relations between aligned spans (see the module docstring).

    Returns:
        The relations and the diagnostics counters.
    """
    schema = schema or default_schema()
    counts: Counter[str] = Counter()
    by_id: dict[str, int] = {}
    by_text: dict[str, int] = {}
    id_count: Counter[str] = Counter()
    text_count: Counter[str] = Counter()
    for i, entity in enumerate(entities):
        if entity.id is not None:
            by_id.setdefault(entity.id, i)
            id_count[entity.id] += 1
        by_text.setdefault(entity.text.strip(), i)
        by_text.setdefault(_normalize(entity.text), i)
        text_count[entity.text.strip()] += 1
    out: list[Relation] = []
    seen: set[Relation] = set()
    for rel in relations:
        kind = rel.type if rel.type in schema.relation_types else rel.type.upper()
        if kind not in schema.relation_types:
            counts["unknown_relation_type"] += 1
            continue
        refs = []
        for ref in (rel.arg1, rel.arg2):
            index = by_id.get(ref)
            ambiguous = id_count[ref] > 1
            if index is None:
                index = by_text.get(ref)
                ambiguous = text_count[ref] > 1
            if index is None:
                index = by_text.get(_normalize(ref))
            if ambiguous:  # two answer entities share this id (or text): the first one is taken
                counts["ambiguous_relation_args"] += 1
            refs.append(index)
        if refs[0] is None or refs[1] is None:
            counts["unalignable_relations"] += 1
            continue
        pair = _closest_pair(aligned.by_entity[refs[0]], aligned.by_entity[refs[1]])
        if pair is None:
            if aligned.by_entity[refs[0]] and aligned.by_entity[refs[0]] == aligned.by_entity[refs[1]]:
                counts["self_relations"] += 1
            else:
                counts["unalignable_relations"] += 1
            continue
        relation = Relation(kind, pair[0], pair[1])
        if relation in seen:
            counts["duplicate_relations"] += 1
            continue
        seen.add(relation)
        if not schema.relation_types[kind].allows(pair[0].label, pair[1].label):
            counts["relation_arg_mismatch"] += 1
        out.append(relation)
    return out, counts


# ----------------------------------------------------------------------------- cache


class ResponseCache:
    """LLM answers on disk: ``<root>/llm/<key[:2]>/<key>.json``, written atomically.

    Args:
        root: The cache root (default: the harness's, ``$ARABENCH_CACHE`` or ``~/.cache/arabench``).
    """

    def __init__(self, root: str | Path | None = None) -> None:
        from benchmark.cache import default_cache_dir

        self.root = (Path(root).expanduser() if root is not None else default_cache_dir()) / "llm"

    @staticmethod
    def key(data: Mapping[str, object]) -> str:
        """The sha256 of the canonical JSON of ``data``."""
        from benchmark.cache import canonical_sha256

        return canonical_sha256(dict(data))

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored answer (``{"content", "finish_reason"}``) or ``None``; a corrupted entry is ignored."""
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable LLM cache entry %s (%s)", path, exc)
            return None
        if (
            not isinstance(data, dict)
            or data.get("key") != key
            or not isinstance(data.get("content"), (str, type(None)))
        ):
            log.warning("ignoring malformed LLM cache entry %s", path)
            return None
        return data

    def put(self, key: str, content: str | None, finish_reason: str | None) -> None:
        """Store an answer (atomic write)."""
        from benchmark.atomic import atomic_write_json

        try:
            atomic_write_json(
                self._path(key), {"key": key, "content": content, "finish_reason": finish_reason}, indent=None
            )
        except OSError as exc:
            raise CacheError(
                f"cannot write the LLM response cache: {exc}",
                file=self._path(key),
                fix="set ARABENCH_CACHE to a writable directory or pass cache=False",
            ) from exc


# ----------------------------------------------------------------------------- adapters


@dataclass
class _Answer:
    content: str | None
    finish_reason: str | None = None
    counts: Counter[str] = field(default_factory=Counter)
    failed: bool = False


#: Diagnostics logged (INFO) after each text when non-zero.
_REPORTED = ("failed_windows", "parse_failures", "empty_answers", "unalignable", "unalignable_relations", "timeouts")

COMMON_OPTIONS = ("cache", "cache_dir", "label_map", "labels", "max_window_chars", "name", "prompt")


def _parse_labels(labels: Iterable[str] | str | None, schema: Schema) -> frozenset[str]:
    if labels is None:
        return frozenset(schema.entity_types)
    items = [x.strip() for x in labels.split(",")] if isinstance(labels, str) else [str(x).strip() for x in labels]
    items = [x for x in items if x]
    bad = [x for x in items if x not in schema.entity_types]
    if bad or not items:
        raise ModelError(
            "labels must be schema entity types",
            field="labels",
            value=bad or items,
            fix=f"use some of {', '.join(schema.entity_types)}",
        )
    return frozenset(items)


def _parse_label_map(spec: Mapping[str, object] | str | None, schema: Schema) -> dict[str, str | None] | None:
    if spec is None:
        return None
    if isinstance(spec, str):
        pairs: dict[str, object] = {}
        for part in spec.split(","):
            if not part.strip():
                continue
            raw, sep, label = part.partition("=")
            if not sep:
                raise ModelError(
                    "label_map entries are RAW=TYPE", field="label_map", value=part, fix="e.g. 'PERSON=PERS,MISC='"
                )
            if raw.strip() in pairs:
                raise ModelError(
                    "raw label given twice in label_map", field="label_map", value=raw.strip(), fix="give it once"
                )
            pairs[raw.strip()] = label.strip() or None
        spec = pairs
    out: dict[str, str | None] = {}
    for raw, label in spec.items():
        if label is not None and str(label) not in schema.entity_types:
            raise ModelError(
                "label_map targets must be schema entity types (or null to drop)",
                field=f"label_map.{raw}",
                value=label,
                fix=f"use one of {', '.join(schema.entity_types)}",
            )
        out[str(raw)] = None if label is None else str(label)
    return out


class LLMExtractor:
    """What both LLM adapters share: windows, prompts, cache, parsing, alignment, diagnostics.

    Subclasses implement :meth:`_generate` (one window's messages -> answer) and
    :meth:`_identity` (what identifies the backend in provenance and cache keys).

    Attributes:
        name: The registry name.
        view: ``"native"``.
        labels: The schema types it is asked for (all 21 by default).
        prompt: The :class:`PromptTemplate`.
        samples: Examples of problems (unalignable strings, unparsable answers,
            failed windows), at most :data:`MAX_SAMPLES` per kind, for people
            checking a run.
        stats: Counters of the whole life of the object (``requests``, ``cache_hits``).
    """

    adapter = "llm"
    view = "native"

    def __init__(
        self,
        *,
        name: str,
        prompt: str | Path = DEFAULT_PROMPT,
        labels: Iterable[str] | str | None = None,
        label_map: Mapping[str, object] | str | None = None,
        max_window_chars: int = 1500,
        cache: bool = True,
        cache_dir: str | Path | None = None,
    ) -> None:
        self.schema = default_schema()
        self.name = name
        self.labels = _parse_labels(labels, self.schema)
        self.label_map = _parse_label_map(label_map, self.schema)
        if isinstance(max_window_chars, bool) or not isinstance(max_window_chars, int) or max_window_chars < 10:
            raise ModelError(
                "max_window_chars must be an integer of at least 10",
                field="max_window_chars",
                value=max_window_chars,
                fix="e.g. 1500",
            )
        self.max_window_chars = max_window_chars
        self.prompt = load_prompt(prompt)
        self.system = self.prompt.render_system(self.schema, self.labels)
        self.prompt_sha256 = hashlib.sha256(
            json.dumps(self.prompt.messages("{{text}}", system=self.system), ensure_ascii=False).encode("utf-8")
        ).hexdigest()
        self.cache = ResponseCache(cache_dir) if cache else None
        self.samples: dict[str, list[dict[str, object]]] = {}
        self.stats: Counter[str] = Counter()

    # -- to implement -----------------------------------------------------------------------

    def _identity(self) -> dict[str, object]:
        raise NotImplementedError

    def _request_key(self, messages: list[dict[str, str]]) -> list[dict[str, object]]:
        """The cache-key data of a request (several candidates: the first is written)."""
        raise NotImplementedError

    def _generate(self, messages: list[dict[str, str]]) -> _Answer:
        raise NotImplementedError

    # -- shared -----------------------------------------------------------------------------

    def _sample(self, kind: str, **data: object) -> None:
        bucket = self.samples.setdefault(kind, [])
        if len(bucket) < MAX_SAMPLES:
            bucket.append(data)

    def provenance(self) -> dict[str, object]:
        """Everything that changes predictions (never the API key)."""
        return {
            "id": self.name,
            "adapter": self.adapter,
            "adapter_version": ADAPTER_VERSION,
            **self._identity(),
            "view": self.view,
            "labels": sorted(self.labels),
            "label_map": self.label_map,
            "prompt": {"name": self.prompt.name, "version": self.prompt.version, "sha256": self.prompt_sha256},
            "max_window_chars": self.max_window_chars,
        }

    def _answer(self, messages: list[dict[str, str]]) -> _Answer:
        keys = [ResponseCache.key(k) for k in self._request_key(messages)]
        if self.cache is not None:
            for key in keys:
                hit = self.cache.get(key)
                if hit is not None:
                    self.stats["cache_hits"] += 1
                    return _Answer(hit.get("content"), hit.get("finish_reason"))
        answer = self._generate(messages)
        self.stats["requests"] += 1
        if self.cache is not None and not answer.failed:
            written = ResponseCache.key(self._request_key(messages)[0])  # json mode may have changed
            self.cache.put(written, answer.content, answer.finish_reason)
        return answer

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Extract entities and relations from every text (see the module docstring)."""
        if isinstance(texts, str):
            raise ModelError(
                "predict takes a sequence of texts", field="texts", value=texts[:40], fix="wrap it: [text]"
            )
        return [self._predict_one(text) for text in texts]

    def _predict_one(self, text: str) -> Prediction:
        counts: Counter[str] = Counter()
        spans: dict[Span, None] = {}
        relations: dict[Relation, None] = {}
        for start, end in split_windows(text, max_chars=self.max_window_chars):
            counts["windows"] += 1
            if end - start > self.max_window_chars:
                counts["oversized_windows"] += 1
            try:
                window_spans, window_relations, window_counts = self._window(text, start, end)
            except ModelError:
                raise
            except Exception as exc:  # one bad window must not stop the run
                log.debug("LLM window %d-%d failed", start, end, exc_info=True)
                counts["window_errors"] += 1
                counts["failed_windows"] += 1
                self._sample("window_errors", window=[start, end], error=f"{type(exc).__name__}: {exc}")
                continue
            counts.update(window_counts)
            for span in window_spans:
                if span in spans:
                    counts["duplicate_spans"] += 1
                spans[span] = None
            for rel in window_relations:
                relations[rel] = None
        problems = {k: counts[k] for k in _REPORTED if counts.get(k)}
        if problems:
            examples = [str(x.get("text")) for x in self.samples.get("unalignable", [])[:3]]
            log.info(
                "%s: %s%s",
                self.name,
                ", ".join(f"{k} {v}" for k, v in problems.items()),
                f" (unalignable e.g. {examples})" if examples else "",
            )
        return Prediction(spans=tuple(spans), relations=tuple(relations), diagnostics=dict(counts))

    def _window(self, text: str, start: int, end: int) -> tuple[list[Span], list[Relation], Counter[str]]:
        messages = self.prompt.messages(text[start:end], system=self.system)
        answer = self._answer(messages)
        counts = Counter(answer.counts)
        if answer.failed:
            counts["failed_windows"] += 1
            return [], [], counts
        if answer.finish_reason == "length":
            counts["truncated_answers"] += 1
        parsed = parse_answer(answer.content, entity_types=self.schema.entity_types)
        counts.update(parsed.counts)
        if not parsed.ok:
            self._sample("parse_failures", window=[start, end], answer=(answer.content or "")[:500])
            return [], [], counts
        aligned = align_entities(
            text,
            parsed.entities,
            window=(start, end),
            labels=self.labels,
            label_map=self.label_map,
            schema=self.schema,
        )
        counts.update(aligned.counts)
        for missing in aligned.unaligned:
            self._sample("unalignable", window=[start, end], text=missing)
        relations, rel_counts = align_relations(parsed.relations, parsed.entities, aligned, schema=self.schema)
        counts.update(rel_counts)
        return aligned.spans, relations, counts


def _check_options(adapter: str, options: Mapping[str, Any], accepted: Sequence[str]) -> None:
    """Raise for an unknown option (its value is not shown: it could be a secret)."""
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        hint = (
            " (the API key is read from the environment variable named by api_key_env)" if "api_key" in unknown else ""
        )
        raise ModelError(
            f"unknown option for the {adapter} adapter",
            field="option",
            value=unknown[0],
            fix=f"use one of: {', '.join(sorted(accepted))}{hint}",
        )


def _truthy_option(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    raise ModelError("must be true or false", field=name, value=value, fix="pass true or false")


def _number(value: object, name: str, *, minimum: float = 0.0, integer: bool = False) -> Any:
    try:
        number = int(value) if integer else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ModelError("must be a number", field=name, value=value, fix=f"pass a number >= {minimum}") from None
    if isinstance(value, bool) or number < minimum or (integer and float(value) != number):  # type: ignore[arg-type]
        raise ModelError(
            "out of range", field=name, value=value, fix=f"pass a {'whole ' if integer else ''}number >= {minimum}"
        )
    return number


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class OpenAIChatModel(LLMExtractor):
    """An LLM behind an OpenAI-compatible chat-completions endpoint (``llm:<model>``).

    Args:
        model: The model name sent to the server.
        base_url: The API root, e.g. ``https://api.openai.com/v1`` or
            ``http://127.0.0.1:8000/v1`` (default ``$ARABENCH_LLM_BASE_URL``).
        api_key_env: The environment variable holding the API key (default
            ``OPENAI_API_KEY``; no key: no ``Authorization`` header, fine for local servers).
        json_mode: Ask for ``response_format: json_object`` (default on).
        temperature: Sampling temperature (default 0).
        seed: Sampling seed sent to the server (default 0).
        max_tokens: ``max_tokens`` of the answer (default: not sent, the server's default).
        timeout: Seconds per request (default 120).
        max_retries: Retries after 429, 5xx, connection errors and timeouts (default 4).
        backoff: First retry delay in seconds, doubled each retry (default 1).
        max_backoff: The longest delay, ``Retry-After`` included (default 60).
        extra_body: More request fields (server-specific), sent as is and part of the cache key.
        **common: ``name``, ``prompt``, ``labels``, ``label_map``,
            ``max_window_chars``, ``cache``, ``cache_dir`` (see :class:`LLMExtractor`).
    """

    adapter = "llm"
    OPTIONS = (
        *COMMON_OPTIONS,
        "api_key_env",
        "backoff",
        "base_url",
        "extra_body",
        "json_mode",
        "max_backoff",
        "max_retries",
        "max_tokens",
        "seed",
        "temperature",
        "timeout",
    )

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        json_mode: bool | str = True,
        temperature: float = 0.0,
        seed: int | None = 0,
        max_tokens: int | None = None,
        timeout: float = 120.0,
        max_retries: int = 4,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        extra_body: Mapping[str, object] | None = None,
        name: str | None = None,
        **common: Any,
    ) -> None:
        try:
            import httpx
        except ImportError as exc:
            raise ModelUnavailableError(
                "the llm adapter needs httpx", field="model", value=model, fix="pip install 'arabench[llm]'"
            ) from exc
        super().__init__(name=name or f"llm:{model}", **common)
        self.model = model
        base_url = base_url or os.environ.get("ARABENCH_LLM_BASE_URL")
        if not base_url:
            raise ModelError(
                "the llm adapter needs the base URL of an OpenAI-compatible server",
                field="base_url",
                value=None,
                fix="pass --llm-base-url URL (or base_url=URL, or set ARABENCH_LLM_BASE_URL), "
                "e.g. https://api.openai.com/v1 or http://127.0.0.1:8000/v1",
            )
        parsed = urlparse(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ModelError(
                "base_url must be an http(s) URL", field="base_url", value=base_url, fix="e.g. http://127.0.0.1:8000/v1"
            )
        self.base_url = base_url.rstrip("/")
        if not isinstance(api_key_env, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", api_key_env):
            raise ModelError(
                "api_key_env is the NAME of an environment variable",
                field="api_key_env",
                value="<hidden>",
                fix="e.g. OPENAI_API_KEY (never pass the key itself)",
            )
        self.api_key_env = api_key_env
        self.json_mode = _truthy_option(json_mode, "json_mode")
        self.temperature = _number(temperature, "temperature")
        self.seed = None if seed is None else _number(seed, "seed", integer=True)
        self.max_tokens = None if max_tokens is None else _number(max_tokens, "max_tokens", minimum=1, integer=True)
        self.timeout = _number(timeout, "timeout", minimum=0.001)
        self.max_retries = _number(max_retries, "max_retries", integer=True)
        self.backoff = _number(backoff, "backoff")
        self.max_backoff = _number(max_backoff, "max_backoff")
        if extra_body is not None and not isinstance(extra_body, Mapping):
            raise ModelError(
                "extra_body must be a mapping", field="extra_body", value=extra_body, fix='e.g. {"top_p": 1}'
            )
        self.extra_body = dict(extra_body or {})
        self._json_mode_ok = self.json_mode
        self._client = httpx.Client(timeout=self.timeout, trust_env=not _is_loopback(parsed.hostname))
        self._sleep = time.sleep

    @classmethod
    def from_spec(cls, arg: str | None, **options: Any) -> OpenAIChatModel:
        """Build from ``llm:<model>`` (``arg`` is the model name sent to the server).

        Raises:
            ModelError: For a missing model name, a missing base URL or an unknown option.
        """
        _check_options("llm", options, cls.OPTIONS)
        if not arg:
            raise ModelError(
                "llm needs a model name", field="model", value=arg, fix="llm:<model>, e.g. llm:gpt-4o-mini"
            )
        return cls(arg, **options)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def _identity(self) -> dict[str, object]:
        return {
            "revision": self.model,
            "model": self.model,
            "base_url": self.base_url,
            "parameters": self._parameters(json_mode=self.json_mode),
        }

    def _parameters(self, *, json_mode: bool) -> dict[str, object]:
        params: dict[str, object] = {"temperature": self.temperature}
        if self.seed is not None:
            params["seed"] = self.seed
        if self.max_tokens is not None:
            params["max_tokens"] = self.max_tokens
        if json_mode:
            params["response_format"] = {"type": "json_object"}
        params.update(self.extra_body)
        return params

    def _payload(self, messages: list[dict[str, str]], *, json_mode: bool) -> dict[str, object]:
        return {"model": self.model, "messages": messages, **self._parameters(json_mode=json_mode)}

    def _request_key(self, messages: list[dict[str, str]]) -> list[dict[str, object]]:
        base = {
            "backend": "openai-chat",
            "base_url": self.base_url,
            "prompt": {"name": self.prompt.name, "version": self.prompt.version, "sha256": self.prompt_sha256},
        }
        modes = [self._json_mode_ok] + ([False] if self._json_mode_ok else [])
        return [{**base, "request": self._payload(messages, json_mode=mode)} for mode in modes]

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def _generate(self, messages: list[dict[str, str]]) -> _Answer:
        import httpx

        counts: Counter[str] = Counter()
        url = f"{self.base_url}/chat/completions"
        attempt = 0
        tried_without_json = False
        while True:
            payload = self._payload(messages, json_mode=self._json_mode_ok)
            delay: float | None = None
            try:
                response = self._client.post(url, json=payload, headers=self._headers())
            except httpx.TimeoutException:
                counts["timeouts"] += 1
                self._sample("timeouts", url=url)
            except httpx.TransportError as exc:
                counts["connection_errors"] += 1
                self._sample("connection_errors", url=url, error=str(exc))
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return self._read_body(response, counts)
                counts["http_errors"] += 1
                body = response.text[:500]
                self._sample("http_errors", status=status, body=body)
                if status == 400 and "response_format" in body and self._json_mode_ok and not tried_without_json:
                    counts["json_mode_unsupported"] += 1
                    self._json_mode_ok = False
                    tried_without_json = True
                    log.warning("%s: the server rejected response_format; retrying without JSON mode", self.name)
                    continue
                if status in (401, 403, 404):
                    raise ModelError(
                        f"the LLM server answered HTTP {status} for {url}: {body[:200]}",
                        field="model" if status == 404 else "api_key_env",
                        value=self.model if status == 404 else self.api_key_env,
                        fix="check the model name and --llm-base-url"
                        if status == 404
                        else f"set the API key in ${self.api_key_env} (or pass api_key_env=NAME)",
                    )
                if status != 429 and status < 500:
                    return _Answer(None, counts=counts, failed=True)
                delay = _retry_after(response.headers.get("Retry-After"))
            if attempt >= self.max_retries:
                return _Answer(None, counts=counts, failed=True)
            if delay is None:
                delay = self.backoff * (2**attempt)
            attempt += 1
            counts["retries"] += 1
            self._sleep(min(delay, self.max_backoff))

    def _read_body(self, response: Any, counts: Counter[str]) -> _Answer:
        try:
            data = response.json()
            choice = data["choices"][0]
            content = choice["message"].get("content")
            finish = choice.get("finish_reason")
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            counts["bad_responses"] += 1
            self._sample("bad_responses", body=response.text[:500])
            return _Answer(None, counts=counts, failed=True)
        if content is not None and not isinstance(content, str):
            content = json.dumps(content, ensure_ascii=False)
        return _Answer(content, finish, counts)


class HFGenerationModel(LLMExtractor):
    """A local Hugging Face causal LM prompted for NER (``llm-hf:<path>``).

    Args:
        source: A local model directory (or a hub id already in the local cache).
        device: Torch device (default ``cpu``).
        max_new_tokens: The most tokens generated per window (default 512).
        local_files_only: Never download (default True).
        **common: ``name``, ``prompt``, ``labels``, ``label_map``,
            ``max_window_chars``, ``cache``, ``cache_dir``.
    """

    adapter = "llm-hf"
    OPTIONS = (*COMMON_OPTIONS, "device", "local_files_only", "max_new_tokens")

    def __init__(
        self,
        source: str,
        *,
        device: str = "cpu",
        max_new_tokens: int = 512,
        local_files_only: bool = True,
        name: str | None = None,
        **common: Any,
    ) -> None:
        super().__init__(name=name or f"llm-hf:{source}", **common)
        self.source = source
        self.max_new_tokens = _number(max_new_tokens, "max_new_tokens", minimum=1, integer=True)
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:
            raise ModelUnavailableError(
                f"llm-hf needs torch and transformers ({exc})",
                field="model",
                value=source,
                fix="pip install 'arabench[hf]'",
            ) from exc
        path = Path(source).expanduser()
        if not path.is_dir() and source.startswith((".", "/", "~")):
            raise ModelUnavailableError(
                "no such local model directory", field="model", value=source, fix="llm-hf:/path/to/saved/model"
            )
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(
                str(path) if path.is_dir() else source, local_files_only=local_files_only
            )
            self.model = AutoModelForCausalLM.from_pretrained(
                str(path) if path.is_dir() else source, local_files_only=local_files_only
            )
        except OSError as exc:
            raise ModelUnavailableError(
                f"cannot load the causal LM: {str(exc).splitlines()[0]}",
                field="model",
                value=source,
                fix="pass a local directory saved with save_pretrained (llm-hf:/path), or download the model once",
            ) from exc
        self.device = torch.device(device)
        self.model.to(self.device).eval()
        self.fingerprint = self._fingerprint(path) if path.is_dir() else None
        self.chat = bool(getattr(self.tokenizer, "chat_template", None))
        limit = getattr(self.model.config, "max_position_embeddings", None) or getattr(
            self.model.config, "n_positions", None
        )
        self.context = int(limit) if limit else None

    @staticmethod
    def _fingerprint(path: Path) -> str:
        from benchmark.cache import canonical_sha256, path_fingerprint

        return canonical_sha256(path_fingerprint(path))

    @classmethod
    def from_spec(cls, arg: str | None, **options: Any) -> HFGenerationModel:
        """Build from ``llm-hf:<path>``.

        Raises:
            ModelError: For a missing path or an unknown option.
            ModelUnavailableError: If the model cannot be loaded here.
        """
        _check_options("llm-hf", options, cls.OPTIONS)
        if not arg:
            raise ModelError("llm-hf needs a model path", field="model", value=arg, fix="llm-hf:/path/to/model")
        return cls(arg, **options)

    def _identity(self) -> dict[str, object]:
        return {
            "revision": self.fingerprint,
            "source": self.source,
            "local_fingerprint": self.fingerprint,
            "chat_template": self.chat,
            "parameters": {"do_sample": False, "max_new_tokens": self.max_new_tokens},
        }

    def _request_key(self, messages: list[dict[str, str]]) -> list[dict[str, object]]:
        return [
            {
                "backend": "hf-generate",
                "model": self.source,
                "fingerprint": self.fingerprint,
                "prompt": {"name": self.prompt.name, "version": self.prompt.version, "sha256": self.prompt_sha256},
                "parameters": {"do_sample": False, "max_new_tokens": self.max_new_tokens, "chat": self.chat},
                "messages": messages,
            }
        ]

    def _render(self, messages: list[dict[str, str]]) -> str:
        if self.chat:
            return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        parts = [f"{m['role'].capitalize()}: {m['content']}" for m in messages]
        return "\n\n".join(parts) + "\n\nAssistant:"

    def _generate(self, messages: list[dict[str, str]]) -> _Answer:
        import torch

        counts: Counter[str] = Counter()
        prompt = self._render(messages)
        encoded = self.tokenizer(prompt, return_tensors="pt", add_special_tokens=not self.chat)
        n_prompt = encoded["input_ids"].shape[1]
        if self.context is not None and n_prompt + self.max_new_tokens > self.context:
            counts["prompt_too_long"] += 1
            self._sample("prompt_too_long", tokens=n_prompt, context=self.context)
            return _Answer(None, counts=counts, failed=True)
        pad = self.tokenizer.pad_token_id
        if pad is None:
            pad = self.tokenizer.eos_token_id
        with torch.inference_mode():
            output = self.model.generate(
                **{k: v.to(self.device) for k, v in encoded.items()},
                do_sample=False,
                max_new_tokens=self.max_new_tokens,
                pad_token_id=pad,
            )
        new = output[0, n_prompt:]
        content = self.tokenizer.decode(new, skip_special_tokens=True)
        finish = "length" if len(new) >= self.max_new_tokens else "stop"
        return _Answer(content, finish, counts)
