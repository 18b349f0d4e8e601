"""The LLM adapter: prompts, windows, answer parsing, alignment, relations, and ``llm:`` end to end.

The end-to-end tests start a chat-completions server on 127.0.0.1 (port 0) in a
thread; it answers from a table keyed by the window text (good JSON, fenced
JSON, malformed JSON, unknown types, absent strings, 429 then success, 500 then
success, a timeout). No other address is contacted.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arabench.annotations.brat import write_brat
from arabench.annotations.errors import ModelError
from arabench.annotations.schema import default_schema
from arabench.annotations.spans import Document, Relation, Span
from arabench.annotations.tokenize import WordIndex, normalize_with_map
from arabench.models.llm.adapters import OpenAIChatModel
from arabench.models.llm.alignment import align_entities, align_relations
from arabench.models.llm.parsing import KEY_ALIASES, AnswerEntity, AnswerRelation, parse_answer
from arabench.models.llm.prompts import available_prompts, load_prompt
from arabench.models.llm.windows import split_windows

TYPES = tuple(default_schema().entity_types)
FATHA, SHADDA, TATWEEL = "\u064e", "\u0651", "\u0640"


def problems(diagnostics: Any) -> dict[str, Any]:
    """The diagnostics without the token counts (which every answered window reports)."""
    from arabench.models.llm.accounting import TOKEN_KEYS

    return {k: v for k, v in dict(diagnostics).items() if k not in TOKEN_KEYS}


# ----------------------------------------------------------------------------- the canned server


class CannedServer:
    """A chat-completions server on 127.0.0.1 answering from ``script``: window text -> list of steps.

    A step is ``("ok", content)``, ``("status", code, body, headers)`` or
    ``("sleep", seconds)``; the last step repeats. Every request is recorded.
    """

    def __init__(self, script: dict[str, list[tuple]], default: str = '{"entities": [], "relations": []}') -> None:
        self.script = script
        self.default = default
        self.calls: Counter[str] = Counter()
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(body)
                outer.headers.append(dict(self.headers))
                if self.path != "/v1/chat/completions":
                    return self._send(404, {"error": "not found"})
                user = body["messages"][-1]["content"]
                key = next((k for k in outer.script if k in user), None)
                if key is None:
                    return self._ok(outer.default)
                steps = outer.script[key]
                step = steps[min(outer.calls[key], len(steps) - 1)]
                outer.calls[key] += 1
                if step[0] == "ok":
                    return self._ok(step[1])
                if step[0] == "sleep":
                    time.sleep(step[1])
                    return self._ok(outer.default)
                _, code, payload, headers = step
                return self._send(code, payload, headers)

            def _ok(self, content: str) -> None:
                self._send(
                    200, {"choices": [{"message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}
                )

            def _send(self, code: int, payload: object, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                try:
                    self.send_response(code)
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> CannedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def answer(entities: list[tuple[str, str, str]], relations: list[tuple[str, str, str]] = ()) -> str:
    return json.dumps(
        {
            "entities": [{"id": i, "text": t, "type": k} for i, t, k in entities],
            "relations": [{"type": k, "arg1": a, "arg2": b} for k, a, b in relations],
        },
        ensure_ascii=False,
    )


def find(text: str, needle: str, label: str, nth: int = 1) -> Span:
    start = -1
    for _ in range(nth):
        start = text.index(needle, start + 1)
    return Span(start, start + len(needle), label)


# ----------------------------------------------------------------------------- prompts


def test_prompts_are_versioned_data_with_every_type_in_both_languages() -> None:
    schema = default_schema()
    assert {"ner-zero-shot", "ner-few-shot"} <= set(available_prompts())
    for name in ("ner-zero-shot", "ner-few-shot", "ner-zero-shot@v1"):
        template = load_prompt(name)
        assert template.version == 1
        system = template.render_system(schema, schema.entity_types)
        for t, et in schema.entity_types.items():
            line = next(x for x in system.splitlines() if x.startswith(f"- {t}: "))
            assert et.definition in line
            arabic = template.definitions_ar["entity_types"][t]
            assert arabic and arabic in line
        for r, rt in schema.relation_types.items():
            line = next(x for x in system.splitlines() if x.startswith(f"- {r} ("))
            assert rt.definition in line and template.definitions_ar["relation_types"][r] in line
            assert "/".join(sorted(rt.arg1)) in line
        messages = template.messages("نص تجريبي", system=system)
        assert messages[0]["role"] == "system" and "نص تجريبي" in messages[-1]["content"]


def test_prompt_subset_of_labels_lists_only_those_types_and_their_relations() -> None:
    system = load_prompt().render_system(default_schema(), {"PERS", "OCC"})
    assert "- PERS: " in system and "- OCC: " in system and "- ORG: " not in system
    assert "- HAS_ROLE (PERS -> OCC)" in system and "LOCATED_IN" not in system


@pytest.mark.parametrize("spec", ["no-such-prompt", "ner-zero-shot@v9", "ner-zero-shot@latest"])
def test_unknown_prompt_is_a_clear_error(spec: str) -> None:
    with pytest.raises(ModelError, match="prompt"):
        load_prompt(spec)


def test_few_shot_examples_align_and_respect_the_schema() -> None:
    """The worked examples must themselves obey the alignment rule and the schema."""
    schema = default_schema()
    template = load_prompt("ner-few-shot")
    assert template.examples
    gold = Path(__file__).resolve().parents[1] / "annotations" / "gold" / "000_c51be66d53f8d476.txt"
    gold_text = gold.read_text(encoding="utf-8")
    for text, data in template.examples:
        assert text not in gold_text
        parsed = parse_answer(json.dumps(data, ensure_ascii=False), entity_types=TYPES)
        assert parsed.ok and not parsed.counts
        aligned = align_entities(text, parsed.entities)
        assert all(aligned.by_entity), aligned.unaligned
        assert not aligned.counts.get("unalignable")
        relations, counts = align_relations(parsed.relations, parsed.entities, aligned)
        assert len(relations) == len(parsed.relations) and not counts
        for rel in relations:
            assert schema.relation_types[rel.label].allows(rel.arg1.label, rel.arg2.label)


def test_custom_prompt_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nversion: 3\nsystem: 'Types: {{types}}'\nuser: 'T: {{text}}'\n", encoding="utf-8")
    template = load_prompt(path)
    assert (template.name, template.version) == ("mine", 3)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nversion: 1\nsystem: 'x {{nope}}'\nuser: '{{text}}'\n", encoding="utf-8")
    with pytest.raises(ModelError, match="nope"):
        load_prompt(bad).render_system(default_schema(), TYPES)


# ----------------------------------------------------------------------------- windows


def test_windows_pack_paragraphs_and_split_long_ones() -> None:
    text = "قال الوزير كلاماً.\nوصل الوفد.\n\n" + "جملة قصيرة هنا. " * 12 + "\n" + "ك" * 80
    windows = split_windows(text, max_chars=60)
    assert windows[0][0] == 0 and windows[0][1] > text.index("\n\n")  # short paragraphs packed together
    for s, e in windows:
        assert not text[s].isspace() and not text[e - 1].isspace()
        assert e - s <= 60 or " " not in text[s:e]
    assert windows[-1] == (len(text) - 80, len(text))  # one word longer than the limit: its own window


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(["مصر", "الأردن", "قال", ".", "؟", "\n", " ", "  ", "ووزير", "ب" * 30, "،"]), max_size=80),
    st.integers(min_value=5, max_value=120),
)
def test_windows_cover_every_character_once_and_never_truncate(parts: list[str], limit: int) -> None:
    text = "".join(parts)
    windows = split_windows(text, max_chars=limit)
    covered = [0] * len(text)
    previous_end = 0
    for s, e in windows:
        assert previous_end <= s < e <= len(text)
        previous_end = e
        for i in range(s, e):
            covered[i] += 1
        assert e - s <= limit or not any(c.isspace() for c in text[s:e])
    for i, ch in enumerate(text):
        if not ch.isspace():
            assert covered[i] == 1


# ----------------------------------------------------------------------------- parsing

GOOD = {"entities": [{"id": "e1", "text": "مصر", "type": "GPE"}], "relations": []}
GOOD_JSON = json.dumps(GOOD, ensure_ascii=False)


@pytest.mark.parametrize(
    ("content", "n_entities", "expected"),
    [
        (GOOD_JSON, 1, {}),
        (f"```json\n{GOOD_JSON}\n```", 1, {"tolerated_format:fenced": 1}),
        (f"Here is the answer:\n{GOOD_JSON}\nHope it helps.", 1, {"tolerated_format:prose": 1}),
        ('{"entities": [{"text": "مصر", "type": "GPE",},],}', 1, {"repaired_json": 1}),
        ("{'entities': [{'text': 'مصر', 'type': 'GPE'}]}", 1, {"repaired_json": 1}),
        ('{"entities": [{"entity": "مصر", "label": "GPE"}]}', 1, {"tolerated_key:entity": 1, "tolerated_key:label": 1}),
        ('{"named_entities": [{"text": "مصر", "type": "GPE"}]}', 1, {"tolerated_key:named_entities": 1}),
        ('[{"text": "مصر", "type": "GPE"}]', 1, {"tolerated_format:list": 1}),
        ('{"GPE": ["مصر", "الأردن"], "PERS": []}', 2, {"tolerated_format:grouped": 1}),
        ('{"entities": [["مصر", "GPE"]]}', 1, {"tolerated_format:pair": 1}),
        ('{"entities": [{"text": "مصر"}, {"type": "GPE"}, 5]}', 0, {"malformed_entities": 3}),
        ('{"entities": []}', 0, {}),
        ("{}", 0, {}),
    ],
)
def test_parse_answer_tolerance_table(content: str, n_entities: int, expected: dict[str, int]) -> None:
    parsed = parse_answer(content, entity_types=TYPES)
    assert parsed.ok
    assert len(parsed.entities) == n_entities
    assert dict(parsed.counts) == expected


@pytest.mark.parametrize(
    ("content", "key"),
    [
        ("", "empty_answers"),
        ("   \n", "empty_answers"),
        (None, "empty_answers"),
        ("I cannot find any entities.", "parse_failures"),
        ('{"entities": [{"text": "مصر", "type": "GPE"}', "parse_failures"),
        ('{"answer": "none"}', "parse_failures"),
        ('{"entities": "مصر"}', "parse_failures"),
    ],
)
def test_parse_answer_failures_are_counted(content: str | None, key: str) -> None:
    parsed = parse_answer(content, entity_types=TYPES)
    assert not parsed.ok and not parsed.entities
    assert parsed.counts[key] == 1


def test_parse_answer_relations_and_occurrence() -> None:
    content = json.dumps(
        {
            "entities": [{"id": "e1", "text": "سامي", "type": "PERS", "occurrence": "2"}],
            "relations": [{"relation": "HAS_ROLE", "head": "e1", "tail": "e2"}, {"type": "X"}],
        }
    )
    parsed = parse_answer(content, entity_types=TYPES)
    assert parsed.entities[0].occurrence == 2
    assert parsed.relations == [AnswerRelation("HAS_ROLE", "e1", "e2")]
    assert parsed.counts["malformed_relations"] == 1
    assert parsed.counts["tolerated_key:head"] == 1


def test_key_aliases_start_with_the_canonical_key() -> None:
    assert KEY_ALIASES["text"][0] == "text" and KEY_ALIASES["type"][0] == "type"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_parse_answer_never_crashes(content: str) -> None:
    parsed = parse_answer(content, entity_types=TYPES)
    assert parsed.ok or sum(parsed.counts.values()) >= 1


# ----------------------------------------------------------------------------- alignment


def spans_of(text: str, entities: list[AnswerEntity], **kwargs: Any) -> list[tuple[str, str]]:
    aligned = align_entities(text, entities, **kwargs)
    return [(text[s.start : s.end], s.label) for s in sorted(aligned.spans)]


def test_every_occurrence_is_labelled_unless_an_occurrence_is_given() -> None:
    text = "زار الوفد عمّان ثم غادر عمّان إلى عمّان."
    assert spans_of(text, [AnswerEntity("e1", "عمّان", "GPE")]) == [("عمّان", "GPE")] * 3
    aligned = align_entities(text, [AnswerEntity("e1", "عمّان", "GPE", occurrence=2)])
    assert [s.start for s in aligned.spans] == [text.index("عمّان", 11)]
    aligned = align_entities(text, [AnswerEntity("e1", "عمّان", "GPE", occurrence=7)])
    assert len(aligned.spans) == 3 and aligned.counts["occurrence_out_of_range"] == 1


@pytest.mark.parametrize(
    ("text", "mention", "covered"),
    [
        ("عقد الاجتماع وبالقاهرة أمس.", "القاهرة", "القاهرة"),  # proclitics outside the span
        ("عقد الاجتماع وبالقاهرة أمس.", "وبالقاهرة", "القاهرة"),  # the LLM kept them: stripped
        ("قدمت تونس تقريرا للجامعة العربية.", "الجامعة العربية", "لجامعة العربية"),  # the لل spelling
        ("قدمت تونس تقريرا للجامعة العربية.", "للجامعة العربية", "لجامعة العربية"),
        ("زار الوزير بيروت ولبنان.", "بيروت", "بيروت"),  # a name-initial letter is not a proclitic
        ("زار الوزير بيروت ولبنان.", "لبنان", "لبنان"),
        ("قالت «منظمة الصحة العالمية» ذلك.", "«منظمة الصحة العالمية»", "منظمة الصحة العالمية"),
        ("وصل إلى القاهرة" + FATHA + " أمس.", "القاهرة", "القاهرة" + FATHA),  # trailing mark absorbed
    ],
)
def test_alignment_follows_the_proclitic_rule(text: str, mention: str, covered: str) -> None:
    assert spans_of(text, [AnswerEntity("e1", mention, "GPE")]) == [(covered, "GPE")]


def test_a_string_inside_a_longer_word_is_not_a_mention() -> None:
    text = "قالت الرئاسة المصرية إن مصر مستعدة."
    assert spans_of(text, [AnswerEntity("e1", "مصر", "GPE")]) == [("مصر", "GPE")]
    aligned = align_entities("قالت الرئاسة المصرية ذلك.", [AnswerEntity("e1", "مصر", "GPE")])
    assert not aligned.spans and aligned.counts["unalignable"] == 1 and aligned.unaligned == ["مصر"]


@pytest.mark.parametrize(
    ("raw", "mention"),
    [
        ("وزار أحمد القاهرة", "احمد"),  # alef forms
        ("وزار أحمد القاهرة", "أحـــمد"),  # tatweel in the answer
        ("وزار أ" + FATHA + "ح" + SHADDA + "مد القاهرة", "أحمد"),  # diacritics in the text
        ("وزار أح" + TATWEEL + "مد القاهرة", "أحمد"),  # tatweel in the text
        ("وزار أحمد\n  سعيد القاهرة", "أحمد سعيد"),  # white space
    ],
)
def test_normalized_match_maps_back_to_raw_offsets(raw: str, mention: str) -> None:
    aligned = align_entities(raw, [AnswerEntity("e1", mention, "PERS")])
    assert len(aligned.spans) == 1, aligned.counts
    span = aligned.spans[0]
    assert raw[span.start] == "أ" and raw[span.end - 1] == "د"
    assert aligned.counts["normalized_matches"] == 1


def test_types_unknown_dropped_and_mapped() -> None:
    text = "التقى سامي بخالد في دمشق."
    entities = [
        AnswerEntity("e1", "سامي", "PERSON"),
        AnswerEntity("e2", "خالد", "pers"),
        AnswerEntity("e3", "دمشق", "GPE"),
        AnswerEntity("e4", "دمشق", "CITY"),
    ]
    aligned = align_entities(text, entities, labels={"PERS"})
    assert [text[s.start : s.end] for s in aligned.spans] == ["خالد"]
    assert aligned.counts == Counter({"unknown_type:PERSON": 1, "unknown_type:CITY": 1, "dropped_label:GPE": 1})
    aligned = align_entities(text, entities, label_map={"PERSON": "PERS", "CITY": None})
    assert sorted((text[s.start : s.end], s.label) for s in aligned.spans) == [
        ("خالد", "PERS"),
        ("دمشق", "GPE"),
        ("سامي", "PERS"),
    ]
    assert aligned.counts == Counter({"dropped_label:CITY": 1})


def test_alignment_inside_a_window_gives_offsets_of_the_whole_text() -> None:
    text = "مصر هنا.\nوفي الفقرة الثانية ذكرت مصر."
    start = text.index("\n") + 1
    aligned = align_entities(text, [AnswerEntity("e1", "مصر", "GPE")], window=(start, len(text)))
    assert [s.start for s in aligned.spans] == [text.rindex("مصر")]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="اأإآبتثمصرلوفك" + FATHA + SHADDA + TATWEEL + " \n.،", max_size=60))
def test_normalize_offset_map_points_at_the_raw_characters(text: str) -> None:
    normalized, offsets = normalize_with_map(text)
    assert len(normalized) == len(offsets)
    assert offsets == sorted(set(offsets))
    for ch, i in zip(normalized, offsets, strict=True):
        raw = text[i]
        assert ch == raw or (ch == " " and raw.isspace()) or (ch == "ا" and raw in "أإآ")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["مصر", "المصرية", "ومصر", "بمصر", "قال", "،", ".", "القاهرة", "مصرف"]), max_size=25),
    st.sampled_from(["مصر", "القاهرة", "قال"]),
)
def test_aligned_spans_are_whole_words_minus_proclitics(parts: list[str], mention: str) -> None:
    text = " ".join(parts)
    aligned = align_entities(text, [AnswerEntity("e1", mention, "GPE")])
    index = WordIndex.of(text)
    expected = sum(1 for p in parts if p in (mention, "و" + mention, "ب" + mention))
    assert len(aligned.spans) == expected
    assert aligned.counts["unalignable"] == (0 if expected else 1)
    for span in aligned.spans:
        assert text[span.start : span.end] == mention
        snapped = index.snap(span.start, span.end)
        assert snapped is not None and snapped[1] == span.end


# ----------------------------------------------------------------------------- relations


def test_relations_join_each_arguments_first_occurrence() -> None:
    text = "الوزير سامي. ثم قال الوزير إن سامي سيسافر."
    entities = [AnswerEntity("e1", "سامي", "PERS"), AnswerEntity("e2", "الوزير", "OCC")]
    aligned = align_entities(text, entities)
    relations, counts = align_relations([AnswerRelation("HAS_ROLE", "e1", "e2")], entities, aligned)
    assert not counts
    (rel,) = relations
    assert (rel.arg1, rel.arg2) == (find(text, "سامي", "PERS"), find(text, "الوزير", "OCC"))


def test_a_relation_is_never_dropped_for_its_arguments_being_far_apart() -> None:
    text = "عين سامي مديرا. " + "ثم قال كلاما كثيرا. " * 400 + "وتقع شركة النور في عمّان."
    entities = [AnswerEntity("e1", "سامي", "PERS"), AnswerEntity("e2", "شركة النور", "ORG")]
    aligned = align_entities(text, entities)
    relations, counts = align_relations([AnswerRelation("EMPLOYED_BY", "e1", "e2")], entities, aligned)
    assert not counts
    assert relations == [Relation("EMPLOYED_BY", find(text, "سامي", "PERS"), find(text, "شركة النور", "ORG"))]


_TWICE = "قال سامي إن الشركة تنمو، وسامي يعمل في شركة النور."


@pytest.mark.parametrize("gold_nth", [1, 2])
@pytest.mark.parametrize("occurrence", [None, 1, 2])
def test_a_repeated_string_scores_right_at_the_entity_level_whichever_occurrence_aligned(
    gold_nth: int, occurrence: int | None
) -> None:
    from arabench.eval.relations import score_relations

    t = _TWICE
    first, second = find(t, "سامي", "PERS"), find(t, "سامي", "PERS", nth=2)
    company = find(t, "شركة النور", "ORG")
    gold_arg = first if gold_nth == 1 else second
    entities = [AnswerEntity("e1", "سامي", "PERS", occurrence), AnswerEntity("e2", "شركة النور", "ORG")]
    aligned = align_entities(t, entities)
    relations, counts = align_relations([AnswerRelation("EMPLOYED_BY", "e1", "e2")], entities, aligned)
    assert not counts
    (rel,) = relations
    assert rel.arg1 == (second if occurrence == 2 else first)
    gold = [Relation("EMPLOYED_BY", gold_arg, company)]
    clusters = [[first, second], [company]]
    scores = {
        level: score_relations([gold], [relations], level=level, gold_clusters=[clusters], texts=[t]).micro
        for level in ("entity", "mention")
    }
    assert (scores["entity"].tp, scores["entity"].fp, scores["entity"].fn) == (1, 0, 0)
    # At the mention level the occurrence matters: only the gold's own occurrence is right.
    assert scores["mention"].tp == (1 if rel.arg1 == gold_arg else 0)


def test_a_perfect_entity_pair_answer_scores_relation_f1_1_at_the_entity_level_on_the_gold(tmp_path: Path) -> None:
    from arabench.benchmark.corpus_io import load_corpus
    from arabench.eval.relations import score_relations

    corpus = load_corpus(None)
    max_chars = 1500
    script: dict[str, list[tuple]] = {}
    for doc in corpus.documents:
        groups = doc.entity_groups()
        for start, end in split_windows(doc.text, max_chars=max_chars):
            mentions = sorted((s, k) for k, s in doc.entities.items() if start <= s.start and s.end <= end)
            ident = {(doc.text[s.start : s.end], s.label): f"e{n}" for n, (s, _) in enumerate(mentions)}
            answer_id = {k: ident[doc.text[s.start : s.end], s.label] for s, k in mentions}
            # Each entity named by the string of its *last* mention in the window: not the representative's.
            name = {
                n: answer_id[max(members, key=lambda k: doc.entities[k])]
                for n, group in enumerate(groups)
                if (members := [k for k in group if k in answer_id])
            }
            rels = [(kind, name[a], name[b]) for kind, a, b in doc.entity_relations() if a in name and b in name]
            content = answer([(i, text, label) for (text, label), i in ident.items()], rels)
            script[doc.text[start:end]] = [("ok", content)]
    with CannedServer(script) as server:
        model = OpenAIChatModel.from_spec(
            "perfect", base_url=server.url, cache_dir=str(tmp_path / "cache"), max_window_chars=max_chars
        )
        predictions = model.predict(list(corpus.texts))
    assert not any(p.diagnostics.get("unalignable_relations") for p in predictions)
    gold = [list(d.relations.values()) for d in corpus.documents]
    clusters = [d.span_clusters() for d in corpus.documents]
    n_entity_relations = sum(len(d.entity_relations()) for d in corpus.documents)
    for boundary in ("char", "word"):
        scores = score_relations(
            gold,
            [list(p.relations) for p in predictions],
            boundary=boundary,
            texts=corpus.texts,
            level="entity",
            gold_clusters=clusters,
        ).micro
        assert (scores.tp, scores.fp, scores.fn) == (n_entity_relations, 0, 0)
        assert scores.f1 == 1.0


def test_relation_problems_are_counted() -> None:
    text = "عين سامي مديرا لشركة النور في عمّان."
    entities = [
        AnswerEntity("e1", "سامي", "PERS"),
        AnswerEntity("e2", "شركة النور", "ORG"),
        AnswerEntity("e3", "باريس", "GPE"),
        AnswerEntity("e4", "عمّان", "GPE"),
    ]
    aligned = align_entities(text, entities)
    answer_relations = [
        AnswerRelation("EMPLOYED_BY", "e1", "e2"),  # fine
        AnswerRelation("EMPLOYED_BY", "سامي", "شركة النور"),  # by text: the same relation again
        AnswerRelation("LOCATED_IN", "e2", "e3"),  # e3 did not align
        AnswerRelation("LOCATED_IN", "e2", "e9"),  # no such entity
        AnswerRelation("WORKS_AT", "e1", "e2"),  # unknown type
        AnswerRelation("HEADS", "e4", "e1"),  # GPE heads PERS: arguments the schema does not allow
        AnswerRelation("located_in", "e2", "e4"),  # case tolerated
        AnswerRelation("MEMBER_OF", "e2", "e2"),  # one span with itself
    ]
    relations, counts = align_relations(answer_relations, entities, aligned)
    assert counts == Counter(
        {
            "duplicate_relations": 1,
            "unalignable_relations": 2,
            "unknown_relation_type": 1,
            "relation_arg_mismatch": 1,
            "self_relations": 1,
        }
    )
    assert [r.label for r in relations] == ["EMPLOYED_BY", "HEADS", "LOCATED_IN"]


# ----------------------------------------------------------------------------- the adapter over HTTP

PARAGRAPHS = {
    "good": "زار وزير الخارجية المغربي القاهرة أمس.",
    "fenced": "التقى سامي الخطيب مدير شركة النور في عمّان.",
    "throttled": "وصل الوفد إلى تونس صباح الخميس.",
    "flaky": "افتتحت جامعة دمشق مكتبة جديدة.",
    "malformed": "ارتفعت الأسعار في بغداد هذا الشهر.",
    "slow": "قال المتحدث إن الاجتماع انتهى.",
}
TEXT = "\n".join(PARAGRAPHS.values())


def script() -> dict[str, list[tuple]]:
    p = PARAGRAPHS
    good = answer(
        [("e1", "وزير الخارجية المغربي", "OCC"), ("e2", "المغربي", "NORP"), ("e3", "القاهرة", "GPE")],
    )
    fenced = (
        "```json\n"
        + answer(
            [
                ("e1", "سامي الخطيب", "PERS"),
                ("e2", "مدير شركة النور", "OCC"),
                ("e3", "شركة النور", "ORG"),
                ("e4", "عمّان", "GPE"),
            ],
            [
                ("HAS_ROLE", "e1", "e2"),
                ("EMPLOYED_BY", "e1", "e3"),
                ("LOCATED_IN", "e3", "e4"),
                ("LOCATED_IN", "e3", "e7"),
            ],
        )
        + "\n```"
    )
    throttled = answer(
        [("e1", "تونس", "GPE"), ("e2", "صباح الخميس", "DATE"), ("e3", "الوفد", "DELEGATION"), ("e4", "باريس", "GPE")]
    )
    flaky = answer([("e1", "جامعة دمشق", "ORG"), ("e2", "دمشق", "GPE")], [("PART_OF", "e2", "e1")])
    return {
        p["good"]: [("ok", good)],
        p["fenced"]: [("ok", fenced)],
        p["throttled"]: [("status", 429, {"error": "slow down"}, {"Retry-After": "0"}), ("ok", throttled)],
        p["flaky"]: [("status", 500, {"error": "boom"}, {}), ("ok", flaky)],
        p["malformed"]: [("ok", '{"entities": [{"text": "بغداد", "type": "GPE"')],
        p["slow"]: [("sleep", 1.2)],
    }


def expected_prediction() -> tuple[list[Span], list[Relation]]:
    t = TEXT
    spans = [
        find(t, "وزير الخارجية المغربي", "OCC"),
        find(t, "المغربي", "NORP"),
        find(t, "القاهرة", "GPE"),
        find(t, "سامي الخطيب", "PERS"),
        find(t, "مدير شركة النور", "OCC"),
        find(t, "شركة النور", "ORG"),
        find(t, "عمّان", "GPE"),
        find(t, "تونس", "GPE"),
        find(t, "صباح الخميس", "DATE"),
        find(t, "جامعة دمشق", "ORG"),
        find(t, "دمشق", "GPE"),
    ]
    relations = [
        Relation("HAS_ROLE", find(t, "سامي الخطيب", "PERS"), find(t, "مدير شركة النور", "OCC")),
        Relation("EMPLOYED_BY", find(t, "سامي الخطيب", "PERS"), find(t, "شركة النور", "ORG")),
        Relation("LOCATED_IN", find(t, "شركة النور", "ORG"), find(t, "عمّان", "GPE")),
        Relation("PART_OF", find(t, "دمشق", "GPE"), find(t, "جامعة دمشق", "ORG")),
    ]
    return spans, relations


def gold_document() -> Document:
    t = TEXT
    entities = {
        "T1": find(t, "وزير الخارجية المغربي", "OCC"),
        "T2": find(t, "المغربي", "NORP"),
        "T3": find(t, "القاهرة", "GPE"),
        "T4": find(t, "سامي الخطيب", "PERS"),
        "T5": find(t, "مدير شركة النور", "OCC"),
        "T6": find(t, "شركة النور", "ORG"),
        "T7": find(t, "عمّان", "GPE"),
        "T8": find(t, "تونس", "GPE"),
        "T9": find(t, "الخميس", "DATE"),  # the model says «صباح الخميس»: a boundary error
        "T10": find(t, "جامعة دمشق", "ORG"),
        "T11": find(t, "دمشق", "GPE", nth=1),
        "T12": find(t, "بغداد", "GPE"),  # in the window whose answer is malformed: missed
    }
    relations = {
        "R1": Relation("HAS_ROLE", entities["T4"], entities["T5"]),
        "R2": Relation("EMPLOYED_BY", entities["T4"], entities["T6"]),
        "R3": Relation("LOCATED_IN", entities["T6"], entities["T7"]),
    }
    return Document("doc1", t, entities, relations)


EXPECTED_DIAGNOSTICS = {
    "windows": 6,
    "failed_windows": 1,  # the timeout
    "timeouts": 2,  # the first attempt and one retry
    "retries": 3,  # after the 429, the 500 and the first timeout
    "http_errors": 2,  # the 429 and the 500
    "parse_failures": 1,
    "tolerated_format:fenced": 1,
    "unknown_type:DELEGATION": 1,
    "unalignable": 1,  # «باريس»
    "unalignable_relations": 1,  # e7 does not exist
    "relation_arg_mismatch": 1,  # PART_OF(GPE, ORG)
}


def model_options(server: CannedServer, tmp_path: Path) -> dict[str, Any]:
    return {
        "base_url": server.url,
        "timeout": 0.5,
        "max_retries": 1,
        "backoff": 0.01,
        "max_window_chars": 60,
        "cache_dir": str(tmp_path / "cache"),
    }


def test_end_to_end_scores_match_the_scorer_on_the_expected_spans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import arabench.benchmark.runner as run_module
    from arabench.eval.relations import score_relations
    from arabench.eval.spans import score_spans

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-NEVER-STORED-42")
    monkeypatch.delenv("ARABENCH_LLM_BASE_URL", raising=False)
    corpus_dir = tmp_path / "gold"
    write_brat(gold_document(), corpus_dir)
    name = "llm:canned-model"
    with CannedServer(script()) as server:
        results = run_module.run(
            [name],
            corpus=corpus_dir,
            out=tmp_path / "out",
            cache_dir=tmp_path / "cache",
            bootstrap=0,
            model_options={name: model_options(server, tmp_path)},
        )
    assert all(h.get("Authorization") == "Bearer sk-test-NEVER-STORED-42" for h in server.headers)
    assert all(r["temperature"] == 0 and r["seed"] == 0 and r["model"] == "canned-model" for r in server.requests)
    assert all(r["response_format"] == {"type": "json_object"} for r in server.requests)
    model = results.model(name)
    assert model.status == "partial", model.reason  # one window of the script fails: EXPECTED_DIAGNOSTICS
    assert problems(model.diagnostics) == EXPECTED_DIAGNOSTICS

    spans, relations = expected_prediction()
    prediction = results.predictions[name][0]
    assert sorted(prediction.spans) == sorted(spans)
    assert sorted(prediction.relations) == sorted(relations)

    from arabench.benchmark.corpus_io import load_corpus

    corpus = load_corpus(corpus_dir)
    gold = [list(d.spans) for d in corpus.documents]
    units = [list(u) for u in corpus.units]
    for mode in ("strict", "partial"):
        for boundary in ("char", "word"):
            direct = score_spans(
                gold, [spans], mode=mode, boundary=boundary, layer="flat", texts=corpus.texts, units=units
            )
            micro = model.setting("native", mode, boundary, "flat")["micro"]
            assert (micro["tp"], micro["fp"], micro["fn"]) == (direct.micro.tp, direct.micro.fp, direct.micro.fn)
            assert micro["f1"] == direct.micro.f1
    gold_relations = [list(d.relations.values()) for d in corpus.documents]
    tree = model.scores["native"]["relations"]
    assert tree is not None and set(tree) == {"strict", "boundaries"}
    for mode in ("strict", "boundaries"):
        for boundary in ("char", "word"):
            direct = score_relations(
                gold_relations, [relations], mode=mode, boundary=boundary, texts=corpus.texts, units=units
            )
            micro = tree[mode][boundary]["micro"]
            assert (micro["tp"], micro["fp"], micro["fn"]) == (direct.micro.tp, direct.micro.fp, direct.micro.fn)
    assert tree["strict"]["char"]["micro"]["tp"] == 3 and tree["strict"]["char"]["micro"]["fp"] == 1

    # Nothing written anywhere holds the key.
    for path in [*(tmp_path / "out").rglob("*"), *(tmp_path / "cache").rglob("*")]:
        if path.is_file():
            assert b"NEVER-STORED" not in path.read_bytes(), path

    summary = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    for report in (summary, html):
        assert "parse failures" in report and "unalignable" in report and "relations" in report.lower()


def test_answers_are_cached_so_a_rerun_sends_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    text = "\n".join([PARAGRAPHS["good"], PARAGRAPHS["fenced"], PARAGRAPHS["flaky"]])
    with CannedServer(script()) as server:
        options = model_options(server, tmp_path)
        first = OpenAIChatModel.from_spec("m", **options).predict([text])[0]
        n = len(server.requests)
        assert n == 4  # three windows, one retried
        again = OpenAIChatModel.from_spec("m", **options)
        second = again.predict([text])[0]
        assert len(server.requests) == n and again.stats["cache_hits"] == 3
        assert second.spans == first.spans and second.relations == first.relations
        other_prompt = OpenAIChatModel.from_spec("m", prompt="ner-few-shot", **options)
        other_prompt.predict([PARAGRAPHS["good"]])
        assert len(server.requests) == n + 1  # the template is part of the key
        assert "Authorization" not in server.headers[0]


def test_retry_after_is_honoured_and_retries_are_bounded(tmp_path: Path) -> None:
    text = "ذهب الطالب إلى المدرسة."
    steps = [("status", 429, {"error": "rate"}, {"Retry-After": "7"})] * 2 + [("status", 503, {}, {})] * 10
    with CannedServer({text: steps}) as server:
        model = OpenAIChatModel.from_spec("m", **{**model_options(server, tmp_path), "max_retries": 4, "backoff": 0.5})
        delays: list[float] = []
        skipped = [0.0]  # a clock that the recorded sleeps move forward, instantly

        async def sleep(seconds: float) -> None:
            delays.append(seconds)
            skipped[0] += seconds

        model._sleep = sleep
        model._clock = lambda: time.monotonic() + skipped[0]
        prediction, answered = model.predict([text, "عاد الطالب."])
    assert delays == [7.0, 7.0, 2.0, 4.0]  # Retry-After, then backoff * 2**attempt
    assert len(server.requests) == 6
    assert prediction.spans == ()
    assert problems(prediction.diagnostics) == {"windows": 1, "http_errors": 5, "retries": 4, "failed_windows": 1}
    assert problems(answered.diagnostics) == {"windows": 1}


def test_json_mode_falls_back_once_when_the_server_rejects_it(tmp_path: Path) -> None:
    texts = ["زار الوزير مصر.", "زار الوزير الأردن."]
    good = answer([("e1", "مصر", "GPE")])
    steps = [("status", 400, {"error": {"message": "Unknown parameter: response_format"}}, {}), ("ok", good)]
    with CannedServer({texts[0]: steps}) as server:
        model = OpenAIChatModel.from_spec("m", **model_options(server, tmp_path))
        first, second = model.predict(texts)
    assert first.diagnostics["json_mode_unsupported"] == 1 and first.diagnostics["http_errors"] == 1
    assert [s.label for s in first.spans] == ["GPE"]
    assert "response_format" in server.requests[0]
    assert all("response_format" not in r for r in server.requests[1:])
    assert "json_mode_unsupported" not in second.diagnostics


@pytest.mark.parametrize("status", [401, 403, 404])
def test_configuration_errors_stop_the_model(tmp_path: Path, status: int) -> None:
    text = "ذهب الطالب."
    with CannedServer({text: [("status", status, {"error": "no"}, {})]}) as server:
        model = OpenAIChatModel.from_spec("m", **model_options(server, tmp_path))
        with pytest.raises(ModelError, match=f"HTTP {status}"):
            model.predict([text])


def test_other_client_errors_and_bad_bodies_fail_only_the_window(tmp_path: Path) -> None:
    texts = ["ذهب الطالب.", "عاد الطالب.", "نام الطالب."]
    script_ = {texts[0]: [("status", 422, {"error": "bad"}, {})], texts[1]: [("status", 200, {"nothing": 1}, {})]}
    with CannedServer(script_) as server:
        model = OpenAIChatModel.from_spec("m", **model_options(server, tmp_path))
        a, b, _ = model.predict(texts)
    assert dict(a.diagnostics) == {"windows": 1, "http_errors": 1, "failed_windows": 1}
    assert problems(b.diagnostics) == {"windows": 1, "bad_responses": 1, "failed_windows": 1}
    assert model.samples["bad_responses"]


def test_connection_refused_is_counted(tmp_path: Path) -> None:
    with CannedServer({}) as server:
        url = server.url
    model = OpenAIChatModel.from_spec("m", base_url=url, max_retries=1, backoff=0.0, cache=False, timeout=0.5)
    with pytest.raises(
        ModelError, match=r"every window failed \(1 of 1: connection_errors 2\); last error: ConnectError"
    ):
        model.predict(["ذهب الطالب."])
    assert model.stats["failed_windows"] == 1 and model.samples["connection_errors"]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({}, "base_url"),
        ({"base_url": "ftp://x"}, "base_url"),
        ({"base_url": "http://127.0.0.1:9/v1", "api_key": "sk-x"}, "option"),
        ({"base_url": "http://127.0.0.1:9/v1", "api_key_env": "sk-abc def"}, "api_key_env"),
        ({"base_url": "http://127.0.0.1:9/v1", "labels": "PERS,PERSON"}, "labels"),
        ({"base_url": "http://127.0.0.1:9/v1", "label_map": "PERSON=HUMAN"}, "label_map.PERSON"),
        ({"base_url": "http://127.0.0.1:9/v1", "max_retries": -1}, "max_retries"),
        ({"base_url": "http://127.0.0.1:9/v1", "prompt": "nope"}, "prompt"),
    ],
)
def test_bad_options_are_clear_errors(options: dict[str, Any], field: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARABENCH_LLM_BASE_URL", raising=False)
    with pytest.raises(ModelError) as info:
        OpenAIChatModel.from_spec("m", **options)
    assert info.value.field == field
    assert "sk-" not in str(info.value)


def test_registry_builds_the_adapter_and_provenance_has_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from arabench.models.registry import create_model

    monkeypatch.setenv("ARABENCH_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-in-env")
    model = create_model("llm:some-model", labels="PERS,ORG")
    assert isinstance(model, OpenAIChatModel)
    assert model.view == "native" and model.labels == frozenset({"PERS", "ORG"})
    provenance = model.provenance()
    assert provenance["base_url"] == "http://127.0.0.1:9/v1"
    assert provenance["prompt"]["name"] == "ner-zero-shot" and provenance["prompt"]["version"] == 1
    assert "sk-secret" not in json.dumps(provenance)
    assert create_model("llm:some-model").provenance()["prompt"]["sha256"] != provenance["prompt"]["sha256"]


def test_cli_llm_base_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from arabench.benchmark.cli import main

    monkeypatch.setenv("ARABENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("ARABENCH_LLM_BASE_URL", raising=False)
    write_brat(gold_document(), tmp_path / "gold")
    reply = answer([("e1", "القاهرة", "GPE"), ("e2", "عمّان", "GPE")])
    with CannedServer({PARAGRAPHS["good"]: [("ok", reply)]}) as server:
        argv = ["run", "-m", "llm:cli-model", "--corpus", str(tmp_path / "gold"), "--out", str(tmp_path / "out")]
        status = main([*argv, "--llm-base-url", server.url, "--bootstrap", "0", "-q"])
    assert status == 0, capsys.readouterr().err
    data = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    (model,) = data["models"]
    assert model["provenance"]["base_url"] == server.url
    assert problems(model["diagnostics"]) == {"windows": 1}
    assert model["scores"]["native"]["spans"]["strict"]["char"]["flat"]["micro"]["tp"] == 2
    assert len(server.requests) == 1 and (tmp_path / "cache" / "llm").is_dir()


def test_an_occurrence_inside_a_longer_mention_of_the_same_type_is_not_labelled() -> None:
    text = "قال سامي الخطيب إن الخطيب سيعود. ثم تحدث الخطيب."
    entities = [AnswerEntity("e1", "سامي الخطيب", "PERS"), AnswerEntity("e2", "الخطيب", "PERS")]
    aligned = align_entities(text, entities)
    assert [text[s.start : s.end] for s in aligned.spans] == ["سامي الخطيب", "الخطيب", "الخطيب"]
    assert aligned.spans[1].start == text.index("الخطيب", 16)
    assert aligned.counts == Counter({"skipped_inner_occurrences": 1})
    # Another type inside is a nested mention; and an explicit occurrence is always honoured.
    nested = align_entities(text, [AnswerEntity("e1", "سامي الخطيب", "PERS"), AnswerEntity("e2", "الخطيب", "NORP")])
    assert len(nested.spans) == 4
    explicit = align_entities(text, [entities[0], AnswerEntity("e2", "الخطيب", "PERS", occurrence=1)])
    assert [s.start for s in explicit.spans] == [text.index("سامي"), text.index("الخطيب")]
    # The only occurrence is kept even when it is inside.
    alone = align_entities("قال سامي الخطيب ذلك.", entities)
    assert len(alone.spans) == 2 and not alone.counts


@pytest.mark.parametrize(
    ("text", "mention", "covered"),
    [
        ("أعلنت مصر الخطة، ورحبت الأردن ومصر بها.", "ومصر", "مصر"),  # «مصر» stands alone elsewhere
        ("وصل الوفد إلى واشنطن أمس.", "واشنطن", "واشنطن"),  # «اشنطن» never does: a name letter
        ("رحبت الأردن وكينيا بها.", "وكينيا", "وكينيا"),  # not attested: kept, as the answer wrote it
    ],
)
def test_a_proclitic_is_stripped_when_the_rest_stands_alone_in_the_text(text: str, mention: str, covered: str) -> None:
    aligned = align_entities(text, [AnswerEntity("e1", mention, "GPE")])
    assert [text[s.start : s.end] for s in aligned.spans] == [covered] * len(aligned.spans)
    assert aligned.spans and aligned.counts["stripped_proclitics"] == (covered != mention)


def test_find_mentions_lists_what_occurrence_counts() -> None:
    from arabench.models.llm.alignment import find_mentions

    text = "مصر والمصرية ومصر. بمصر"
    assert find_mentions(text, "مصر") == [(0, 3), (14, 17), (20, 23)]
    assert find_mentions(text, "مصر", window=(5, len(text))) == [(14, 17), (20, 23)]
    assert find_mentions(text, "باريس") == []


def test_alignment_accepts_exactly_the_shared_proclitics_before_a_mention() -> None:
    """The prefixes alignment lets a mention start behind are annotations.tokenize.PROCLITICS, no more, no fewer."""
    from itertools import product

    from arabench.annotations.tokenize import PROCLITIC_LETTERS, PROCLITICS
    from arabench.models.llm.alignment import find_mentions

    letters = [*sorted(PROCLITIC_LETTERS), "\u0633", "\u0627", "\u062a"]  # and three letters that are no proclitic
    prefixes = {"".join(p) for n in (1, 2) for p in product(letters, repeat=n)}
    egypt = "\u0645\u0635\u0631"
    assert {p for p in prefixes if find_mentions(p + egypt, egypt)} == set(PROCLITICS)


def test_alignment_strips_every_shared_proclitic_before_the_article() -> None:
    from arabench.annotations.tokenize import PROCLITICS

    cairo = "\u0627\u0644\u0642\u0627\u0647\u0631\u0629"
    for proclitic in PROCLITICS:
        text = "\u0632\u0627\u0631 " + proclitic + cairo
        aligned = align_entities(text, [AnswerEntity(None, proclitic + cairo, "GPE")])
        assert [text[s.start : s.end] for s in aligned.spans] == [cairo], proclitic
        assert aligned.counts["stripped_proclitics"] == 1


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        (lambda entry: "{not json", "cannot be read"),
        (lambda entry: json.dumps({**entry, "content": 7}), "not a string or null"),
        (lambda entry: json.dumps({**entry, "finish_reason": ["stop"]}), "not a string or null"),
        (lambda entry: json.dumps({**entry, "spans": [[0, 3, "PERS"]]}), "does not have the fields"),
        (lambda entry: json.dumps([entry]), "does not have the fields"),
        (lambda entry: json.dumps({**entry, "key": "0" * 64}), "another key"),
    ],
)
def test_a_corrupted_or_hand_edited_cache_entry_is_discarded_counted_and_rewritten(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, edit: Any, why: str
) -> None:
    text = PARAGRAPHS["good"]
    with CannedServer(script()) as server:
        options = model_options(server, tmp_path)
        first = OpenAIChatModel.from_spec("m", **options).predict([text])[0]
        (entry,) = (tmp_path / "cache" / "llm").rglob("*.json")
        entry.write_text(edit(json.loads(entry.read_text(encoding="utf-8"))), encoding="utf-8")
        with caplog.at_level("WARNING", logger="arabench"):
            again = OpenAIChatModel.from_spec("m", **options).predict([text])[0]
        assert len(server.requests) == 2
    assert (again.spans, again.relations) == (first.spans, first.relations)
    assert dict(again.diagnostics) == {**first.diagnostics, "discarded_cache_entries": 1}
    assert "discarding LLM cache entry" in caplog.text and why in caplog.text
    assert json.loads(entry.read_text(encoding="utf-8"))["content"]


def test_a_rejected_key_fails_only_that_model_in_a_run(tmp_path: Path) -> None:
    import arabench.benchmark.runner as run_module

    write_brat(gold_document(), tmp_path / "gold")
    with CannedServer({PARAGRAPHS["good"]: [("status", 401, {"error": "invalid api key"}, {})]}) as server:
        results = run_module.run(
            ["empty", "llm:m"],
            corpus=tmp_path / "gold",
            cache_dir=tmp_path / "cache",
            bootstrap=0,
            model_options={"llm:m": {"base_url": server.url, "cache": False}},
        )
    assert results.model("empty").status == "scored"
    failed = results.model("llm:m")
    assert failed.status == "failed" and "HTTP 401" in (failed.reason or "") and "OPENAI_API_KEY" in failed.reason
    assert results.exit_status == 1


def test_the_cache_key_code_hash_covers_the_whole_adapter_subpackage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Editing alignment.py (not the adapters module the registry names) must invalidate cached predictions."""
    from arabench.benchmark.runner import _adapter_code_hash

    package = tmp_path / "fakemodels" / "llmx"
    package.mkdir(parents=True)
    for name in ("__init__.py", "adapters.py", "alignment.py"):
        (package / name).write_text(f"# {name}\n", encoding="utf-8")
    (tmp_path / "fakemodels" / "__init__.py").write_text("", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = _adapter_code_hash("fakemodels.llmx.adapters:Model")
    (package / "alignment.py").write_text("# alignment.py, edited\n", encoding="utf-8")
    edited = _adapter_code_hash("fakemodels.llmx.adapters:Model")
    assert before is not None and edited != before
    (package / "data").mkdir()
    (package / "data" / "words.yaml").write_text("- a\n", encoding="utf-8")  # data files count too
    assert _adapter_code_hash("fakemodels.llmx.adapters:Model") != edited
    assert _adapter_code_hash("arabench.models.llm.adapters:OpenAIChatModel") != _adapter_code_hash(
        "arabench.models.simple:EmptyModel"
    )


def test_an_answer_entity_found_at_several_places_is_one_predicted_cluster(tmp_path: Path) -> None:
    from arabench.models.llm.alignment import answer_clusters

    text = "قال أحمد إن أحمد سافر إلى القاهرة، ثم عاد أحمد من القاهرة."
    content = answer([("e1", "أحمد", "PERS"), ("e2", "القاهرة", "GPE"), ("e3", "أحمد", "PERS")])
    parsed = parse_answer(content, entity_types=default_schema().entity_types)
    aligned = align_entities(text, parsed.entities)

    def every(word: str, label: str) -> tuple[Span, ...]:
        starts = [i for i in range(len(text)) if text.startswith(word, i)]
        return tuple(Span(i, i + len(word), label) for i in starts)

    ahmad, cairo = every("أحمد", "PERS"), every("القاهرة", "GPE")
    assert (len(ahmad), len(cairo)) == (3, 2)
    assert answer_clusters(aligned) == [ahmad, cairo]  # the repeated answer entity e3 adds no second cluster
    with CannedServer({text: [("ok", content)]}) as server:
        model = OpenAIChatModel.from_spec("coref", base_url=server.url, cache_dir=str(tmp_path / "cache"))
        (prediction,) = model.predict([text])
    assert prediction.clusters == (ahmad, cairo)
    assert set(prediction.spans) == set(ahmad + cairo)
