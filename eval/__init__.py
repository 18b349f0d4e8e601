"""Pure scoring of spans and relations, and statistics. No I/O, no model code.

Public API (stable):

* :mod:`arabench.eval.counts`: :class:`Counts`, :class:`Average`, :class:`CountTable`
  (the per-unit count arrays every result carries).
* :mod:`arabench.eval.modes`: :class:`MatchMode`, :data:`MODES` (strict, exact, partial, type).
* :mod:`arabench.eval.spans`: :func:`score_spans` -> :class:`SpanScores`, :class:`MatchError`.
* :mod:`arabench.eval.relations`: :func:`score_relations` -> :class:`RelationScores`
  (``level="mention"`` or ``"entity"``).
* :mod:`arabench.eval.coref`: :func:`score_coref`, :func:`score_entity_layers` ->
  :class:`CorefScores` (MUC, B³, CEAF-e, CoNLL average).
* :mod:`arabench.eval.tokens`: :func:`score_tags`, :func:`score_token_view` -> :class:`TokenScores`.
* :mod:`arabench.eval.views`: :func:`score_spans_in_view`.
"""
