"""The one tag codec (annotations.tags): every scheme and policy as a table, repairs counted, round trips."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arabench.annotations.errors import ConversionError
from arabench.annotations.tags import POLICIES, SCHEMES, decode, encode, scheme_of, split_tag

FILE_SCHEMES = ("BIO2", "IOB1", "IOE1", "IOE2", "BIOES", "BILOU", "IO")
#: Schemes whose every entity starts with a B or S role: the strict policy reads their canonical tags back.
BEGIN_SCHEMES = ("BIO2", "BIOES", "BILOU", "ANY")


@pytest.mark.parametrize(
    ("scheme", "policy", "tags", "entities", "repaired"),
    [
        # BIO2
        ("BIO2", "conlleval", ["B-P", "I-P", "O", "B-L"], [(0, 2, "P"), (3, 4, "L")], ()),
        ("BIO2", "conlleval", ["I-P", "I-P", "O"], [(0, 2, "P")], (0,)),
        ("BIO2", "conlleval", ["B-P", "I-L", "I-L"], [(0, 1, "P"), (1, 3, "L")], (1,)),
        ("BIO2", "strict", ["B-P", "I-L", "I-L"], [(0, 1, "P")], (1, 2)),
        ("BIO2", "strict", ["I-P", "I-P", "B-P"], [(2, 3, "P")], (0, 1)),
        ("BIO2", "adapter", ["I-P", "I-P", "B-P"], [(0, 2, "P"), (2, 3, "P")], (0,)),
        # IOB1: B only between two touching entities of one type
        ("IOB1", "conlleval", ["I-P", "I-P", "B-P", "O"], [(0, 2, "P"), (2, 3, "P")], ()),
        ("IOB1", "conlleval", ["B-P", "I-P"], [(0, 2, "P")], (0,)),
        # IOE1 / IOE2
        ("IOE1", "conlleval", ["I-P", "E-P", "I-P"], [(0, 2, "P"), (2, 3, "P")], ()),
        ("IOE1", "conlleval", ["I-P", "E-P"], [(0, 2, "P")], (1,)),
        ("IOE2", "conlleval", ["I-P", "E-P", "E-P"], [(0, 2, "P"), (2, 3, "P")], ()),
        ("IOE2", "conlleval", ["I-P", "I-P"], [(0, 2, "P")], (1,)),
        # BIOES / BILOU
        ("BIOES", "conlleval", ["S-P", "B-L", "I-L", "E-L"], [(0, 1, "P"), (1, 4, "L")], ()),
        ("BIOES", "conlleval", ["B-P", "O", "E-L"], [(0, 1, "P"), (2, 3, "L")], (0, 2)),
        ("BIOES", "adapter", ["B-P", "O", "E-L"], [(0, 1, "P"), (2, 3, "L")], (2,)),
        ("BILOU", "conlleval", ["U-P", "B-L", "L-L", "O"], [(0, 1, "P"), (1, 3, "L")], ()),
        ("BILOU", "conlleval", ["B-L", "I-L"], [(0, 2, "L")], (1,)),
        # IO: bare types, adjacent tokens of one type merge
        ("IO", "conlleval", ["P", "P", "O", "L", "B-X"], [(0, 2, "P"), (3, 4, "L"), (4, 5, "B-X")], ()),
        # ANY: what model label sets hold (mixed prefixes, "_" separator, bare types)
        ("ANY", "adapter", ["B_P", "I_P", "P", "O", "E-L", "U-O"], [(0, 3, "P"), (4, 5, "L"), (5, 6, "O")], (4,)),
        ("ANY", "adapter", ["", "O"], [], ()),
        # aliases
        ("IOB2", "conlleval", ["B-P"], [(0, 1, "P")], ()),
        ("iobes", "conlleval", ["S-P"], [(0, 1, "P")], ()),
    ],
)
def test_decode_table(scheme, policy, tags, entities, repaired) -> None:
    decoded = decode(tags, scheme=scheme, policy=policy)
    assert decoded.entities == entities
    assert decoded.repaired == repaired
    assert decoded.repairs == len(repaired)


@pytest.mark.parametrize(
    ("scheme", "entities", "n", "tags"),
    [
        ("BIO2", [(0, 2, "P"), (2, 3, "P")], 4, ["B-P", "I-P", "B-P", "O"]),
        ("IOB1", [(0, 2, "P"), (2, 3, "P"), (3, 4, "L")], 4, ["I-P", "I-P", "B-P", "I-L"]),
        ("IOE1", [(0, 2, "P"), (2, 3, "P"), (3, 4, "L")], 4, ["I-P", "E-P", "I-P", "I-L"]),
        ("IOE2", [(0, 2, "P"), (3, 4, "L")], 4, ["I-P", "E-P", "O", "E-L"]),
        ("BIOES", [(0, 3, "P"), (3, 4, "L")], 4, ["B-P", "I-P", "E-P", "S-L"]),
        ("BILOU", [(0, 3, "P"), (3, 4, "L")], 4, ["B-P", "I-P", "L-P", "U-L"]),
        ("IO", [(0, 2, "P"), (3, 4, "L")], 4, ["P", "P", "O", "L"]),
        ("ANY", [(0, 2, "P")], 3, ["B-P", "I-P", "O"]),
    ],
)
def test_encode_table(scheme, entities, n, tags) -> None:
    assert encode(entities, n, scheme=scheme) == tags


def test_every_scheme_is_data_and_every_alias_resolves() -> None:
    assert set(SCHEMES) == {*FILE_SCHEMES, "ANY"}
    for name, scheme in SCHEMES.items():
        assert scheme.name == name and scheme_of(name.lower()) is scheme
        for prefix in (scheme.single, scheme.begin, scheme.inside, scheme.end):
            assert prefix in scheme.prefixes or (scheme.bare and prefix == "")
    assert set(POLICIES) == {"conlleval", "strict", "adapter"}


@pytest.mark.parametrize(
    ("tag", "scheme", "expected"),
    [
        ("O", "BIO2", ("O", None)),
        ("B-PERS", "BIO2", ("B", "PERS")),
        ("I-B-X", "BIO2", ("I", "B-X")),
        ("PERS", "IO", ("I", "PERS")),
        ("B_PER", "ANY", ("B", "PER")),
        ("U-PER", "ANY", ("U", "PER")),
        ("PER", "ANY", ("I", "PER")),
        ("", "ANY", ("O", None)),
    ],
)
def test_split_tag(tag, scheme, expected) -> None:
    assert split_tag(tag, scheme) == expected


@pytest.mark.parametrize(
    ("tag", "scheme"),
    [("E-PERS", "BIO2"), ("B-", "BIO2"), ("PERS", "BIO2"), ("B_P", "BIO2"), ("A B", "IO"), ("", "IO")],
)
def test_split_tag_refuses_what_the_scheme_lacks(tag, scheme) -> None:
    with pytest.raises(ValueError):
        split_tag(tag, scheme)


def test_decode_names_the_bad_tag_and_its_position() -> None:
    with pytest.raises(ConversionError, match=r"malformed tag for scheme BIOES at token 1 \(got 'L-P'\)"):
        decode(["O", "L-P"], scheme="BIOES")
    with pytest.raises(ConversionError, match="unknown tagging scheme"):
        decode([], scheme="XYZ")


def _entities(draw, n: int) -> list[tuple[int, int, str]]:
    cuts = sorted(draw(st.sets(st.integers(0, n), max_size=12)))
    return [(a, b, draw(st.sampled_from(["P", "L"]))) for a, b in itertools.pairwise(cuts) if draw(st.booleans())]


@pytest.mark.parametrize("scheme", [*FILE_SCHEMES, "ANY"])
@given(data=st.data())
@settings(max_examples=60, deadline=None)
def test_encode_then_decode_is_identity_under_every_policy(scheme: str, data: st.DataObject) -> None:
    n = data.draw(st.integers(0, 16))
    entities = _entities(data.draw, n)
    if scheme == "IO":  # bare types cannot separate touching entities of one type
        entities = [e for k, e in enumerate(entities) if not (k and entities[k - 1][1:] == (e[0], e[2]))]
    tags = encode(entities, n, scheme=scheme)
    for name, policy in POLICIES.items():
        if scheme not in BEGIN_SCHEMES and not policy.orphans_start:
            continue  # strict drops the I- that starts an IOB1/IOE entity
        decoded = decode(tags, scheme=scheme, policy=name)
        assert decoded.entities == entities
        if scheme in BEGIN_SCHEMES or policy.repairs == "canonical":
            assert decoded.repairs == 0  # the adapter counts IOB1/IOE's starting I- as orphans


TAG_POOLS = {
    "BIO2": ["O", "B-P", "I-P", "B-L", "I-L"],
    "IOB1": ["O", "B-P", "I-P", "I-L"],
    "IOE1": ["O", "E-P", "I-P", "I-L"],
    "IOE2": ["O", "E-P", "I-P", "E-L"],
    "BIOES": ["O", "B-P", "I-P", "E-P", "S-P", "I-L", "S-L"],
    "BILOU": ["O", "B-P", "I-P", "L-P", "U-P", "U-L", "I-L"],
    "IO": ["O", "P", "L"],
}


@pytest.mark.parametrize("scheme", FILE_SCHEMES)
@given(data=st.data())
@settings(max_examples=60, deadline=None)
def test_repairs_are_the_tags_the_canonical_encoding_changes(scheme: str, data: st.DataObject) -> None:
    tags = data.draw(st.lists(st.sampled_from(TAG_POOLS[scheme]), max_size=12))
    decoded = decode(tags, scheme=scheme)
    canonical = encode(decoded.entities, len(tags), scheme=scheme)
    assert decoded.repaired == tuple(i for i, (a, b) in enumerate(zip(tags, canonical, strict=True)) if a != b)
    again = decode(canonical, scheme=scheme)
    assert (again.entities, again.repairs) == (decoded.entities, 0)


@given(st.lists(st.sampled_from(["O", "B-P", "I-P", "E-P", "S-P", "L-L", "U-L", "I-L", "P", "I_P"]), max_size=12))
@settings(max_examples=150, deadline=None)
def test_adapter_policy_reads_like_conlleval_and_counts_prefixed_orphans(tags: list[str]) -> None:
    adapter = decode(tags, scheme="ANY", policy="adapter")
    assert adapter.entities == decode(tags, scheme="ANY", policy="conlleval").entities
    for i in adapter.repaired:
        assert tags[i][0] in "IEL" and tags[i][1] in "-_"
        assert any(first == i for first, _, _ in adapter.entities)


@given(st.lists(st.sampled_from(TAG_POOLS["BIO2"]), max_size=12))
@settings(max_examples=150, deadline=None)
def test_strict_keeps_exactly_the_conlleval_entities_that_start_with_b(tags: list[str]) -> None:
    strict = decode(tags, policy="strict").entities
    assert strict == [e for e in decode(tags).entities if tags[e[0]].startswith("B-")]
