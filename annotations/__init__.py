"""Gold data, schema, guidelines, and the code that reads, validates and converts annotations."""

from annotations.errors import BenchmarkError
from annotations.spans import Document, Relation, Span

__all__ = ["BenchmarkError", "Document", "Relation", "Span"]
