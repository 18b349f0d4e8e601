"""How much does the LLM adapter's alignment rule lose, and what does it cost? Measured on the gold.

A *perfect* LLM is simulated: for each window of the gold text it answers the
gold mentions inside that window as strings with their types (no offsets), in
three styles:

* ``strings``: each distinct (string, type) once, no ``occurrence`` (the
  adapter labels every occurrence of the string in the window);
* ``occurrence``: every mention with its 1-based ``occurrence`` index;
* ``with proclitics``: like ``strings`` but each string taken with the whole
  word's proclitics (``وبالقاهرة``), which the adapter must strip.

In every style the relations are *entity pairs*: each gold ``(type, entity,
entity)`` (:meth:`arabench.annotations.spans.Document.entity_relations`) whose two
entities both have a mention in the window, each entity named by the string of
its first mention in that window, never by an occurrence.

The answers are aligned with :func:`arabench.models.llm.alignment.align_entities` and the relations
with :func:`arabench.models.llm.alignment.align_relations`, then scored against the gold with
:mod:`eval` (strict, char and word boundaries, nested layer); relations at the
entity level (the headline) and, for contrast, at the mention level, where the
occurrence the adapter links matters. F1 below 1 is the ceiling the alignment
rule puts on any LLM. It also times the whole adapter
over HTTP against a loopback server (first run and cached re-run).

    python tests/benchmarks/bench_llm_alignment.py [--corpus annotations/gold] [--max-window-chars 1500]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from arabench.annotations.spans import Document
from arabench.annotations.tokenize import WordIndex
from arabench.benchmark.corpus_io import load_corpus
from arabench.eval.relations import score_relations
from arabench.eval.spans import score_spans
from arabench.models.llm.adapters import OpenAIChatModel
from arabench.models.llm.alignment import align_entities, align_relations, find_mentions
from arabench.models.llm.parsing import AnswerEntity, AnswerRelation
from arabench.models.llm.windows import split_windows


def perfect_answer(doc: Document, start: int, end: int, style: str) -> dict[str, list[dict[str, object]]]:
    """The gold of one window as an LLM answer (strings and types, ids, relations by id)."""
    text = doc.text
    index = WordIndex.of(text)
    inside = [(k, s) for k, s in doc.entities.items() if start <= s.start and s.end <= end]
    entities: list[dict[str, object]] = []
    ids: dict[str, str] = {}
    seen: dict[tuple[str, str], str] = {}
    for key, span in sorted(inside, key=lambda kv: kv[1]):
        mention = text[span.start : span.end]
        if style == "with proclitics":
            snapped = index.snap(span.start, span.end)
            assert snapped is not None
            mention = text[snapped[0] : span.end]
        if style == "occurrence":
            n = find_mentions(text, mention, window=(start, end)).index((span.start, span.end)) + 1
            ident = f"e{len(entities) + 1}"
            entities.append({"id": ident, "text": mention, "type": span.label, "occurrence": n})
            ids[key] = ident
            continue
        pair = (mention, span.label)
        if pair not in seen:
            seen[pair] = f"e{len(entities) + 1}"
            entities.append({"id": seen[pair], "text": mention, "type": span.label})
        ids[key] = seen[pair]
    # Relations as entity pairs: every gold (type, entity, entity) whose two entities both have a mention in
    # the window, each entity named by its first mention in the window (its string; any of them would do).
    groups = doc.entity_groups()
    named: dict[int, str] = {}
    for n, group in enumerate(groups):
        present = sorted((doc.entities[k], k) for k in group if k in ids)
        if present:
            named[n] = ids[present[0][1]]
    relations = [
        {"type": kind, "arg1": named[e1], "arg2": named[e2]}
        for kind, e1, e2 in doc.entity_relations()
        if e1 in named and e2 in named
    ]
    return {"entities": entities, "relations": relations}


def simulate(corpus, style: str, max_chars: int) -> tuple[dict[str, float], Counter[str], float]:
    preds, rels = [], []
    counts: Counter[str] = Counter()
    elapsed = 0.0
    for doc in corpus.documents:
        spans, relations = set(), set()
        for start, end in split_windows(doc.text, max_chars=max_chars):
            data = perfect_answer(doc, start, end, style)
            entities = [AnswerEntity(e["id"], e["text"], e["type"], e.get("occurrence")) for e in data["entities"]]
            answer_rels = [AnswerRelation(r["type"], r["arg1"], r["arg2"]) for r in data["relations"]]
            t0 = time.perf_counter()
            aligned = align_entities(doc.text, entities, window=(start, end))
            got, rel_counts = align_relations(answer_rels, entities, aligned)
            elapsed += time.perf_counter() - t0
            counts.update(aligned.counts)
            counts.update(rel_counts)
            spans.update(aligned.spans)
            relations.update(got)
        preds.append(sorted(spans))
        rels.append(sorted(relations))
    gold = [d.spans for d in corpus.documents]
    gold_rels = [list(d.relations.values()) for d in corpus.documents]
    clusters = [d.span_clusters() for d in corpus.documents]
    out = {}
    for boundary in ("char", "word"):
        s = score_spans(gold, preds, mode="strict", boundary=boundary, layer="nested", texts=corpus.texts)
        out[f"entities F1 ({boundary})"] = s.micro.f1
        for level in ("entity", "mention"):
            r = score_relations(
                gold_rels,
                rels,
                mode="strict",
                boundary=boundary,
                texts=corpus.texts,
                level=level,
                gold_clusters=clusters,
            )
            out[f"relations F1 {level} level ({boundary})"] = r.micro.f1
    return out, counts, elapsed


def serve(answers: dict[str, str]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            user = body["messages"][-1]["content"]
            content = next((a for w, a in answers.items() if w in user), '{"entities": []}')
            data = json.dumps({"choices": [{"message": {"content": content}, "finish_reason": "stop"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=None)
    parser.add_argument("--max-window-chars", type=int, default=1500)
    args = parser.parse_args()
    corpus = load_corpus(args.corpus)
    n_mentions = sum(len(d.entities) for d in corpus.documents)
    n_windows = sum(len(split_windows(d.text, max_chars=args.max_window_chars)) for d in corpus.documents)
    print(f"corpus: {len(corpus.documents)} document(s), {n_mentions} mentions, {n_windows} windows")
    for style in ("strings", "occurrence", "with proclitics"):
        scores, counts, elapsed = simulate(corpus, style, args.max_window_chars)
        figures = ", ".join(f"{k} {v:.4f}" for k, v in scores.items())
        print(f"perfect LLM, {style}: {figures}; align {elapsed * 1000:.1f} ms; counts {dict(counts)}")

    answers = {}
    for doc in corpus.documents:
        for start, end in split_windows(doc.text, max_chars=args.max_window_chars):
            answers[doc.text[start:end]] = json.dumps(perfect_answer(doc, start, end, "strings"), ensure_ascii=False)
    server = serve(answers)
    host, port = server.server_address[:2]
    with tempfile.TemporaryDirectory() as cache:
        options = {
            "base_url": f"http://{host}:{port}/v1",
            "cache_dir": cache,
            "max_window_chars": args.max_window_chars,
        }
        timings = []
        for _ in range(2):
            model = OpenAIChatModel.from_spec("perfect", **options)
            t0 = time.perf_counter()
            model.predict(list(corpus.texts))
            timings.append(time.perf_counter() - t0)
        print(
            f"adapter over loopback HTTP: first run {timings[0] * 1000:.1f} ms, "
            f"cached re-run {timings[1] * 1000:.1f} ms "
            f"(ratio {timings[0] / timings[1]:.1f}x; {model.stats['cache_hits']} cache hits, 0 requests)"
        )
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
