"""``llm-hf:``: a tiny randomly initialised GPT-2 (built here, no download) prompted for NER.

Its output is garbage by construction: the adapter must count it (parse
failures), emit nothing it cannot align, and let the run complete.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from arabench.annotations.brat import write_brat
from arabench.annotations.errors import ModelError, ModelUnavailableError
from arabench.annotations.spans import Document, Span
from arabench.annotations.tokenize import WordIndex

pytest.importorskip("torch")
pytest.importorskip("transformers")

from arabench.models.llm.adapters import HFGenerationModel

TEXT = "ذهب الطالب إلى المدرسة في دمشق.\nقرأت الطالبة كتاباً عن تاريخ الأندلس."


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tiny_models import build_tiny_gpt2

    # The default prompt (21 types in two languages) is ~5,000 tokens of this tokenizer.
    return build_tiny_gpt2(tmp_path_factory.mktemp("tiny-gpt2"), n_positions=6144)


def test_garbage_generations_are_counted_and_the_run_completes(tiny_lm: Path, tmp_path: Path) -> None:
    import arabench.benchmark.runner as run_module

    start = TEXT.index("دمشق")
    write_brat(Document("d", TEXT, {"T1": Span(start, start + 4, "GPE")}), tmp_path / "gold")
    name = f"llm-hf:{tiny_lm}"
    results = run_module.run(
        [name],
        corpus=tmp_path / "gold",
        cache_dir=tmp_path / "cache",
        bootstrap=0,
        model_options={name: {"max_new_tokens": 12, "max_window_chars": 40, "cache_dir": str(tmp_path / "llm")}},
    )
    model = results.model(name)
    assert model.status == "scored", model.reason
    diagnostics = dict(model.diagnostics)
    assert diagnostics["windows"] == 2
    failed = diagnostics.get("parse_failures", 0) + diagnostics.get("empty_answers", 0)
    assert failed == 2, diagnostics
    assert diagnostics.get("truncated_answers", 0) <= 2
    (prediction,) = results.predictions[name]
    assert prediction.spans == () and prediction.relations == ()
    micro = model.setting("native", "strict", "word", "flat")["micro"]
    assert (micro["tp"], micro["fp"], micro["fn"]) == (0, 0, 1)
    provenance = model.provenance
    assert provenance["adapter"] == "llm-hf" and provenance["local_fingerprint"]
    assert provenance["parameters"] == {"do_sample": False, "max_new_tokens": 12}


def test_chat_template_cache_and_context_limit(tiny_lm: Path, tmp_path: Path) -> None:
    model = HFGenerationModel.from_spec(str(tiny_lm), max_new_tokens=4, cache_dir=str(tmp_path))
    assert not model.chat
    plain = model._render([{"role": "system", "content": "S"}, {"role": "user", "content": "U"}])
    assert plain == "System: S\n\nUser: U\n\nAssistant:"
    model.tokenizer.chat_template = (
        "{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}\n{% endfor %}"
        "{% if add_generation_prompt %}<assistant>{% endif %}"
    )
    model.chat = True
    rendered = model._render([{"role": "user", "content": "U"}])
    assert rendered == "<user>U\n<assistant>"
    first = model.predict(["قرأت الطالبة كتاباً."])[0]
    assert first.diagnostics["windows"] == 1 and model.stats["requests"] == 1
    again = model.predict(["قرأت الطالبة كتاباً."])[0]
    assert again == first and model.stats["cache_hits"] == 1
    for span in first.spans:  # whatever it produced is aligned on whole words
        assert WordIndex.of("قرأت الطالبة كتاباً.").snap(span.start, span.end)[1] == span.end

    model.context = 100  # a model whose context cannot hold the prompt
    model.cache = None
    short = model.predict(["ذهب الطالب."])[0]
    assert dict(short.diagnostics) == {"windows": 1, "prompt_too_long": 1, "failed_windows": 1}


def test_missing_model_directory_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="llm-hf:/path"):
        HFGenerationModel.from_spec(str(tmp_path / "nowhere"))


def test_a_model_no_window_fits_fails_with_the_fix(tiny_lm: Path, tmp_path: Path) -> None:
    model = HFGenerationModel.from_spec(str(tiny_lm), max_new_tokens=4, cache=False)
    model.context = 100  # no prompt fits: nothing can be answered, so nothing is scored
    with pytest.raises(ModelError, match=r"every window failed \(1 of 1: prompt_too_long 1\)") as info:
        model.predict(["ذهب الطالب."])
    assert info.value.field == "max_window_chars" and "context of 100" in str(info.value)


def test_windows_are_batched_on_the_device_with_the_same_answers_and_exact_token_counts(
    tiny_lm: Path, tmp_path: Path
) -> None:
    texts = [TEXT + "\nيسافر أحمد إلى القاهرة كل صيف.", "افتتحت جامعة دمشق مكتبة كبيرة."]
    stored = {}
    for size in (1, 3):
        model = HFGenerationModel.from_spec(
            str(tiny_lm), max_new_tokens=6, max_window_chars=40, batch_size=size, cache_dir=str(tmp_path / str(size))
        )
        calls: list[int] = []
        batch = model._generate_batch
        model._generate_batch = lambda requests, batch=batch, calls=calls: (
            calls.append(len(requests)) or batch(requests)
        )
        predictions = model.predict(texts)
        assert calls == ([1, 1, 1, 1] if size == 1 else [3, 1])  # four windows, of both texts together
        assert all(p.diagnostics["prompt_tokens"] > 1000 and p.diagnostics["completion_tokens"] for p in predictions)
        assert not any("prompt_tokens_estimated" in p.diagnostics for p in predictions)  # counted, not estimated
        stored[size] = {p.name: p.read_bytes() for p in (tmp_path / str(size)).rglob("*.json")}
    assert stored[1] == stored[3] and len(stored[1]) == 4  # the same answers (and token counts) either way
