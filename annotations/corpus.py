"""Read an annotation corpus: the one entry point the harness and the commands use.

:func:`read_corpus` accepts a path in any format of the registry
(:mod:`arabench.annotations.formats`: a BRAT directory or ``.txt``/``.ann`` pair, JSONL,
CoNLL, a Label Studio export, a ``datasets`` directory), guessed from the path
unless ``format`` names it. It runs every check of
:func:`arabench.annotations.formats.check_path` and raises one
:class:`~annotations.errors.AnnotationError` listing every problem if there is
any, so a corpus that reads is a corpus that validates. Decisions:

* A ``.txt`` without its ``.ann`` is an error, not an empty document: reading
  it as "no entities" would silently change scores. Add an empty ``X.ann``
  for a document that has no entities. (A lone ``.txt`` whose lines are
  token/tag lines is a CoNLL file.)
* Text is decoded from the bytes on disk as UTF-8 exactly: no newline
  translation, no BOM stripping, no normalization (offsets count characters
  of the raw text).
* BRAT and JSONL documents come back sorted by id, whatever the file order;
  the other formats' in file order.
"""

from __future__ import annotations

from pathlib import Path

from arabench.annotations.formats import check_path
from arabench.annotations.problems import problems_error
from arabench.annotations.schema import Schema
from arabench.annotations.spans import Document

__all__ = ["read_corpus", "default_gold_path"]


def default_gold_path() -> Path:
    """The packaged gold directory, ``annotations/gold``."""
    return Path(__file__).with_name("gold")


def read_corpus(
    path: str | Path,
    *,
    schema: Schema | None = None,
    check_types: bool = True,
    format: str | None = None,
    option: str | None = "--format",
    **options: object,
) -> list[Document]:
    """Read and validate a corpus.

    Args:
        path: A corpus in any registered format.
        schema: The schema to check types against (default: the packaged schema).
        check_types: Check entity and relation types against the schema (turn
            off for predictions labelled in another view).
        format: The format (guessed from ``path`` when ``None``).
        option: How the user names a format, for the guess's error.
        **options: Reader options of the format (e.g. ``annotator=`` for Label Studio).

    Returns:
        The documents (BRAT and JSONL sorted by id).

    Raises:
        AnnotationError: Listing every problem (its ``problems`` attribute
            holds them), if any error was found. Warnings do not raise.
        ConversionError: If the format cannot be told.
    """
    report = check_path(path, format=format, schema=schema, check_types=check_types, option=option, **options)
    if not report.ok:
        raise problems_error(report.problems, what=f"corpus {path}", file=None)
    return report.documents
