"""CoNLL token/tag files: reading, writing, and the pure BIO <-> span functions.

The file format (CoNLL-2003 style, as ANERcorp and most NER corpora ship it)::

    -DOCSTART-	O
    # id = doc-1

    قال	O
    نجيب	B-PERS
    محفوظ	I-PERS
    .	O

* one token per line, the tag in the LAST column; the separator is a tab or a
  single space, detected per file (any tab in a token line means tabs);
  columns between the token and the tag are kept as ``extra`` columns;
* a blank line ends a sentence; a ``-DOCSTART-`` line starts a new document;
* a line starting with ``#`` is a comment, except a token line for the token
  ``#`` itself: ``#<TAB>O`` in a tab-separated file; in a space-separated
  file, ``# O`` when it has as many columns as the file's first token line
  and ends with a valid tag. A comment ``# id = X`` names the document; other
  comments are kept in the document's ``metadata["conll_comments"]`` and
  written back on export (``comments=False`` writes neither, for tools that
  reject ``#`` lines);
* the readers take a path, or the content itself as a string containing a
  newline or a tab.

**Export rule.** Tokens are the words of :func:`arabench.annotations.tokenize.word_offsets`
(white space and each punctuation character separate words; proclitics stay on
their word, as in ANERcorp). The tagged layer is the flat layer
(:func:`arabench.annotations.spans.outermost`): a token is tagged if it overlaps a span,
``B-`` on the first such token and ``I-`` on the rest (BIO2), so a span that
starts or ends inside a word is widened to the whole word (counted as
``widened``). Nested spans, relations and the entity layer (coreference
clusters) cannot be written in CoNLL: they are counted, never silently lost.
Two flat spans that share a token (two mentions in one word, crossing spans, or
one range with two types) cannot be tagged and are an error naming them.

**Sentence rule.** With ``sentence_split=True`` sentences are those of
:func:`arabench.annotations.tokenize.sentence_ranges` (the rule of the bootstrap units
and the statistics too): a sentence ends after a ``.``, ``!``, ``?`` or ``؟``
token followed by white space (or the end of the text), so ``3.5`` and
``U.S.A`` stay whole, and at a line break; a segment without a letter or digit
joins the sentence before it. A sentence never ends inside a flat span: the
break moves to the first token after the span.

**Import rule.** Tags are decoded with the conlleval rules (an ``I-X`` after
``O`` or after another type starts a new entity), in the declared ``scheme``:
``BIO2`` (default), ``IOB1``, ``IOE1``, ``IOE2``, ``BIOES``, ``BILOU``, or ``IO``
(bare types, no prefix); every tag that differs from
the canonical encoding of what was decoded in the declared ``scheme`` is a
*repair*, counted in ``metadata["conll_repairs"]``. Without ``text=``, the
document text is the tokens joined by single spaces, sentences by newlines.
With ``text=`` (the original raw text) tokens are aligned to it in order.
"""

from __future__ import annotations

import os
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import regex

from arabench.annotations.conll_simple import SimpleColumns, simple_columns
from arabench.annotations.errors import AnnotationError, ConversionError
from arabench.annotations.files import atomic_write_text
from arabench.annotations.schema import Schema
from arabench.annotations.spans import Document, Span, first_duplicate_id
from arabench.annotations.tags import SCHEMES, Scheme, decode, encode, scheme_of, split_tag
from arabench.annotations.tokenize import sentence_ranges, word_offsets

__all__ = [
    "SCHEMES",
    "ConllSentence",
    "ConllRepair",
    "ConllExport",
    "ConllWriteReport",
    "spans_to_bio",
    "bio_to_spans",
    "read_conll_sentences",
    "iter_conll_sentences",
    "simple_columns",
    "SimpleColumns",
    "parse_conll",
    "read_conll",
    "read_conll_layout",
    "TokenLayout",
    "rebuilt_layout",
    "conll_export",
    "document_to_conll",
    "write_conll",
]

DOCSTART = "-DOCSTART-"

#: White space between tokens: the same ``\s`` as the word pattern of :mod:`arabench.annotations.tokenize`.
_SPACES = regex.compile(r"\s*")


# --------------------------------------------------------------------------- pure tag functions


def spans_to_bio(spans: Iterable[Span], word_offsets: Sequence[tuple[int, int]]) -> list[str]:
    """Tag words with BIO2 tags from character spans.

    A word is tagged if it overlaps a span: ``B-`` on the first overlapping
    word, ``I-`` on the others. Spans must not share a word (pass the flat
    layer, e.g. :func:`arabench.annotations.spans.outermost`).

    Args:
        spans: Character spans over the text the words come from.
        word_offsets: ``(start, end)`` of every word, in order, non-overlapping.

    Returns:
        One tag per word.

    Raises:
        ConversionError: If a span covers no word, or two spans share a word.
    """
    starts = [s for s, _ in word_offsets]
    ends = [e for _, e in word_offsets]
    tags = ["O"] * len(starts)
    reach = 0  # one past the last token tagged so far
    reacher: Span | None = None
    for span in sorted(spans):
        first = bisect_right(ends, span.start)
        last = bisect_left(starts, span.end)
        if first >= last:
            raise ConversionError(
                "span covers no token",
                field="span",
                value=span,
                fix="remove the span or extend it over a word",
            )
        if first < reach:
            raise ConversionError(
                f"two spans share a token and cannot both be tagged: {reacher} and {span}",
                field="span",
                value=span,
                fix="CoNLL holds one flat layer: keep only one of the two spans, or use a span-based format",
            )
        tags[first:last] = encode([(0, last - first, span.label)], last - first)
        reach, reacher = last, span
    return tags


def bio_to_spans(tags: Sequence[str], word_offsets: Sequence[tuple[int, int]], *, scheme: str = "BIO2") -> list[Span]:
    """Turn one tag per word into character spans (conlleval rules, see :func:`arabench.annotations.tags.decode`).

    Args:
        tags: One tag per word.
        word_offsets: ``(start, end)`` of every word.
        scheme: The tagging scheme of ``tags``.

    Returns:
        The spans, from the start of their first word to the end of their last.

    Raises:
        ConversionError: If the lengths differ or a tag is malformed.
    """
    if len(tags) != len(word_offsets):
        raise ConversionError(
            f"{len(tags)} tags for {len(word_offsets)} words",
            field="tags",
            fix="pass exactly one tag per word",
        )
    return [
        Span(word_offsets[first][0], word_offsets[end - 1][1], label)
        for first, end, label in decode(tags, scheme=scheme).entities
    ]


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class ConllSentence:
    """One sentence of a CoNLL file.

    Attributes:
        tokens: The tokens (first column).
        tags: The tags (last column).
        lines: The 1-based line number of every token.
        extra: The columns between token and tag, per token (empty tuples if none).
        comments: ``#`` comment lines read before this sentence (without the newline).
        document: 0-based index of the document (incremented at each ``-DOCSTART-``).
    """

    tokens: tuple[str, ...]
    tags: tuple[str, ...]
    lines: tuple[int, ...]
    extra: tuple[tuple[str, ...], ...] = ()
    comments: tuple[str, ...] = ()
    document: int = 0


@dataclass(frozen=True)
class ConllRepair:
    """A tag that the conlleval rules read differently from its declared scheme."""

    line: int
    token: str
    tag: str
    read_as: str

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form (kept in document metadata)."""
        return {"line": self.line, "token": self.token, "tag": self.tag, "read_as": self.read_as}


@dataclass(frozen=True)
class TokenLayout:
    """Where a document's own tokens and sentences lie in its text (what a CoNLL or token-table corpus is scored on).

    Attributes:
        tokens: ``(start, end)`` of every token of the file, in order (the words of the word boundary).
        sentences: Per sentence of the file, its character range: from the start of the text (first sentence)
            or of its first token to the start of the next sentence's first token (the last: to the end of
            the text), so the sentences cover the whole text, white space included.
        token_counts: The number of tokens of each sentence.
    """

    tokens: tuple[tuple[int, int], ...]
    sentences: tuple[tuple[int, int], ...]
    token_counts: tuple[int, ...]


def _layout(offsets: Sequence[Sequence[tuple[int, int]]], length: int) -> TokenLayout:
    """The :class:`TokenLayout` of a document from the token offsets of each of its non-empty sentences."""
    starts = [0] + [sentence[0][0] for sentence in offsets[1:]]
    ends = [*starts[1:], length]
    return TokenLayout(
        tokens=tuple(chain.from_iterable(offsets)),
        sentences=tuple(zip(starts, ends, strict=True)) if offsets else ((0, length),),
        token_counts=tuple(len(sentence) for sentence in offsets),
    )


def rebuilt_layout(text: str) -> TokenLayout:
    """The :class:`TokenLayout` of a text rebuilt by :func:`read_conll` (no ``text=``) whose tokens hold no white space.

    Such a text is its tokens joined by single spaces, one sentence per line: the tokens are the runs of
    characters other than a space or a newline, the sentences the lines. (A token table's reader refuses a
    token holding white space, so this is exact for it; a CoNLL file's own layout is :func:`read_conll_layout`'s.)
    """
    offsets: list[list[tuple[int, int]]] = []
    pos = 0
    for line in text.split("\n"):
        sentence = []
        for token in line.split(" "):
            if token:
                sentence.append((pos, pos + len(token)))
            pos += len(token) + 1
        if sentence:
            offsets.append(sentence)
    return _layout(offsets, len(text))


def _is_path_like(source: str | os.PathLike[str]) -> bool:
    return isinstance(source, os.PathLike) or ("\n" not in source and "\t" not in source)


def _load(source: str | os.PathLike[str]) -> tuple[str, str | None]:
    """Return ``(content, file name or None)``."""
    if _is_path_like(source):
        path = Path(source)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise AnnotationError(
                f"cannot read CoNLL file: {exc.strerror or exc}",
                file=path,
                fix="check the path (to pass CoNLL content instead, pass a string containing newlines)",
            ) from exc
        try:
            return data.decode("utf-8-sig"), str(path)
        except UnicodeDecodeError as exc:
            raise AnnotationError(
                f"not UTF-8 at byte offset {exc.start}",
                file=path,
                fix="re-save the file as UTF-8",
            ) from exc
    return str(source), None


def parse_conll(
    content: str,
    *,
    file: str | None = None,
    schema: Schema | None = None,
    labels: Iterable[str] | None = None,
    scheme: str = "BIO2",
) -> list[ConllSentence]:
    """Parse CoNLL content (a string) into sentences; see :func:`read_conll_sentences`."""
    raw_lines = content.split("\n")
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()
    lines = [line[:-1] if line.endswith("\r") else line for line in raw_lines]
    sep = "\t" if "\t" in content else " "
    records = _records(
        lines, sep=sep, columns=_token_columns(lines, sep), file=file, schema=schema, labels=labels, scheme=scheme
    )
    return [
        ConllSentence(
            tuple(tokens), tuple(tags), tuple(range(first, first + len(tokens))), tuple(extras), tuple(comments), doc
        )
        for tokens, tags, first, extras, comments, doc in records
    ]


#: One record of :func:`_records`: tokens, tags, the line of the first token, extra columns, comments, document.
_Record = tuple[list[str], list[str], int, list[tuple[str, ...]], list[str], int]


def _records(
    lines: Iterable[str],
    *,
    sep: str,
    columns: int,
    file: str | None,
    schema: Schema | None = None,
    labels: Iterable[str] | None = None,
    scheme: str = "BIO2",
    extra: bool = True,
) -> Iterator[_Record]:
    """The sentences of CoNLL lines (without their newlines), one record each, checking every line.

    Records with no tokens carry comments that no sentence followed, or an
    empty document. A sentence's tokens are on consecutive lines, so the line
    of token ``i`` is ``first + i``. Each distinct tag is checked once (its
    first occurrence, so an error names the first line with it). With
    ``extra=False`` the extra columns are not kept (the list stays empty).
    """
    tag_scheme = scheme_of(scheme)
    key, allowed = tag_scheme.name, tag_scheme.prefixes
    label_set = None if labels is None else frozenset(labels)
    checked: set[str] = set()
    tokens: list[str] = []
    tags: list[str] = []
    extras: list[tuple[str, ...]] = []
    comments: list[str] = []
    first = 0
    document = 0
    seen_tokens_in_doc = False
    doc_opened = False
    for number, line in enumerate(lines, start=1):
        if not line or line.isspace():
            if tokens:
                yield tokens, tags, first, extras, comments, document
                tokens, tags, extras, comments = [], [], [], []
            continue
        fields = line.split(sep)
        if DOCSTART in line and line.split(None, 1)[0] == DOCSTART:
            if tokens:
                yield tokens, tags, first, extras, comments, document
                tokens, tags, extras, comments = [], [], [], []
            if doc_opened or seen_tokens_in_doc:
                if not seen_tokens_in_doc:  # an empty document is kept, with its comments
                    yield [], [], 0, [], comments, document
                    comments = []
                document += 1
            doc_opened = True
            seen_tokens_in_doc = False
            continue
        if line[0] == "#" and not _is_hash_token(fields, sep, tag_scheme, columns):
            if tokens:
                yield tokens, tags, first, extras, comments, document
                tokens, tags, extras, comments = [], [], [], []
            comments.append(line)
            continue
        if len(fields) < 2:
            raise AnnotationError(
                "a token line needs a token and a tag",
                file=file,
                line=number,
                field="tag",
                value=line,
                fix="write TOKEN<TAB>TAG (or TOKEN TAG), or a blank line between sentences",
            )
        token, tag = fields[0], fields[-1]
        if not token:
            raise AnnotationError(
                "empty token",
                file=file,
                line=number,
                field="token",
                value=line,
                fix="remove the extra separator at the start of the line",
            )
        if len(fields) > 2 and not all(fields[1:-1]):
            raise AnnotationError(
                "empty column (two separators in a row)",
                file=file,
                line=number,
                field="columns",
                value=line,
                fix="separate columns with exactly one tab or one space",
            )
        if tag not in checked:
            _check_tag(tag, tag_scheme, key, allowed, schema, label_set, file, number)
            checked.add(tag)
        if not tokens:
            first = number
        tokens.append(token)
        tags.append(tag)
        if extra:
            extras.append(tuple(fields[1:-1]))
        seen_tokens_in_doc = True
    if tokens:
        yield tokens, tags, first, extras, comments, document
        comments = []
    if comments or (doc_opened and not seen_tokens_in_doc):
        yield [], [], 0, [], comments, document


def _check_tag(
    tag: str,
    tag_scheme: Scheme,
    key: str,
    allowed: frozenset[str],
    schema: Schema | None,
    label_set: frozenset[str] | None,
    file: str | None,
    number: int,
) -> None:
    """Raise :class:`AnnotationError` if ``tag`` (on line ``number``) is malformed or its type unknown."""
    try:
        prefix, label = split_tag(tag, tag_scheme)
    except ValueError:
        raise AnnotationError(
            f"malformed tag for scheme {key}",
            file=file,
            line=number,
            field="tag",
            value=tag,
            fix=_tag_fix(tag, key, allowed),
        ) from None
    if prefix != "O":
        if schema is not None:
            schema.check_entity_type(label, file=file, line=number)
        if label_set is not None and label not in label_set:
            raise AnnotationError(
                "unknown label",
                file=file,
                line=number,
                field="tag",
                value=tag,
                fix=f"use one of {', '.join(sorted(label_set))}",
            )


def _token_columns(lines: Sequence[str], sep: str) -> int:
    """The number of columns of the first token line (not blank, not a comment, not ``-DOCSTART-``)."""
    for line in lines:
        if line.strip() and not line.startswith("#") and line.split(None, 1)[0] != DOCSTART:
            return len(line.split(sep))
    return 2


def _is_hash_token(fields: Sequence[str], sep: str, tag_scheme: Scheme, columns: int) -> bool:
    """True if a line starting with ``#`` is a token line for the token ``#``, not a comment."""
    if fields[0] != "#" or len(fields) < 2:
        return False
    if sep == "\t":
        return True
    try:
        split_tag(fields[-1], tag_scheme)
    except ValueError:
        return False
    return len(fields) == columns


def _tag_fix(tag: str, scheme: str, allowed: frozenset[str]) -> str:
    if not tag:
        return "give every token a tag (O outside entities)"
    if len(tag) >= 2 and tag[1] == "-" and len(tag) == 2:
        return f"add the entity type after the prefix, e.g. {tag}PERS"
    if len(tag) >= 3 and tag[1] == "-" and tag[0] in "BIESLU":
        return f"prefix {tag[0]!r} is not part of {scheme}: pass the file's scheme (one of {', '.join(SCHEMES)})"
    prefixes = "/".join(sorted(allowed))
    return f"use O or {prefixes}-TYPE (e.g. B-PERS)"


def read_conll_sentences(
    path: str | os.PathLike[str],
    *,
    schema: Schema | None = None,
    labels: Iterable[str] | None = None,
    scheme: str = "BIO2",
) -> list[ConllSentence]:
    """Read the sentences of a CoNLL file (or of CoNLL content given as a string).

    Args:
        path: A file path, or the content itself (a string containing newlines).
        schema: If given, every tag type must be an entity type of the schema.
        labels: If given, every tag type must be one of these labels.
        scheme: The tagging scheme; decides which tag prefixes are allowed.

    Returns:
        The sentences in file order; a sentence with no tokens only carries
        comments that had no sentence after them.

    Raises:
        AnnotationError: For a malformed line or tag (file:line, field, value, fix).
        SchemaError: For a type the schema does not know (with "did you mean").
    """
    content, file = _load(path)
    return parse_conll(content, file=file, schema=schema, labels=labels, scheme=scheme)


def _file_lines(path: Path) -> Iterator[str]:
    """The lines of a UTF-8 file (a BOM dropped), without the newline and one carriage return, read as needed."""
    try:
        with path.open(encoding="utf-8-sig", newline="\n") as f:
            for line in f:
                if line[-1:] == "\n":
                    line = line[:-1]
                yield line[:-1] if line[-1:] == "\r" else line
    except UnicodeDecodeError:
        _load(path)  # raises the error naming the byte offset in the whole file
        raise
    except OSError:
        _load(path)
        raise


def _file_separator(path: Path) -> str:
    """A tab if the file has a tab anywhere, else a space (read in blocks, stopping at the first tab)."""
    try:
        with path.open("rb") as f:
            while block := f.read(1 << 20):
                if b"\t" in block:
                    return "\t"
    except OSError:
        _load(path)
        raise
    return " "


def iter_conll_sentences(
    path: str | os.PathLike[str], *, scheme: str = "BIO2"
) -> Iterator[tuple[list[str], list[str], int]]:
    """Stream the sentences of a CoNLL file: ``(tokens, tags, line of the first token)`` each.

    The same lines, checks and errors as :func:`read_conll_sentences`, read as
    they are needed (a file of any size in bounded memory); sentences without
    tokens are skipped and extra columns are not kept. The line of token ``i``
    is ``first + i``.
    """
    file = Path(path)
    sep = _file_separator(file)
    lines = _file_lines(file)
    head: list[str] = []
    columns = 2
    for line in lines:  # the first token line decides the number of columns (for "#" tokens)
        head.append(line)
        if line.strip() and not line.startswith("#") and line.split(None, 1)[0] != DOCSTART:
            columns = len(line.split(sep))
            break
    records = _records(chain(head, lines), sep=sep, columns=columns, file=str(file), scheme=scheme, extra=False)
    for tokens, tags, first, _, _, _ in records:
        if tokens:
            yield tokens, tags, first


def _document_comments(sentences: Sequence[ConllSentence]) -> tuple[str | None, list[str]]:
    doc_id = None
    kept = []
    for sentence in sentences:
        for comment in sentence.comments:
            body = comment[1:].strip()
            if doc_id is None and (body.startswith("id =") or body.startswith("id=")):
                doc_id = body.split("=", 1)[1].strip() or None
                continue
            kept.append(comment)
    return doc_id, kept


def read_conll_layout(
    path_or_text: str | os.PathLike[str],
    *,
    text: str | Mapping[str, str] | None = None,
    doc_id: str | None = None,
    schema: Schema | None = None,
    labels: Iterable[str] | None = None,
    scheme: str = "BIO2",
) -> list[tuple[Document, TokenLayout]]:
    """:func:`read_conll`, with each document's :class:`TokenLayout`: its own tokens and sentences."""
    return _read_conll(path_or_text, text=text, doc_id=doc_id, schema=schema, labels=labels, scheme=scheme)


def read_conll(
    path_or_text: str | os.PathLike[str],
    *,
    text: str | Mapping[str, str] | None = None,
    doc_id: str | None = None,
    schema: Schema | None = None,
    labels: Iterable[str] | None = None,
    scheme: str = "BIO2",
) -> list[Document]:
    """Read a CoNLL file into documents with character spans.

    Args:
        path_or_text: A file path, or CoNLL content (a string containing newlines).
        text: The original raw text of the (single) document, or a mapping
            document id -> raw text; tokens are aligned to it in order,
            skipping white space. Without it the text is rebuilt: tokens
            joined by single spaces, sentences by newlines.
        doc_id: The id of the first document (default: the ``# id =``
            comment, else the file stem, else ``"doc"``); later documents
            without an ``# id =`` comment get ``<doc_id>-<n>``.
        schema: If given, tag types must be entity types of the schema.
        labels: If given, tag types must be among these labels.
        scheme: The tagging scheme of the file (default ``BIO2``).

    Returns:
        One document per ``-DOCSTART-`` block (one if there is none). Entity
        ids are ``T1``, ``T2``... in order. ``metadata["conll_repairs"]`` lists
        the tags read by the conlleval rules differently from ``scheme``
        (e.g. an ``I-PERS`` after ``O``), ``metadata["conll_comments"]`` the
        other comments; both only when not empty.

    Raises:
        AnnotationError: For a malformed file, or a token not found where
            expected in ``text`` (naming the line and the token).
    """
    read = _read_conll(path_or_text, text=text, doc_id=doc_id, schema=schema, labels=labels, scheme=scheme)
    return [document for document, _ in read]


def _read_conll(
    path_or_text: str | os.PathLike[str],
    *,
    text: str | Mapping[str, str] | None,
    doc_id: str | None,
    schema: Schema | None,
    labels: Iterable[str] | None,
    scheme: str,
) -> list[tuple[Document, TokenLayout]]:
    content, file = _load(path_or_text)
    sentences = parse_conll(content, file=file, schema=schema, labels=labels, scheme=scheme)
    key = scheme_of(scheme).name
    base_id = doc_id or (Path(file).stem if file else "doc")
    by_doc: dict[int, list[ConllSentence]] = {}
    for sentence in sentences:
        by_doc.setdefault(sentence.document, []).append(sentence)
    if not by_doc:
        by_doc[0] = []
    if isinstance(text, str) and len(by_doc) > 1:
        raise AnnotationError(
            f"text= is one string but the file holds {len(by_doc)} documents",
            file=file,
            field="text",
            fix="pass a mapping document id -> raw text",
        )
    documents = []
    for n, (_, doc_sentences) in enumerate(sorted(by_doc.items())):
        named, comments = _document_comments(doc_sentences)
        this_id = named or (base_id if n == 0 else f"{base_id}-{n + 1}")
        raw = text if isinstance(text, str) else (text.get(this_id) if text is not None else None)
        if text is not None and raw is None:
            raise AnnotationError(
                "no raw text given for this document",
                file=file,
                field="text",
                value=this_id,
                fix=f"add {this_id!r} to the text mapping (it has {', '.join(map(repr, text))})",
            )
        documents.append(_build_document(doc_sentences, this_id, comments, raw, key, file))
    dup = first_duplicate_id(d.id for d, _ in documents)
    if dup is not None:
        raise AnnotationError(
            "two documents have the same id",
            file=file,
            field="id",
            value=dup,
            fix="give every document a distinct '# id = ...' comment",
        )
    return documents


def _build_document(
    sentences: Sequence[ConllSentence],
    doc_id: str,
    comments: list[str],
    raw: str | None,
    scheme: str,
    file: str | None,
) -> tuple[Document, TokenLayout]:
    parts: list[str] = []
    sentence_offsets: list[list[tuple[int, int]]] = []
    pos = 0
    entities: dict[str, Span] = {}
    repairs: list[dict[str, object]] = []
    for sentence in sentences:
        if not sentence.tokens:
            continue
        offsets: list[tuple[int, int]] = []
        if raw is None:
            if parts:
                parts.append("\n")
                pos += 1
            for i, token in enumerate(sentence.tokens):
                if i:
                    parts.append(" ")
                    pos += 1
                parts.append(token)
                offsets.append((pos, pos + len(token)))
                pos += len(token)
        else:
            for token, line in zip(sentence.tokens, sentence.lines, strict=True):
                pos = _SPACES.match(raw, pos).end()  # type: ignore[union-attr]
                if not raw.startswith(token, pos):
                    found = raw[pos : pos + len(token) + 10]
                    raise AnnotationError(
                        f"token not found in the raw text at offset {pos} (text there: {found!r})",
                        file=file,
                        line=line,
                        field="token",
                        value=token,
                        fix="pass the exact raw text the CoNLL file was made from",
                    )
                offsets.append((pos, pos + len(token)))
                pos += len(token)
        sentence_offsets.append(offsets)
        decoded = decode(sentence.tags, scheme=scheme)
        if decoded.repaired:
            canonical = encode(decoded.entities, len(sentence.tags), scheme=scheme)
            for i in decoded.repaired:
                repairs.append(
                    ConllRepair(sentence.lines[i], sentence.tokens[i], sentence.tags[i], canonical[i]).as_dict()
                )
        for first, end, label in decoded.entities:
            entities[f"T{len(entities) + 1}"] = Span(offsets[first][0], offsets[end - 1][1], label)
    if raw is not None:
        rest = raw[pos:]
        if rest.strip():
            raise AnnotationError(
                f"the raw text goes on after the last token (offset {pos}: {rest[:20]!r})",
                file=file,
                field="text",
                value=doc_id,
                fix="pass the raw text of this document only, or a CoNLL file with all its tokens",
            )
    metadata: dict[str, object] = {}
    if repairs:
        metadata["conll_repairs"] = repairs
    if comments:
        metadata["conll_comments"] = comments
    document = Document(doc_id, raw if raw is not None else "".join(parts), entities, {}, metadata)
    return document, _layout(sentence_offsets, len(document.text))


# --------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class ConllExport:
    """One document in CoNLL, with what the format could not hold.

    Attributes:
        text: The CoNLL lines of the document (ends with a blank line).
        tokens: Number of tokens written.
        sentences: Number of sentences written.
        flat_spans: Number of spans tagged (the flat layer).
        nested_spans: Entities not written because another span contains them.
        relations: Relations not written (CoNLL has none).
        widened: Flat spans that started or ended inside a word (written as whole words).
        clusters: Coreference clusters not written (CoNLL has no entity layer).
    """

    text: str
    tokens: int
    sentences: int
    flat_spans: int
    nested_spans: int
    relations: int
    widened: int
    clusters: int = 0


@dataclass
class ConllWriteReport:
    """Counts summed over the documents written to one CoNLL file."""

    documents: int = 0
    tokens: int = 0
    sentences: int = 0
    flat_spans: int = 0
    nested_spans: int = 0
    relations: int = 0
    widened: int = 0
    clusters: int = 0
    comments: bool = True
    per_document: list[ConllExport] = field(default_factory=list, repr=False)

    def add(self, export: ConllExport) -> None:
        """Add one document's counts."""
        self.documents += 1
        self.tokens += export.tokens
        self.sentences += export.sentences
        self.flat_spans += export.flat_spans
        self.nested_spans += export.nested_spans
        self.relations += export.relations
        self.widened += export.widened
        self.clusters += export.clusters
        self.per_document.append(export)

    def losses(self) -> list[str]:
        """Sentences stating what the CoNLL file does not hold (empty if nothing is lost)."""
        notes = []
        if self.nested_spans or self.relations:
            notes.append(
                f"CoNLL keeps the flat layer: {self.nested_spans} nested spans and "
                f"{self.relations} relations are not in this file"
            )
        if self.clusters:
            notes.append(f"CoNLL has no entity layer: {self.clusters} coreference clusters are not in this file")
        if self.widened:
            notes.append(f"{self.widened} spans start or end inside a word and are tagged as whole words")
        if not self.comments and self.documents:
            notes.append("document ids and comments are not written (comments turned off)")
        return notes


def _sentence_breaks(text: str, offsets: Sequence[tuple[int, int]], tags: Sequence[str]) -> list[int]:
    """Return token indices where a new sentence starts (after index 0).

    Sentences are :func:`arabench.annotations.tokenize.sentence_ranges`; a break that
    would fall inside a span moves to the first token after the span.
    """
    starts = {start for start, _ in sentence_ranges(text)}
    breaks = []
    pending = False
    for i in range(1, len(offsets)):
        if offsets[i][0] in starts:
            pending = True
        if pending and not tags[i].startswith("I-"):
            breaks.append(i)
            pending = False
    return breaks


def conll_export(document: Document, *, sentence_split: bool = True, comments: bool = True) -> ConllExport:
    """Write one document as CoNLL lines and count what CoNLL cannot hold.

    See the module docstring for the token, tagging and sentence rules.

    Args:
        document: The document.
        sentence_split: Split into sentences (else one sentence per document).
        comments: Write the ``# id = ...`` line and the document's kept
            comments after ``-DOCSTART-`` (turn off for tools that do not
            accept ``#`` lines; the document id is then not in the file).

    Raises:
        ConversionError: If two flat spans share a token, or a span covers no
            token; the message names the document and both spans.
    """
    offsets = word_offsets(document.text)
    flat = document.flat_spans
    try:
        tags = spans_to_bio(flat, offsets)
    except ConversionError as exc:
        raise ConversionError(
            f"document {document.id!r}: {exc.message}",
            field=exc.field,
            value=exc.value,
            fix=exc.fix,
        ) from None
    starts = {s for s, _ in offsets}
    ends = {e for _, e in offsets}
    widened = sum(1 for s in flat if s.start not in starts or s.end not in ends)
    lines = [f"{DOCSTART}\tO"]
    if comments:
        lines.append(f"# id = {_one_line(document.id)}")
        for comment in document.metadata.get("conll_comments", ()) or ():
            text = _one_line(str(comment))
            lines.append(text if text.startswith("#") else "# " + text)
    lines.append("")
    breaks = set(_sentence_breaks(document.text, offsets, tags)) if sentence_split else set()
    sentences = 1 if offsets else 0
    for i, ((start, end), tag) in enumerate(zip(offsets, tags, strict=True)):
        if i in breaks:
            lines.append("")
            sentences += 1
        lines.append(f"{document.text[start:end]}\t{tag}")
    if offsets:
        lines.append("")
    return ConllExport(
        text="\n".join(lines) + "\n",
        tokens=len(offsets),
        sentences=sentences,
        flat_spans=len(flat),
        nested_spans=len(document.entities) - len(flat),
        relations=len(document.relations),
        widened=widened,
        clusters=len(document.clusters),
    )


def _one_line(value: str) -> str:
    return " ".join(value.split())


def document_to_conll(document: Document, *, sentence_split: bool = True, comments: bool = True) -> str:
    """Return the CoNLL lines of one document (see :func:`conll_export` for the counts)."""
    return conll_export(document, sentence_split=sentence_split, comments=comments).text


def write_conll(
    documents: Iterable[Document],
    path: str | os.PathLike[str],
    *,
    sentence_split: bool = True,
    comments: bool = True,
) -> ConllWriteReport:
    """Write documents to one CoNLL file (UTF-8, newline line ends, tab separated).

    Returns:
        The counts, including the nested spans and relations the file does
        not hold (:meth:`ConllWriteReport.losses` states them).
    """
    report = ConllWriteReport(comments=comments)
    chunks = []
    for document in documents:
        export = conll_export(document, sentence_split=sentence_split, comments=comments)
        report.add(export)
        chunks.append(export.text)
    atomic_write_text(path, "".join(chunks))  # replaces a link, never writes through it
    return report
