"""One word index per text, shared by every scoring setting."""

from __future__ import annotations

from arabench.annotations.spans import Span
from arabench.annotations.tokenize import WordIndex
from arabench.eval import spans as span_module
from arabench.eval.modes import span_grid
from arabench.eval.spans import score_spans, word_index
from arabench.eval.tokens import score_token_view

TEXTS = ["قال محمد في بيروت", "زار وزير الخارجية القاهرة أمس"]
GOLD = [[Span(4, 8, "PERS"), Span(12, 17, "GPE")], [Span(4, 17, "OCC"), Span(18, 25, "GPE")]]
PRED = [[Span(4, 8, "PERS")], [Span(4, 8, "OCC"), Span(19, 25, "GPE")]]


def test_every_setting_shares_one_index_per_text(monkeypatch) -> None:
    built: list[str] = []
    original = WordIndex.of.__func__

    def counting(cls: type, text: str) -> WordIndex:
        built.append(text)
        return original(cls, text)

    monkeypatch.setattr(WordIndex, "of", classmethod(counting))
    monkeypatch.setattr(span_module, "_INDEXES", {})
    monkeypatch.setattr(span_module, "_INDEXED_CHARS", [0])
    texts = list(TEXTS)
    first = {setting: score_spans(GOLD, PRED, texts=texts, **setting._asdict()) for setting in span_grid()}
    score_token_view(GOLD, PRED, texts=texts)
    assert sorted(built) == sorted(TEXTS)  # once each, for 16 settings and the token view
    monkeypatch.setattr(span_module, "_INDEXES", {})  # without the cache: the same scores
    for setting, scores in first.items():
        again = score_spans(GOLD, PRED, texts=texts, **setting._asdict())
        assert again.per_type == scores.per_type


def test_the_cache_keeps_recent_texts_within_its_budget(monkeypatch) -> None:
    monkeypatch.setattr(span_module, "_INDEXES", {})
    monkeypatch.setattr(span_module, "_INDEXED_CHARS", [0])
    monkeypatch.setattr(span_module, "INDEX_CACHE_CHARS", 40)
    a, b, c = "كلمة " * 4, "نص " * 5, "جملة " * 6
    index_a = word_index(a)
    assert word_index(a) is index_a
    word_index(b)
    word_index(c)  # 20 + 15 + 30 characters: a goes
    assert a not in span_module._INDEXES and c in span_module._INDEXES
    assert span_module._INDEXED_CHARS[0] == sum(len(t) for t in span_module._INDEXES) <= 40
