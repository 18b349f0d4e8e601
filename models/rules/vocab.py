"""The hand-written word lists as the matcher compares them: normalized sets, built once at import.

Each constant names the list(s) of ``models/rules/data/*.yaml`` it comes from
(:mod:`arabench.models.rules.lists`); see the files for each list's provenance.
"""

from __future__ import annotations

from arabench.models.rules.lists import normalized, words
from arabench.models.rules.text import normalize

# numbers, money, percentages, quantities
NUMBER = normalized("number_words")
NUMBER_SCALE = normalized("scale_words")
WEAK = normalized("weak_number_words")
UNITS = normalized("units")
WEAK_UNITS = normalized("weak_units")
UNIT_QUALIFIERS = normalized("unit_qualifiers")
PERCENT_TAILS = [tuple(normalize(x) for x in tail.split()) for tail in words("percent_tails")]
CURR_ADJ = normalized("currency_adjectives")
CURR_ALONE = normalized("currency_alone")
ORDINALS = normalized("ordinals")

# dates and times
AMBIG_MONTHS = normalized("ambiguous_months")
PERIOD = normalized("date_period_words")
YEAR_NOUNS = normalized("year_nouns")
YEAR_CUES = normalized("year_cues")
AMBIG_WEEKDAYS = normalized("ambiguous_weekdays")
SHAHR = frozenset({normalize("شهر")})
MONTH_ADJ = normalized("month_adjectives")
DATE_UNITS = normalized("date_units")
DATE_DUALS = normalized("date_duals")
TIME_UNITS = normalized("time_units")
DAY_PARTS = normalized("day_parts", split=True)
DAY_PART_ADVERBS = normalized("day_part_adverbs")
PERIOD_NOUNS = normalized("period_nouns")
YEAR_PARTS = normalized("year_parts")
PART_ORDINALS = normalized("part_ordinals")
DAY_ORDINALS = normalized("ordinals", "day_ordinals_extra")
TEENS = normalized("teens")

# places and organisations
COMPASS = normalized("compass_words", split=True)
CONTEXT_PLACES = normalized("context_places")
LOCATIVE = normalized("locative_prepositions")
ORG_TRIGGERS = normalized("org_triggers")
ORG_INSTITUTIONAL = normalized("org_triggers_institutional")
INSTITUTIONAL_ADJ = normalized("institutional_adjectives")
GENERIC_TEAMS = normalized("generic_teams")
FORCES = normalized("forces")

# titles and people
TITLES_C = normalized("titles_construct")
TITLES_D = normalized("titles_definite")
TITLE_ADJ = normalized("title_adjectives")
TITLE_LINKS = normalized("title_links")
MINISTERS = normalized("minister_titles")
PORTFOLIO = normalized("portfolio_words")
COACH_TITLES = normalized("coach_titles")
COMMANDER_TITLES = normalized("commander_titles")
HONORIFICS = normalized("honorifics")
LEADER_CUES = normalized("leader_cues")
VERBS = normalized("reporting_verbs")
SPEECH_OPENERS_RAW = frozenset(words("speech_openers"))
SPEECH_OPENERS = normalized("speech_openers")
SPEAKER_NOUNS = normalized("speaker_nouns")
GIVEN = normalized("given_names", "person_starts")
AMBIG_GIVEN = normalized("ambiguous_given")
NAME_LINKS = normalized("name_links")

# function words, NORP and languages
STOP = normalized("stop_words", "reporting_verbs")
COMMON = normalized("common_words")
PERSON_STARTS = normalized("person_starts")
ADJ_COUNTRIES = normalized("adjective_countries")
LANGUAGE_CUES = normalized("language_cues")
