"""Scores of the rule baseline on the development data, with bootstrap intervals, per corpus, type and rule.

Usage:
    python tests/benchmarks/bench_rules_dev.py [--data DIR] [--resamples N] [--write-doc docs/rules.md]

Corpora: ``tests/data/rules_dev`` (native view, in the repository) and, from
``--data DIR``, ``anercorp_train.conll`` (ANERcorp train split, news, scored in
the ``anercorp`` view) and ``aqmar_dev.conll`` (AQMAR dev split, Wikipedia,
scored in the ``conll4`` view). Never a test split, never the gold article.

The rules' native predictions are relabelled into the corpus's view with the
schema's view (:meth:`arabench.annotations.schema.View.project`: in ``anercorp`` GPE
becomes LOC, CURR becomes MISC, NORP and the number and date types are left
out), then scored by the project's scorer (:func:`arabench.eval.spans.score_spans`:
strict, word boundaries, flat layer, the harness's headline setting) with
sentence units, and the intervals come from its bootstrap
(:func:`arabench.eval.stats.bootstrap`, percentile, 95%).

Per rule, with every rule on (also those below the precision bar, off by
default): how often it fired in the view (its spans that are in the view and
outermost after snapping to words) and how many of those are right (a gold
span with the same word range and label); for the default model the sum of
the rules' right spans is checked equal to the scorer's true positives. ``--write-doc`` writes the
per-rule table into the generated section of the rules doc.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from arabench.annotations.conll import read_conll, read_conll_sentences
from arabench.annotations.corpus import read_corpus
from arabench.annotations.schema import default_schema
from arabench.annotations.spans import Span, outermost
from arabench.annotations.tokenize import PROCLITICS, WordIndex, sentence_ranges
from arabench.eval.spans import score_spans
from arabench.eval.stats import bootstrap
from arabench.models.rules import lists as rule_lists
from arabench.models.rules.derive import derived_yaml
from arabench.models.rules.lists import read_word_lists
from arabench.models.rules.text import normalize

if TYPE_CHECKING:  # models.rules.adapter is imported in main(), after --holdout may have swapped the lists
    from arabench.models.rules.adapter import RuleModel

ROOT = Path(__file__).resolve().parents[2]
DEV_DIR = ROOT / "tests" / "data" / "rules_dev"
DOC_START, DOC_END = "<!-- rules-report:start -->", "<!-- rules-report:end -->"
LISTS_START, LISTS_END = "<!-- rules-lists:start -->", "<!-- rules-lists:end -->"


@dataclass
class Corpus:
    """One development corpus: its documents' texts and gold spans, in its view."""

    name: str
    view: str
    texts: list[str]
    gold: list[list[Span]]


@dataclass
class RuleTally:
    """Per rule: spans in the view (fired) and right ones, per corpus."""

    fired: Counter = field(default_factory=Counter)
    right: Counter = field(default_factory=Counter)


def corpora(data: Path | None, held_out: str | None = None) -> list[Corpus]:
    """The development corpora that are there (``held_out``: CoNLL text that replaces ANERcorp train)."""
    out = []
    docs = read_corpus(DEV_DIR)
    out.append(Corpus("rules_dev", "native", [d.text for d in docs], [list(d.spans) for d in docs]))
    if data is not None:
        for name, view in (("anercorp_train", "anercorp"), ("aqmar_dev", "conll4")):
            path = data / f"{name}.conll"
            if name == "anercorp_train" and held_out is not None:
                docs = read_conll(held_out)
                name = "anercorp_train_heldout"
            elif path.exists():
                docs = read_conll(path)
            else:
                continue
            out.append(Corpus(name, view, [d.text for d in docs], [list(d.spans) for d in docs]))
    return out


def hold_out(data: Path, fraction: float, directory: Path) -> str:
    """Derive the count-based lists from the first ``fraction`` of ANERcorp train's sentences only.

    Writes a copy of the list files with that ``derived.yaml`` into ``directory``, points
    :mod:`arabench.models.rules.lists` at it, and returns the other sentences as CoNLL text: scores on them
    are held out from every count the lists are built from.
    """
    sentences = [(s.tokens, s.tags) for s in read_conll_sentences(data / "anercorp_train.conll") if s.tokens]
    cut = int(len(sentences) * fraction)
    shutil.copytree(rule_lists.DATA_DIR, directory, dirs_exist_ok=True)
    name = f"the first {fraction:.0%} of the ANERcorp train split's sentences"
    (directory / "derived.yaml").write_text(derived_yaml(sentences[:cut], name=name), encoding="utf-8")
    rule_lists.DATA_DIR = directory
    rule_lists.word_lists.cache_clear()
    rows = ["\n".join(f"{t}\t{g}" for t, g in zip(tokens, tags, strict=True)) for tokens, tags in sentences[cut:]]
    return "\n\n".join(rows) + "\n"


def units_of(text: str) -> list[tuple[int, int]]:
    """Sentence units covering every word (the first from offset 0)."""
    units = sentence_ranges(text) or [(0, len(text))]
    units[0] = (0, units[0][1])
    return units


def _predict(model: RuleModel, corpus: Corpus) -> tuple[list[list[Span]], list[dict[Span, str]], float]:
    """The model's spans relabelled into the corpus's view, the rule of each, and the CPU seconds taken."""
    view = default_schema().views[corpus.view]
    t0 = time.process_time()
    explained = [model.explain(text) for text in corpus.texts]
    seconds = time.process_time() - t0
    pred, rule_of = [], []
    for doc in explained:
        spans, rules = [], {}
        for span, rule in doc:
            (projected,) = view.project([span]) or (None,)
            if projected is not None:
                spans.append(projected)
                rules.setdefault(projected, rule)
        pred.append(spans)
        rule_of.append(rules)
    return pred, rule_of, seconds


def evaluate(corpus: Corpus, model: RuleModel, resamples: int) -> dict[str, object]:
    """Score one corpus with the project's scorer and bootstrap; return the printed figures."""
    view = default_schema().views[corpus.view]
    pred, _, seconds = _predict(model, corpus)
    labels = sorted(view.labels)
    units = [units_of(t) for t in corpus.texts]
    scores = score_spans(
        corpus.gold, pred, boundary="word", layer="flat", texts=corpus.texts, units=units, labels=labels, types=labels
    )
    boot = bootstrap(scores, n_resamples=resamples, seed=0)
    tokens = sum(len(t.split()) for t in corpus.texts)
    return {"scores": scores, "boot": boot, "tokens": tokens, "seconds": seconds}


def tally_rules(corpus: Corpus, model: RuleModel, tally: RuleTally) -> tuple[int, Counter]:
    """Add each rule's spans and right spans on ``corpus`` to ``tally``.

    Returns:
        The number of right spans (equal to the scorer's true positives for the same model) and the
        function or common words the model tagged as a person, wrongly.
    """
    view = default_schema().views[corpus.view]
    pred, rule_of, _ = _predict(model, corpus)
    # per rule: outermost snapped spans, right if the gold has the same word range and label
    right_total = 0
    pers_words: Counter = Counter()
    function_words = _function_words()
    for text, gold, spans, rules in zip(corpus.texts, corpus.gold, pred, rule_of, strict=True):
        index = WordIndex.of(text)
        gold_set = {snapped for s in gold if (snapped := _snap(s, index)) is not None and s.label in view.labels}
        gold_set = set(outermost(gold_set))
        snapped: dict[Span, str] = {}
        for span in sorted(spans, key=lambda s: (s.start, s.end, s.label)):
            s = _snap(span, index)
            if s is not None:
                snapped.setdefault(s, rules[span])
        for s in outermost(snapped):
            rule = snapped[s]
            tally.fired[(corpus.name, rule)] += 1
            if s in gold_set:
                tally.right[(corpus.name, rule)] += 1
                right_total += 1
            elif s.label in ("PERS", "PER") and _bare(text[s.start : s.end]) & function_words:
                pers_words[text[s.start : s.end]] += 1
    return right_total, pers_words


def _function_words() -> set[str]:
    """Function words and common words of news text, read from this checkout's list files (even when an older
    ``arabench.models.rules`` is measured)."""
    lists = read_word_lists(ROOT / "models" / "rules" / "data")
    return {normalize(w) for name in ("stop_words", "common_words") for w in lists[name].words}


def _bare(word: str) -> set[str]:
    """A one-word mention and its readings without proclitics, normalized (empty for several words)."""
    if " " in word:
        return set()
    norm = normalize(word)
    return {norm} | {norm[len(c) :] for c in PROCLITICS if norm.startswith(c) and len(norm) - len(c) >= 2}


def _snap(span: Span, index: WordIndex) -> Span | None:
    snapped = index.snap(span.start, span.end)
    return None if snapped is None else Span(snapped[0], snapped[1], span.label)


def _ci(boot, metric: str, label: str | None = None) -> str:
    found = boot.get(f"micro_{metric}" if label is None else metric, label)
    low, high = found.low, found.high
    if found.estimate is None:
        return "-"
    interval = "" if low is None else f" [{low:.3f}, {high:.3f}]"
    return f"{found.estimate:.3f}{interval}"


def rule_table(names: list[str], tally: RuleTally, below_bar: Mapping[str, str], rules: Mapping) -> list[str]:
    """Markdown rows: each rule's firings and precision per corpus, then per family."""
    head = "| rule | on | " + " | ".join(f"{n}: fired / right / precision" for n in names) + " |"
    rows = [head, "|---|---|" + "---|" * len(names)]

    def cells(keys: list[str]) -> str:
        out = []
        for n in names:
            fired = sum(tally.fired[(n, k)] for k in keys)
            right = sum(tally.right[(n, k)] for k in keys)
            out.append(f"{fired} / {right} / {right / fired:.2f}" if fired else "0 / 0 / -")
        return " | ".join(out)

    for rule in rules:
        rows.append(f"| `{rule}` | {'no' if rule in below_bar else 'yes'} | {cells([rule])} |")
    for family in dict.fromkeys(r.split(".")[0] for r in rules):
        rows.append(f"| **{family}.\\*** | | {cells([r for r in rules if r.startswith(family + '.')])} |")
    return rows


def main() -> None:
    """Print the scores; optionally write the per-rule table into the rules doc."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, help="directory of anercorp_train.conll and aqmar_dev.conll")
    parser.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--write-doc", type=Path, help="write the per-rule table into this markdown file's section")
    parser.add_argument(
        "--holdout",
        type=float,
        help="derive the count-based lists from this fraction of ANERcorp train (e.g. 0.6), score on the rest",
    )
    args = parser.parse_args()
    held_out = None
    with tempfile.TemporaryDirectory() as tmp:
        if args.holdout is not None:
            if args.data is None or args.write_doc is not None:
                parser.error("--holdout needs --data and does not write the doc")
            held_out = hold_out(args.data, args.holdout, Path(tmp) / "data")
        report(args, held_out)


def report(args: argparse.Namespace, held_out: str | None) -> None:
    """Score every corpus, print the figures and the per-rule table."""
    from arabench.models.rules import catalog
    from arabench.models.rules.adapter import RuleModel

    model = RuleModel()
    below_bar = getattr(catalog, "BELOW_BAR", {})  # (absent in versions before the bar)
    every_rule = RuleModel(include=list(below_bar)) if below_bar else model
    tally, default_tally = RuleTally(), RuleTally()
    found = corpora(args.data, held_out)
    for corpus in found:
        result = evaluate(corpus, model, args.resamples)
        scores, boot = result["scores"], result["boot"]
        right, pers = tally_rules(corpus, model, default_tally)
        assert right == int(scores.micro.tp), (right, scores.micro.tp)  # the tally agrees with the scorer
        tally_rules(corpus, every_rule, tally)
        micro = scores.micro
        print(
            f"\n== {corpus.name} ({corpus.view} view; {len(corpus.texts)} documents, {result['tokens']} tokens, "
            f"predicted in {result['seconds']:.1f} s CPU)"
        )
        print(f"micro P {_ci(boot, 'precision')}  R {_ci(boot, 'recall')}  F1 {_ci(boot, 'f1')}")
        print(f"   tp {micro.tp:.0f}  fp {micro.fp:.0f}  fn {micro.fn:.0f}")
        for label in scores.types:
            c = scores.per_type[label]
            print(f"   {label:<9} support {c.support:>5.0f} predicted {c.predicted:>5.0f}  F1 {_ci(boot, 'f1', label)}")
        per_100k = sum(pers.values()) * 100_000 / max(result["tokens"], 1)
        print(
            f"   function or common words tagged as a person (wrongly): {sum(pers.values())} "
            f"({per_100k:.1f} per 100k tokens)"
        )
        if pers:
            print("     " + ", ".join(f"{w} {n}" for w, n in pers.most_common(10)))
    rows = rule_table([c.name for c in found], tally, below_bar, catalog.RULES)
    print("\nper rule, every rule on (spans in the corpus's view, outermost, word boundaries):")
    print("\n".join(rows))
    if args.write_doc:
        doc = args.write_doc.read_text(encoding="utf-8")
        doc = _replace_section(doc, DOC_START, DOC_END, rows)
        doc = _replace_section(doc, LISTS_START, LISTS_END, list_table())
        args.write_doc.write_text(doc, encoding="utf-8")
        print(f"\nwrote the per-rule table and the list table into {args.write_doc}")


def _replace_section(doc: str, start: str, end: str, rows: list[str]) -> str:
    before, found, rest = doc.partition(start)
    if not found:
        raise SystemExit(f"the doc has no {start} ... {end} section")
    _, _, after = rest.partition(end)
    return f"{before}{start}\n" + "\n".join(rows) + f"\n{end}{after}"


def list_table() -> list[str]:
    """Markdown rows: every word list with its file, size and provenance."""
    rows = ["| list | file | words | provenance |", "|---|---|---:|---|"]
    for entry in read_word_lists(ROOT / "models" / "rules" / "data").values():
        rows.append(f"| `{entry.name}` | {entry.file} | {len(entry.words)} | {entry.provenance} |")
    return rows


if __name__ == "__main__":
    main()
