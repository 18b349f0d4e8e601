"""The CRF baseline: a conditional random field trained on the ANERcorp train split (view ``anercorp``).

* :mod:`arabench.models.crf.features`: the word features (affixes, clitics, nisba, shape, CLDR gazetteer, context);
* :mod:`arabench.models.crf.train`: deterministic training, the model cache and ``python -m arabench.models.crf.train``;
* :mod:`arabench.models.crf.adapter`: :class:`~models.crf.adapter.CRFModel`, the ``crf`` adapter.

Nothing here imports python-crfsuite at import time of this package.
"""
