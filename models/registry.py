"""The model registry: names and prefixes mapped to lazy ``"module:Class"`` strings.

Nothing heavy is imported here: an adapter's module (and with it torch or
transformers) is imported only when :func:`create_model` builds that model, so
``arabench models`` and ``import arabench.models.registry`` stay fast.

Names a user can give:

* a plain name: ``rules``, ``oracle``, ``empty``, ``crf``;
* a prefixed name ``PREFIX:ARG``: ``hf:<hub id or local path>[@revision]``,
  ``file:<path>``, ``camel:<model name or path>``, ``llm:<model>``,
  ``llm-hf:<path>``; ``ARG`` (the part after the first ``:``) is passed to the
  adapter's ``from_spec``;
* a model card name from ``models/model_cards/*.yaml`` (e.g. ``camelbert-msa-ner``):
  the ``hf`` adapter with the card's hub id, revision, view and label map.

Every adapter class has ``from_spec(arg: str | None, **options)``; an unknown
name raises :class:`~annotations.errors.ModelError` with a "did you mean" and
the list of what exists.

**Third-party adapters** come in through the entry-point group
``arabench.models`` (:data:`ENTRY_POINT_GROUP`) of an installed distribution:
an entry point ``NAME = "package.module:Class"`` registers the prefix
``NAME:ARG`` (``NAME:`` alone passes no argument). Nothing is imported until
the model is built. A model card's ``adapter:`` names one of the registered
prefixes (:func:`card_adapter`), never a module: data never picks the code run.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arabench.annotations.errors import ModelError, ModelUnavailableError
from arabench.models.hub import download_hint

if TYPE_CHECKING:
    from arabench.models.base import NERModel, Option
    from arabench.models.cards import ModelCard

__all__ = [
    "ENTRY_POINT_GROUP",
    "HF_ADAPTER",
    "ModelInfo",
    "NAMES",
    "PREFIXES",
    "card_adapter",
    "create_model",
    "default_suite",
    "download_hint",
    "extra_available",
    "get_info",
    "hub_model_available",
    "list_models",
    "load_plugins",
    "load_adapter",
    "model_options",
    "options_markdown",
    "register_model",
    "register_prefix",
    "split_name",
]

#: The Hugging Face token-classification adapter, also used for model cards.
HF_ADAPTER = "arabench.models.hf:HFTokenClassificationModel"


@dataclass(frozen=True)
class _Entry:
    target: str
    view: str | None
    needs: tuple[str, ...]
    extra: str | None
    description: str
    #: A prefix whose argument may be empty (``camel:`` alone is the catalogue's default model).
    bare: bool = False


#: Plain names (no argument): name -> entry.
NAMES: dict[str, _Entry] = {
    "rules": _Entry(
        "arabench.models.rules.adapter:RuleModel", "native", (), None, "offline rule and gazetteer baseline"
    ),
    "oracle": _Entry(
        "arabench.models.simple:OracleModel",
        "native",
        ("the gold documents (given by the run)",),
        None,
        "echoes the gold spans",
    ),
    "empty": _Entry(
        "arabench.models.simple:EmptyModel", "native", (), None, "predicts nothing (a floor for every score)"
    ),
    "crf": _Entry(
        "arabench.models.crf.adapter:CRFModel",
        "anercorp",
        ("trains once on first use (under a minute), then cached",),
        None,
        "offline CRF baseline trained on the ANERcorp train split",
    ),
}

#: Prefixes (``PREFIX:ARG``): prefix -> entry.
PREFIXES: dict[str, _Entry] = {
    "hf": _Entry(
        HF_ADAPTER,
        None,
        ("extra: hf", "download or local path"),
        "hf",
        "any Hugging Face token-classification model: hf:<hub id or local path>[@revision]",
    ),
    "file": _Entry(
        "arabench.models.predictions:PredictionsFileModel",
        None,
        ("local path",),
        None,
        "predictions of an external system: file:<path> (JSONL, CoNLL or BRAT)",
    ),
    "camel": _Entry(
        "arabench.models.camel:CamelToolsModel",
        "anercorp",
        ("extra: camel", "download or local path"),
        "camel",
        "CAMeL Tools NER: camel:<model name or path> (bare 'camel:' is the catalogue's default model)",
        bare=True,
    ),
    "llm": _Entry(
        "arabench.models.llm.adapters:OpenAIChatModel",
        "native",
        ("extra: llm", "network: an OpenAI-compatible chat endpoint"),
        "llm",
        "an LLM behind an OpenAI-compatible chat API: llm:<model>",
    ),
    "llm-hf": _Entry(
        "arabench.models.llm.adapters:HFGenerationModel",
        "native",
        ("extra: hf", "local path"),
        "hf",
        "a local Hugging Face generative model prompted for NER: llm-hf:<path>",
    ),
}

#: Python packages behind each extra of ``pyproject.toml``.
EXTRA_PACKAGES: dict[str, tuple[str, ...]] = {
    "hf": ("torch", "transformers", "tokenizers"),
    "camel": ("camel_tools",),
    "llm": ("httpx",),
    "datasets": ("datasets",),
}


def register_model(
    name: str,
    target: str,
    *,
    prefix: bool = False,
    view: str | None = None,
    needs: tuple[str, ...] = (),
    extra: str | None = None,
    description: str = "",
) -> None:
    """Register a new plain name or prefix (e.g. from a plugin or a test).

    Args:
        name: The plain name, or the prefix without its ``:``.
        target: ``"module:Class"`` of an adapter with ``from_spec``.
        prefix: Register ``name:ARG`` instead of the plain name.
        view: The view its predictions are labelled in, if fixed.
        needs: What it needs to run (shown by ``arabench models``).
        extra: The pyproject extra whose packages it needs.
        description: One line for ``arabench models``.

    Raises:
        ModelError: If ``target`` is not ``"module:Class"`` or the name is taken.
    """
    if target.count(":") != 1 or not all(target.split(":")):
        raise ModelError(
            "adapter target must be 'module:Class'",
            field="target",
            value=target,
            fix="e.g. 'arabench.models.rules.adapter:RuleModel'",
        )
    table = PREFIXES if prefix else NAMES
    if name in table:
        raise ModelError("model name already registered", field="name", value=name, fix="choose another name")
    table[name] = _Entry(target, view, tuple(needs), extra, description)


# Kept for symmetry with register_model(prefix=True).
def register_prefix(prefix: str, target: str, **kwargs: Any) -> None:
    """Register ``prefix:ARG`` names (see :func:`register_model`)."""
    register_model(prefix, target, prefix=True, **kwargs)


def split_name(name: str) -> tuple[str, str | None]:
    """Split ``"hf:org/model@rev"`` into ``("hf", "org/model@rev")``; a plain name gives ``(name, None)``."""
    head, sep, tail = name.partition(":")
    if sep and head in PREFIXES:
        return head, tail
    return name, None


def load_adapter(target: str) -> type:
    """Import ``"module:Class"`` and return the class.

    Raises:
        ModelUnavailableError: If the module cannot be imported (e.g. an extra
            is not installed); the message names the missing package.
        ModelError: If the class does not exist in the module.
    """
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        missing = getattr(exc, "name", None) or str(exc)
        extra = next((e for e, pkgs in EXTRA_PACKAGES.items() if missing.split(".")[0] in pkgs), None)
        fix = f"pip install 'arabench[{extra}]'" if extra else f"install the package {missing!r}"
        raise ModelUnavailableError(
            f"cannot import the adapter module {module_name!r}: {exc}", field="model", value=target, fix=fix
        ) from exc
    try:
        return getattr(module, class_name)
    except AttributeError:
        raise ModelError(
            f"module {module_name!r} has no adapter class {class_name!r}",
            field="model",
            value=target,
            fix="fix the registry entry",
        ) from None


#: The entry-point group through which installed distributions add adapters (see the module docstring).
ENTRY_POINT_GROUP = "arabench.models"
_log = logging.getLogger(__name__)
_plugins_loaded = False


def load_plugins() -> None:
    """Register the adapters of the ``arabench.models`` entry points of installed distributions (once; lazy).

    An entry point whose name is already registered, or whose value is not ``module:Class``, is skipped with a
    warning: a plugin adds names, it never replaces a built-in adapter.
    """
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = getattr(getattr(entry, "dist", None), "name", None) or "an installed distribution"
        if entry.name in PREFIXES or entry.name in NAMES or not entry.name or ":" in entry.name:
            _log.warning("ignoring the %s entry point %r of %s: the name is taken", ENTRY_POINT_GROUP, entry.name, dist)
            continue
        if entry.value.count(":") != 1 or not all(entry.value.split(":")):
            _log.warning("ignoring the %s entry point %r of %s: not module:Class", ENTRY_POINT_GROUP, entry.name, dist)
            continue
        PREFIXES[entry.name] = _Entry(
            entry.value, None, (), None, f"third-party adapter from {dist}: {entry.name}:<argument>", bare=True
        )


def card_adapter(name: object, *, file: str | Path | None = None) -> str:
    """The ``module:Class`` of the registered prefix a model card's ``adapter:`` names (default ``hf``).

    Raises:
        ModelError: For anything but a registered prefix's name (a ``module:Class`` string included), with a
            "did you mean" and the registered names.
    """
    load_plugins()
    if isinstance(name, str) and name in PREFIXES:
        return PREFIXES[name].target
    known = sorted(PREFIXES)
    close = get_close_matches(name, known, n=3, cutoff=0.6) if isinstance(name, str) else []
    hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
    raise ModelError(
        "a model card's adapter must name a registered adapter, not a module",
        file=file,
        field="adapter",
        value=name,
        fix=f"{hint}use one of: {', '.join(known)} (third-party adapters register through the "
        f"{ENTRY_POINT_GROUP!r} entry-point group; see docs/models.md)",
    )


def _cards() -> dict[str, ModelCard]:
    """Every model card; a card named like a built-in name or prefix is refused (it would shadow it or be shadowed)."""
    from arabench.models.cards import known_cards

    cards = known_cards()
    for name, card in cards.items():
        if name in NAMES or name in PREFIXES:
            raise ModelError(
                "a model card takes the name of a built-in model",
                file=card.path,
                field="name",
                value=name,
                fix="rename the card file (and its name field)",
            )
    return cards


def _all_names() -> list[str]:
    load_plugins()
    return [*NAMES, *(f"{p}:" for p in PREFIXES), *_cards()]


def _unknown(name: str) -> ModelError:
    names = _all_names()
    close = get_close_matches(name, names, n=3, cutoff=0.6)
    if not close:
        # Also compare against the hub ids of cards, the name users often half-remember.
        cards = _cards()
        by_hub = {c.hub_id: n for n, c in cards.items()}
        close = [by_hub[h] for h in get_close_matches(name, list(by_hub), n=3, cutoff=0.5)]
    hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
    return ModelError(
        "unknown model",
        field="model",
        value=name,
        fix=f"{hint}use one of: {', '.join(names)} (prefixed names take an argument, e.g. hf:<hub id or path>)",
    )


def create_model(name: str, **options: Any) -> NERModel:
    """Build the model called ``name`` (see the module docstring for the forms).

    Args:
        name: A plain name, ``PREFIX:ARG`` or a model card name.
        **options: Adapter options (e.g. ``device="cpu"``, ``batch_size=8``);
            an adapter raises :class:`ModelError` for options it does not know.

    Raises:
        ModelError: If the name is unknown (with suggestions) or an option is bad.
        ModelUnavailableError: If the model cannot be loaded here.
    """
    if not isinstance(name, str) or not name:
        raise ModelError("model name must be a non-empty string", field="model", value=name, fix="e.g. 'rules'")
    load_plugins()
    if name in NAMES:
        cls = load_adapter(NAMES[name].target)
        return cls.from_spec(None, **options)
    head, arg = split_name(name)
    if arg is not None:
        if not arg and not PREFIXES[head].bare:
            raise ModelError(
                f"model prefix {head!r} needs an argument",
                field="model",
                value=name,
                fix=f"write {head}:<argument>, e.g. {PREFIXES[head].description.split(': ')[-1]}",
            )
        cls = load_adapter(PREFIXES[head].target)
        return cls.from_spec(arg or None, **options)
    cards = _cards()
    if name in cards:
        card = cards[name]
        cls = load_adapter(card_adapter(card.adapter, file=card.path))
        options.setdefault("card", card)
        return cls.from_spec(card.spec, name=name, **options)
    raise _unknown(name)


@dataclass(frozen=True)
class ModelInfo:
    """What the registry knows about one model name, for listing and checks.

    Attributes:
        name: The name to pass to :func:`create_model` (prefixes end with ``:``).
        adapter: The lazy ``"module:Class"`` string.
        kind: ``"name"``, ``"prefix"`` or ``"card"``.
        view: The view its predictions are labelled in (``None`` when it
            depends on the argument: a card, a label map or a file).
        needs: What it needs beyond the core install (extra, download, local
            path, network).
        extra: The pyproject extra it needs, if any.
        hub_id: For cards, the Hugging Face hub id.
        revision: For cards, the pinned revision (``None`` if not pinned).
        description: One line.
    """

    name: str
    adapter: str
    kind: str
    view: str | None
    needs: tuple[str, ...] = ()
    extra: str | None = None
    hub_id: str | None = None
    revision: str | None = None
    description: str = ""
    _probe: Callable[[], tuple[bool, str]] | None = field(default=None, repr=False, compare=False)

    def available(self) -> tuple[bool, str]:
        """Whether this model can run here now, without network, and why (not).

        Checks the adapter module and its extra's packages are importable
        (``importlib.util.find_spec``, nothing is imported) and, for hub
        models, that the model is in the local Hugging Face cache.
        """
        ok, why = _module_available(self.adapter)
        if not ok:
            return ok, why
        if self.extra:
            ok, why = extra_available(self.extra)
            if not ok:
                return ok, why
        if self._probe is not None:
            return self._probe()
        return True, why

    def as_dict(self) -> dict[str, object]:
        """A JSON-serializable summary, with the availability check."""
        ok, why = self.available()
        return {
            "name": self.name,
            "adapter": self.adapter,
            "kind": self.kind,
            "view": self.view,
            "needs": list(self.needs),
            "extra": self.extra,
            "hub_id": self.hub_id,
            "revision": self.revision,
            "description": self.description,
            "available": ok,
            "reason": why,
        }


def _module_available(target: str) -> tuple[bool, str]:
    module_name = target.partition(":")[0]
    try:
        found = importlib.util.find_spec(module_name) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        return False, f"adapter module {module_name} is not installed"
    return True, "ready"


def extra_available(extra: str) -> tuple[bool, str]:
    """Whether the packages of a pyproject extra are importable (without importing them)."""
    for package in EXTRA_PACKAGES.get(extra, ()):
        try:
            found = importlib.util.find_spec(package) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return False, f"package {package} is missing: pip install 'arabench[{extra}]'"
    return True, "ready"


def hub_model_available(hub_id: str, revision: str | None = None) -> tuple[bool, str]:
    """Whether a hub model (or local directory) can be loaded here now, and why (``arabench.models.hub.locate_model``).

    A local directory with a ``config.json`` is available; a hub id is
    available if it is in the local Hugging Face cache, or, when the hub is not
    switched off (``HF_HUB_OFFLINE``), if a quick probe finds it there (the
    adapter then downloads it). Nothing is downloaded here.
    """
    try:
        from arabench.models.hub import locate_model  # light: huggingface_hub is imported only when asked

        found = locate_model(hub_id, revision)
    except ImportError:
        return False, "package huggingface_hub is missing: pip install 'arabench[hf]'"
    except ModelError as exc:
        return False, f"not a valid hub id or local path ({exc.message})"
    if found.source is None and found.downloadable:
        return False, f"{found.reason}: {download_hint(hub_id, revision)}"
    return found.source is not None, found.reason


def list_models() -> list[ModelInfo]:
    """Every registered name, prefix and model card, in a stable order."""
    load_plugins()
    infos = [
        ModelInfo(name, e.target, "name", e.view, e.needs, e.extra, description=e.description)
        for name, e in NAMES.items()
    ]
    infos += [
        ModelInfo(
            f"{prefix}:",
            e.target,
            "prefix",
            e.view,
            e.needs,
            e.extra,
            description=e.description,
            _probe=_PREFIX_PROBES[prefix]() if prefix in _PREFIX_PROBES else None,
        )
        for prefix, e in PREFIXES.items()
    ]
    for name, card in sorted(_cards().items()):
        infos.append(
            ModelInfo(
                name,
                card_adapter(card.adapter, file=card.path),
                "card",
                card.view_name,
                ("extra: hf", f"download: {card.hub_id}"),
                "hf",
                hub_id=card.hub_id,
                revision=card.revision,
                description=card.description,
                _probe=_hub_probe(card.hub_id, card.revision),
            )
        )
    return infos


def _hub_probe(hub_id: str, revision: str | None) -> Callable[[], tuple[bool, str]]:
    return lambda: hub_model_available(hub_id, revision)


def _network_probe() -> tuple[bool, str]:
    return True, "ready if its chat endpoint answers at run time (not checked offline)"


def _camel_probe(model: str | None = None) -> Callable[[], tuple[bool, str]]:
    def probe() -> tuple[bool, str]:
        from arabench.models.camel import camel_available  # light: camel_tools itself is not imported

        return camel_available(model or None)

    return probe


#: Availability probes of prefixes (``camel:`` alone probes the catalogue's default model).
_PREFIX_PROBES: dict[str, Callable[[], Callable[[], tuple[bool, str]]]] = {
    "llm": lambda: _network_probe,
    "camel": _camel_probe,
}


def _path_probe(path: str) -> Callable[[], tuple[bool, str]]:
    def probe() -> tuple[bool, str]:
        found = Path(path).expanduser()
        return (True, f"local path {found}") if found.exists() else (False, f"no such file or directory: {found}")

    return probe


def get_info(name: str) -> ModelInfo:
    """The :class:`ModelInfo` of a name (a prefixed name gives its prefix's info, probing ``hf:`` paths).

    Raises:
        ModelError: If the name is unknown.
    """
    infos = {i.name: i for i in list_models()}
    if name in infos:
        return infos[name]
    head, arg = split_name(name)
    if arg is not None:
        base = infos[f"{head}:"]
        probe = base._probe
        if head == "hf" and arg:
            hub_id, _, rev = arg.partition("@") if not Path(arg).expanduser().exists() else (arg, "", "")
            probe = _hub_probe(hub_id, rev or None)
        elif head == "llm-hf" and arg:
            probe = _hub_probe(arg, None)
        elif head == "camel":
            probe = _camel_probe(arg)
        elif head == "file" and arg:
            probe = _path_probe(arg)
        return ModelInfo(
            name, base.adapter, "prefix", base.view, base.needs, base.extra, description=base.description, _probe=probe
        )
    raise _unknown(name)


def model_options(name: str) -> tuple[Option, ...]:
    """The :class:`~arabench.models.base.Option` declarations of the adapter behind ``name`` (its ``OPTIONS``).

    Imports the adapter's module (light: adapters import their heavy packages when built); none when the
    module cannot be imported here (the run reports the missing extra).

    Raises:
        ModelError: If the name is unknown (with suggestions).
    """
    from arabench.models.base import declared_options

    info = get_info(name)
    try:
        return declared_options(load_adapter(info.adapter))
    except ModelUnavailableError:
        return ()


def _default_text(value: object) -> str:
    if value is None:
        return ""
    return f"`{str(value).lower() if isinstance(value, bool) else value}`"


def options_markdown() -> str:
    """The options of every built-in name and prefix as Markdown tables, from the declarations (docs/models.md)."""
    blocks = []
    for name in [*NAMES, *(f"{p}:" for p in PREFIXES)]:
        declared = [o for o in model_options(name if not name.endswith(":") else name + "x") if o.user]
        rows = [
            f"| `{o.name}` | {o.expected()} | {_default_text(o.default)} | "
            f"{o.help}{' (the run gives it: ' + o.from_run + ')' if o.from_run else ''} |"
            for o in declared
        ]
        table = "\n".join(["| option | value | default | meaning |", "| --- | --- | --- | --- |", *rows])
        blocks.append(f"**`{name}`**\n\n{table if rows else '(no options)'}")
    return "\n\n".join(blocks) + "\n"


def default_suite() -> list[str]:
    """The models ``arabench run`` evaluates by default: the two offline baselines, then every known hub model card.

    ``rules`` (written) and ``crf`` (trained on the packaged ANERcorp train split
    on first use) run everywhere. Hub models that are not available here are
    reported (not silently skipped) by the harness; see :meth:`ModelInfo.available`.
    """
    return ["rules", "crf", *sorted(n for n, c in _cards().items() if c.default)]
