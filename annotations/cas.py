r"""Read and write UIMA CAS XMI, the format INCEpTION imports and exports with every layer (through dkpro-cassis).

INCEpTION's BRAT reader accepts only ``T A M R E #`` lines and throws on the
gold's ``*\tEquiv`` lines, so coreference cannot reach INCEpTION through BRAT.
UIMA CAS XMI (XML 1.0; INCEpTION's ``xmi`` format) carries all three layers
of a document, in the types INCEpTION defines:

===========================  ================================================================
arabench                     CAS
===========================  ================================================================
a mention (span + type)      ``de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity``
                             (INCEpTION's Named entity layer), the type in ``value``
a relation                   :data:`RELATION_TYPE`, a custom relation layer as INCEpTION
                             generates one: a ``uima.tcas.Annotation`` with the features
                             ``Governor`` (arg1) and ``Dependent`` (arg2), both
                             ``NamedEntity``, offsets of the Dependent, and the relation
                             type in the string feature ``label``
an entity (cluster of two    ``de.tudarmstadt.ukp.dkpro.core.api.coref.type.CoreferenceChain``
or more mentions)            (INCEpTION's Coreference layer): ``first`` and ``next`` link one
                             ``CoreferenceLink`` per mention, at the mention's offsets, in
                             the order of the cluster, with ``referenceType`` the mention's type
sentences, words             DKPro ``Sentence`` and ``Token`` (:mod:`arabench.annotations.tokenize`),
                             which INCEpTION needs to show and annotate the text; not read back
===========================  ================================================================

A directory holds one ``<id>.xmi`` per document and ``TypeSystem.xml``
(the DKPro Core type system that dkpro-cassis ships, plus :data:`RELATION_TYPE`),
as INCEpTION's own export does. UIMA offsets are UTF-16 code units; cassis
converts them to and from the code-point offsets of arabench, so a text with
characters outside the Basic Multilingual Plane keeps every span.

In INCEpTION: create a project, add a relation layer named ``EntityRelation``
attached to Named entity, with a string feature ``label`` (tagset: the seven
relation types), then import the ``.xmi`` files as "UIMA CAS XMI (XML 1.0)".

Reading takes ``TypeSystem.xml`` from beside the ``.xmi`` files when it is
there (an INCEpTION export), else the type system above. A coreference link
must sit on a named entity of the same offsets (and type, when several share
them); a relation's Governor and Dependent must be named entities. Ids are
given in text order (``T1``... by start, end, type; ``R1``... by Dependent).
Document metadata other than the id (the file name) is not kept.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arabench.annotations.errors import ConversionError
from arabench.annotations.spans import Document, Relation, Span

if TYPE_CHECKING:
    import cassis

__all__ = [
    "NAMED_ENTITY_TYPE",
    "CHAIN_TYPE",
    "LINK_TYPE",
    "RELATION_TYPE",
    "SENTENCE_TYPE",
    "TOKEN_TYPE",
    "TYPE_SYSTEM_FILE",
    "type_system",
    "document_to_cas",
    "cas_to_document",
    "write_xmi",
    "read_xmi",
]

NAMED_ENTITY_TYPE = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"
CHAIN_TYPE = "de.tudarmstadt.ukp.dkpro.core.api.coref.type.CoreferenceChain"
LINK_TYPE = "de.tudarmstadt.ukp.dkpro.core.api.coref.type.CoreferenceLink"
SENTENCE_TYPE = "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence"
TOKEN_TYPE = "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token"
#: The custom relation layer (INCEpTION names custom layers ``webanno.custom.<Name>``).
RELATION_TYPE = "webanno.custom.EntityRelation"
#: INCEpTION's relation endpoints (``WebAnnoConst.FEAT_REL_SOURCE`` / ``FEAT_REL_TARGET``).
GOVERNOR, DEPENDENT = "Governor", "Dependent"
#: The relation layer's feature holding the relation type.
LABEL = "label"
#: The type system file written beside the ``.xmi`` files (the name DKPro's XmiWriter gives it).
TYPE_SYSTEM_FILE = "TypeSystem.xml"
#: The largest ``.xmi`` or type system file read (bytes).
MAX_XMI_BYTES = 256 * 1024 * 1024


def _cassis() -> Any:
    try:
        import cassis
    except ImportError:
        raise ConversionError(
            "UIMA CAS XMI needs dkpro-cassis, which is not installed",
            field="format",
            value="xmi",
            fix="pip install 'arabench[inception]'",
        ) from None
    return cassis


def type_system() -> cassis.TypeSystem:
    """The DKPro Core type system (as dkpro-cassis ships it) plus the relation layer :data:`RELATION_TYPE`."""
    cassis = _cassis()
    ts = cassis.load_dkpro_core_typesystem()
    relation = ts.create_type(RELATION_TYPE, supertypeName="uima.tcas.Annotation")
    ts.create_feature(relation, GOVERNOR, NAMED_ENTITY_TYPE)
    ts.create_feature(relation, DEPENDENT, NAMED_ENTITY_TYPE)
    ts.create_feature(relation, LABEL, "uima.cas.String")
    return ts


def document_to_cas(document: Document, ts: cassis.TypeSystem | None = None) -> cassis.Cas:
    """One document as a CAS (see the module docstring for the mapping)."""
    from arabench.annotations.tokenize import sentence_ranges, word_offsets

    cassis = _cassis()
    ts = ts or type_system()
    cas = cassis.Cas(typesystem=ts)
    cas.sofa_string = document.text
    cas.sofa_mime = "text/plain"
    Sentence, Token = ts.get_type(SENTENCE_TYPE), ts.get_type(TOKEN_TYPE)
    NamedEntity, Link, Chain = ts.get_type(NAMED_ENTITY_TYPE), ts.get_type(LINK_TYPE), ts.get_type(CHAIN_TYPE)
    Rel = ts.get_type(RELATION_TYPE)
    for start, end in sentence_ranges(document.text):
        cas.add(Sentence(begin=start, end=end))
    for start, end in word_offsets(document.text):
        cas.add(Token(begin=start, end=end))
    annotations = {}
    for ident, span in document.entities.items():
        annotations[ident] = NamedEntity(begin=span.start, end=span.end, value=span.label)
        cas.add(annotations[ident])
    for ident, (arg1, arg2) in document.relation_arg_ids().items():
        governor, dependent = annotations[arg1], annotations[arg2]
        label = document.relations[ident].label
        cas.add(Rel(begin=dependent.begin, end=dependent.end, Governor=governor, Dependent=dependent, label=label))
    for group in document.clusters:
        links = []
        for ident in group:
            span = document.entities[ident]
            links.append(Link(begin=span.start, end=span.end, referenceType=span.label))
        for link, following in pairwise(links):
            link.next = following
        for link in links:
            cas.add(link)
        cas.add(Chain(first=links[0]))
    return cas


def _check_file(path: Path) -> None:
    """Refuse what is not a plain, bounded XML file (no DOCTYPE: XMI has none, and entities are a hazard)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError as exc:
        raise ConversionError(
            f"cannot read the file ({exc.strerror or exc})", file=path, fix="check the path"
        ) from None
    if size > MAX_XMI_BYTES:
        raise ConversionError(
            f"file is larger than {MAX_XMI_BYTES} bytes", file=path, value=size, fix="split the corpus into documents"
        )
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise ConversionError(
            "XML with a DOCTYPE or entity declarations is refused (UIMA XMI has none)",
            file=path,
            fix="export the document again from INCEpTION or UIMA",
        )


def _feature(fs: Any, name: str) -> Any:
    try:
        return fs.get(name)
    except (AttributeError, KeyError):
        return None


def cas_to_document(cas: cassis.Cas, *, doc_id: str, file: str | Path | None = None) -> Document:
    """A CAS as a document (see the module docstring for the mapping and its checks).

    Raises:
        ConversionError: For a named entity without a type, a coreference link on
            no named entity, a relation whose endpoints are not named entities,
            a chain that loops.
    """
    text = cas.sofa_string or ""
    named = sorted(cas.select(NAMED_ENTITY_TYPE), key=lambda fs: (fs.begin, fs.end, fs.value or ""))
    entities: dict[str, Span] = {}
    by_fs: dict[int, str] = {}
    at_range: dict[tuple[int, int], list[str]] = {}
    for n, fs in enumerate(named, start=1):
        if not fs.value:
            raise ConversionError(
                "a named entity has no type (its 'value' feature is empty)",
                file=file,
                field=f"{doc_id}/NamedEntity[{fs.begin}-{fs.end}].value",
                value=text[fs.begin : fs.end],
                fix="give every named entity a type in INCEpTION",
            )
        ident = f"T{n}"
        entities[ident] = Span(fs.begin, fs.end, fs.value)
        by_fs[id(fs)] = ident
        at_range.setdefault((fs.begin, fs.end), []).append(ident)
    relations: dict[str, Relation] = {}
    ts = cas.typesystem
    if ts.contains_type(RELATION_TYPE):
        found = sorted(cas.select(RELATION_TYPE), key=lambda fs: (fs.begin, fs.end))
        for n, fs in enumerate(found, start=1):
            governor, dependent, label = _feature(fs, GOVERNOR), _feature(fs, DEPENDENT), _feature(fs, LABEL)
            where = f"{doc_id}/{RELATION_TYPE.rsplit('.', 1)[1]}[{fs.begin}-{fs.end}]"
            if id(governor) not in by_fs or id(dependent) not in by_fs:
                raise ConversionError(
                    "a relation's Governor or Dependent is not a named entity",
                    file=file,
                    field=where,
                    fix=f"attach the relation layer to the Named entity layer ({NAMED_ENTITY_TYPE})",
                )
            if not label:
                raise ConversionError(
                    f"a relation has no type (its '{LABEL}' feature is empty)",
                    file=file,
                    field=f"{where}.{LABEL}",
                    fix="give every relation a type in INCEpTION",
                )
            relations[f"R{n}"] = Relation(label, entities[by_fs[id(governor)]], entities[by_fs[id(dependent)]])
    clusters: list[tuple[str, ...]] = []
    limit = len(cas.select(LINK_TYPE)) + 1
    for chain in cas.select(CHAIN_TYPE):
        link = _feature(chain, "first")
        group: list[str] = []
        seen: set[int] = set()
        while link is not None:
            if id(link) in seen or len(group) > limit:
                raise ConversionError("a coreference chain loops", file=file, field=f"{doc_id}/CoreferenceChain")
            seen.add(id(link))
            candidates = at_range.get((link.begin, link.end), [])
            typed = [i for i in candidates if entities[i].label == _feature(link, "referenceType")]
            chosen = typed or candidates
            if not chosen:
                raise ConversionError(
                    "a coreference link is on no named entity",
                    file=file,
                    field=f"{doc_id}/CoreferenceLink[{link.begin}-{link.end}]",
                    value=text[link.begin : link.end],
                    fix="annotate the mention on the Named entity layer too, with the same offsets",
                )
            group.append(chosen[0])
            link = _feature(link, "next")
        if len(group) > 1:
            clusters.append(tuple(group))
        # a chain of one link is a singleton: nothing to record
    return Document(doc_id, text, entities, relations, clusters=tuple(clusters))


def write_xmi(documents: Sequence[Document], directory: str | Path) -> list[Path]:
    """Write ``<id>.xmi`` per document and ``TypeSystem.xml`` into ``directory``; returns the paths written.

    Raises:
        ConversionError: If a document id cannot be a file name, two documents share one, or a path is a link.
    """
    directory = Path(directory)
    if directory.suffix.lower() == ".xmi":
        raise ConversionError(
            "UIMA CAS XMI is written as a directory (one .xmi per document and TypeSystem.xml)",
            file=directory,
            fix="give a directory as the destination",
        )
    ids = [d.id for d in documents]
    for doc_id in ids:
        if not doc_id or os.sep in doc_id or "/" in doc_id or doc_id in (".", "..") or not doc_id.isprintable():
            raise ConversionError(
                "document id cannot be used as a file name", field="id", value=doc_id, fix="use an id without '/'"
            )
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise ConversionError("two documents have the same id (file names)", field="id", value=dup)
    ts = type_system()
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, write in (
        (TYPE_SYSTEM_FILE, lambda p: ts.to_xml(p)),
        *((f"{d.id}.xmi", lambda p, d=d: document_to_cas(d, ts).to_xmi(p)) for d in documents),
    ):
        target = directory / name
        if target.is_symlink():
            raise ConversionError(
                "refusing to write through a symbolic link", file=target, fix="remove the link and write again"
            )
        write(target)
        written.append(target)
    return written


def read_xmi(path: str | Path) -> list[Document]:
    """Read a directory of ``.xmi`` files (or one ``.xmi`` file); ids are the file names without ``.xmi``.

    Raises:
        ConversionError: If there is no ``.xmi`` file, a file is refused by
            :func:`_check_file`, cassis cannot load it, or a CAS does not map (see :func:`cas_to_document`).
    """
    cassis = _cassis()
    path = Path(path)
    files = sorted(p for p in path.glob("*.xmi") if p.is_file()) if path.is_dir() else [path]
    root = path if path.is_dir() else path.parent
    if not files:
        raise ConversionError("no .xmi files in this directory", file=path, fix="give a directory of .xmi files")
    ts_file = root / TYPE_SYSTEM_FILE
    if ts_file.is_file():
        _check_file(ts_file)
        try:
            ts = cassis.load_typesystem(ts_file)
        except Exception as exc:  # cassis raises lxml and its own errors: all mean the file cannot be used
            raise ConversionError(
                f"cannot read the type system ({type(exc).__name__}: {str(exc)[:200]})",
                file=ts_file,
                fix="use the TypeSystem.xml of the same export",
            ) from None
        if not ts.contains_type(RELATION_TYPE):
            ts = cassis.merge_typesystems(ts, type_system())
        lenient = False
    else:
        ts, lenient = type_system(), True
    documents = []
    for file in files:
        _check_file(file)
        try:
            cas = cassis.load_cas_from_xmi(file, typesystem=ts, lenient=lenient)
        except Exception as exc:  # lxml syntax errors, unknown types, bad references
            raise ConversionError(
                f"cannot load the CAS ({type(exc).__name__}: {str(exc)[:200]})",
                file=file,
                fix=f"check that it is UIMA CAS XMI (XML 1.0) and that {TYPE_SYSTEM_FILE} belongs to it",
            ) from None
        documents.append(cas_to_document(cas, doc_id=file.stem, file=file))
    return documents
