"""``rules``: a transparent, offline rule-and-gazetteer baseline for Arabic NER.

Every span comes from one named rule (see :data:`arabench.models.rules.catalog.RULES`); :meth:`RuleModel.explain`
returns each span with the rule that made it. Nothing here comes from the gold
article: place names, month names, weekday names, relative-date phrases,
currency and language names are read at run time from CLDR through Babel; the
hand-written lists (trigger nouns, titles, common given names, number words,
a handful of alternative country spellings and major cities) are YAML files in
``models/rules/data/``, each list with its provenance.

Matching works on the words of :mod:`arabench.annotations.tokenize`, compared after a
light normalization that never changes offsets: Arabic diacritics and tatweel
are ignored and the hamza forms of alef (``أ إ آ ٱ``) compare equal to ``ا``.
A gazetteer name also matches behind proclitics (``و ف`` then ``ب ل ك``:
``وبالقاهرة``, ``لمصر``); the span starts after them. For ``لل`` before an
``ال`` name (``للعراق`` = ``ل`` + ``العراق``) the span starts at the second ``ل``.

Spans may nest (a GPE inside an ORG, a CURR inside a MONEY, a NORP inside an
OCC); spans that cross are resolved by rule priority (the earlier rule in
:data:`~models.rules.catalog.RULES` wins). DATE spans that touch (``الأحد 5 يونيو``, ``العقد الماضي
2010-2020``) are joined into one, named after the rule of the first part.
Diagnostics: ``crossing_dropped`` counts candidate spans removed because they
crossed a span of a higher-priority rule; ``same_range_dropped`` counts
candidate spans removed because a higher-priority rule gave the same range
another label (``اللغة الفرنسية``: LANGUAGE wins over the nisba's NORP).

Layout (one line per module):

* :mod:`~models.rules.catalog`: every rule's name, label and description, in priority order;
* :mod:`~models.rules.text`: normalization for comparison, words with their proclitic readings and numbers;
* :mod:`~models.rules.lists`: the YAML word lists of ``data/`` (provenance per list);
* :mod:`~models.rules.vocab`: those lists normalized as the matcher compares them;
* :mod:`~models.rules.gazetteers`: CLDR (through Babel) and hand-written names, months, relative dates ...;
* :mod:`~models.rules.base`: the matcher's state, candidates and shared helpers;
* rule families: :mod:`~models.rules.numbers`, :mod:`~models.rules.dates`, :mod:`~models.rules.places`,
  :mod:`~models.rules.people`, :mod:`~models.rules.norp`; :mod:`~models.rules.matcher` runs them in order;
* :mod:`~models.rules.resolve`: nested spans kept, crossing spans dropped by priority;
* :mod:`~models.rules.adapter`: :class:`~models.rules.adapter.RuleModel`, the registry's ``rules``.
"""
