"""Token tables (parquet, ``save_to_disk``, ``hf-dataset:``): what cannot be read faithfully is refused, with the row.

Before: a ``ClassLabel`` value of ``-1`` (the datasets library's "no label")
was read as ``names[-1]`` and invented a mention; a string tag or a ClassLabel
name holding a newline injected extra tokens and mentions; ``-100``, an id
beyond the class list and null ``tokens`` / ``ner_tags`` ended in tracebacks.
The round trip export -> import of a token table scores 1.0 against itself
(Hypothesis, with the mentions counted independently from the tags).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arabench.annotations.errors import AnnotationError
from arabench.annotations.hf_datasets import read_token_dataset, write_hf
from arabench.eval.spans import score_spans

datasets = pytest.importorskip("datasets")
NAMES = ["O", "B-PERS", "I-PERS", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]
WORDS = ["زار", "محمد", "علي", "القاهرة", "مصر", "وصل", "الوفد", "إلى", "باريس", "الأمم", "المتحدة", "قال"]


def table(tokens: list, tags: list, *, names: list[str] | None = NAMES, tag_type: str = "class") -> datasets.Dataset:
    inner = datasets.ClassLabel(names=names) if tag_type == "class" else datasets.Value(tag_type)
    features = datasets.Features(
        {"tokens": datasets.Sequence(datasets.Value("string")), "ner_tags": datasets.Sequence(inner)}
    )
    return datasets.Dataset.from_dict({"tokens": tokens, "ner_tags": tags}, features=features)


def parquet_with_ids(path: Path, tokens: list, tags: list, names: list[str]) -> Path:
    """A parquet file whose ClassLabel metadata names ``names`` but whose ids are written as given (any int)."""
    meta = {"info": {"features": {
        "tokens": {"feature": {"dtype": "string", "_type": "Value"}, "_type": "List"},
        "ner_tags": {"feature": {"names": names, "_type": "ClassLabel"}, "_type": "List"},
    }}}  # fmt: skip
    arrays = pa.table({"tokens": tokens, "ner_tags": pa.array(tags, type=pa.list_(pa.int64()))})
    pq.write_table(arrays.replace_schema_metadata({"huggingface": json.dumps(meta)}), path)
    return path


def saved(dataset: datasets.Dataset, where: Path, how: str) -> Path:
    if how == "parquet":
        dataset.to_parquet(str(where / "t.parquet"))
        return where / "t.parquet"
    dataset.save_to_disk(str(where / "saved"))
    return where / "saved"


@pytest.mark.parametrize("how", ["parquet", "save_to_disk"])
@pytest.mark.parametrize(
    ("tokens", "tags", "names", "tag_type", "field", "message"),
    [
        ([["زار", "محمد"]], [[0, -1]], NAMES, "class", "[0].ner_tags[1]",
         "a tag is the datasets library's 'no label' (-1), not a class: the token's gold label is unknown (got -1); "
         "fix: label every token (O outside mentions), or drop the sentences with unlabelled tokens"),
        ([["زار", "محمد"]], [[0, -100]], NAMES, "class", "[0].ner_tags[1]",
         "a tag is the training loss's ignore index (-100), not a class: the token's gold label is unknown "
         "(got -100); fix: label every token (O outside mentions), or drop the sentences with unlabelled tokens"),
        ([["زار", "محمد"]], [[0, None]], NAMES, "class", "[0].ner_tags[1]",
         "a tag is null, not a ClassLabel index or a tag string (got None); fix: give every token a tag "
         "(O outside mentions)"),
        ([None], [None], NAMES, "class", "[0].tokens",
         "row 0 has null tokens, not a list (got None); fix: give every row a list of tokens (an empty sentence is "
         "an empty list), or drop the row"),
        ([["زار", "محمد"]], [None], NAMES, "class", "[0].ner_tags",
         "row 0 has null ner_tags, not a list (got None); fix: give every row a list of ner_tags"),
        ([["زار", None]], [[0, 1]], NAMES, "class", "[0].tokens[1]",
         "a token is null, empty or holds white space (got None)"),
        ([["زار", "محمد"]], [["O", "B-PERS\nمصر\tB-LOC"]], None, "string", "[0].ner_tags[1]",
         "a tag is empty or holds white space (a newline or tab would inject tokens and mentions) "
         "(got 'B-PERS\\nمصر\\tB-LOC'); fix: store one tag per token without white space, e.g. B-PER or O"),
        ([["زار", "محمد"]], [["O", ""]], None, "string", "[0].ner_tags[1]", "a tag is empty or holds white space"),
        ([["زار", "محمد"]], [[0, 1]], ["O", "B-PERS\nمصر\tB-LOC"], "class", "features.ner_tags.names[1]",
         "ClassLabel name 1 of ner_tags is empty or holds white space (a newline or tab would inject tokens and "
         "mentions) (got 'B-PERS\\nمصر\\tB-LOC'); fix: rename the class to a tag without white space, e.g. B-PER"),
    ],
    ids=["classlabel-minus-1", "minus-100", "null-tag", "null-tokens", "null-ner_tags", "null-token",
         "newline-in-string-tag", "empty-string-tag", "newline-in-classlabel-name"],
)  # fmt: skip
def test_a_token_table_that_cannot_be_read_faithfully_is_refused_with_the_row_and_the_fix(
    tmp_path: Path, how: str, tokens: list, tags: list, names: list[str] | None, tag_type: str, field: str, message: str
) -> None:
    path = saved(table(tokens, tags, names=names, tag_type=tag_type), tmp_path, how)
    with pytest.raises(AnnotationError) as caught:
        read_token_dataset(str(path))
    where = field if field.startswith("features") else "dataset" + field
    assert str(caught.value).startswith(f"{path}: field '{where}': {message}"), str(caught.value)


@pytest.mark.parametrize("tag", [7, 99])
def test_an_id_beyond_the_class_list_is_refused(tmp_path: Path, tag: int) -> None:
    path = parquet_with_ids(tmp_path / "t.parquet", [["زار", "محمد"]], [[0, tag]], NAMES)
    with pytest.raises(AnnotationError) as caught:
        read_token_dataset(str(path))
    message = str(caught.value)
    # datasets refuses the cast itself, or the reader does: either way a clear error naming the file, no traceback
    assert message.startswith(f"{path}: ") and (
        f"field 'dataset[0].ner_tags[1]': a tag index is outside the 7 ClassLabel names (got {tag}); fix: use "
        "indices 0..6"
        in message
        or f"cannot load the dataset: Class label {tag} greater than configured num_classes 7" in message
    ), message


def test_the_hub_prefix_reads_the_same_checks(tmp_path: Path) -> None:
    path = saved(table([["زار", "محمد"]], [[0, -1]]), tmp_path, "save_to_disk")
    with pytest.raises(AnnotationError, match=r"field 'dataset\[0\]\.ner_tags\[1\]': a tag is the datasets library's"):
        read_token_dataset(f"hf-dataset:{path}")


# ----------------------------------------------------------------------------- round trip (Hypothesis)


@st.composite
def sentences(draw: st.DrawFn) -> list[list[tuple[str, str]]]:
    """Sentences of (token, BIO2 tag): an I- tag only continues a mention of its type."""
    out = []
    for _ in range(draw(st.integers(1, 4))):
        row: list[tuple[str, str]] = []
        for _ in range(draw(st.integers(0, 7))):
            word = draw(st.sampled_from(WORDS))
            previous = row[-1][1] if row else "O"
            choices = ["O", "B-PERS", "B-LOC", "B-ORG"] + (["I-" + previous[2:]] if previous != "O" else [])
            row.append((word, draw(st.sampled_from(choices))))
        out.append(row)
    return out


def expected_mentions(rows: list[list[tuple[str, str]]]) -> set[tuple[int, int, str]]:
    """The mentions of the tags, decoded here (not by arabench): text = sentences as lines of space-joined tokens."""
    found, offset, open_ = set(), 0, None
    for row in rows:
        position = offset
        for token, tag in row:
            start, end = position, position + len(token)
            if tag.startswith("I-") and open_ is not None:
                open_ = (open_[0], end, open_[2])
            else:
                if open_ is not None:
                    found.add(open_)
                open_ = (start, end, tag[2:]) if tag != "O" else None
            position = end + 1
        if open_ is not None:
            found.add(open_)
            open_ = None
        offset += sum(len(t) for t, _ in row) + max(0, len(row) - 1) + 1
    return found


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=sentences())
def test_a_token_table_round_trips_through_export_and_import_and_scores_one_against_itself(
    rows: list[list[tuple[str, str]]],
) -> None:
    tokens = [[t for t, _ in row] for row in rows]
    tags = [[NAMES.index(tag) for _, tag in row] for row in rows]
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        read = {how: read_token_dataset(str(saved(table(tokens, tags), where, how))) for how in ("parquet", "disk")}
        if not any(tokens):
            assert read["parquet"] == [] and read["disk"] == []
            return
        (original,) = read["parquet"]
        (from_disk,) = read["disk"]
        # An empty sentence (row) holds no token: it leaves no line in the text.
        assert original.text == from_disk.text == "\n".join(" ".join(r) for r in tokens if r)
        gold = {(s.start, s.end, s.label) for s in original.entities.values()}
        expected = expected_mentions([r for r in rows if r])
        assert gold == expected == {(s.start, s.end, s.label) for s in from_disk.entities.values()}
        write_hf([original], where / "export")  # export ...
        (back,) = read_token_dataset(str(where / "export"))  # ... and import
    scores = score_spans([list(original.entities.values())], [list(back.entities.values())], texts=[original.text])
    assert (scores.micro.tp, scores.micro.fp, scores.micro.fn) == (len(gold), 0, 0)
    assert scores.micro.f1 == (1.0 if gold else None)
