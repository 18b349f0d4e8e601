"""The one interface every NER system is adapted to.

An adapter turns raw texts into :class:`Prediction`s: character spans over the
*raw* text (``text[span.start:span.end]`` is the mention), labelled in the label
space of the adapter's :attr:`NERModel.view` (a label view of the schema:
``native`` for the schema's 21 types, ``conll4`` or ``anercorp`` for coarser tag
sets). Nothing is silent: labels that could not be mapped, text that could not
be covered, spans that could not be aligned are counted in
:attr:`Prediction.diagnostics`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

from arabench.annotations.errors import ModelError
from arabench.annotations.spans import Relation, Span

__all__ = ["OPTION_TYPES", "RUN_VALUES", "NERModel", "Option", "Prediction", "declared_options", "parse_options"]


@dataclass(frozen=True)
class Prediction:
    """What a model says about one text.

    Args:
        spans: Predicted entity spans in raw-text offsets, labelled in the
            model's view.
        relations: Predicted relations between predicted spans (most
            adapters predict none).
        diagnostics: Counters of everything the adapter had to do that could
            change a score, e.g. ``{"dropped_label:MISC": 3, "windows": 4}``.
            Keys are stable strings; the harness reports every one of them.
        clusters: The predicted entity layer: groups of two or more predicted
            spans (members of ``spans``) that denote one entity; a span in no
            group is an entity of its own. Empty when the model predicts no
            coreference (then its entity layer is not scored).
    """

    spans: tuple[Span, ...] = ()
    relations: tuple[Relation, ...] = ()
    diagnostics: Mapping[str, int] = field(default_factory=dict)
    clusters: tuple[tuple[Span, ...], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "spans", tuple(sorted(self.spans)))
        object.__setattr__(self, "relations", tuple(self.relations))
        object.__setattr__(self, "clusters", tuple(tuple(sorted(group)) for group in self.clusters))
        object.__setattr__(self, "diagnostics", MappingProxyType(dict(self.diagnostics)))


@runtime_checkable
class NERModel(Protocol):
    """An NER system adapted to arabench.

    Attributes:
        name: The registry name the model was created from (e.g. ``"rules"``,
            ``"hf:CAMeL-Lab/bert-base-arabic-camelbert-msa-ner"``).
        view: The name of the label view its labels live in: a schema view
            (``"native"``, ``"conll4"``, ``"anercorp"``) or a view defined by a
            packaged model card; :func:`arabench.models.cards.resolve_view` turns it
            into the :class:`~annotations.schema.View`.
        labels: The view labels it can emit. Gold mentions of other labels
            are reported apart, not counted as its misses.
    """

    name: str
    view: str
    labels: frozenset[str]

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Return one :class:`Prediction` per text, in order."""
        ...

    # Contract beyond the attributes: the adapter class has ``from_spec(arg, **options)`` (the registry
    # builds it with it) and ``OPTIONS``, a tuple of :class:`Option` declaring every option it takes;
    # ``from_spec`` types the options with :func:`parse_options` (so a direct call is checked too).

    def provenance(self) -> Mapping[str, object]:
        """Return what identifies this model's predictions for caching and results.

        At least ``{"id": ..., "revision": ..., "adapter_version": ...,
        "label_map": ...}``; values must be JSON-serializable.
        """
        ...


# ----------------------------------------------------------------------------- options

#: The types an option declares, and what a value of each must be (the words of error messages).
OPTION_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "text": "text",
        "int": "an integer",
        "number": "a finite number",
        "bool": "true or false",
        "list": "a list (or comma-separated text)",
        "mapping": "a mapping (or a JSON object)",
        "label_map": "'RAW=LABEL,...', a .yaml/.json file or a mapping",
        "object": "an object given by the run or the Python API",
    }
)

#: Values the run gives an adapter that declares an option ``from_run`` one of them (when the user did not):
#: ``gold`` (the gold documents), ``corpus_view`` (the corpus's view name), ``cache_dir`` (the run's cache
#: root), ``cache`` (``"refresh"`` when the run reads no cache), ``llm_base_url`` (``--llm-base-url``).
RUN_VALUES = ("gold", "corpus_view", "cache_dir", "cache", "llm_base_url")

_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


def _bound(value: float) -> str:
    """A bound as written in messages and docs, exactly: ``4096``, ``1048576``, ``0.5`` (``:g`` rounded to 6 digits)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@dataclass(frozen=True)
class Option:
    """One option of an adapter, declared once.

    The CLI, configuration files, ``arabench models NAME``, ``run --help`` and the docs read it, and
    :func:`parse_options` types every value by it.

    Attributes:
        name: The key (``batch_size``).
        type: One of :data:`OPTION_TYPES`.
        default: The adapter's default (shown in help; ``None``: none or computed).
        help: One line.
        minimum: The least value of an ``int``/``number`` option.
        maximum: The greatest value of an ``int``/``number`` option.
        choices: The values a ``text`` option takes, or the words a ``bool`` option takes besides
            true and false (``cache``: ``refresh``).
        from_run: The run's value (:data:`RUN_VALUES`) the option gets when not given.
        user: Whether a user may give it (``False``: set by the registry or the run only, e.g. ``card``).
    """

    name: str
    type: str = "text"
    default: object = None
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    from_run: str | None = None
    user: bool = True

    def __post_init__(self) -> None:
        if self.type not in OPTION_TYPES:
            raise ValueError(f"option {self.name!r}: unknown type {self.type!r}; use one of {', '.join(OPTION_TYPES)}")
        if self.from_run is not None and self.from_run not in RUN_VALUES:
            raise ValueError(f"option {self.name!r}: from_run must be one of {', '.join(RUN_VALUES)}")

    def expected(self) -> str:
        """What a value must be, in words (``an integer >= 1``, ``one of first, max``)."""
        if self.type == "text" and self.choices:
            return "one of " + ", ".join(self.choices)
        words = OPTION_TYPES[self.type]
        if self.type == "bool" and self.choices:
            words = "true, false or " + " or ".join(self.choices)
        bounds = []
        if self.minimum is not None:
            bounds.append(f">= {_bound(self.minimum)}")
        if self.maximum is not None:
            bounds.append(f"<= {_bound(self.maximum)}")
        return words + (" " + " and ".join(bounds) if bounds else "")

    def describe(self) -> str:
        """``name (type, default X): help`` for help texts and ``arabench models NAME``."""
        default = "" if self.default is None else f", default {_shown(self.default)}"
        return f"{self.name} ({self.expected()}{default}): {self.help}".rstrip(": ")

    def parse(self, value: object, *, model: str = "", file: str | Path | None = None, line: int | None = None) -> Any:
        """The value typed by the declaration: shell text is parsed, typed values are checked.

        Raises:
            ModelError: Naming the option, the model, the bad value and what it must be.
        """
        try:
            return self._parse(value)
        except (ValueError, TypeError, json.JSONDecodeError):
            raise ModelError(
                f"option {self.name!r} of model {model!r} must be {self.expected()}",
                file=file,
                line=line,
                field=self.name,
                value=value,
                fix=f"write {self.name}=<{self.expected()}>",
            ) from None

    def _parse(self, value: object) -> Any:
        if value is None:
            return None
        kind = self.type
        if kind == "object":
            return value
        if kind == "text":
            if isinstance(value, Path):
                value = str(value)
            if not isinstance(value, str) or (self.choices and value not in self.choices):
                raise ValueError(value)
            return value
        if kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str):
                low = value.strip().lower()
                if low in self.choices:
                    return low
                if low in _TRUE or low in _FALSE:
                    return low in _TRUE
            raise ValueError(value)
        if kind in ("int", "number"):
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise ValueError(value)
            number: int | float
            if kind == "int":
                if isinstance(value, float):
                    raise ValueError(value)
                number = int(value.strip()) if isinstance(value, str) else value
            else:
                number = float(value)
                if not math.isfinite(number):
                    raise ValueError(value)
            if (self.minimum is not None and number < self.minimum) or (
                self.maximum is not None and number > self.maximum
            ):
                raise ValueError(value)
            return number
        if kind == "list":
            from arabench.models.labelmap import split_labels  # the one reading of "A,B" lists

            if isinstance(value, str) or (
                isinstance(value, (list, tuple, frozenset, set)) and all(isinstance(x, str) for x in value)
            ):
                return split_labels(value)
            raise ValueError(value)
        if kind == "mapping":
            if isinstance(value, str):
                value = json.loads(value)
            if not isinstance(value, Mapping):
                raise ValueError(value)
            return dict(value)
        # label_map
        if isinstance(value, Path):
            return str(value)
        if isinstance(value, (str, Mapping)):
            return value
        raise ValueError(value)


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_options(
    declared: Iterable[Option],
    given: Mapping[str, object],
    *,
    model: str,
    internal: bool = True,
    file: str | Path | None = None,
    lines: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """Type every option given to ``model`` by its adapter's declaration (the one parser of option values).

    Args:
        declared: The adapter's :class:`Option` declarations (its ``OPTIONS``).
        given: The options given: shell text, configuration values or Python values.
        model: The model's name, for error messages.
        internal: Accept the options a user does not give (``user=False``: the registry's and the run's).
        file: The configuration file they come from, for error messages.
        lines: Each key's line in ``file``.

    Raises:
        ModelError: For an unknown key (listing the known ones) or a value not of its declared type.
    """
    by_name = {o.name: o for o in declared}
    out: dict[str, Any] = {}
    for key, value in given.items():
        option = by_name.get(key)
        if option is None or not (option.user or internal):
            known = sorted(o.name for o in by_name.values() if o.user)
            hint = ""
            if key == "api_key":
                hint = " (the API key is read from the environment variable named by api_key_env)"
            raise ModelError(
                f"unknown option for model {model!r}",
                file=file,
                line=(lines or {}).get(key),
                field="option",
                value=key,
                fix=(f"use one of: {', '.join(known)}" if known else f"model {model!r} takes no option") + hint,
            )
        out[key] = option.parse(value, model=model, file=file, line=(lines or {}).get(key))
    return out


def declared_options(adapter: object) -> tuple[Option, ...]:
    """The :class:`Option` declarations of an adapter class (its ``OPTIONS``; none when it declares none)."""
    return tuple(o for o in getattr(adapter, "OPTIONS", ()) if isinstance(o, Option))
