"""Gold data, schema, guidelines, and the code that reads, validates and converts annotations."""

from arabench.annotations.errors import BenchmarkError
from arabench.annotations.spans import Document, Relation, Span

__all__ = ["BenchmarkError", "Document", "Relation", "Span"]
