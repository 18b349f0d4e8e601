"""The one tag codec of arabench: split a tag, decode tags into entities, encode entities into tags.

Every user reads tags through this module: CoNLL I/O (:mod:`arabench.annotations.conll`),
the Hugging Face adapter (:mod:`arabench.models.hf`) and the token view (:mod:`arabench.eval.tokens`).

**Schemes are data** (:data:`SCHEMES`): which prefixes a scheme allows, and
which prefix each position of an entity gets (single token, first, inside,
last, and the IOB1/IOE1 prefixes that mark an entity touching one of its own
type). ``IO`` tags are bare types; ``ANY`` accepts every prefix of every
scheme, bare types and ``_`` as separator (what model label sets contain).

**Decoding** reads each prefix by its *role* (:data:`ROLES`: ``L`` reads as
``E``, ``U`` as ``S``, a bare type as ``I``) with conlleval's rules: an entity
starts at ``B``/``S``, ends before ``B``/``S``/``O``, after ``E``/``S``, or at a
change of type. An ``I``/``E`` that continues no entity of its type is an
*orphan*; what happens to it, and what counts as a repair, is the named
:data:`POLICIES` entry:

* ``conlleval``: an orphan starts an entity (conlleval.pl, seqeval's default
  mode); a repair is every tag that differs from the canonical encoding
  (:func:`encode`) of what was decoded. CoNLL import uses it.
* ``strict``: an orphan belongs to no entity (seqeval ``mode="strict"`` with
  ``IOB2``); repairs as in ``conlleval``. The token view's ``iob2`` scheme.
* ``adapter``: orphans start an entity as in ``conlleval``; a repair is a
  prefixed orphan (``I-``/``E-``/``L-``) only, because model outputs mix
  schemes and a ``B-`` closing a BIOES entity is no mistake of the model.
  The Hugging Face adapter's ``repaired_tags`` diagnostic.

Entities are ``(first_token, end_token, type)`` with a half-open token range.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

from arabench.annotations.errors import ConversionError

__all__ = [
    "Scheme",
    "Policy",
    "Decoded",
    "SCHEMES",
    "SCHEME_ALIASES",
    "POLICIES",
    "ROLES",
    "scheme_of",
    "split_tag",
    "decode",
    "decode_entities",
    "decode_bio2_arrays",
    "bio2_runs",
    "encode",
]


@dataclass(frozen=True)
class Scheme:
    """One tagging scheme as data.

    Attributes:
        name: The canonical name (a key of :data:`SCHEMES`).
        prefixes: The prefixes a tag may carry (empty: bare types, ``IO``).
        single: Prefix of a one-token entity.
        begin: Prefix of the first token of a longer entity.
        inside: Prefix of its middle tokens.
        end: Prefix of its last token.
        touch_begin: Prefix of the first token of an entity that directly
            follows one of its own type (IOB1's ``B``), else ``None``.
        touch_end: Prefix of the last token of an entity that directly
            precedes one of its own type (IOE1's ``E``), else ``None``.
        separators: Characters allowed between prefix and type.
        bare: Whether a tag without a prefix is a type (read as ``I``).
    """

    name: str
    prefixes: frozenset[str]
    single: str
    begin: str
    inside: str
    end: str
    touch_begin: str | None = None
    touch_end: str | None = None
    separators: str = "-"
    bare: bool = False


def _scheme(name: str, prefixes: str, single: str, begin: str, inside: str, end: str, **kw: object) -> Scheme:
    return Scheme(name, frozenset(prefixes), single, begin, inside, end, **kw)  # type: ignore[arg-type]


#: Every supported scheme, by canonical name (``IO`` tags are bare types: adjacent mentions of one type merge).
SCHEMES: Mapping[str, Scheme] = MappingProxyType(
    {
        s.name: s
        for s in (
            _scheme("BIO2", "BI", "B", "B", "I", "I"),
            _scheme("IOB1", "BI", "I", "I", "I", "I", touch_begin="B"),
            _scheme("IOE1", "IE", "I", "I", "I", "I", touch_end="E"),
            _scheme("IOE2", "IE", "E", "I", "I", "E"),
            _scheme("BIOES", "BIES", "S", "B", "I", "E"),
            _scheme("BILOU", "BILU", "U", "B", "I", "L"),
            _scheme("IO", "", "", "", "", "", bare=True),
            _scheme("ANY", "BIESLU", "B", "B", "I", "I", separators="-_", bare=True),
        )
    }
)

#: Other names of the schemes.
SCHEME_ALIASES: Mapping[str, str] = MappingProxyType({"IOB2": "BIO2", "BIO": "BIO2", "IOBES": "BIOES", "IOE": "IOE2"})

#: What each prefix means to the decoder (``""``: a bare type).
ROLES: Mapping[str, str] = MappingProxyType({"B": "B", "I": "I", "E": "E", "S": "S", "L": "E", "U": "S", "": "I"})


@dataclass(frozen=True)
class Policy:
    """What the decoder does with an orphan ``I``/``E`` and what it counts as a repair.

    Attributes:
        name: The key in :data:`POLICIES`.
        orphans_start: True: an orphan starts an entity; False: it belongs to none.
        repairs: ``"canonical"`` (tags differing from :func:`encode` of the
            result) or ``"orphans"`` (prefixed orphan tags).
    """

    name: str
    orphans_start: bool
    repairs: str


#: The decoding policies (see the module docstring).
POLICIES: Mapping[str, Policy] = MappingProxyType(
    {
        "conlleval": Policy("conlleval", True, "canonical"),
        "strict": Policy("strict", False, "canonical"),
        "adapter": Policy("adapter", True, "orphans"),
    }
)


@dataclass(frozen=True)
class Decoded:
    """The result of :func:`decode`.

    Attributes:
        entities: ``(first_token, end_token, type)``, token ranges half-open, in order.
        tags: The decoded tags.
        scheme: Their scheme.
        policy: The policy they were read with.
        orphans: Positions of prefixed ``I``/``E`` tags that continued no entity.
    """

    entities: list[tuple[int, int, str]]
    tags: Sequence[str] = field(default=(), repr=False)
    scheme: Scheme = field(default_factory=lambda: SCHEMES["BIO2"], repr=False)
    policy: Policy = field(default_factory=lambda: POLICIES["conlleval"], repr=False)
    orphans: tuple[int, ...] = ()

    @cached_property
    def repaired(self) -> tuple[int, ...]:
        """Token positions the policy counts as repairs (computed when first asked)."""
        if self.policy.repairs == "orphans":
            return self.orphans
        canonical = encode(self.entities, len(self.tags), scheme=self.scheme)
        return tuple(i for i, (t, c) in enumerate(zip(self.tags, canonical, strict=True)) if t != c)

    @property
    def repairs(self) -> int:
        """The number of repaired tags."""
        return len(self.repaired)


def scheme_of(scheme: str | Scheme) -> Scheme:
    """The :class:`Scheme` of a name or alias (case-insensitive).

    Raises:
        ConversionError: For an unknown name.
    """
    if isinstance(scheme, Scheme):
        return scheme
    found = _BY_NAME.get(scheme)
    if found is not None:
        return found
    key = scheme.upper()
    key = SCHEME_ALIASES.get(key, key)
    found = SCHEMES.get(key)
    if found is None:
        raise ConversionError(
            "unknown tagging scheme", field="scheme", value=scheme, fix=f"use one of {', '.join(SCHEMES)}"
        )
    return found


#: Exact spellings of the names and aliases (the fast path of :func:`scheme_of`).
_BY_NAME: Mapping[str, Scheme] = MappingProxyType(
    {**SCHEMES, **{alias: SCHEMES[name] for alias, name in SCHEME_ALIASES.items()}}
)


def split_tag(tag: str, scheme: str | Scheme = "BIO2") -> tuple[str, str | None]:
    """Split ``tag`` into ``(prefix, type)`` as ``scheme`` allows.

    ``"O"`` gives ``("O", None)``; a bare type (schemes ``IO`` and ``ANY``)
    gives ``("I", type)``. In ``ANY`` an empty tag is ``O``.

    Raises:
        ValueError: If the tag is not a tag of ``scheme``.
    """
    s = scheme_of(scheme)
    if tag == "O" or (not tag and s.name == "ANY"):
        return "O", None
    if len(tag) > 2 and tag[0] in s.prefixes and tag[1] in s.separators:
        return tag[0], tag[2:]
    if s.bare and tag and not (s.name == "IO" and any(c.isspace() for c in tag)):
        return "I", tag
    raise ValueError(tag)


#: The memoized codec: per scheme, each tag seen so far -> ``(role, type, prefixed)``.
_ROLE_MEMO: dict[str, dict[str, tuple[str, str, bool]]] = {name: {} for name in SCHEMES}
#: Distinct tags remembered per scheme; past it the memo starts again (an adversarial file cannot grow it forever).
_MEMO_LIMIT = 65_536


def _role(tag: str, s: Scheme, tags: Sequence[str]) -> tuple[str, str, bool]:
    """``(role, type, prefixed)`` of one tag (memoized); raises :class:`ConversionError` on a bad tag."""
    try:
        prefix, label = split_tag(tag, s)
    except (ValueError, TypeError):
        allowed = "".join(sorted(s.prefixes))
        raise ConversionError(
            f"malformed tag for scheme {s.name} at token {list(tags).index(tag)}",
            field="tag",
            value=tag,
            fix=f"use O or PREFIX-TYPE with a prefix in {allowed}",
        ) from None
    role = ("O", "", False) if label is None else (ROLES[prefix], label, len(label) != len(tag))
    memo = _ROLE_MEMO[s.name]
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[tag] = role
    return role


def decode_entities(
    tags: Sequence[str], *, scheme: str | Scheme = "BIO2", policy: str = "conlleval", separator: str | None = None
) -> tuple[list[tuple[int, int, str]], list[int]]:
    """The entities and orphan positions of :func:`decode`, without building a :class:`Decoded`.

    The fast path of readers that decode many sequences (``arabench score``,
    the token view): the same rules, the same errors. With ``separator`` (a
    value that is no tag, such as ``""`` for the blank line between sentences)
    that value reads as ``O``, so sentences laid end to end with a separator
    between them decode in one call to the entities of each.
    """
    s = scheme_of(scheme)
    orphans_start = POLICIES[policy].orphans_start
    entities: list[tuple[int, int, str]] = []
    orphans: list[int] = []
    if tags.count("O") + (0 if separator is None else tags.count(separator)) == len(tags):  # no entity at all
        return entities, orphans
    if s is _BIO2 and len(tags) >= _VECTOR_FROM:
        return _decode_bio2(tags, orphans_start, separator)
    memo = _ROLE_MEMO[s.name]
    if separator is not None:
        memo = {**memo, separator: ("O", "", False)}
    begin = -1
    prev, prev_type = "O", ""
    for i, tag in enumerate(tags):
        parsed = memo.get(tag)
        if parsed is None:
            parsed = _role(tag, s, tags)
        cur, cur_type, prefixed = parsed
        if cur == "O":  # the common case: close what is open
            if begin >= 0:
                entities.append((begin, i, prev_type))
                begin = -1
            prev = "O"
            continue
        if begin >= 0 and (
            prev in "ES" or (prev != "O" and (cur in "BSO" or prev_type != cur_type))
        ):  # conlleval: the open entity ends before this tag
            entities.append((begin, i, prev_type))
            begin = -1
        if cur in "BS":
            begin = i
        elif not (prev in "BI" and prev_type == cur_type):  # an I/E that continues nothing: an orphan
            if prefixed:
                orphans.append(i)
            begin = i if orphans_start else -1
        if begin >= 0 and cur in "ES":
            entities.append((begin, i + 1, cur_type))
            begin = -1
        prev, prev_type = cur, cur_type
    if begin >= 0:
        entities.append((begin, len(tags), prev_type))
    return entities, orphans


_BIO2 = SCHEMES["BIO2"]
#: Sequences at least this long are decoded with array operations (:func:`_decode_bio2`).
_VECTOR_FROM = 512
#: BIO2 tags seen so far -> code: 0 for ``O``, else ``2 * type_number + (0 for B, 1 for I)`` (type numbers from 1).
_BIO2_CODES: dict[str, int] = {"O": 0}
_BIO2_TYPES: dict[str, int] = {}


def _bio2_code(tag: str, tags: Sequence[str]) -> int:
    role, label, _ = _ROLE_MEMO["BIO2"].get(tag) or _role(tag, _BIO2, tags)
    if role == "O":
        return 0
    number = _BIO2_TYPES.setdefault(label, len(_BIO2_TYPES) + 1)
    code = _BIO2_CODES[tag] = 2 * number + (role == "I")
    return code


def _decode_bio2(
    tags: Sequence[str], orphans_start: bool, separator: str | None = None
) -> tuple[list[tuple[int, int, str]], list[int]]:
    """:func:`decode_entities` for BIO2 with array operations (the same entities and orphans as the loop)."""
    starts, ends, labels, orphans = decode_bio2_arrays(tags, orphans_start=orphans_start, separator=separator)
    return list(zip(starts.tolist(), ends.tolist(), labels, strict=True)), orphans.tolist()


def decode_bio2_arrays(
    tags: Sequence[str], *, orphans_start: bool = True, separator: str | None = None
) -> tuple[Any, Any, list[str], Any]:
    """BIO2 tags decoded with array operations: ``(starts, ends, labels, orphans)``.

    ``starts``/``ends`` (half-open token ranges) and ``orphans`` (positions of
    ``I`` tags that continue nothing) are numpy ``int64`` arrays, ``labels`` a
    list: what :func:`decode_entities` gives for ``scheme="BIO2"`` (policy
    ``conlleval`` with ``orphans_start``, else ``strict``), for readers that go
    on with arrays. An entity is a run of tags that starts at a tag not
    continuing the one before (a ``B``, or an ``I`` after ``O`` or another
    type: an orphan) and goes on over the ``I`` tags of its type; without
    ``orphans_start`` runs that start with an orphan are no entity.
    ``separator`` reads as ``O`` (see :func:`decode_entities`).

    Raises:
        ConversionError: If a tag is malformed (naming the first such token).
    """
    import numpy as np

    if len(_BIO2_CODES) >= _MEMO_LIMIT:  # before coding, never while: every code of this call stays known
        _BIO2_CODES.clear()
        _BIO2_CODES["O"] = 0
        _BIO2_TYPES.clear()
    known = _BIO2_CODES if separator is None else {**_BIO2_CODES, separator: 0}
    try:
        array = np.fromiter(map(known.get, tags), dtype=np.int64, count=len(tags))
    except TypeError:  # a tag not seen before: check it (in order), code it
        for tag in tags:
            if tag not in known:
                known[tag] = _bio2_code(tag, tags)
        array = np.fromiter(map(known.get, tags), dtype=np.int64, count=len(tags))
    starts, ends, numbers, orphans = bio2_runs(array, orphans_start=orphans_start)
    names = {number: name for name, number in _BIO2_TYPES.items()}
    return starts, ends, list(map(names.__getitem__, numbers.tolist())), orphans


def bio2_runs(codes: Any, *, orphans_start: bool = True) -> tuple[Any, Any, Any, Any]:
    """The entities of BIO2 tags given as codes: ``(starts, ends, type numbers, orphans)``, numpy arrays.

    ``codes`` holds one ``int64`` per token: 0 for ``O`` (or a separator), else ``2 * type + 1`` for
    ``I`` and ``2 * type`` for ``B`` (type numbers from 1). The one home of the array decoding of
    :func:`decode_bio2_arrays` (see there for the rules), for readers that code tags themselves.
    """
    import numpy as np

    types = codes >> 1
    inside = (codes & 1).astype(bool)
    previous = np.empty_like(types)
    previous[:1] = 0
    previous[1:] = types[:-1]
    continues = inside & (previous == types)
    starts_run = (types > 0) & ~continues
    orphan = inside & ~continues
    starts = np.flatnonzero(starts_run)
    following = np.zeros_like(continues)
    following[:-1] = continues[1:]
    ends = np.flatnonzero((types > 0) & ~following) + 1
    numbers = types[starts]
    if not orphans_start:
        keep = ~orphan[starts]
        starts, ends, numbers = starts[keep], ends[keep], numbers[keep]
    return starts, ends, numbers, np.flatnonzero(orphan)


def decode(tags: Sequence[str], *, scheme: str | Scheme = "BIO2", policy: str = "conlleval") -> Decoded:
    """Decode one tag sequence into entities (conlleval's start/end rules, see the module docstring).

    Args:
        tags: One tag per token.
        scheme: The tagging scheme (a key or alias of :data:`SCHEMES`); it
            decides which tags are allowed.
        policy: A key of :data:`POLICIES`.

    Returns:
        The entities and the positions the policy counts as repairs.

    Raises:
        ConversionError: If a tag is malformed or uses a prefix the scheme lacks.
    """
    s = scheme_of(scheme)
    rule = POLICIES[policy]
    entities, orphans = decode_entities(tags, scheme=s, policy=policy)
    return Decoded(entities, tags, s, rule, tuple(orphans))


def encode(entities: Sequence[tuple[int, int, str]], n_tokens: int, *, scheme: str | Scheme = "BIO2") -> list[str]:
    """Encode sorted, disjoint ``(first_token, end_token, type)`` entities as tags in ``scheme``.

    This is the canonical encoding: :func:`decode` of the result gives back
    ``entities`` with no repair (``strict`` and ``adapter`` only for schemes
    whose entities start with ``B``/``S``: IOB1 and IOE entities start with ``I``).
    """
    s = scheme_of(scheme)

    def tag(prefix: str, label: str) -> str:
        return f"{prefix}-{label}" if prefix else label

    tags = ["O"] * n_tokens
    prev_end, prev_type = -1, ""
    for first, end, label in entities:
        if end - first == 1:
            tags[first] = tag(s.single, label)
        else:
            tags[first] = tag(s.begin, label)
            tags[first + 1 : end - 1] = [tag(s.inside, label)] * (end - first - 2)
            tags[end - 1] = tag(s.end, label)
        if first == prev_end and label == prev_type:
            if s.touch_begin is not None:
                tags[first] = tag(s.touch_begin, label)
            if s.touch_end is not None:
                tags[prev_end - 1] = tag(s.touch_end, label)
        prev_end, prev_type = end, label
    return tags
