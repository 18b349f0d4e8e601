"""Any Hugging Face token-classification model as an arabench adapter (``hf:<hub id or path>[@revision]``).

How a text becomes spans, with nothing lost silently:

1. The text is split into words with :func:`arabench.annotations.tokenize.word_offsets`
   and into sentences with :func:`arabench.annotations.tokenize.sentence_ranges`, also
   cutting at the clause ends ``؛ …`` (``CLAUSE_END_WORDS``).
2. Sentences are packed into windows of at most ``max_length`` tokens (the
   model's limit by default). A sentence longer than a window is split into
   overlapping chunks (``stride`` tokens of overlap); every word is owned by
   exactly one chunk (the one where it is farthest from an edge), so merging is
   deterministic. A window the tokenizer makes longer than the limit is split
   again; the text is never truncated. A single word longer than a whole window
   is cut and counted (``truncated_words``).
3. Each window goes to the tokenizer either as raw text (``input="raw"``,
   character offsets from the fast tokenizer's ``offset_mapping``) or as words
   with ``is_split_into_words=True`` (``input="words"``, CAMeL Tools'
   ``simple_word_tokenize`` convention); offsets always refer to the raw text.
4. Each tokenizer word gets one label: its first subword's (``aggregation=
   "first"``), or the argmax of its subwords' mean probabilities
   (``"average"``), or the label of its most confident subword (``"max"``).
5. Word tags are decoded by :func:`arabench.annotations.tags.decode` (scheme ``ANY``:
   BIO, BIOES/BILOU prefixes and bare types; policy ``adapter``): an ``I-``
   that does not continue an entity of its type starts one and is counted.
6. Raw types are mapped to the view's labels with the :class:`LabelMap`
   (dropped labels counted); spans are snapped to word boundaries (XLM-R's
   lone ``▁`` offsets, subword-internal starts) and the span's string is always
   ``text[start:end]`` of the raw text.

Diagnostics (per text):
    ``windows``: windows the text was split into.
    ``repaired_tags``: ``I-``/``E-`` tags that started an entity.
    ``snapped_spans``: spans widened or moved to word boundaries.
    ``empty_spans``: spans covering no word (removed).
    ``dropped_label:<RAW>``: spans of a dropped raw type (removed).
    ``truncated_words``: words longer than a whole window (only their first
    tokens were seen by the model).
    ``duplicate_spans``: identical spans produced twice (kept once).
    ``joined_words``: (``input="raw"``) model words that cover several words of
    :func:`arabench.annotations.tokenize.word_offsets` (a tokenizer that splits only at
    white space keeps ``القاهرة،`` whole): each gets one label and a span over
    it includes the punctuation; ``input="words"`` avoids it.
"""

from __future__ import annotations

import hashlib
import os
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

import numpy as np

from arabench.annotations.collector import collection_paused
from arabench.annotations.errors import LabelMapError, ModelError, ModelUnavailableError
from arabench.annotations.schema import View, default_schema
from arabench.annotations.spans import Span
from arabench.annotations.tags import decode, split_tag
from arabench.annotations.tokenize import CLAUSE_END_WORDS, WordIndex, sentence_ranges, word_offsets
from arabench.models.base import Option, Prediction, parse_options
from arabench.models.cards import ModelCard, card_for, known_cards, resolve_view
from arabench.models.hub import Source, download_hint, locate_model
from arabench.models.labelmap import LabelMap, infer_label_map, parse_label_map, split_labels

__all__ = [
    "ADAPTER_VERSION",
    "HFTokenClassificationModel",
    "spans_from_words",
]

ADAPTER_VERSION = "1"

AGGREGATIONS = ("first", "average", "max")
#: Windows tokenized per call of the tokenizer.
TOKENIZE_BATCH = 256
#: Bounds of the forward-pass options: enough for any CPU or GPU batch, and no request for the whole corpus at once.
MAX_BATCH_SIZE = 4096
MAX_BATCH_TOKENS = 1 << 20
_RANGE = itemgetter(0, 1)
_END = itemgetter(1)
_SPAN_ORDER = attrgetter("start", "end", "label")  # Span's own order (start, end, label), compared as tuples
_ROBERTA_LIKE = frozenset({"roberta", "xlm-roberta", "xlm-roberta-xl", "camembert", "longformer", "bertweet"})


def _unavailable(source: str, why: str, revision: str | None = None) -> ModelUnavailableError:
    return ModelUnavailableError(
        f"model {source!r} is not available here: {why}",
        field="model",
        value=source,
        fix=download_hint(source, revision),
    )


def _resolve(source: str, revision: str | None, *, local_files_only: bool | None) -> Source:
    found = locate_model(source, revision, local_files_only=local_files_only)
    if found.no_config:
        raise ModelUnavailableError(
            "local model directory has no config.json",
            file=Path(source).expanduser(),
            field="model",
            value=source,
            fix="point hf: at a directory saved with save_pretrained",
        )
    if found.source is None:
        raise _unavailable(source, found.reason, revision)
    return found.source


#: Bytes hashed at each end of a file by the quick fingerprint (a safetensors header is at the start).
_FINGERPRINT_ENDS = 1 << 20


def _fingerprint(directory: str, *, full: bool = False) -> str:
    """A fingerprint of a local model directory that changes when a file in it changes.

    Quick (the default, read on every load; prefixed ``quick:``): per file,
    sorted by name, its name, size, modification time (ns) and the bytes of
    its first and last MiB (the safetensors header and the whole of a small
    file), so loading a base-size model reads 2 MiB a file, not the weights.
    Rewriting a file changes its modification time (and its bytes, where they
    are read) even at the same size; a copy that keeps times (``cp -p``,
    ``shutil.copytree``) keeps the fingerprint. ``full=True`` hashes names
    and every byte (prefixed ``sha256:``).
    """
    digest = hashlib.sha256()
    for path in sorted(Path(directory).iterdir()):
        if not path.is_file():
            continue
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as handle:
            if full:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
                continue
            stat = os.fstat(handle.fileno())
            digest.update(f"{stat.st_size}:{stat.st_mtime_ns}\0".encode())
            digest.update(handle.read(_FINGERPRINT_ENDS))
            if stat.st_size > 2 * _FINGERPRINT_ENDS:
                handle.seek(-_FINGERPRINT_ENDS, os.SEEK_END)
            digest.update(handle.read())
    return ("sha256:" if full else "quick:") + digest.hexdigest()


def spans_from_words(
    text: str,
    words: Sequence[tuple[int, int, str]],
    label_map: LabelMap,
    *,
    index: WordIndex | None = None,
    model: str = "model",
    breaks: Sequence[int] = (),
) -> tuple[list[Span], Counter[str]]:
    """Turn labelled model words into mapped, word-snapped spans of ``text``.

    Args:
        text: The raw text.
        words: ``(start, end, tag)`` per model word in text order; offsets may
            include white space or stop inside a word (they are snapped).
        label_map: Raw type -> view label (dropped types counted).
        index: The text's :class:`WordIndex` (built if missing).
        model: The model name for error messages.
        breaks: Sorted character offsets no span continues across (the
            starts of sentences and lines): the tags are decoded between
            them, so a window packing several sentences cannot join them.

    Returns:
        The sorted spans and the diagnostics counter (``repaired_tags``,
        ``snapped_spans``, ``empty_spans``, ``dropped_label:<RAW>``,
        ``duplicate_spans``).
    """
    index = index or WordIndex.of(text)
    diagnostics: Counter[str] = Counter()
    tags = [tag for _, _, tag in words]
    entities: list[tuple[int, int, str]] = []
    repairs = 0
    run = 0
    for cut in [*_runs(words, breaks), len(words)]:
        decoded = decode(tags[run:cut], scheme="ANY", policy="adapter")
        repairs += decoded.repairs
        entities.extend((run + first, run + stop, kind) for first, stop, kind in decoded.entities)
        run = cut
    if repairs:
        diagnostics["repaired_tags"] += repairs
    spans: set[Span] = set()
    for first, stop, kind in entities:
        label = label_map.label(kind, model=model)
        if label is None:
            diagnostics[f"dropped_label:{kind}"] += 1
            continue
        if stop - first == 1:
            start, end, _ = words[first]
        else:
            chunk = words[first:stop]
            start, end = min(chunk)[0], max(chunk, key=_END)[1]
        snapped = index.snap(start, end)
        if snapped is None:
            diagnostics["empty_spans"] += 1
            continue
        if snapped != (start, end) and text[start:end].strip() != text[snapped[0] : snapped[1]]:
            diagnostics["snapped_spans"] += 1
        span = Span(snapped[0], snapped[1], label)
        if span in spans:
            diagnostics["duplicate_spans"] += 1
        spans.add(span)
    return sorted(spans, key=_SPAN_ORDER), diagnostics


def _runs(words: Sequence[tuple[int, int, str]], breaks: Sequence[int]) -> list[int]:
    """Indices of the words that start after a break the word before them does not (sorted)."""
    if not breaks or not words:
        return []
    cuts = []
    k = bisect_right(breaks, words[0][0])
    for i in range(1, len(words)):
        start = words[i][0]
        if k < len(breaks) and breaks[k] <= start:
            cuts.append(i)
            k = bisect_right(breaks, start, k)
    return cuts


@dataclass
class _Window:
    text_index: int
    first: int  # word range [first, last) of the text's words
    last: int
    own_first: int  # the words whose labels this window decides
    own_last: int
    input_ids: list[int] | None = None
    extras: dict[str, list[int]] | None = None
    # per token: (model word id, char start, char end) or None for special tokens
    token_words: list[tuple[int, int, int] | None] | None = None
    truncated: int = 0
    joined: int = 0  # owned model words covering several text words (raw input)


class HFTokenClassificationModel:
    """A Hugging Face token-classification model (see the module docstring).

    Create it with :meth:`from_spec` (``"org/name@rev"`` or a local path) or
    through the registry (``create_model("hf:...")`` or a card name).

    Attributes:
        name: The registry name.
        view: The name of the view its labels live in.
        view_definition: The :class:`~annotations.schema.View` itself (a
            schema view or one defined by the model card).
        labels: The view labels it can emit.
        label_map: Raw type -> view label.
    """

    OPTIONS = (
        Option("aggregation", "text", "first", "how a word's label is read from its sub-tokens", choices=AGGREGATIONS),
        Option("batch_size", "int", 64, "windows per forward pass at most", minimum=1, maximum=MAX_BATCH_SIZE),
        Option(
            "batch_tokens",
            "int",
            4096,
            "padded tokens per forward pass at most (one window at least)",
            minimum=1,
            maximum=MAX_BATCH_TOKENS,
        ),
        Option("card", "object", help="the model card (set by the registry)", user=False),
        Option("device", "text", "cpu", "the torch device"),
        Option("drop", "list", help="raw labels to drop (counted)"),
        Option("full_hash", "bool", False, "fingerprint a local model by every byte"),
        Option("input", "text", help="what the tokenizer gets: raw text or words", choices=("raw", "words")),
        Option("label_map", "label_map", help="raw label -> view label: RAW=LABEL,... or a .yaml/.json file"),
        Option("local_files_only", "bool", help="never download"),
        Option("max_length", "int", help="window size in tokens", minimum=2),
        Option("name", "text", help="the registry name", user=False),
        Option("revision", "text", help="the hub revision (also hub_id@revision)"),
        Option("stride", "int", help="tokens shared by consecutive windows", minimum=0),
        Option("view", "text", help="the view its labels are in (with label_map)"),
    )

    def __init__(
        self,
        source: str,
        *,
        name: str | None = None,
        revision: str | None = None,
        card: ModelCard | str | None = None,
        device: str = "cpu",
        batch_size: int = 64,
        batch_tokens: int = 4096,
        aggregation: str = "first",
        stride: int | None = None,
        max_length: int | None = None,
        input: str | None = None,
        label_map: str | Path | Mapping[str, object] | None = None,
        drop: Iterable[str] | str = (),
        view: str | None = None,
        local_files_only: bool | None = None,
        full_hash: bool = False,
    ) -> None:
        if isinstance(card, str):
            found = known_cards().get(card)
            if found is None:
                raise ModelError(
                    "unknown model card", field="card", value=card, fix=f"use one of {list(known_cards())}"
                )
            card = found
        self.card = card
        self.name = name or f"hf:{source}" + (f"@{revision}" if revision else "")
        if aggregation not in AGGREGATIONS:
            raise ModelError("unknown aggregation", field="aggregation", value=aggregation, fix=f"use {AGGREGATIONS}")
        if input is None:
            input = card.input if card is not None else "raw"
        if input not in ("raw", "words"):
            raise ModelError("unknown input convention", field="input", value=input, fix="use 'raw' or 'words'")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= MAX_BATCH_SIZE:
            raise ModelError(
                f"batch_size must be an integer in [1, {MAX_BATCH_SIZE}]",
                field="batch_size",
                value=batch_size,
                fix="e.g. 64",
            )
        self.aggregation = aggregation
        self.input = input
        if (
            isinstance(batch_tokens, bool)
            or not isinstance(batch_tokens, int)
            or not 1 <= batch_tokens <= MAX_BATCH_TOKENS
        ):
            raise ModelError(
                f"batch_tokens must be an integer in [1, {MAX_BATCH_TOKENS}]",
                field="batch_tokens",
                value=batch_tokens,
                fix="e.g. 4096",
            )
        self.batch_size = batch_size
        self.batch_tokens = batch_tokens
        self.requested_revision = revision
        self._source = _resolve(source, revision, local_files_only=local_files_only)
        self.source = source

        import torch
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        if device.startswith("cuda") and not torch.cuda.is_available():
            raise ModelUnavailableError(
                "CUDA is not available here", field="device", value=device, fix="use device='cpu'"
            )
        self.device = torch.device(device)
        kwargs: dict[str, Any] = {"local_files_only": self._source.local_files_only}
        if revision and self._source.hub_id is not None:
            kwargs["revision"] = revision
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(self._source.path, **kwargs)
            self.model = AutoModelForTokenClassification.from_pretrained(self._source.path, **kwargs)
        except OSError as exc:
            raise _unavailable(source, f"loading failed ({str(exc).splitlines()[0]})", revision) from exc
        if not getattr(self.tokenizer, "is_fast", False):
            raise ModelError(
                "the model's tokenizer is not a fast tokenizer; character offsets need one",
                field="model",
                value=source,
                fix="save a tokenizer.json with the model (e.g. load it with AutoTokenizer(use_fast=True) and "
                "save_pretrained), or choose a model that ships one",
            )
        self.model.to(self.device).eval()
        config = self.model.config
        self.commit = self._source.commit or getattr(config, "_commit_hash", None)
        local = self._source.hub_id is None
        self.fingerprint = _fingerprint(self._source.path, full=full_hash) if local else None
        self.id2label = {int(k): str(v) for k, v in config.id2label.items()}
        raw_types = list(
            dict.fromkeys(t for t in (split_tag(v, "ANY")[1] for v in self.id2label.values()) if t is not None)
        )
        if card is not None and set(card.labels) != set(self.id2label.values()):
            raise ModelError(
                f"model card {card.name!r} lists other labels than the model's config.id2label",
                file=card.path,
                field="labels",
                value=sorted(self.id2label.values()),
                fix="update the card's labels (and label map) for this revision, or pin the card's revision",
            )
        self.label_map, view_def = self._label_map(raw_types, label_map=label_map, drop=drop, view=view)
        self.label_map.check(raw_types, view=view_def, model=self.name)
        self.view_definition: View = view_def
        self.view: str = view_def.name
        self.labels: frozenset[str] = frozenset(self.label_map.mapping.values())
        self.max_length = self._max_length(max_length)
        self._specials = self.tokenizer.num_special_tokens_to_add(pair=False)
        budget = self.max_length - self._specials
        if budget < 2:
            raise ModelError("max_length leaves no room for text", field="max_length", value=max_length, fix="raise it")
        if stride is None:
            stride = budget // 4
        if not isinstance(stride, int) or not 0 <= stride < budget:
            raise ModelError(
                "stride must be an integer in [0, window size)", field="stride", value=stride, fix=f"0..{budget - 1}"
            )
        self.stride = stride

    # -- construction --------------------------------------------------------------------------

    @classmethod
    def from_spec(cls, arg: str | None, **options: Any) -> HFTokenClassificationModel:
        """Build from ``"org/name[@revision]"`` or a local path (the part after ``hf:``).

        Options: ``device`` (``cpu``/``cuda``), ``batch_size``, ``batch_tokens``, ``aggregation``
        (``first``/``average``/``max``), ``stride`` (overlap in tokens of long
        sentences' chunks), ``max_length`` (window size in tokens), ``revision``,
        ``input`` (``raw``/``words``), ``label_map`` (``"RAW=LABEL,..."``, a
        YAML/JSON path or a mapping), ``drop`` (raw types to drop, list or
        comma-separated), ``view``, ``card``, ``name``, ``local_files_only``,
        ``full_hash`` (fingerprint a local model by every byte, not the quick way).

        Raises:
            ModelError: For a missing argument or an unknown option.
            ModelUnavailableError: If the model cannot be loaded here.
        """
        options = parse_options(cls.OPTIONS, options, model=f"hf:{arg or ''}")
        if not arg:
            raise ModelError("hf needs a hub id or a local path", field="model", value=arg, fix="hf:<org>/<name>")
        source, revision = arg, options.pop("revision", None)
        if "@" in arg and not Path(arg).expanduser().exists():
            source, _, at = arg.rpartition("@")
            if revision is not None and revision != at:
                raise ModelError(
                    "two revisions given", field="revision", value=(at, revision), fix="give it once, after @"
                )
            revision = at or None
        if "card" not in options and "label_map" not in options and "view" not in options:
            found = card_for(source)
            if found is not None:
                options["card"] = found
        return cls(source, revision=revision, **options)

    def _label_map(
        self,
        raw_types: list[str],
        *,
        label_map: str | Path | Mapping[str, object] | None,
        drop: Iterable[str] | str,
        view: str | None,
    ) -> tuple[LabelMap, View]:
        drops = split_labels(drop)
        if label_map is not None:
            parsed = parse_label_map(label_map, drop=drops)
            if view is not None:
                return parsed, resolve_view(view)
            targets = set(parsed.mapping.values())
            for candidate in default_schema().views.values():
                if targets <= candidate.labels:
                    return parsed, candidate
            raise ModelError(
                "no schema view has every label of the label map",
                field="label_map",
                value=sorted(targets),
                fix="pass view=<name> (a schema view or a card's view) or change the map",
            )
        if self.card is not None and view is None and not drops:
            return self.card.label_map, self.card.view
        if self.card is not None and view is None:
            card_map = self.card.label_map
            mapping = {k: v for k, v in card_map.mapping.items() if k not in drops}
            return LabelMap(mapping, card_map.drop | set(drops), card_map.source), self.card.view
        if view is not None:
            return infer_label_map(raw_types, resolve_view(view), drop=drops, model=self.name), resolve_view(view)
        return self._infer_view(raw_types, drops)

    def _infer_view(self, raw_types: list[str], drops: list[str]) -> tuple[LabelMap, View]:
        best: tuple[int, int, LabelMap, View] | None = None
        errors = []
        for candidate in default_schema().views.values():
            try:
                inferred = infer_label_map(raw_types, candidate, drop=drops, model=self.name)
            except ModelError as exc:
                errors.append(f"{candidate.name}: {exc.value}")
                continue
            exact = sum(1 for k, v in inferred.mapping.items() if k == v)
            key = (exact, -len(candidate.labels))
            if best is None or key > best[:2]:
                best = (*key, inferred, candidate)
        if best is None:
            raise LabelMapError(
                f"cannot infer a label map for {self.name} from config.id2label "
                f"(labels with no match per view: {'; '.join(errors)})",
                field="label_map",
                value=raw_types,
                fix="pass label_map='RAW=LABEL,...' (and view=), or drop= the labels to ignore",
            )
        return best[2], best[3]

    def _max_length(self, requested: int | None) -> int:
        config = self.model.config
        limit = getattr(config, "max_position_embeddings", None) or 512
        if getattr(config, "model_type", "") in _ROBERTA_LIKE:
            limit -= (getattr(config, "pad_token_id", 1) or 1) + 1
        tok_limit = getattr(self.tokenizer, "model_max_length", None)
        if isinstance(tok_limit, int) and tok_limit < 1_000_000:
            limit = min(limit, tok_limit)
        if requested is None:
            return limit
        if not isinstance(requested, int) or not 0 < requested <= limit:
            raise ModelError(
                "max_length must be a positive integer within the model's limit",
                field="max_length",
                value=requested,
                fix=f"1..{limit}",
            )
        return requested

    # -- the NERModel protocol ----------------------------------------------------------------

    def provenance(self) -> dict[str, object]:
        """Everything that changes predictions (JSON-serializable)."""
        return {
            "id": self.name,
            "adapter": "hf",
            "adapter_version": ADAPTER_VERSION,
            "source": self.source,
            "hub_id": self._source.hub_id,
            "revision": self.commit or self.requested_revision,
            "requested_revision": self.requested_revision,
            "local_fingerprint": self.fingerprint,
            "card": self.card.name if self.card is not None else None,
            "view": self.view,
            "view_mapping": dict(self.view_definition.mapping),
            "label_map": self.label_map.as_dict(),
            "id2label": [self.id2label[i] for i in sorted(self.id2label)],
            "input": self.input,
            "aggregation": self.aggregation,
            "max_length": self.max_length,
            "stride": self.stride,
        }

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Label every text (see the module docstring for the steps).

        The garbage collector is paused meanwhile: tokenizing and the forward passes make hundreds of
        thousands of small objects and no reference cycle (tested), and each collection would scan every
        object alive (the model's libraries, the caller's corpus) to find nothing.
        """
        if isinstance(texts, str):
            raise ModelError(
                "predict takes a sequence of texts, not one string", field="texts", value=texts[:40], fix="pass [text]"
            )
        with collection_paused():
            return self._predict(texts)

    def _predict(self, texts: Sequence[str]) -> list[Prediction]:
        offsets = [word_offsets(text) for text in texts]
        windows: list[_Window] = []
        for i, text in enumerate(texts):
            windows.extend(self._plan(i, text, offsets[i]))
        encoded = self._encode_all(windows, texts, offsets)
        labelled = self._run(encoded, offsets)
        per_text: list[list[tuple[int, int, str]]] = [[] for _ in texts]
        counts: list[Counter[str]] = [Counter() for _ in texts]
        for window, words in zip(encoded, labelled, strict=True):
            per_text[window.text_index].extend(words)
            counts[window.text_index]["windows"] += 1
            if window.truncated:
                counts[window.text_index]["truncated_words"] += window.truncated
            if window.joined:
                counts[window.text_index]["joined_words"] += window.joined
        predictions = []
        for i, text in enumerate(texts):
            words = sorted(per_text[i], key=_RANGE)
            index = WordIndex(starts=[a for a, _ in offsets[i]], ends=[b for _, b in offsets[i]])
            breaks = [start for start, _ in sentence_ranges(text)[1:]]  # sentences and lines: no span crosses one
            spans, diagnostics = spans_from_words(
                text, words, self.label_map, index=index, model=self.name, breaks=breaks
            )
            diagnostics.update(counts[i])
            predictions.append(Prediction(spans=tuple(spans), diagnostics=dict(diagnostics)))
        return predictions

    # -- windows --------------------------------------------------------------------------------

    def _word_token_counts(self, text: str, offsets: list[tuple[int, int]]) -> list[int]:
        if not offsets:
            return []
        enc = self.tokenizer(
            [text[s:e] for s, e in offsets], is_split_into_words=True, add_special_tokens=False, verbose=False
        )
        counts = [0] * len(offsets)
        for word in enc.word_ids():
            if word is not None:
                counts[word] += 1
        return [max(c, 1) for c in counts]

    def _plan(self, text_index: int, text: str, offsets: list[tuple[int, int]]) -> list[_Window]:
        if not offsets:
            return []
        counts = self._word_token_counts(text, offsets)
        budget = self.max_length - self._specials
        # Word ranges of the sentences; clause ends (؛ …) may cut a window too (see annotations.tokenize).
        word_starts = [s for s, _ in offsets]
        sentences = [
            (bisect_left(word_starts, start), bisect_left(word_starts, end))
            for start, end in sentence_ranges(text, ends=CLAUSE_END_WORDS)
        ]
        windows: list[_Window] = []
        current: list[int] | None = None  # [first, last, tokens]
        for first, last in sentences:
            size = sum(counts[first:last])
            if current is not None and current[2] + size <= budget:
                current[1], current[2] = last, current[2] + size
                continue
            if current is not None:
                windows.append(_Window(text_index, current[0], current[1], current[0], current[1]))
                current = None
            if size <= budget:
                current = [first, last, size]
            else:
                windows.extend(self._chunks(text_index, first, last, counts, budget))
        if current is not None:
            windows.append(_Window(text_index, current[0], current[1], current[0], current[1]))
        return windows

    def _chunks(self, text_index: int, first: int, last: int, counts: list[int], budget: int) -> list[_Window]:
        ranges: list[tuple[int, int]] = []
        start = first
        while True:
            end, used = start, 0
            while end < last and (used + counts[end] <= budget or end == start):
                used += counts[end]
                end += 1
            ranges.append((start, end))
            if end >= last:
                break
            nxt, overlap = end, 0
            while nxt - 1 > start + 1 and overlap + counts[nxt - 1] <= self.stride:
                nxt -= 1
                overlap += counts[nxt]
            start = nxt
        windows = []
        for k, (a, b) in enumerate(ranges):
            own_a = first if k == 0 else (ranges[k - 1][1] + a + 1) // 2
            own_b = last if k == len(ranges) - 1 else (b + ranges[k + 1][0] + 1) // 2
            windows.append(_Window(text_index, a, b, own_a, own_b))
        return windows

    def _tokenize(
        self,
        windows: Sequence[_Window],
        texts: Sequence[str],
        offsets: Sequence[Sequence[tuple[int, int]]],
        *,
        truncate: bool,
    ) -> Any:
        """Tokenize windows in one call of the fast tokenizer (each encoded as a call of its own would encode it)."""
        kwargs: dict[str, Any] = {"truncation": truncate, "max_length": self.max_length if truncate else None}
        if self.input == "words":
            pieces = [[texts[w.text_index][s:e] for s, e in offsets[w.text_index][w.first : w.last]] for w in windows]
            return self.tokenizer(pieces, is_split_into_words=True, verbose=False, **kwargs)
        spans = [
            texts[w.text_index][offsets[w.text_index][w.first][0] : offsets[w.text_index][w.last - 1][1]]
            for w in windows
        ]
        return self.tokenizer(spans, return_offsets_mapping=True, verbose=False, **kwargs)

    def _encode_all(
        self, windows: list[_Window], texts: Sequence[str], offsets: Sequence[list[tuple[int, int]]]
    ) -> list[_Window]:
        """Every window tokenized (batches of :data:`TOKENIZE_BATCH`), in order; a window too long is split."""
        encoded: list[_Window] = []
        for b in range(0, len(windows), TOKENIZE_BATCH):
            batch = windows[b : b + TOKENIZE_BATCH]
            enc = self._tokenize(batch, texts, offsets, truncate=False)
            for k, window in enumerate(batch):
                encoded.extend(self._encode(window, texts, offsets, enc, k))
        return encoded

    def _encode(
        self,
        window: _Window,
        texts: Sequence[str],
        offsets: Sequence[list[tuple[int, int]]],
        enc: Any = None,
        k: int = 0,
    ) -> list[_Window]:
        """The window with its tokens (``enc``: its tokenization, the ``k``-th of a batch), or its halves."""
        if enc is None:
            enc, k = self._tokenize([window], texts, offsets, truncate=False), 0
        if len(enc["input_ids"][k]) > self.max_length:
            if window.last - window.first > 1:
                # The token estimate was short (raw tokenization differs from per-word): split again.
                mid = (window.first + window.last) // 2
                left = _Window(window.text_index, window.first, mid, window.own_first, min(mid, window.own_last))
                right = _Window(window.text_index, mid, window.last, max(mid, window.own_first), window.own_last)
                return [*self._encode(left, texts, offsets), *self._encode(right, texts, offsets)]
            enc, k = self._tokenize([window], texts, offsets, truncate=True), 0
            window.truncated = 1
        window.input_ids = list(enc["input_ids"][k])
        window.extras = {key: list(enc[key][k]) for key in ("token_type_ids",) if key in enc}
        first = window.first
        word_ids = enc.word_ids(k)
        tokens: list[tuple[int, int, int] | None]
        if self.input == "words":
            text_offsets = offsets[window.text_index]
            tokens = [None if word is None else (first + word, *text_offsets[first + word]) for word in word_ids]
        else:
            base = offsets[window.text_index][first][0]
            tokens = [
                None if word is None else (word, base + s, base + e)
                for word, (s, e) in zip(word_ids, enc["offset_mapping"][k], strict=True)
            ]
        window.token_words = tokens
        return [window]

    # -- the model ------------------------------------------------------------------------------

    def _run(self, windows: list[_Window], offsets: list[list[tuple[int, int]]]) -> list[list[tuple[int, int, str]]]:
        import torch

        results: list[list[tuple[int, int, str]]] = [[] for _ in windows]
        word_starts = [[s for s, _ in text_offsets] for text_offsets in offsets]  # once per text, not per window
        order = sorted(range(len(windows)), key=lambda i: len(windows[i].input_ids or ()))
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        for b, e in _batches([len(windows[i].input_ids or ()) for i in order], self.batch_size, self.batch_tokens):
            batch = [windows[i] for i in order[b:e]]
            width = max(len(w.input_ids or ()) for w in batch)
            ids = np.full((len(batch), width), pad, dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            extras: dict[str, np.ndarray] = {}
            for r, w in enumerate(batch):
                n = len(w.input_ids or ())
                ids[r, :n] = w.input_ids or ()
                mask[r, :n] = 1
                for key, values in (w.extras or {}).items():
                    extras.setdefault(key, np.zeros((len(batch), width), dtype=np.int64))[r, :n] = values
            with torch.inference_mode():
                logits = self.model(
                    input_ids=torch.from_numpy(ids).to(self.device),
                    attention_mask=torch.from_numpy(mask).to(self.device),
                    **{k: torch.from_numpy(v).to(self.device) for k, v in extras.items()},
                ).logits.float()
            if self.aggregation == "first":
                best = logits.argmax(-1).cpu().numpy()
                probs = None
            else:
                probs = logits.softmax(-1).cpu().numpy()
                best = probs.argmax(-1)
            for r, w in enumerate(batch):
                results[order[b + r]] = self._words(
                    w, best[r], None if probs is None else probs[r], word_starts[w.text_index], offsets[w.text_index]
                )
        return results

    def _words(
        self, window: _Window, best: Any, probs: Any, word_starts: list[int], offsets: list[tuple[int, int]]
    ) -> list[tuple[int, int, str]]:
        """Group a window's tokens into model words, label each, keep the words this window owns."""
        tokens = window.token_words or []
        groups: dict[int, list[int]] = {}
        for t, token in enumerate(tokens):
            if token is not None:
                group = groups.get(token[0])
                if group is None:
                    groups[token[0]] = [t]
                else:
                    group.append(t)
        words = []
        own_first, own_last, raw = window.own_first, window.own_last, self.input == "raw"
        first_only = self.aggregation == "first"
        id2label = self.id2label
        for toks in groups.values():
            if len(toks) == 1:
                _, start, end = tokens[toks[0]]  # type: ignore[misc]
            else:
                start = min(tokens[t][1] for t in toks)  # type: ignore[index]
                end = max(tokens[t][2] for t in toks)  # type: ignore[index]
            if raw:
                owner = _owner(start, end, word_starts, offsets)
                if owner is None or not own_first <= owner < own_last:
                    continue
                if owner + 1 < len(word_starts) and word_starts[owner + 1] < end:
                    window.joined += 1  # e.g. XLM-R's white-space words: «القاهرة،» gets one label
            elif not own_first <= tokens[toks[0]][0] < own_last:  # type: ignore[index]
                continue
            if first_only:
                label_id = int(best[toks[0]])
            elif self.aggregation == "average":
                label_id = int(probs[toks].mean(axis=0).argmax())
            else:
                top = max(toks, key=lambda t: float(probs[t].max()))
                label_id = int(best[top])
            words.append((start, end, id2label[label_id]))
        return words


def _batches(lengths: Sequence[int], size: int, tokens: int) -> list[tuple[int, int]]:
    """Consecutive ``[b, e)`` ranges of windows sorted by length (``lengths``, ascending) for the forward passes.

    A batch holds at most ``size`` windows and at most ``tokens`` padded tokens (its windows times its
    longest), and one window at least: short windows go many to a pass (64-token windows of a small
    model, 64 a pass), long ones as many as the token budget bounds (512-token windows, 8 a pass).
    """
    ranges = []
    b = 0
    while b < len(lengths):
        e = b + 1
        while e < len(lengths) and e - b < size and (e - b + 1) * lengths[e] <= tokens:
            e += 1
        ranges.append((b, e))
        b = e
    return ranges


def _owner(start: int, end: int, word_starts: list[int], offsets: list[tuple[int, int]]) -> int | None:
    """The index of the text word a model word ``[start, end)`` starts in.

    A model word that starts in white space (XLM-R's lone ``▁``) belongs to the
    word it reaches into; one that covers only white space belongs to none.
    """
    i = bisect_right(word_starts, start) - 1
    if i >= 0 and start < offsets[i][1]:
        return i
    if i + 1 < len(word_starts) and word_starts[i + 1] < end:
        return i + 1
    return None
