"""One number whichever command scores the predictions: ``run`` (a model, a ``file:`` model), ``score`` and seqeval.

Shared by ``tests/test_units.py`` and ``tests/benchmarks/bench_units.py``. A CoNLL corpus is scored on its own
tokens and sentences (:mod:`arabench.benchmark.corpus_io`), so the headline micro F1 of ``run`` (strict, word
boundaries, flat layer) and its token view (conlleval) must equal seqeval's default mode on the file's own tags,
and ``arabench score`` on the same two files.

:func:`newsfane_like` builds the NewsFANE-style corpus of the checks from the shared data: the ANERcorp train
sentences relabelled to FANE labels (``PERS`` → ``PER``, ``LOC`` → ``GPE``, ``ORG`` → ``ORG``; ``MISC`` has no
FANE counterpart and becomes ``O``) followed by AQMAR dev sentences (``PER``, ``LOC``, ``ORG`` kept, ``MISC`` → ``O``),
split into ``-DOCSTART-`` documents. It is flat (NewsFANE's nesting is not reproduced) and its labels are a subset of
the ``fane`` view's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from arabench.annotations.conll import read_conll_sentences
from arabench.annotations.schema import default_schema
from arabench.benchmark.corpus_io import Corpus, load_corpus
from arabench.eval.spans import words_index
from arabench.eval.tokens import spans_to_tags
from arabench.eval.views import relabel_spans

#: The shared data beside the clone (CI), or beside the worktrees' folder (a git worktree under wt/).
DATA = next(
    (
        path
        for path in (
            Path(__file__).resolve().parents[1] / ".." / "shared" / "data",
            Path(__file__).resolve().parents[1] / ".." / ".." / "shared" / "data",
        )
        if (path / "aqmar_dev.conll").is_file()
    ),
    Path(__file__).resolve().parents[1] / ".." / "shared" / "data",
)

#: ANERcorp and AQMAR tags → FANE tags (``None``: no FANE type, written ``O``).
FANE_OF = {"PERS": "PER", "PER": "PER", "LOC": "GPE", "ORG": "ORG", "MISC": None}
AQMAR_FANE_OF = {"PER": "PER", "LOC": "LOC", "ORG": "ORG", "MISC": None}


def slice_conll(source: Path, target: Path, sentences: int, *, skip: int = 0) -> Path:
    """Write sentences ``skip`` .. ``skip + sentences`` of a CoNLL file to ``target``."""
    blocks = [
        "\n".join(f"{t}\t{g}" for t, g in zip(s.tokens, s.tags, strict=True)) for s in read_conll_sentences(source)
    ][skip : skip + sentences]
    target.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return target


def _relabel(tags: Sequence[str], table: dict[str, str | None]) -> list[str]:
    out = []
    for tag in tags:
        if tag == "O":
            out.append(tag)
            continue
        prefix, label = tag.split("-", 1)
        new = table[label]
        out.append("O" if new is None else f"{prefix}-{new}")
    return out


def newsfane_like(target: Path, *, anercorp: int = 400, aqmar: int = 200, per_document: int = 150) -> Path:
    """Write the NewsFANE-style corpus (module docstring) to ``target``."""
    sentences = [(s.tokens, _relabel(s.tags, FANE_OF)) for s in read_conll_sentences(DATA / "anercorp_train.conll")][
        :anercorp
    ]
    sentences += [(s.tokens, _relabel(s.tags, AQMAR_FANE_OF)) for s in read_conll_sentences(DATA / "aqmar_dev.conll")][
        :aqmar
    ]
    lines: list[str] = []
    for n, (tokens, tags) in enumerate(sentences):
        if n % per_document == 0:
            lines += ["-DOCSTART-\tO", f"# id = newsfane-{n // per_document + 1}", ""]
        lines += [f"{t}\t{g}" for t, g in zip(tokens, tags, strict=True)]
        lines.append("")
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def own_tags(corpus: Corpus, spans: Sequence[Sequence]) -> list[list[str]]:
    """Per sentence of the corpus, the BIO2 tags of ``spans`` (per document) over the corpus's own tokens."""
    out: list[list[str]] = []
    for d, doc in enumerate(corpus.documents):
        words = corpus.words[d]
        tags = spans_to_tags(doc.text, spans[d], index=words_index(doc.text, words)).tags
        k = 0
        for _, end in corpus.units[d]:
            j = k
            while j < len(words) and words[j][0] < end:
                j += 1
            out.append(list(tags[k:j]))
            k = j
    return out


def write_predictions(gold: Path, tags: Sequence[Sequence[str]], target: Path) -> Path:
    """Write ``tags`` (per sentence) over the gold file's tokens and sentences and documents."""
    lines: list[str] = []
    document = 0
    sentences = list(read_conll_sentences(gold))
    for n, (sentence, sentence_tags) in enumerate(zip(sentences, tags, strict=True)):
        if sentence.document != document or (n == 0 and sentence.document):
            document = sentence.document
            lines += ["-DOCSTART-\tO", ""]
        lines += [f"{t}\t{g}" for t, g in zip(sentence.tokens, sentence_tags, strict=True)]
        lines.append("")
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


@dataclass(frozen=True)
class Parity:
    """The micro F1 of the same predictions by every scorer."""

    corpus: str
    model: str
    run_f1: float
    run_tokens_f1: float
    seqeval_f1: float
    score_f1: float | None = None

    def differences(self) -> dict[str, float]:
        """Each scorer's F1 minus seqeval's."""
        out = {"run": self.run_f1 - self.seqeval_f1, "run tokens": self.run_tokens_f1 - self.seqeval_f1}
        if self.score_f1 is not None:
            out["score"] = self.score_f1 - self.seqeval_f1
        return out


def parity(gold: Path, work: Path, *, cache_dir: Path, units: str = "file") -> list[Parity]:
    """``rules`` run on ``gold``, then its predictions on the file's tokens as a ``file:`` model and by ``score``.

    Every figure is the headline micro F1 (strict, word boundaries, flat layer) in the corpus's view; ``run``
    scores the corpus on ``units`` (``split``: the re-splitting that was the default before, for comparison).
    """
    from seqeval.metrics import f1_score

    from arabench.benchmark.runner import run
    from arabench.benchmark.score_files import score_files

    corpus = load_corpus(gold)
    scored = corpus if units == "file" else load_corpus(gold, units=units)
    view = corpus.view.name
    gold_tags = [list(s.tags) for s in read_conll_sentences(gold)]
    results = run(["rules"], corpus=scored, bootstrap=0, cache_dir=cache_dir, view=view)
    model = results.models[0]
    scores = model.scores[view]
    schema = default_schema()
    mapping = schema.view(model.view).coarsening_to(schema.view(view))
    rules_spans = [relabel_spans(p.spans, mapping) for p in results.predictions["rules"]]
    rules_tags = own_tags(corpus, rules_spans)
    out = [
        Parity(
            corpus=gold.name,
            model="rules",
            run_f1=scores["spans"]["strict"]["word"]["flat"]["micro"]["f1"],
            run_tokens_f1=scores["tokens"]["conlleval"]["micro"]["f1"],
            seqeval_f1=f1_score(gold_tags, rules_tags),
        )
    ]
    predicted = write_predictions(gold, rules_tags, work / f"{gold.stem}.pred.conll")
    name = f"file:{predicted}"
    results = run(
        [name],
        corpus=scored,
        bootstrap=0,
        cache=False,
        cache_dir=cache_dir,
        view=view,
        model_options={name: {"view": view}},
    )
    scores = results.models[0].scores[view]
    out.append(
        Parity(
            corpus=gold.name,
            model="file:",
            run_f1=scores["spans"]["strict"]["word"]["flat"]["micro"]["f1"],
            run_tokens_f1=scores["tokens"]["conlleval"]["micro"]["f1"],
            seqeval_f1=f1_score(gold_tags, [list(s.tags) for s in read_conll_sentences(predicted)]),
            score_f1=score_files(gold, predicted).scores.micro.f1,
        )
    )
    return out
