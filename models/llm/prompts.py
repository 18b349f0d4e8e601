"""Prompt templates: data files rendered with the schema's types.

**Prompts** are data: ``models/prompts/<name>.v<N>.yaml`` (a system message, a
user template, optional worked examples, a version), rendered with the schema's
entity types (English definitions from ``annotations/schema.yaml``, Arabic ones
from ``models/prompts/definitions.v1.yaml``) and relation types with their
argument types. Option ``prompt``: ``ner-zero-shot`` (default), ``ner-few-shot``,
``<name>@v<N>`` or the path of a YAML file. The template's name, version and
the sha256 of its rendered text are in provenance and in the cache key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from arabench.annotations.errors import ModelError
from arabench.annotations.schema import Schema

__all__ = ["DEFAULT_PROMPT", "PROMPTS_DIR", "PromptTemplate", "available_prompts", "load_prompt"]

#: Where prompt templates live.
PROMPTS_DIR = Path(__file__).parent.parent / "prompts"
#: The template used when no ``prompt`` option is given.
DEFAULT_PROMPT = "ner-zero-shot"

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_TEMPLATE_FILE = re.compile(r"^(?P<name>.+)\.v(?P<version>\d+)\.ya?ml$")


@dataclass(frozen=True)
class PromptTemplate:
    """A prompt template read from ``models/prompts/<name>.v<N>.yaml``.

    Attributes:
        name: The template name (``ner-zero-shot``).
        version: Its version (bumped when the wording changes).
        system: The system message, with ``{{types}}`` and ``{{relations}}``.
        user: The user message, with ``{{text}}``.
        examples: Worked examples ``(text, answer)``, sent as earlier turns.
        definitions_ar: Arabic definitions: ``{"entity_types": {...}, "relation_types": {...}}``.
        path: The file it was read from.
    """

    name: str
    version: int
    system: str
    user: str
    examples: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    definitions_ar: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    path: str = ""

    def render_system(self, schema: Schema, labels: Iterable[str]) -> str:
        """The system message with the entity and relation types of ``labels`` filled in."""
        wanted = [t for t in schema.entity_types if t in set(labels)]
        ar_types = self.definitions_ar.get("entity_types", {})
        ar_rels = self.definitions_ar.get("relation_types", {})
        types = "\n".join(
            f"- {t}: {schema.entity_types[t].definition} | {ar_types.get(t, '')}".rstrip(" |") for t in wanted
        )
        rels = []
        for name, rel in schema.relation_types.items():
            arg1 = sorted(rel.arg1 & set(wanted))
            arg2 = sorted(rel.arg2 & set(wanted))
            if not arg1 or not arg2:
                continue
            rels.append(
                f"- {name} ({'/'.join(arg1)} -> {'/'.join(arg2)}): {rel.definition} | {ar_rels.get(name, '')}".rstrip(
                    " |"
                )
            )
        return _fill(self.system, {"types": types, "relations": "\n".join(rels) or "(none)"}, self.path)

    def messages(
        self,
        text: str,
        *,
        system: str,
        examples: Iterable[tuple[str, Mapping[str, Any]]] | None = None,
    ) -> list[dict[str, str]]:
        """The chat messages for one window: system, the examples as user/assistant turns, then the window.

        ``examples`` (e.g. drawn from a training corpus) replace the template's own.
        """
        messages = [{"role": "system", "content": system}]
        for example_text, answer in self.examples if examples is None else examples:
            messages.append({"role": "user", "content": _fill(self.user, {"text": example_text}, self.path)})
            messages.append({"role": "assistant", "content": json.dumps(answer, ensure_ascii=False)})
        messages.append({"role": "user", "content": _fill(self.user, {"text": text}, self.path)})
        return messages


def _fill(template: str, values: Mapping[str, str], source: str) -> str:
    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise ModelError(
                "unknown placeholder in a prompt template",
                file=source,
                field="placeholder",
                value=key,
                fix=f"use only {', '.join('{{' + k + '}}' for k in values)} in this message",
            )
        return values[key]

    return _PLACEHOLDER.sub(replace, template)


def available_prompts() -> dict[str, list[int]]:
    """Template name -> its versions, from ``models/prompts/``."""
    found: dict[str, list[int]] = {}
    for path in sorted(PROMPTS_DIR.glob("*.yaml")):
        m = _TEMPLATE_FILE.match(path.name)
        if m and m.group("name") != "definitions":
            found.setdefault(m.group("name"), []).append(int(m.group("version")))
    return {k: sorted(v) for k, v in found.items()}


def load_prompt(spec: str | Path = DEFAULT_PROMPT) -> PromptTemplate:
    """Read a prompt template: a name (latest version), ``name@v<N>`` or a YAML file path.

    Raises:
        ModelError: If the template does not exist or is malformed.
    """
    path = Path(spec).expanduser()
    if not (str(spec).endswith((".yaml", ".yml")) and path.is_file()):
        name, _, version = str(spec).partition("@")
        versions = available_prompts().get(name)
        if not versions:
            raise ModelError(
                "unknown prompt template",
                field="prompt",
                value=str(spec),
                fix=f"use one of {', '.join(available_prompts())} (optionally @v<N>) or a .yaml path",
            )
        if version:
            number = version.lstrip("v")
            if not number.isdigit() or int(number) not in versions:
                raise ModelError(
                    "unknown prompt template version",
                    field="prompt",
                    value=str(spec),
                    fix=f"versions of {name}: {', '.join(f'v{v}' for v in versions)}",
                )
            chosen = int(number)
        else:
            chosen = versions[-1]
        path = PROMPTS_DIR / f"{name}.v{chosen}.yaml"
    return _read_prompt(str(path.resolve()))


@lru_cache(maxsize=16)
def _read_prompt(path: str) -> PromptTemplate:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ModelError(f"cannot read prompt template: {exc}", file=path, fix="check the YAML syntax") from None
    if not isinstance(data, dict):
        raise ModelError("a prompt template must be a YAML mapping", file=path, fix="see models/prompts/")
    for key in ("name", "version", "system", "user"):
        if key not in data:
            raise ModelError("prompt template misses a field", file=path, field=key, fix=f"add {key!r}")
    if "{{text}}" not in data["user"]:
        raise ModelError(
            "the user message must contain {{text}}", file=path, field="user", fix="put {{text}} where the text goes"
        )
    definitions: dict[str, Any] = {}
    if data.get("definitions"):
        def_path = Path(path).parent / str(data["definitions"])
        try:
            definitions = yaml.safe_load(def_path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ModelError(
                f"cannot read the definitions file: {exc}", file=path, field="definitions", fix="check the file name"
            ) from None
    examples = []
    for i, example in enumerate(data.get("examples") or []):
        if not isinstance(example, dict) or "text" not in example or "answer" not in example:
            raise ModelError(
                "an example needs 'text' and 'answer'", file=path, field=f"examples[{i}]", fix="see ner-few-shot"
            )
        examples.append((str(example["text"]), example["answer"]))
    return PromptTemplate(
        name=str(data["name"]),
        version=int(data["version"]),
        system=str(data["system"]),
        user=str(data["user"]),
        examples=tuple(examples),
        definitions_ar={
            "entity_types": dict(definitions.get("entity_types") or {}),
            "relation_types": dict(definitions.get("relation_types") or {}),
        },
        path=path,
    )
