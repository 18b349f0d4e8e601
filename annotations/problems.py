"""One problem found in an annotation file, and the list a reader collects.

Readers and the validator never stop at the first problem: they collect every
:class:`Problem` (file, 1-based line, field, bad value, message, fix) and the
caller decides whether to raise. :meth:`Problem.as_error` turns one into the
:class:`~annotations.errors.AnnotationError` it describes, so a problem prints
exactly like the error would::

    gold/doc.ann:12: field 'type': unknown entity type (got 'PERSON'); fix: did you mean 'PERS'? ...
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from arabench.annotations.errors import AnnotationError
from arabench.annotations.spans import Document

__all__ = ["Problem", "ParsedDocument", "ERROR", "WARNING", "problems_error"]

ERROR: Literal["error"] = "error"
WARNING: Literal["warning"] = "warning"

_NO_VALUE = object()


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth saying) about an annotation file.

    Args:
        file: The file the problem is in.
        line: The 1-based line in ``file`` (``None`` for a whole-file problem).
        field: The field or column holding the bad value.
        message: What is wrong, in one sentence.
        fix: What to do about it.
        value: The bad value (shown with ``repr``); leave unset if there is none.
        severity: ``"error"`` (the annotations cannot be used as they are) or
            ``"warning"`` (kept, but worth knowing, e.g. a BRAT attribute that
            is stored but not scored).
    """

    file: str | None
    line: int | None
    field: str | None
    message: str
    fix: str | None = None
    value: object = field(default=_NO_VALUE, compare=False)
    severity: Literal["error", "warning"] = ERROR

    @property
    def has_value(self) -> bool:
        """True if the problem carries a bad value."""
        return self.value is not _NO_VALUE

    @property
    def is_error(self) -> bool:
        """True for an error (as opposed to a warning)."""
        return self.severity == ERROR

    def as_error(self) -> AnnotationError:
        """The :class:`AnnotationError` this problem describes."""
        kwargs = {"value": self.value} if self.has_value else {}
        return AnnotationError(self.message, file=self.file, line=self.line, field=self.field, fix=self.fix, **kwargs)

    def __str__(self) -> str:
        text = str(self.as_error())
        return text if self.is_error else f"warning: {text}"

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict (the value as its ``repr``)."""
        return {
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "value": repr(self.value) if self.has_value else None,
            "fix": self.fix,
        }


def problems_error(problems: list[Problem], *, what: str, file: str | None = None, limit: int = 50) -> AnnotationError:
    """One :class:`AnnotationError` listing every error among ``problems``.

    The error's ``problems`` attribute holds the full list, so that a caller can
    inspect each one. At most ``limit`` are spelled out in the message.

    Args:
        problems: The problems found (warnings are left out of the message).
        what: What was being read, e.g. ``"corpus annotations/gold"``.
        file: The file or directory to name in the error.
        limit: How many problems to spell out in the message.
    """
    errors = [p for p in problems if p.is_error]
    lines = [f"  {p}" for p in errors[:limit]]
    if len(errors) > limit:
        lines.append(f"  ... and {len(errors) - limit} more (run `arabench validate` to see all)")
    noun = "problem" if len(errors) == 1 else "problems"
    error = AnnotationError(
        f"{what} has {len(errors)} {noun}; correct each one (`arabench validate PATH` lists them all):\n"
        + "\n".join(lines),
        file=file,
    )
    error.problems = errors  # type: ignore[attr-defined]
    return error


@dataclass
class ParsedDocument:
    """A document as one reader parsed it, with where each annotation came from.

    Attributes:
        document: The document, holding every annotation that could be parsed.
        file: The annotation file (``.ann`` or ``.jsonl``).
        text_file: The text file (``.txt``) for BRAT, ``None`` for JSONL.
        where: Annotation id to ``(line, field prefix)``: the 1-based line of
            ``file`` it is on, and the prefix of its fields in messages
            (``""`` for BRAT, ``"entities[3]."`` for JSONL).
        text_line: The 1-based line of ``file`` holding the text (JSONL), or
            ``None`` when the text is a file of its own (BRAT).
        problems: Every problem the reader found.
    """

    document: Document
    file: str
    text_file: str | None
    where: dict[str, tuple[int, str]]
    text_line: int | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True if no error was found."""
        return not any(p.is_error for p in self.problems)
