"""Read an annotation corpus: the one entry point the harness and the commands use.

:func:`read_corpus` accepts a BRAT directory (pairs of ``X.txt`` + ``X.ann``),
one ``.txt``/``.ann`` pair (either file's path), or a ``.jsonl`` file. It runs
every check of :func:`annotations.validate.validate` and raises one
:class:`~annotations.errors.AnnotationError` listing every problem if there is
any, so a corpus that reads is a corpus that validates. Decisions:

* A ``.txt`` without its ``.ann`` is an error, not an empty document: reading
  it as "no entities" would silently change scores. Add an empty ``X.ann``
  for a document that has no entities.
* Text is decoded from the bytes on disk as UTF-8 exactly: no newline
  translation, no BOM stripping, no normalization (offsets count characters
  of the raw text).
* Documents come back sorted by id, whatever the file order.
"""

from __future__ import annotations

from pathlib import Path

from annotations.problems import problems_error
from annotations.schema import Schema
from annotations.spans import Document
from annotations.validate import validate

__all__ = ["read_corpus", "default_gold_path"]


def default_gold_path() -> Path:
    """The packaged gold directory, ``annotations/gold``."""
    return Path(__file__).with_name("gold")


def read_corpus(path: str | Path, *, schema: Schema | None = None, check_types: bool = True) -> list[Document]:
    """Read and validate a corpus.

    Args:
        path: A BRAT directory, a ``.ann`` or ``.txt`` file of a pair, or a ``.jsonl`` file.
        schema: The schema to check types against (default: the packaged schema).
        check_types: Check entity and relation types against the schema (turn
            off for predictions labelled in another view).

    Returns:
        The documents, sorted by id.

    Raises:
        AnnotationError: Listing every problem (its ``problems`` attribute
            holds them), if any error was found. Warnings do not raise.
    """
    report = validate(path, schema=schema, check_types=check_types)
    if not report.ok:
        raise problems_error(report.problems, what=f"corpus {path}", file=None)
    return report.documents
