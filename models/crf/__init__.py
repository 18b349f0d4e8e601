"""The CRF baseline: a conditional random field trained on the ANERcorp train split (view ``anercorp``).

* :mod:`models.crf.features`: the word features (affixes, clitics, nisba, shape, CLDR gazetteer, context);
* :mod:`models.crf.train`: deterministic training, the model cache and ``python -m models.crf.train``;
* :mod:`models.crf.adapter`: :class:`~models.crf.adapter.CRFModel`, the ``crf`` adapter.

Nothing here imports python-crfsuite at import time of this package.
"""
