"""The one error family of arabench.

Every error a user can cause is a :class:`BenchmarkError` (a ``ValueError``).
Its message names where the problem is (file, line, field), the bad value and
the fix, so that a person can act on it without reading a stack trace::

    gold/doc.ann:12: field 'type': unknown entity type (got 'PERSON'); fix: use one of PERS, ORG, ...

Subclasses exist only so that callers can catch one kind; tests assert messages.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "BenchmarkError",
    "AnnotationError",
    "SchemaError",
    "ConversionError",
    "ModelError",
    "ModelUnavailableError",
    "LabelMapError",
    "ScoringError",
    "CacheError",
    "yaml_error",
]

_MISSING = object()


class BenchmarkError(ValueError):
    """Base of every error arabench raises for bad input or configuration.

    Args:
        message: What is wrong, in one sentence.
        file: The file the problem is in, if any.
        line: The 1-based line number in ``file``, if any.
        field: The field, column or option that holds the bad value.
        value: The bad value itself (shown with ``repr``).
        fix: What the user should do about it.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        value: object = _MISSING,
        fix: str | None = None,
    ) -> None:
        self.message = message
        self.file = None if file is None else str(file)
        self.line = line
        self.field = field
        self.value = None if value is _MISSING else value
        self.has_value = value is not _MISSING
        self.fix = fix
        super().__init__(self._format())

    def _format(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        field = f"field {self.field!r}: " if self.field else ""
        value = f" (got {self.value!r})" if self.has_value else ""
        fix = f"; fix: {self.fix}" if self.fix else ""
        return f"{where}{field}{self.message}{value}{fix}"


class AnnotationError(BenchmarkError):
    """A gold or prediction annotation file is malformed or inconsistent."""


class SchemaError(BenchmarkError):
    """The schema file, a label view or a type name is invalid."""


class ConversionError(BenchmarkError):
    """A file cannot be converted between formats without losing information."""


class ModelError(BenchmarkError):
    """A model name, card or adapter option is invalid."""


class ModelUnavailableError(ModelError):
    """A model cannot be loaded here (no network, no cache, missing extra)."""


class LabelMapError(ModelError):
    """A model label has no mapping and is not listed as dropped."""


class ScoringError(BenchmarkError):
    """Gold and predictions cannot be aligned for scoring."""


class CacheError(BenchmarkError):
    """A cache entry is corrupted or unreadable."""


def yaml_error(
    exc: Exception, *, what: str, file: str | Path, error: type[BenchmarkError] = BenchmarkError
) -> BenchmarkError:
    """The typed error for a YAML syntax error (``yaml.YAMLError``) in ``file``: its problem and its line.

    The one place a YAML parser's error becomes an arabench error (no ``yaml`` import needed here: the
    parser's ``problem`` and ``problem_mark`` are read as attributes). Raise it ``from None``.

    Args:
        exc: The parser's exception.
        what: What the file is, for the message (``"views file"``).
        file: The file.
        error: The error class (:class:`SchemaError` for views, :class:`ModelError` for word lists, ...).
    """
    mark = getattr(exc, "problem_mark", None)
    return error(
        f"{what} is not valid YAML: {getattr(exc, 'problem', None) or exc}",
        file=file,
        line=None if mark is None else mark.line + 1,
        fix="fix the YAML syntax",
    )
