"""LLM extraction: entities and relations from a chat model, aligned back to raw character offsets.

Two adapters share the prompts, the parsing and the alignment:

* ``llm:<model>`` (:class:`~models.llm.adapters.OpenAIChatModel`): any server that speaks the OpenAI
  chat-completions protocol (hosted APIs, vLLM, Ollama, llama.cpp), over plain
  ``httpx``: ``POST {base_url}/chat/completions`` with ``model``, ``messages``,
  ``temperature`` (0), ``seed`` and, when ``json_mode`` is on (the default),
  ``response_format: {"type": "json_object"}``. The base URL comes from the
  option ``base_url`` (CLI ``--llm-base-url``) or ``$ARABENCH_LLM_BASE_URL``;
  the API key from the environment variable named by ``api_key_env``
  (default ``OPENAI_API_KEY``). The key is sent as a bearer token and is never
  stored: not in provenance, results, cache keys or cache entries.
* ``llm-hf:<path>`` (:class:`~models.llm.adapters.HFGenerationModel`): a local Hugging Face causal
  LM (``AutoModelForCausalLM``), prompted with the tokenizer's chat template
  when it has one (else a plain ``System:/User:/Assistant:`` prompt), greedy
  decoding, at most ``max_new_tokens`` new tokens.

The subpackage is split along the pipeline's seams:

* :mod:`arabench.models.llm.prompts`: prompt templates (data in ``models/prompts/``).
* :mod:`arabench.models.llm.windows`: splitting a text into windows of raw offsets.
* :mod:`arabench.models.llm.parsing`: reading an answer leniently but countably.
* :mod:`arabench.models.llm.alignment`: answer strings back to raw character spans; relations.
* :mod:`arabench.models.llm.cache`: the response cache.
* :mod:`arabench.models.llm.http`: bounded, deadline-bound requests; URL and body redaction.
* :mod:`arabench.models.llm.concurrency`: windows in flight, the shared backoff, the progress bar.
* :mod:`arabench.models.llm.accounting`: tokens per window (server usage or marked estimates), prices.
* :mod:`arabench.models.llm.examples`: few-shot examples drawn from a training corpus.
* :mod:`arabench.models.llm.adapters`: :class:`~models.llm.adapters.LLMExtractor` and the two adapters.

Diagnostics (per text, summed by the harness):
    ``windows``: windows sent. ``oversized_windows``: windows longer than
    ``max_window_chars`` (a single longer word). ``failed_windows``: windows
    with no usable answer (after retries). ``http_errors``: non-2xx responses
    (every attempt). ``timeouts``: attempts that did not finish within
    ``timeout`` (or the run deadline). ``oversized_responses``: responses cut
    at ``max_response_bytes``. ``deadline_windows``: windows given up because
    ``run_timeout`` had passed. ``unsent_windows``: windows not sent because
    the server never responded (see :mod:`arabench.models.llm.adapters`). ``discarded_cache_entries``: invalid response
    cache entries discarded (the answer was requested again).
    ``connection_errors``: attempts that could not connect. ``retries``:
    attempts repeated. ``bad_responses``: 2xx bodies without a message, or
    bodies that could not be decoded.
    ``json_mode_unsupported``: requests re-sent without ``response_format``.
    ``truncated_answers``: answers cut by the token limit.
    ``prompt_too_long``: (``llm-hf``) windows whose prompt exceeds the model's
    context. ``window_errors``: unexpected errors in a window.
    ``empty_answers``, ``parse_failures``, ``repaired_json``,
    ``tolerated_key:<alias>``, ``tolerated_format:<kind>``,
    ``malformed_entities``, ``malformed_relations``: see :func:`~models.llm.parsing.parse_answer`.
    ``unknown_type:<T>``: entities of a type outside the schema (not emitted).
    ``dropped_label:<T>``: entities of a schema type outside ``labels``, or
    mapped to null by ``label_map`` (not emitted). ``unalignable``: entity
    strings not found. ``normalized_matches``, ``stripped_proclitics``,
    ``occurrence_out_of_range``: see the alignment steps (:mod:`arabench.models.llm.alignment`).
    ``skipped_inner_occurrences``: see the alignment steps.
    ``duplicate_spans``: the same span produced twice (kept once).
    ``prompt_tokens``, ``completion_tokens``: tokens of the answered windows
    (server ``usage``; ``llm-hf``: its tokenizer); ``prompt_tokens_estimated``,
    ``completion_tokens_estimated``: the same, estimated (the server gave no
    usage); see :mod:`arabench.models.llm.accounting`.
    ``unalignable_relations``, ``unknown_relation_type``,
    ``relation_arg_mismatch``, ``self_relations``, ``duplicate_relations``,
    ``ambiguous_relation_args`` (an argument naming two answer entities by the
    same id or text; the first is taken): see the relation rule (:mod:`arabench.models.llm.alignment`).
"""
