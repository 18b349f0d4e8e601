"""CAMeL Tools' NER component as an arabench adapter (``camel:<model name or path>``, extra ``camel``).

How a text becomes spans:

1. The raw text is split with CAMeL Tools' own
   ``camel_tools.tokenizers.word.simple_word_tokenize`` (white space, and every
   punctuation/symbol character on its own: the same convention as
   :mod:`arabench.annotations.tokenize`). Each word is found back in the raw text by a
   sequential search, so offsets always refer to the raw text.
2. The words go to ``camel_tools.ner.NERecognizer.predict`` (one list of words
   per text, batched). CAMeL Tools splits a text longer than its 256-token
   window into consecutive segments itself (``windows`` counts them) and skips
   words its BERT tokenizer turns into no sub-word at all; those words get
   ``O`` here and are counted (``untokenizable_words``).
3. Word tags (BIO, ANERcorp's ``PERS LOC ORG MISC``) are decoded and mapped to
   the ``anercorp`` view with a :class:`~models.labelmap.LabelMap` (inferred
   from the model's ``config.id2label`` unless ``label_map`` is given).

Diagnostics (per text): ``windows``, ``untokenizable_words``,
``repaired_tags`` (``I-`` without an open entity of its type),
``dropped_label:<RAW>``, ``snapped_spans``, ``empty_spans``,
``duplicate_spans`` (see :func:`arabench.models.hf.spans_from_words`).

Model names: an existing directory is loaded with ``NERecognizer(path)``
(any BERT token classifier with a ``BertTokenizer``); otherwise the name is a
CAMeL Tools data-catalogue entry (``camel:`` alone or ``camel:arabert`` is the
default NER model), which must have been installed with ``camel_data -i ner``.
Importing ``camel_tools.ner`` itself needs CAMeL Tools' ``catalogue.json``
(downloaded on first import): offline, put one in ``$CAMELTOOLS_DATA``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from arabench.annotations.errors import ModelError, ModelUnavailableError
from arabench.annotations.schema import default_schema
from arabench.annotations.tokenize import WordIndex
from arabench.models.base import Option, Prediction, parse_options
from arabench.models.labelmap import LabelMap, infer_label_map, parse_label_map, split_labels, split_tag

__all__ = ["CamelToolsModel", "ADAPTER_VERSION", "INSTALL_HINT", "align_words", "camel_available"]

ADAPTER_VERSION = "1"
INSTALL_HINT = "pip install 'arabench[camel]'"
#: NERecognizer's fixed window (``max_seq_length``) minus [CLS] and [SEP].
_SEGMENT = 256 - 2


def _import_camel() -> tuple[Any, Any]:
    """Import ``NERecognizer`` and ``simple_word_tokenize`` or raise :class:`ModelUnavailableError`."""
    try:
        import camel_tools  # noqa: F401
    except ImportError:
        raise ModelUnavailableError(
            "camel-tools is not installed", field="model", value="camel", fix=INSTALL_HINT
        ) from None
    try:
        from camel_tools.ner import NERecognizer
        from camel_tools.tokenizers.word import simple_word_tokenize
    except Exception as exc:  # camel_tools downloads catalogue.json at import; offline this fails
        raise ModelUnavailableError(
            f"camel-tools cannot start: {type(exc).__name__}: {exc}".split("\n")[0][:300],
            field="model",
            value="camel",
            fix=DATA_FIX,
        ) from exc
    return NERecognizer, simple_word_tokenize


#: The fix for a CAMeL Tools install without its data (also the text of the unavailable reason).
DATA_FIX = (
    "run `camel_data -i ner` once with network access, or point $CAMELTOOLS_DATA at a "
    "directory holding CAMeL Tools' catalogue.json and its installed NER model"
)


def _camel_data_dir() -> Path:
    """CAMeL Tools' data directory, found the way ``camel_tools.data.catalogue`` finds it (without importing it)."""
    env = os.environ.get("CAMELTOOLS_DATA")
    return Path(env).expanduser().absolute() if env else Path.home() / ".camel_tools"


@functools.cache
def camel_available(model: str | None = None) -> tuple[bool, str]:
    """Whether ``camel:<model>`` can start here without network, and why (not); cheap, cached per process.

    Nothing is imported or downloaded: importing ``camel_tools.ner`` fetches
    ``catalogue.json`` when it is missing (offline: a failure after a network
    timeout), so the probe looks for that file, and for a catalogue name (or
    ``camel:`` alone, the catalogue's default) for the installed model
    directory the catalogue gives (``data/<path>/config.json``); a local model
    directory needs a ``config.json``.

    Args:
        model: A local model directory or a catalogue name (``None``: the default).
    """
    data = _camel_data_dir()
    catalogue = data / "catalogue.json"
    if not catalogue.is_file():
        return False, f"camel-tools cannot start offline: no {catalogue}: {DATA_FIX}"
    if model and Path(model).expanduser().is_dir():
        config = Path(model).expanduser() / "config.json"
        return (True, f"local model {config.parent}") if config.is_file() else (False, f"no {config}")
    try:  # the catalogue names the default NER model and where each is installed (as camel_tools reads it)
        ner = json.loads(catalogue.read_text(encoding="utf-8"))["components"]["NamedEntityRecognition"]
        name = model or ner["default"]
        datasets = ner["datasets"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return False, f"camel-tools cannot read {catalogue} ({type(exc).__name__}: {exc}): {DATA_FIX}"
    if name not in datasets:
        return False, f"no CAMeL Tools NER model {name!r} in {catalogue}: use one of {', '.join(sorted(datasets))}"
    installed = data / "data" / str(datasets[name].get("path", ""))
    if not (installed / "config.json").is_file():
        return (
            False,
            f"the CAMeL Tools NER model {name!r} is not installed (no {installed / 'config.json'}): {DATA_FIX}",
        )
    return True, f"installed in {installed}"


def align_words(text: str, words: Sequence[str]) -> list[tuple[int, int] | None]:
    """Find each word in ``text`` in order (sequential search); ``None`` for a word not found."""
    out: list[tuple[int, int] | None] = []
    pos = 0
    for word in words:
        found = text.find(word, pos)
        if found < 0 or text[pos:found].strip():
            out.append(None)  # a tokenizer that changed the text; never happens with simple_word_tokenize
            continue
        out.append((found, found + len(word)))
        pos = found + len(word)
    return out


def _fingerprint(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(directory.iterdir()):
        if path.is_file():
            digest.update(path.name.encode())
            if path.suffix in {".json", ".txt"}:
                digest.update(path.read_bytes())
            else:
                digest.update(str(path.stat().st_size).encode())
    return digest.hexdigest()[:16]


class CamelToolsModel:
    """CAMeL Tools' ``NERecognizer`` (view ``anercorp``); see the module docstring.

    Args:
        model: A local model directory, or a CAMeL Tools catalogue name
            (``None``: the catalogue's default NER model).
        label_map: Raw type -> ``anercorp`` label (an option string, a file or
            a mapping, see :func:`arabench.models.labelmap.parse_label_map`); default:
            inferred from the model's ``config.id2label``.
        drop: Raw types to drop (counted as ``dropped_label:<RAW>``).
        batch_size: Texts per forward batch.
        use_gpu: Let CAMeL Tools use CUDA when available (default ``False``).
        name: The registry name (default ``camel:<model>``).

    Raises:
        ModelUnavailableError: If camel-tools is missing, cannot start, or the
            model is not installed.
        LabelMapError: If a model label is neither mapped nor dropped.
    """

    view = "anercorp"

    OPTIONS = (
        Option("label_map", "label_map", help="raw label -> view label: RAW=LABEL,... or a .yaml/.json file"),
        Option("drop", "list", help="raw labels to drop (counted)"),
        Option("batch_size", "int", 32, "sentences per batch", minimum=1),
        Option("use_gpu", "bool", False, "run on the GPU"),
        Option("name", "text", help="the registry name", user=False),
    )

    def __init__(
        self,
        *,
        model: str | None = None,
        label_map: Any = None,
        drop: Sequence[str] | str = (),
        batch_size: int = 32,
        use_gpu: bool = False,
        name: str | None = None,
    ) -> None:
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ModelError(
                "batch_size must be a positive integer", field="batch_size", value=batch_size, fix="use 32"
            )
        recognizer_cls, tokenize = _import_camel()
        self._tokenize = tokenize
        self.name = name or f"camel:{model or ''}".rstrip(":")
        self.batch_size = batch_size
        path = Path(model).expanduser() if model else None
        if path is not None and path.is_dir():
            self.source = str(path.resolve())
            self.revision = _fingerprint(path)
            try:
                self._recognizer = recognizer_cls(self.source, use_gpu=use_gpu)
            except Exception as exc:
                raise ModelError(
                    f"NERecognizer cannot load {self.source}: {type(exc).__name__}: {exc}",
                    field="model",
                    value=model,
                    fix="give a BERT token-classification directory (config.json, weights, vocab/tokenizer)",
                ) from exc
        else:
            self.source, self.revision = self._pretrained(recognizer_cls, model, use_gpu)
        raw_types = [t for t in (split_tag(tag)[1] for tag in self._recognizer.labels_map.values()) if t]
        drops = split_labels(drop)
        view = default_schema().view(self.view)
        if label_map is None:
            self.label_map: LabelMap = infer_label_map(raw_types, view, drop=drops, model=self.name)
        else:
            self.label_map = parse_label_map(label_map, drop=drops)
        self.label_map.check(raw_types, view=view, model=self.name)
        self.labels = frozenset(self.label_map.mapping.values())

    def _pretrained(self, recognizer_cls: Any, model: str | None, use_gpu: bool) -> tuple[str, str]:
        from camel_tools.data import CATALOGUE

        component = CATALOGUE.components.get("NamedEntityRecognition")
        known = sorted(component.datasets) if component else []
        name = model or (component.default if component else None)
        if component is None or name not in component.datasets:
            raise ModelUnavailableError(
                "not a local directory nor a CAMeL Tools NER model",
                field="model",
                value=model,
                fix=f"give a model directory or one of: {', '.join(known) or '(catalogue has no NER models)'}",
            )
        path = Path(component.datasets[name].path)
        if not path.is_dir():
            raise ModelUnavailableError(
                f"CAMeL Tools NER model {name!r} is not installed (looked in {path})",
                field="model",
                value=name,
                fix="run `camel_data -i ner` once with network access",
            )
        self._recognizer = recognizer_cls(str(path), use_gpu=use_gpu)
        return f"camel_tools:{name}", _fingerprint(path)

    @classmethod
    def from_spec(cls, arg: str | None, **options: Any) -> CamelToolsModel:
        """Create from ``camel:<model name or path>`` (``arg`` is the part after ``camel:``).

        Raises:
            ModelError: On an unknown option (the message lists the accepted ones).
        """
        options = parse_options(cls.OPTIONS, options, model=f"camel:{arg or ''}")
        options.setdefault("name", f"camel:{arg}" if arg else "camel")
        return cls(model=arg or None, **options)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Tag each text with CAMeL Tools and return spans in raw-text offsets."""
        from arabench.models.hf import spans_from_words

        prepared = []
        for text in texts:
            words = self._tokenize(text)
            offsets = align_words(text, words)
            kept = [(w, o) for w, o in zip(words, offsets, strict=True) if o is not None]
            pieces = [len(self._recognizer.tokenizer.tokenize(w)) for w, _ in kept]
            prepared.append((text, kept, pieces, len(words) - len(kept)))
        sentences = [[w for w, _ in kept] for _, kept, _, _ in prepared]
        tags_per_text: list[list[str]] = []
        for first in range(0, len(sentences), self.batch_size):
            batch = sentences[first : first + self.batch_size]
            tags_per_text.extend(self._recognizer.predict(batch, batch_size=self.batch_size) if batch else [])
        results = []
        for (text, kept, pieces, unaligned), tags in zip(prepared, tags_per_text, strict=True):
            diagnostics: Counter[str] = Counter()
            tokenizable = [i for i, n in enumerate(pieces) if n > 0]
            if len(tags) != len(tokenizable):
                raise ModelError(
                    f"CAMeL Tools returned {len(tags)} tags for {len(tokenizable)} words",
                    field="tags",
                    value=text[:40],
                    fix="report this text; the adapter cannot align the tags",
                )
            word_tags = ["O"] * len(kept)
            for i, tag in zip(tokenizable, tags, strict=True):
                word_tags[i] = tag
            if len(kept) - len(tokenizable):
                diagnostics["untokenizable_words"] += len(kept) - len(tokenizable)
            if unaligned:
                diagnostics["unaligned_words"] += unaligned
            diagnostics["windows"] += _count_segments([pieces[i] for i in tokenizable])
            words = [(s, e, tag) for (_, (s, e)), tag in zip(kept, word_tags, strict=True)]
            spans, found = spans_from_words(text, words, self.label_map, index=WordIndex.of(text), model=self.name)
            diagnostics.update(found)
            results.append(Prediction(spans=tuple(spans), diagnostics=dict(diagnostics)))
        return results

    def provenance(self) -> dict[str, object]:
        """Identify the model: source, file fingerprint, camel-tools version, label map."""
        import camel_tools

        return {
            "id": self.name,
            "adapter": "arabench.models.camel:CamelToolsModel",
            "adapter_version": ADAPTER_VERSION,
            "revision": self.revision,
            "source": self.source,
            "camel_tools": getattr(camel_tools, "__version__", "unknown"),
            "view": self.view,
            "label_map": json.loads(json.dumps(self.label_map.as_dict())),
        }


def _count_segments(pieces: Sequence[int]) -> int:
    """Segments NERecognizer cuts a word sequence into (its greedy rule, ``max_seq_length`` 256)."""
    segments = 1
    used = 0
    for n in pieces:
        if used + n > _SEGMENT:
            segments += 1
            used = n
        else:
            used += n
    return segments
