"""``crf``: the CRF baseline as an arabench adapter (view ``anercorp``).

How a raw text becomes spans:

1. The text is cut into sentences (:func:`arabench.annotations.tokenize.sentence_ranges`:
   at line breaks and after ``. ! ? ؟``) and each sentence into words the way
   ANERcorp is tokenized (:func:`arabench.annotations.tokenize.word_offsets`: every
   punctuation or symbol character is a word of its own, proclitics stay on
   their word: ``وبالكويت`` is one word). Each word keeps its raw offsets.
2. The CRF tags every word of a sentence (BIO2, ``PERS LOC ORG MISC``).
3. Tags are decoded with the conlleval rules (an ``I-`` without an open entity
   of its type starts one; counted as ``repaired_tags``), and each entity
   becomes a span from its first word's start to its last word's end in the
   raw text (snapped to whole words; see :func:`arabench.models.hf.spans_from_words`);
   tags are decoded sentence by sentence, so no entity crosses a sentence end.

The model is trained on first use from the packaged ANERcorp train split and
cached (see :mod:`arabench.models.crf.train`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from arabench.annotations.errors import ModelError
from arabench.annotations.tokenize import WordIndex, sentence_ranges, word_offsets
from arabench.models.base import Option, Prediction, parse_options
from arabench.models.crf.features import FEATURE_VERSION, gazetteer, sentence_features
from arabench.models.crf.train import (
    ALGORITHM,
    LABELS,
    SEED,
    TRAINER_VERSION,
    BuiltModel,
    build_model,
    load_crfsuite,
)
from arabench.models.labelmap import LabelMap

__all__ = ["ADAPTER_VERSION", "CRFModel", "sentence_words"]

#: Bumped whenever prediction (tokenization, decoding) changes.
ADAPTER_VERSION = "1"


def sentence_words(text: str, offsets: Sequence[tuple[int, int]] | None = None) -> list[list[tuple[int, int]]]:
    """The raw ``(start, end)`` offsets of the words of each sentence of ``text``.

    ``offsets`` are :func:`word_offsets` of ``text`` if known. A sentence runs from its first word's start
    to its last word's end and the sentences cover every word once, in order: each takes the next words
    of the one tokenization of the text (the words of the sentence's own text, tested equal).
    """
    if offsets is None:
        offsets = word_offsets(text)
    ends = [e for _, e in offsets]
    out = []
    first = 0
    for _, end in sentence_ranges(text, offsets=offsets):
        last = bisect_right(ends, end, first)
        out.append(list(offsets[first:last]))
        first = last
    return out


class CRFModel:
    """The trained CRF baseline (see the module docstring and :mod:`arabench.models.crf.train`).

    Args:
        train: A CoNLL training file (``PERS LOC ORG MISC``, BIO2); default: the
            packaged ANERcorp train split.
        cache_dir: The cache root for the trained model (default
            ``$ARABENCH_CACHE`` or ``~/.cache/arabench``).
        params: CRFsuite passive-aggressive parameters overriding the defaults.
        cache: ``True`` reads the trained model from the cache; ``False`` or ``"refresh"`` trains again.
        name: The registry name.

    Raises:
        ModelUnavailableError: If python-crfsuite is not installed.
        AnnotationError: If the training file is unreadable or malformed.
    """

    view = "anercorp"
    labels = frozenset(LABELS)
    OPTIONS = (
        Option("train", "text", help="a CoNLL training file (PERS LOC ORG MISC, BIO2; default: ANERcorp train)"),
        Option("cache_dir", "text", help="the cache root of the trained model (the run's)", from_run="cache_dir"),
        Option(
            "cache",
            "bool",
            True,
            "read the trained model from the cache (false or refresh: train again, overwrite it)",
            choices=("refresh",),
            from_run="cache",
        ),
        Option("params", "mapping", help="CRFsuite passive-aggressive parameters over the defaults"),
        Option("name", "text", "crf", "the registry name", user=False),
    )

    def __init__(
        self,
        *,
        train: str | None = None,
        cache_dir: str | None = None,
        params: dict[str, Any] | None = None,
        cache: bool | str = True,
        name: str = "crf",
    ) -> None:
        pycrfsuite = load_crfsuite()
        self.name = name
        self.built: BuiltModel = build_model(data=train, cache_dir=cache_dir, params=params, force=cache is not True)
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(self.built.path))
        self._label_map = LabelMap({label: label for label in LABELS}, source="the model's own tags")

    @classmethod
    def from_spec(cls, arg: str | None, **options: Any) -> CRFModel:
        """Create from the registry name ``crf`` (no argument; options ``train``, ``cache_dir``, ``params``).

        Raises:
            ModelError: On an argument after the name or an unknown option.
        """
        if arg:
            raise ModelError(
                "the crf model takes no argument",
                field="name",
                value=f"crf:{arg}",
                fix="use 'crf' (a training file goes in the option train=FILE)",
            )
        return cls(**parse_options(cls.OPTIONS, options, model="crf"))

    def tag_words(self, words: Sequence[str]) -> list[str]:
        """The CRF's BIO tags of one sentence of words."""
        if not words:
            return []
        return list(self._tagger.tag(sentence_features(words)))

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Tag each text sentence by sentence; spans are raw-text offsets snapped to words."""
        from arabench.models.hf import spans_from_words

        out = []
        for text in texts:
            labelled: list[tuple[int, int, str]] = []
            breaks: list[int] = []  # sentence starts: an entity never crosses a sentence end
            words = word_offsets(text)  # once: for the sentences and for snapping spans
            for offsets in sentence_words(text, words):
                if not offsets:
                    continue
                tags = self.tag_words([text[s:e] for s, e in offsets])
                labelled += [(s, e, tag) for (s, e), tag in zip(offsets, tags, strict=True)]
                breaks.append(offsets[0][0])
            index = WordIndex(starts=[s for s, _ in words], ends=[e for _, e in words])  # WordIndex.of(text)
            spans, diagnostics = spans_from_words(
                text, labelled, self._label_map, index=index, model=self.name, breaks=breaks
            )
            out.append(Prediction(spans=tuple(spans), diagnostics=dict(diagnostics)))
        return out

    def provenance(self) -> dict[str, object]:
        """Identify the model: its cache key, training data, features, algorithm, parameters and seed."""
        inputs = self.built.inputs
        return {
            "id": self.name,
            "adapter": "arabench.models.crf.adapter:CRFModel",
            "adapter_version": ADAPTER_VERSION,
            "revision": self.built.key,
            "view": self.view,
            "label_map": self._label_map.as_dict(),
            "training_data": dict(self.built.data),
            "features": {
                "version": FEATURE_VERSION,
                "code_sha256": inputs["feature_code_sha256"],
                "gazetteer": f"CLDR place names through Babel ({len(gazetteer())} names)",
                "gazetteer_sha256": inputs["gazetteer_sha256"],
            },
            "trainer_version": TRAINER_VERSION,
            "algorithm": f"CRFsuite linear-chain CRF (crf1d), trainer {ALGORITHM!r} (passive-aggressive)",
            "params": dict(inputs["params"]),  # type: ignore[call-overload]
            "seed": SEED,
            "randomness": "CRFsuite shuffles the sentences before each pass with the C library's rand(), "
            "seeded with srand(seed) right before training: builds are deterministic",
            "crfsuite": inputs["crfsuite"],
        }
