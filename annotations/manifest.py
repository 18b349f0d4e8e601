"""Write or check the entries of a BRAT directory's ``manifest.yaml`` (the gold's form).

An entry records, for one document, the facts of its ``.txt`` exactly as
stored: ``sha256`` (of the bytes), ``characters`` (code points), ``bytes_utf8``
and ``lines`` (line breaks + 1). :func:`update_manifest` computes them for
every ``.txt`` of a directory, compares them with the manifest, and (with
``write=True``) corrects the facts that differ and appends an entry
(``id``, ``text``, ``annotation`` and the facts) for each document the
manifest does not list. It edits the file line by line: every other line,
comment and folded text of the manifest stays as it was. Provenance
(``language``, ``genre``, ``source``, ``licence``...) is the annotator's to
write; ``arabench validate`` warns while it is missing
(:data:`arabench.annotations.validate.MANIFEST_RECOMMENDED`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from arabench.annotations.errors import AnnotationError
from arabench.annotations.files import atomic_write_text

__all__ = ["FACTS", "ManifestChange", "ManifestResult", "text_facts", "update_manifest", "MANIFEST"]

#: The manifest file of a BRAT directory.
MANIFEST = "manifest.yaml"
#: The facts of a text an entry records, in the order they are written.
FACTS: tuple[str, ...] = ("sha256", "characters", "bytes_utf8", "lines")
#: The largest manifest read (bytes): a manifest is a few lines per document.
MAX_MANIFEST_BYTES = 10_000_000


def text_facts(path: str | Path) -> dict[str, object]:
    """The facts of one ``.txt`` file, as a manifest entry records them.

    Raises:
        AnnotationError: If the file is not UTF-8.
    """
    path = Path(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AnnotationError(
            f"text is not valid UTF-8 at byte offset {exc.start}", file=path, fix="re-save the file as UTF-8"
        ) from None
    return {
        "sha256": hashlib.sha256(raw).hexdigest(),
        "characters": len(text),
        "bytes_utf8": len(raw),
        "lines": text.count("\n") + 1,
    }


@dataclass(frozen=True)
class ManifestChange:
    """One fact of one entry that is not the file's (``old`` is ``None`` when the entry lacks the field)."""

    document: str
    field: str
    old: object
    new: object


@dataclass
class ManifestResult:
    """What :func:`update_manifest` found (and wrote).

    Attributes:
        path: The manifest.
        changes: Facts that differ from the files.
        added: Ids of documents the manifest did not list (an entry is appended for each).
        written: True if the manifest was written.
    """

    path: Path
    changes: list[ManifestChange] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def up_to_date(self) -> bool:
        """True if the manifest lists every document with the right facts."""
        return not self.changes and not self.added

    def lines(self) -> list[str]:
        """One line per change and added document, for the terminal."""
        out = [f"{c.document}: {c.field} {c.old!r} -> {c.new!r}" for c in self.changes]
        out += [f"{doc_id}: new entry" for doc_id in self.added]
        return out


def _scalar(value: object) -> str:
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True).strip().removesuffix("...").strip()


def update_manifest(directory: str | Path, *, write: bool = False) -> ManifestResult:
    """Compare ``directory/manifest.yaml`` with the ``.txt`` files beside it; with ``write``, bring it up to date.

    A directory without a manifest gets one (``version: 1`` and one entry per text) when ``write`` is set.

    Raises:
        AnnotationError: If the directory has no ``.txt`` file, the manifest
            cannot be read, or it has no ``documents`` list.
    """
    directory = Path(directory)
    texts = sorted(p for p in directory.glob("*.txt") if p.is_file())
    if not directory.is_dir() or not texts:
        raise AnnotationError(
            "no .txt documents in this directory", file=directory, fix="give the BRAT directory holding X.txt files"
        )
    path = directory / MANIFEST
    result = ManifestResult(path)
    content = ""
    if path.exists():
        if path.is_symlink() or not path.is_file():
            raise AnnotationError("the manifest is not a regular file", file=path, fix="replace it by a YAML file")
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise AnnotationError(
                f"the manifest is larger than {MAX_MANIFEST_BYTES} bytes", file=path, fix="check the file"
            )
        content = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(content, Loader=yaml.SafeLoader) if content else None
    except yaml.YAMLError as exc:
        raise AnnotationError(f"cannot read the manifest: {exc}", file=path, fix="fix the YAML syntax") from None
    lines = content.split("\n") if content else ["# The documents of this BRAT directory: one entry per document.", ""]
    documents: yaml.SequenceNode | None = None
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "documents" and isinstance(value, yaml.SequenceNode):
                documents = value
    if content and documents is None:
        raise AnnotationError(
            "the manifest has no 'documents' list", file=path, field="documents", fix="list one entry per document"
        )
    edits: list[tuple[int, int, int, str]] = []  # (line, start column, end column, replacement); -1 columns: insert
    listed: set[str] = set()
    dash_col, key_col = 2, 4
    for item in documents.value if documents is not None else []:
        if not isinstance(item, yaml.MappingNode):
            continue
        fields = {k.value: (k, v) for k, v in item.value if isinstance(k, yaml.ScalarNode)}
        if "text" not in fields or not isinstance(fields["text"][1], yaml.ScalarNode):
            continue
        text_name = fields["text"][1].value
        doc_id = fields["id"][1].value if "id" in fields else text_name
        listed.add(text_name)
        dash_col, key_col = item.start_mark.column - 2, item.start_mark.column
        if not (directory / text_name).is_file():
            continue  # validate reports a missing file
        facts = text_facts(directory / text_name)
        present = [v for k, v in item.value if k.value in FACTS] or [v for _, v in item.value]
        last_line = max(v.end_mark.line if v.end_mark.column else v.end_mark.line - 1 for v in present)
        for name in FACTS:
            new = facts[name]
            if name in fields:
                node = fields[name][1]
                old = yaml.safe_load(yaml.serialize(node)) if isinstance(node, yaml.ScalarNode) else None
                if old != new:
                    result.changes.append(ManifestChange(doc_id, name, old, new))
                    edits.append((node.start_mark.line, node.start_mark.column, node.end_mark.column, _scalar(new)))
            else:
                result.changes.append(ManifestChange(doc_id, name, None, new))
                edits.append((last_line, -1, -1, f"{' ' * item.start_mark.column}{name}: {_scalar(new)}"))
    added_lines: list[str] = []
    for txt in texts:
        if txt.name in listed:
            continue
        result.added.append(txt.stem)
        entry = {"id": txt.stem, "text": txt.name, "annotation": f"{txt.stem}.ann", **text_facts(txt)}
        for n, (name, value) in enumerate(entry.items()):
            lead = " " * dash_col + "- " if n == 0 else " " * key_col
            added_lines.append(f"{lead}{name}: {_scalar(value)}")
    if not write or result.up_to_date:
        return result
    for line, start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        if start < 0:
            lines.insert(line + 1, replacement)
        else:
            lines[line] = lines[line][:start] + replacement + lines[line][end:]
    if not content:
        lines += ["version: 1", "documents:"]
    while lines and lines[-1] == "":
        lines.pop()
    atomic_write_text(path, "\n".join([*lines, *added_lines]) + "\n")
    result.written = True
    return result
