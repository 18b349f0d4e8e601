"""The format registry: one guess per path, the same in validate, convert, score, run --corpus and file: predictions."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from arabench.annotations.convert import convert
from arabench.annotations.errors import ConversionError
from arabench.annotations.formats import FORMATS, check_path, infer_format, write_documents
from arabench.annotations.spans import Document, Span
from arabench.benchmark.cli import main as cli
from arabench.benchmark.corpus_io import load_corpus
from arabench.benchmark.score_files import score_files
from arabench.models.predictions import PredictionsFileModel

# "King Abdullah visited Cairo." / "The minister spoke in Rabat." (general text)
TEXT_A = "زار الملك عبدالله القاهرة ."
TEXT_B = "تحدث الوزير في الرباط ."


def _at(text: str, needle: str, label: str) -> Span:
    start = text.index(needle)
    return Span(start, start + len(needle), label)


def documents() -> list[Document]:
    return [
        Document("a", TEXT_A, {"T1": _at(TEXT_A, "عبدالله", "PERS"), "T2": _at(TEXT_A, "القاهرة", "GPE")}),
        Document("b", TEXT_B, {"T1": _at(TEXT_B, "الرباط", "GPE")}),
    ]


def _written(root: Path, name: str, fmt: str) -> Path:
    write_documents(documents(), root / name, format=fmt)
    return root / name


def _brat_dir(root: Path) -> Path:
    return _written(root, "brat", "brat")


def _brat_txt(root: Path) -> Path:
    return _brat_dir(root) / "a.txt"


def _brat_ann(root: Path) -> Path:
    return _brat_dir(root) / "a.ann"


def _jsonl(root: Path) -> Path:
    return _written(root, "c.jsonl", "jsonl")


def _jsonl_as_json(root: Path) -> Path:
    return _jsonl(root).rename(root / "c.json")


def _labelstudio(root: Path) -> Path:
    return _written(root, "tasks.json", "labelstudio")


def _conll(root: Path) -> Path:
    return _written(root, "c.conll", "conll")


def _conll_txt(root: Path) -> Path:
    return _conll(root).rename(root / "c.txt")


def _hf(root: Path) -> Path:
    return _written(root, "ds", "hf")


#: Each kind of path, and the format every command must see in it.
PATHS: list[tuple[str, Callable[[Path], Path], str]] = [
    ("BRAT directory", _brat_dir, "brat"),
    ("a .txt beside its .ann", _brat_txt, "brat"),
    ("a .ann", _brat_ann, "brat"),
    ("a .jsonl", _jsonl, "jsonl"),
    ("a .json of one object per line", _jsonl_as_json, "jsonl"),
    ("a .json list of tasks", _labelstudio, "labelstudio"),
    ("a .conll", _conll, "conll"),
    ("a lone .txt of token/tag lines", _conll_txt, "conll"),
    ("a save_to_disk directory", _hf, "hf"),
]


@pytest.mark.parametrize(("what", "make", "expected"), PATHS, ids=[p[0] for p in PATHS])
def test_every_command_sees_the_same_format(tmp_path: Path, capsys, what: str, make, expected: str) -> None:
    path = make(tmp_path)
    assert infer_format(path) == expected
    # validate (the library function and the command)
    assert check_path(path).ok
    assert cli(["validate", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["format"] == expected
    # convert
    report = convert(path, tmp_path / "out.jsonl")
    assert report.src_format == expected
    assert report.documents == (1 if what in ("a .txt beside its .ann", "a .ann") else 2)
    # score: the path against itself is perfect
    scored = score_files(path, path)
    assert scored.format == expected
    assert scored.scores.micro.f1 == 1.0
    # run --corpus
    corpus = load_corpus(path)
    assert corpus.format == expected
    assert corpus.view.name == "native"
    # file: predictions, on the texts of the corpus
    model = PredictionsFileModel(path)
    assert model.format == expected == model.provenance()["format"]
    predicted = model.predict(corpus.texts)
    assert [len(p.spans) for p in predicted] == [len(d.entities) for d in corpus.documents]


def test_run_corpus_reads_a_brat_pair_by_its_txt(tmp_path: Path) -> None:
    """The bug of the issue: `run --corpus X.txt` on a BRAT pair was read as CoNLL (a tag error)."""
    corpus = load_corpus(_brat_txt(tmp_path))
    assert (corpus.format, [d.id for d in corpus.documents], corpus.files) == ("brat", ["a"], ("a.ann", "a.txt"))
    assert corpus.documents[0].entities == documents()[0].entities


def test_corpus_hash_covers_the_files_read(tmp_path: Path) -> None:
    ds = _hf(tmp_path)
    first = load_corpus(ds)
    assert "dataset_dict.json" in first.files
    (ds / "README.md").write_text("not read by the reader, yet in the directory", encoding="utf-8")
    assert load_corpus(ds).sha256 != first.sha256  # a datasets directory is hashed whole
    brat = _brat_dir(tmp_path)
    before = load_corpus(brat).sha256
    (brat / "README.md").write_text("notes", encoding="utf-8")
    assert load_corpus(brat).sha256 == before  # BRAT: only .txt/.ann


def _dat(root: Path) -> Path:
    return _jsonl(root).rename(root / "c.dat")


def test_an_explicit_format_overrides_the_guess(tmp_path: Path, capsys) -> None:
    path = _dat(tmp_path)
    with pytest.raises(ConversionError, match=r"cannot tell the format from the file name \(got '.dat'\)"):
        infer_format(path)
    assert check_path(path, format="jsonl").ok
    assert cli(["validate", str(path), "--format", "jsonl", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["format"] == "jsonl"
    assert cli(["stats", str(path), "--format", "jsonl", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["documents"] == 2
    assert convert(path, tmp_path / "out.conll", src_format="jsonl").src_format == "jsonl"
    assert score_files(path, path, format="jsonl").scores.micro.f1 == 1.0
    assert load_corpus(path, format="jsonl").format == "jsonl"
    assert PredictionsFileModel(path, format="jsonl").format == "jsonl"


def _prose_txt(root: Path) -> Path:
    path = root / "note.txt"
    path.write_text(TEXT_A + "\n" + TEXT_B + "\n", encoding="utf-8")
    return path


def _scalar_json(root: Path) -> Path:
    path = root / "x.json"
    path.write_text("42\n", encoding="utf-8")
    return path


def _other_dir(root: Path) -> Path:
    path = root / "mixed"
    path.mkdir()
    (path / "a.csv").write_text("a,b\n", encoding="utf-8")
    return path


def _xml(root: Path) -> Path:
    path = root / "p.xml"
    path.write_text("<x/>", encoding="utf-8")
    return path


#: Paths whose format cannot be told, and what the error says was seen.
UNTELLABLE: list[tuple[str, Callable[[Path], Path], str]] = [
    (
        "a lone .txt of prose",
        _prose_txt,
        r"note\.txt: field 'format': cannot tell the format of this \.txt file: there is no note\.ann beside it "
        r"\(BRAT\), and it does not read as CoNLL \(line 'زار الملك عبدالله القاهرة \.' is not 'token TAB tag'\); "
        r"fix: add note\.ann \(empty if the document has no entities\), or ",
    ),
    (
        "a .json that is neither",
        _scalar_json,
        r"x\.json: field 'format': cannot tell the format of this \.json file: it is neither a list of Label Studio "
        r"tasks nor one JSON document per line \(got '42'\); fix: ",
    ),
    (
        "a directory of other files",
        _other_dir,
        r"mixed: field 'format': cannot tell the format of this directory: no \.txt/\.ann files \(BRAT\) and no "
        r"dataset_dict\.json \(datasets\); it holds a\.csv; fix: give a BRAT directory",
    ),
    ("an unknown suffix", _xml, r"p\.xml: field 'format': cannot tell the format from the file name \(got '.xml'\)"),
]

#: How each command's error tells the user to name the format.
NAMED_BY = {
    "validate": "name the format with --format",
    "convert": "name the format with --from",
    "score": "name the format with --format",
    "run --corpus": "convert it first with `arabench convert PATH OUT.jsonl --from FORMAT`",
    "file:": "name the format with format=",
}


def _command(name: str, path: Path, out: Path) -> None:
    if name == "validate":
        check_path(path)
    elif name == "convert":
        convert(path, out / "out.jsonl")
    elif name == "score":
        score_files(path, path)
    elif name == "run --corpus":
        load_corpus(path)
    else:
        PredictionsFileModel(path)


@pytest.mark.parametrize("command", list(NAMED_BY))
@pytest.mark.parametrize(("what", "make", "message"), UNTELLABLE, ids=[u[0] for u in UNTELLABLE])
def test_paths_it_cannot_tell(tmp_path: Path, command: str, what: str, make, message: str) -> None:
    path = make(tmp_path)
    with pytest.raises(ConversionError, match=message) as caught:
        _command(command, path, tmp_path)
    if what != "a directory of other files":  # a directory is not a file whose format could be named
        assert NAMED_BY[command] in str(caught.value)


def test_validate_command_names_the_option(tmp_path: Path, capsys) -> None:
    path = _prose_txt(tmp_path)
    assert cli(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "cannot tell the format of this .txt file" in err and "name the format with --format" in err


def test_score_refuses_conll_against_spans(tmp_path: Path) -> None:
    from arabench.annotations.errors import ScoringError

    with pytest.raises(ScoringError, match=r"the gold is conll and the predictions are jsonl.*token by token"):
        score_files(_conll(tmp_path), _jsonl(tmp_path))


def test_validate_checks_every_format(tmp_path: Path) -> None:
    """Label Studio gold gets the document checks too (here: a span that crosses another)."""
    docs = documents()
    crossing = Document(
        "a", TEXT_A, {"T1": _at(TEXT_A, "الملك عبدالله", "PERS"), "T2": _at(TEXT_A, "عبدالله القاهرة", "GPE")}
    )
    write_documents([crossing, docs[1]], tmp_path / "t.json", format="labelstudio")
    report = check_path(tmp_path / "t.json")
    assert not report.ok
    assert "crosses span" in report.errors[0].message
    assert [d.id for d in report.documents] == ["b"]


def test_missing_path(tmp_path: Path) -> None:
    report = check_path(tmp_path / "missing")
    assert [p.message for p in report.problems] == ["path does not exist"]


def test_registry_declares_what_each_format_holds() -> None:
    assert list(FORMATS) == ["brat", "jsonl", "conll", "labelstudio", "hf", "xmi"]
    assert [f.name for f in FORMATS.values() if f.cannot_hold] == ["brat", "conll", "xmi"]
    assert "nested spans, relations" in FORMATS["conll"].cannot_hold
    assert not FORMATS["conll"].raw_text and all(f.raw_text for f in FORMATS.values() if f.name != "conll")


def test_writing_a_destination_is_told_by_its_suffix(tmp_path: Path) -> None:
    assert infer_format(tmp_path / "new.txt", for_writing=True) == "conll"
    assert infer_format(tmp_path / "new.json", for_writing=True) == "labelstudio"
    shutil.copy(_jsonl(tmp_path), tmp_path / "old.json")
    assert infer_format(tmp_path / "old.json") == "jsonl"  # reading sniffs the content


def test_every_user_guesses_with_the_registry() -> None:
    """One guess rule: the commands and the predictions adapter hold no format guesser of their own."""
    import arabench.annotations.convert
    import arabench.benchmark.corpus_io
    import arabench.benchmark.score_files
    import arabench.models.predictions
    from arabench.annotations import formats

    assert arabench.annotations.convert.infer_format is formats.infer_format
    assert arabench.benchmark.score_files.infer_format is formats.infer_format
    assert arabench.benchmark.score_files.FORMATS == arabench.models.predictions.FORMATS == tuple(formats.FORMATS)
    for module in (
        arabench.annotations.convert,
        arabench.benchmark.score_files,
        arabench.benchmark.corpus_io,
        arabench.models.predictions,
    ):
        own = [name for name in vars(module) if "guess" in name.lower() or name == "_BRAT_SUFFIXES"]
        assert own == [], module.__name__
