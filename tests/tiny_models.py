"""Builders of tiny local Hugging Face models for tests (no downloads, well under a second).

* :func:`build_tiny_bert`: a one-layer BERT token classifier with a WordPiece
  tokenizer trained with ``tokenizers`` on :data:`CORPUS` (general Arabic
  sentences), saved as a ``BertTokenizerFast``-compatible fast tokenizer.
* :func:`build_tiny_xlmr`: a one-layer XLM-RoBERTa token classifier with a
  Unigram tokenizer and ``▁`` metaspace pre-tokenization (SentencePiece style).
* :func:`build_tiny_gpt2`: a tiny causal LM with a byte-level BPE tokenizer,
  for generative adapters (``llm-hf:``).

Each saves with ``save_pretrained`` into a directory that ``hf:<path>`` (or
``AutoModel*.from_pretrained``) loads. Weights are random but seeded, so a
build is reproducible. ``force=`` sets the classifier to give one label to
every token (weights zero, bias one-hot), which makes span extraction
deterministic; :func:`force_label` does the same on a loaded model.

Used by the tests of several adapters; import it as ``from tiny_models
import build_tiny_bert`` (pytest puts ``tests/``, the folder of the root
``conftest.py``, on ``sys.path``, whatever the current directory).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "ANERCORP_LABELS",
    "CORPUS",
    "build_tiny_bert",
    "build_tiny_gpt2",
    "build_tiny_xlmr",
    "force_label",
    "long_text",
]

#: BIO tags of the ANERcorp label set, in the id order used by CAMeLBERT NER models.
ANERCORP_LABELS: tuple[str, ...] = (
    "B-LOC",
    "B-MISC",
    "B-ORG",
    "B-PERS",
    "I-LOC",
    "I-MISC",
    "I-ORG",
    "I-PERS",
    "O",
)

#: General Arabic sentences (not the gold article) to train the tiny tokenizers on.
CORPUS: tuple[str, ...] = (
    "ذهب الطالب إلى المدرسة في الصباح الباكر.",
    "قرأت الطالبة كتاباً جديداً عن تاريخ الأندلس.",
    "يسافر أحمد إلى القاهرة كل صيف لزيارة أسرته.",
    "افتتحت جامعة دمشق مكتبة كبيرة في وسط المدينة.",
    "تجري مياه نهر النيل من الجنوب إلى الشمال.",
    "أعلنت الشركة عن منتج جديد في مؤتمر صحفي.",
    "قال الوزير إن الحكومة ستبني مستشفى في بغداد.",
    "فاز الفريق المغربي بالمباراة النهائية أمس.",
    "تقع مدينة فاس في شمال المغرب قرب جبال الأطلس.",
    "كتب نجيب محفوظ روايات كثيرة عن حياة المصريين.",
    "زار الرئيس تونس والجزائر في جولة إقليمية.",
    "تعلمت سارة اللغة الفرنسية في مدرسة ببيروت.",
    "ارتفعت أسعار القمح في الأسواق العالمية هذا العام.",
    "وصل الوفد إلى مطار عمّان الدولي مساء الخميس.",
    "يعمل خالد مهندساً في شركة اتصالات بالرياض.",
    "نظمت الأمم المتحدة مؤتمراً عن المناخ في جنيف.",
    "يحب الأطفال اللعب في الحديقة بعد المدرسة.",
    "وقعت الدولتان اتفاقية للتعاون في مجال الطاقة.",
    "شاهدنا فيلماً وثائقياً عن البحر الأحمر والشعاب المرجانية.",
    "قدمت الفرقة عرضاً موسيقياً في دار الأوبرا.",
    "والتقى وزير الخارجية بنظيره الأردني في عمّان.",
    "بلغ عدد السكان ثلاثة ملايين نسمة في عام 2020.",
    "Hello world, this tokenizer also sees a few Latin words and digits 123.",
)


def long_text(n_sentences: int = 120) -> str:
    """A text far longer than any tiny model's window: the corpus sentences repeated."""
    return " ".join(CORPUS[i % (len(CORPUS) - 1)] for i in range(n_sentences))


def _id_maps(labels: Sequence[str]) -> tuple[dict[int, str], dict[str, int]]:
    id2label = dict(enumerate(labels))
    return id2label, {v: k for k, v in id2label.items()}


def force_label(model: object, label: str) -> None:
    """Make a loaded token classifier give ``label`` to every token (weights 0, bias one-hot)."""
    import torch

    classifier = model.classifier  # type: ignore[attr-defined]
    head = classifier.out_proj if hasattr(classifier, "out_proj") else classifier
    label2id = model.config.label2id  # type: ignore[attr-defined]
    with torch.no_grad():
        head.weight.zero_()
        head.bias.fill_(-10.0)
        head.bias[label2id[label]] = 10.0


def build_tiny_bert(
    directory: str | Path,
    *,
    labels: Sequence[str] = ANERCORP_LABELS,
    force: str | None = None,
    hidden_size: int = 32,
    num_hidden_layers: int = 1,
    num_attention_heads: int = 2,
    intermediate_size: int = 37,
    max_position_embeddings: int = 64,
    vocab_size: int = 400,
    seed: int = 0,
) -> Path:
    """Build and save a tiny BERT token classifier with a trained WordPiece tokenizer.

    Args:
        directory: Where to save (created if missing).
        labels: The ``id2label`` values in id order.
        force: A label every token gets (see :func:`force_label`), or ``None``
            for the random, seeded classifier.
        hidden_size: Hidden size (larger values for benchmarks).
        num_hidden_layers: Encoder layers.
        num_attention_heads: Attention heads.
        intermediate_size: Feed-forward size.
        max_position_embeddings: The model's maximum length in tokens.
        vocab_size: WordPiece vocabulary size to train.
        seed: Torch seed for the random weights.

    Returns:
        The directory, loadable with ``hf:<directory>``.
    """
    import torch
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertForTokenClassification, BertTokenizerFast

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, lowercase=False)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece(prefix="##")
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=specials, min_frequency=1)
    tok.train_from_iterator(CORPUS, trainer=trainer)
    cls_id, sep_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    tokenizer = BertTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        sep_token="[SEP]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        mask_token="[MASK]",
        do_lower_case=False,
        model_max_length=max_position_embeddings,
    )
    id2label, label2id = _id_maps(labels)
    config = BertConfig(
        vocab_size=tok.get_vocab_size(),
        hidden_size=hidden_size,
        num_hidden_layers=num_hidden_layers,
        num_attention_heads=num_attention_heads,
        intermediate_size=intermediate_size,
        max_position_embeddings=max_position_embeddings,
        id2label=id2label,
        label2id=label2id,
    )
    torch.manual_seed(seed)
    model = BertForTokenClassification(config).eval()
    if force is not None:
        force_label(model, force)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def build_tiny_xlmr(
    directory: str | Path,
    *,
    labels: Sequence[str] = ANERCORP_LABELS,
    force: str | None = None,
    hidden_size: int = 32,
    max_position_embeddings: int = 66,
    vocab_size: int = 300,
    seed: int = 0,
) -> Path:
    """Build and save a tiny XLM-R style token classifier with a Unigram ``▁``-metaspace tokenizer.

    XLM-R counts positions from ``pad_token_id + 1``, so ``max_position_embeddings``
    of 66 gives a 64-token window.

    Args:
        directory: Where to save (created if missing).
        labels: The ``id2label`` values in id order.
        force: A label every token gets, or ``None`` for random weights.
        hidden_size: Hidden size.
        max_position_embeddings: Position embeddings (window = this minus 2).
        vocab_size: Unigram vocabulary size to train.
        seed: Torch seed for the random weights.

    Returns:
        The directory, loadable with ``hf:<directory>``.
    """
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast, XLMRobertaConfig, XLMRobertaForTokenClassification

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    tok = Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    trainer = trainers.UnigramTrainer(vocab_size=vocab_size, special_tokens=specials, unk_token="<unk>")
    tok.train_from_iterator(CORPUS, trainer=trainer)
    bos, eos = tok.token_to_id("<s>"), tok.token_to_id("</s>")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", bos), ("</s>", eos)]
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        sep_token="</s>",
        cls_token="<s>",
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token="<mask>",
        model_max_length=max_position_embeddings - 2,
    )
    id2label, label2id = _id_maps(labels)
    config = XLMRobertaConfig(
        vocab_size=tok.get_vocab_size(),
        hidden_size=hidden_size,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=max_position_embeddings,
        pad_token_id=tok.token_to_id("<pad>"),
        bos_token_id=bos,
        eos_token_id=eos,
        id2label=id2label,
        label2id=label2id,
    )
    torch.manual_seed(seed)
    model = XLMRobertaForTokenClassification(config).eval()
    if force is not None:
        force_label(model, force)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def build_tiny_gpt2(directory: str | Path, *, n_positions: int = 256, seed: int = 0) -> Path:
    """Build and save a tiny GPT-2 causal LM with a byte-level BPE tokenizer (for ``llm-hf:`` tests).

    Its generations are random text; tests of a generative adapter check
    parsing and alignment invariants, not quality.
    """
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400, special_tokens=["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tok.train_from_iterator(CORPUS, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<|endoftext|>",
        eos_token="<|endoftext|>",
        unk_token="<|endoftext|>",
        pad_token="<|endoftext|>",
        model_max_length=n_positions,
    )
    eos = tok.token_to_id("<|endoftext|>")
    config = GPT2Config(
        vocab_size=tok.get_vocab_size(),
        n_positions=n_positions,
        n_embd=32,
        n_layer=1,
        n_head=2,
        bos_token_id=eos,
        eos_token_id=eos,
        pad_token_id=eos,
    )
    torch.manual_seed(seed)
    model = GPT2LMHeadModel(config).eval()
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
