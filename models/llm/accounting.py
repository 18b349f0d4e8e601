"""Token accounting: tokens per window from the server's ``usage``, estimates where it gives none, prices.

**Tokens.** Each answered window reports ``prompt_tokens`` and
``completion_tokens`` as the server's ``usage`` gives them (``llm-hf``: counted
with the model's tokenizer). An answer whose server gave no usage is
*estimated* at :data:`CHARS_PER_TOKEN` characters a token and counted apart,
in ``prompt_tokens_estimated`` and ``completion_tokens_estimated``, so a
reader always sees which part is measured and which is guessed. A cached
answer keeps the usage it was received with (what the answer cost to get),
so the totals of a model do not depend on what the cache held. Failed
windows report no tokens (what a failed request consumed is not known).

**Cost.** Only from prices the user gives (options ``price_input`` and
``price_output``, per million input and output tokens, in the user's
currency): ``cost_input``, ``cost_output`` and ``cost`` are added to the
model's totals; estimated tokens are priced too and the report says so.
arabench never assumes a price.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from arabench.annotations.errors import ModelError

__all__ = [
    "CHARS_PER_TOKEN",
    "COST_KEYS",
    "PRICE_OPTIONS",
    "TOKEN_KEYS",
    "cost",
    "estimate_tokens",
    "parse_price",
    "read_usage",
    "token_counts",
]

#: Characters per token assumed by an estimate (a rough rule; estimates are always marked as such).
CHARS_PER_TOKEN = 4
#: The per-window token diagnostics.
TOKEN_KEYS = ("prompt_tokens", "completion_tokens", "prompt_tokens_estimated", "completion_tokens_estimated")
#: The model-level cost figures (only when prices are given).
COST_KEYS = ("cost_input", "cost_output", "cost")
#: The options that give prices (per million tokens).
PRICE_OPTIONS = ("price_input", "price_output")
#: The largest token count taken from a server (a larger one is not believed).
_MAX_TOKENS = 10**9


def estimate_tokens(text: str | None) -> int:
    """A rough token count of ``text``: its characters / :data:`CHARS_PER_TOKEN`, rounded up."""
    return math.ceil(len(text or "") / CHARS_PER_TOKEN)


def read_usage(data: object) -> dict[str, int] | None:
    """``{"prompt_tokens", "completion_tokens"}`` from a response's ``usage``, or ``None`` if absent or malformed."""
    if not isinstance(data, Mapping):
        return None
    usage = data.get("usage")
    if not isinstance(usage, Mapping):
        return None
    out: dict[str, int] = {}
    for key in ("prompt_tokens", "completion_tokens"):
        value = usage.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_TOKENS:
            return None
        out[key] = value
    return out


def token_counts(
    usage: Mapping[str, int] | None, messages: Sequence[Mapping[str, str]], content: str | None
) -> Counter[str]:
    """The token diagnostics of one answered window: the server's usage, or an estimate marked as such."""
    if usage is not None:
        return Counter({k: usage[k] for k in ("prompt_tokens", "completion_tokens") if usage.get(k)})
    prompt = sum(estimate_tokens(m.get("content")) for m in messages)
    return Counter({"prompt_tokens_estimated": prompt, "completion_tokens_estimated": estimate_tokens(content)})


def parse_price(value: object, name: str) -> float | None:
    """A price per million tokens (a finite number >= 0), or ``None`` when not given."""
    if value is None:
        return None
    try:
        price = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        price = math.nan
    if isinstance(value, bool) or not math.isfinite(price) or price < 0:
        raise ModelError(
            "a price must be a finite number >= 0 (per million tokens)",
            field=name,
            value=value,
            fix=f"e.g. {name}=0.15 (your provider's price per million tokens)",
        )
    return price


def cost(totals: Mapping[str, Any], options: Mapping[str, object]) -> dict[str, float]:
    """``cost_input``, ``cost_output`` and ``cost`` of a model's token ``totals`` at the prices in ``options``.

    Returns an empty mapping when no price is given (never a price arabench invents). A price
    given for one side only prices that side.
    """
    price_in = parse_price(options.get("price_input"), "price_input")
    price_out = parse_price(options.get("price_output"), "price_output")
    if price_in is None and price_out is None:
        return {}
    tokens_in = totals.get("prompt_tokens", 0) + totals.get("prompt_tokens_estimated", 0)
    tokens_out = totals.get("completion_tokens", 0) + totals.get("completion_tokens_estimated", 0)
    out: dict[str, float] = {}
    if price_in is not None:
        out["cost_input"] = round(tokens_in * price_in / 1e6, 6)
    if price_out is not None:
        out["cost_output"] = round(tokens_out * price_out / 1e6, 6)
    out["cost"] = round(sum(out.values()), 6)
    return out
