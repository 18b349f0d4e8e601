"""Few-shot examples drawn from a training corpus (options ``examples_from``, ``examples_k`` ...).

**The pool.** ``examples_from`` names a corpus in any format arabench reads
(:func:`arabench.annotations.formats.read_documents`: BRAT, JSONL, CoNLL,
Label Studio, a saved dataset). Its documents are cut into sentences (lines,
then :func:`~arabench.annotations.tokenize.sentence_ranges` for long lines);
a sentence of :data:`MIN_CHARS` to ``examples_max_chars`` characters whose
mentions all lie inside it is an example: its text and the answer a perfect
model would give (each mention's string and type once, ids ``e1``, ``e2`` ...,
and the relations between its mentions). Labels that are not schema types
(ANERcorp's ``LOC``, ``MISC``) need ``examples_label_map`` (``LOC=GPE,MISC=``:
an empty target drops the label); an unmapped one is an error naming it.
Types the model is not asked for are left out of the answers.

**The draw.** ``examples_select=random`` (default): ``examples_k`` examples
drawn once with ``random.Random(examples_seed)``, the same for every window.
``examples_select=similar``: per window, the ``examples_k`` sentences sharing
the most character trigrams with it (cosine of binary trigram vectors; ties
by corpus order). Both are deterministic for a seed and independent of the
order or concurrency in which windows are sent. The examples are rendered
through the prompt template's user/assistant turns, in place of the
template's own examples.

**Never the corpus being scored.** Before any request, the texts to predict
are compared with the pool: when half or more of their lines are sentences of
the example corpus, the model is refused (:class:`ModelError`, naming both
counts: it is the corpus being scored); any other sentence of the texts that
is in the pool is removed from it (so no text is ever its own example).

**Provenance.** The source, the sha256 of the pool (texts and answers), the
number of examples, ``k``, the selection and the seed are in the provenance
and the cache key; the rendered examples are part of every request's key.
"""

from __future__ import annotations

import bisect
import random
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from arabench.annotations.errors import BenchmarkError, ModelError
from arabench.annotations.files import canonical_sha256
from arabench.annotations.schema import Schema
from arabench.annotations.spans import Document, Span
from arabench.annotations.tokenize import sentence_ranges

__all__ = ["MAX_K", "MIN_CHARS", "SELECTIONS", "ExamplePool", "parse_examples_label_map"]

#: The shortest sentence used as an example.
MIN_CHARS = 20
#: The most examples per window.
MAX_K = 32
#: How examples are chosen.
SELECTIONS = ("random", "similar")
#: Hashed trigram dimensions for ``similar``.
_DIMS = 1 << 20


@dataclass(frozen=True)
class Example:
    """One example: a sentence and its answer (a JSON object as the model should write it)."""

    text: str
    answer: Mapping[str, Any]


def parse_examples_label_map(spec: object) -> dict[str, str | None]:
    """``"LOC=GPE,MISC="`` (or a mapping) as ``{"LOC": "GPE", "MISC": None}``."""
    if spec is None:
        return {}
    if isinstance(spec, Mapping):
        return {str(k): (None if v in (None, "") else str(v)) for k, v in spec.items()}
    if not isinstance(spec, str):
        raise ModelError("must be LABEL=TYPE pairs", field="examples_label_map", value=spec, fix="e.g. LOC=GPE,MISC=")
    out: dict[str, str | None] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        raw, sep, target = part.partition("=")
        if not sep or not raw.strip() or raw.strip() in out:
            raise ModelError(
                "examples_label_map entries are LABEL=TYPE, each label once",
                field="examples_label_map",
                value=part,
                fix="e.g. LOC=GPE,MISC= (an empty TYPE drops the label)",
            )
        out[raw.strip()] = target.strip() or None
    return out


def _trigrams(text: str) -> np.ndarray:
    grams = {text[i : i + 3] for i in range(max(0, len(text) - 2))}
    return np.array(sorted({zlib.crc32(g.encode("utf-8")) % _DIMS for g in grams}), dtype=np.int64)


class ExamplePool:
    """The examples of a training corpus and the rule that picks them (see the module docstring).

    Args:
        source: The corpus path.
        k: Examples per window (1 to :data:`MAX_K`).
        select: ``random`` or ``similar``.
        seed: The seed of the random draw.
        labels: The schema types the model is asked for.
        schema: The schema.
        label_map: Corpus label -> schema type (or None to drop).
        max_chars: The longest sentence used as an example.
        format: The corpus format (default: guessed from the path).

    Raises:
        ModelError: For a bad option, an unreadable corpus, an unmapped label or an empty pool.
    """

    def __init__(
        self,
        source: str | Path,
        *,
        k: int,
        select: str,
        seed: int,
        labels: Iterable[str],
        schema: Schema,
        label_map: Mapping[str, str | None] | None = None,
        max_chars: int = 600,
        format: str | None = None,
    ) -> None:
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
            raise ModelError(f"must be a whole number from 1 to {MAX_K}", field="examples_k", value=k, fix="e.g. 3")
        if select not in SELECTIONS:
            raise ModelError(
                "unknown example selection", field="examples_select", value=select, fix="use random or similar"
            )
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ModelError("must be a whole number >= 0", field="examples_seed", value=seed, fix="e.g. 0")
        if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < MIN_CHARS:
            raise ModelError(
                f"must be a whole number >= {MIN_CHARS}", field="examples_max_chars", value=max_chars, fix="e.g. 600"
            )
        self.source = str(source)
        self.k, self.select, self.seed, self.max_chars = k, select, seed, max_chars
        self.labels = frozenset(labels)
        self.label_map = dict(label_map or {})
        for raw, target in self.label_map.items():
            if target is not None and target not in schema.entity_types:
                raise ModelError(
                    "examples_label_map targets must be schema entity types (or empty to drop)",
                    field=f"examples_label_map.{raw}",
                    value=target,
                    fix=f"use one of {', '.join(schema.entity_types)}",
                )
        from arabench.annotations.formats import read_documents

        path = Path(source).expanduser()
        try:
            documents, _ = read_documents(path, format=format, notes=False)
        except BenchmarkError as exc:
            raise ModelError(
                f"cannot read the few-shot example corpus: {exc}",
                field="examples_from",
                value=self.source,
                fix="name a training corpus in a format arabench reads (BRAT, JSONL, CoNLL, ...)",
            ) from None
        self.schema = schema
        self.all_sentences: set[str] = set()
        self.examples: list[Example] = []
        for document in documents:
            self.examples.extend(self._sentences(document))
        if len(self.examples) < k:
            raise ModelError(
                f"the example corpus has {len(self.examples)} usable sentences, fewer than examples_k",
                field="examples_from",
                value=self.source,
                fix=f"lower examples_k or raise examples_max_chars (sentences of {MIN_CHARS}-{max_chars} characters)",
            )
        self.sha256 = canonical_sha256([[e.text, dict(e.answer)] for e in self.examples])
        self._active: list[int] = list(range(len(self.examples)))
        self._fixed: list[int] | None = None
        self._matrix: Any = None
        self.excluded = 0

    # -- reading ---------------------------------------------------------------------------

    def _type(self, label: str) -> str | None:
        if label in self.label_map:
            target = self.label_map[label]
        elif label in self.schema.entity_types:
            target = label
        else:
            raise ModelError(
                "a label of the example corpus is not a schema type",
                field="examples_label_map",
                value=label,
                fix=f"map it: examples_label_map={label}=TYPE (or {label}= to drop it)",
            )
        return target if target in self.labels else None

    def _sentences(self, document: Document) -> list[Example]:
        text = document.text
        ranges: list[tuple[int, int]] = []
        for s, e in sentence_ranges(text, ends=frozenset()):  # lines
            if e - s <= self.max_chars:
                ranges.append((s, e))
            else:
                ranges.extend((s + a, s + b) for a, b in sentence_ranges(text[s:e]))
        starts = [s for s, _ in ranges]
        inside: list[list[tuple[str, Span]]] = [[] for _ in ranges]
        crossed: set[int] = set()
        for ann_id, span in sorted(document.entities.items(), key=lambda item: (item[1].start, -item[1].end)):
            i = bisect.bisect_right(starts, span.start) - 1
            if i >= 0 and span.end <= ranges[i][1]:
                inside[i].append((ann_id, span))
                continue
            if i >= 0 and span.start < ranges[i][1]:  # a mention across sentences: no exact answer for them
                crossed.add(i)
            j = i + 1
            while j < len(ranges) and span.end > ranges[j][0]:
                crossed.add(j)
                j += 1
        examples = []
        for n, (start, end) in enumerate(ranges):
            sentence = text[start:end]
            self.all_sentences.add(sentence.strip())
            if not MIN_CHARS <= len(sentence) <= self.max_chars or n in crossed:
                continue
            entities: list[dict[str, str]] = []
            ids: dict[str, str] = {}
            seen: dict[tuple[str, str], str] = {}
            for ann_id, span in inside[n]:
                kind = self._type(span.label)
                if kind is None:
                    continue
                mention = text[span.start : span.end]
                if (mention, kind) not in seen:
                    seen[(mention, kind)] = f"e{len(seen) + 1}"
                    entities.append({"id": seen[(mention, kind)], "text": mention, "type": kind})
                ids[ann_id] = seen[(mention, kind)]
            by_span = {sp: ann_id for ann_id, sp in inside[n]}
            relations = []
            for rel in document.relations.values():
                a1, a2 = ids.get(by_span.get(rel.arg1, "")), ids.get(by_span.get(rel.arg2, ""))
                if a1 and a2 and rel.label in self.schema.relation_types:
                    item = {"type": rel.label, "arg1": a1, "arg2": a2}
                    if item not in relations:
                        relations.append(item)
            examples.append(Example(sentence, {"entities": entities, "relations": relations}))
        return examples

    # -- use -------------------------------------------------------------------------------

    def provenance(self) -> dict[str, object]:
        """What identifies the examples (part of the model's provenance and of every cache key)."""
        return {
            "source": self.source,
            "sha256": self.sha256,
            "sentences": len(self.examples),
            "k": self.k,
            "select": self.select,
            "seed": self.seed,
            "max_chars": self.max_chars,
            "label_map": dict(sorted(self.label_map.items())),
        }

    def exclude_scored(self, texts: Sequence[str]) -> None:
        """Refuse when ``texts`` are the example corpus; drop from the pool any sentence they contain.

        Raises:
            ModelError: When half or more of the texts' lines are sentences of the example corpus.
        """
        lines = {line.strip() for text in texts for line in text.splitlines() if line.strip()}
        shared = sum(1 for line in lines if line in self.all_sentences)
        if lines and shared * 2 >= len(lines):
            raise ModelError(
                f"the few-shot examples would come from the corpus being scored: {shared} of the {len(lines)} "
                f"distinct lines of the texts are sentences of {self.source}",
                field="examples_from",
                value=self.source,
                fix="draw examples from a training split, never from the corpus being scored",
            )
        active = [i for i in range(len(self.examples)) if self.examples[i].text.strip() not in lines]
        if len(active) < self.k:
            raise ModelError(
                "too few example sentences are left once those of the texts being scored are removed",
                field="examples_from",
                value=self.source,
                fix="draw examples from a training split",
            )
        if active != self._active:
            self.excluded = len(self.examples) - len(active)
            self._active = active
            self._fixed = None
            self._matrix = None

    def choose(self, window: str) -> list[tuple[str, Mapping[str, Any]]]:
        """The examples for ``window``: ``(text, answer)`` pairs, in the order they are sent."""
        if self.select == "random":
            if self._fixed is None:
                self._fixed = random.Random(self.seed).sample(self._active, self.k)
            chosen = self._fixed
        else:
            chosen = self._similar(window)
        return [(self.examples[i].text, self.examples[i].answer) for i in chosen]

    def _similar(self, window: str) -> list[int]:
        from scipy import sparse

        if self._matrix is None:
            rows = [_trigrams(self.examples[i].text) for i in self._active]
            indptr = np.cumsum([0] + [len(r) for r in rows])
            indices = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
            matrix = sparse.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(rows), _DIMS))
            self._norms = np.sqrt(np.maximum(np.diff(indptr), 1))
            self._matrix = matrix.tocsc()
        grams = _trigrams(window)
        if len(grams) == 0:
            scores = np.zeros(len(self._active))
        else:
            scores = np.asarray(self._matrix[:, grams].sum(axis=1)).ravel() / self._norms
        order = np.lexsort((np.arange(len(scores)), -scores))[: self.k]
        return [self._active[int(i)] for i in order]
