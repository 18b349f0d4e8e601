"""``rules``: a transparent, offline rule-and-gazetteer baseline for Arabic NER.

Every span comes from one named rule (see :data:`RULES`); :meth:`RuleModel.explain`
returns each span with the rule that made it. Nothing here comes from the gold
article: place names, month names, weekday names, relative-date phrases,
currency and language names are read at run time from CLDR through Babel; the
few hand-written lists (trigger nouns, titles, common given names, number
words, a handful of alternative country spellings and major cities) are general
knowledge of Arabic news text, written for this module.

Matching works on the words of :mod:`annotations.tokenize`, compared after a
light normalization that never changes offsets: Arabic diacritics and tatweel
are ignored and the hamza forms of alef (``أ إ آ ٱ``) compare equal to ``ا``.
A gazetteer name also matches behind proclitics (``و ف`` then ``ب ل ك``:
``وبالقاهرة``, ``لمصر``); the span starts after them. For ``لل`` before an
``ال`` name (``للعراق`` = ``ل`` + ``العراق``) the span starts at the second ``ل``.

Spans may nest (a GPE inside an ORG, a CURR inside a MONEY, a NORP inside an
OCC); spans that cross are resolved by rule priority (the earlier rule in
:data:`RULES` wins). DATE spans that touch (``الأحد 5 يونيو``, ``العقد الماضي
2010-2020``) are joined into one, named after the rule of the first part.
Diagnostics: ``crossing_dropped`` counts candidate spans removed because they
crossed a span of a higher-priority rule; ``same_range_dropped`` counts
candidate spans removed because a higher-priority rule gave the same range
another label (``اللغة الفرنسية``: LANGUAGE wins over the nisba's NORP).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import babel
import regex
from babel import Locale

from annotations.errors import ModelError
from annotations.spans import Span
from annotations.tokenize import word_offsets
from models.base import Prediction

__all__ = ["RULES", "RuleModel", "normalize", "ADAPTER_VERSION", "gazetteer_size"]

#: Bumped whenever a rule or a hand-written list changes.
ADAPTER_VERSION = "4"

#: Every rule, in priority order (an earlier rule wins when two spans cross): name -> (label, what it does).
RULES: dict[str, tuple[str, str]] = {
    "money.number_currency": ("MONEY", "a number (digits or number words) followed by a CLDR currency name"),
    "curr.currency_in_money": ("CURR", "the currency word inside a MONEY span"),
    "percent.number_percent": ("PERCENT", "a number followed by % or في المئة / بالمئة"),
    "quantity.number_unit": ("QUANTITY", "a number followed by a unit of measurement (كيلومترا، طن، درجة مئوية ...)"),
    "unit.in_quantity": ("UNIT", "the unit words inside a QUANTITY span"),
    "date.day_month_year": (
        "DATE",
        "[day] month-name [/ month-name] [year], month names from CLDR (ar + ar_* locales)",
    ),
    "date.year_range": ("DATE", "YYYY-YYYY (years 1000-2199), with a preceding عام/سنة/الفترة when present"),
    "date.year_cue": ("DATE", "عام/العام/سنة/السنة + a year; or في/منذ/حتى/خلال/بحلول/قبل/بعد + a year (cue excluded)"),
    "time.part_of_day": (
        "TIME",
        "صباح/مساء/ليلة ... + a relative date or weekday; الساعة + a number; a number + ساعة/دقيقة",
    ),
    "date.relative": ("DATE", "CLDR relative day/week/month/year phrases (أمس، غدًا، الأسبوع الماضي ...)"),
    "date.period": ("DATE", "a period word + العام/الشهر/الأسبوع (نهاية العام، مطلع الشهر)"),
    "date.duration": ("DATE", "a number + يوم/أسبوع/شهر/عام/سنة (durations of a day or more, ages); their duals"),
    "date.weekday": ("DATE", "CLDR weekday names after يوم, or unambiguous ones alone (الثلاثاء ...)"),
    "date.part_of_year": (
        "DATE",
        "الربع/النصف/الثلث + an ordinal or الأخير [+ من + a year, عام + a year or a relative date]",
    ),
    "org.known": ("ORG", "CLDR UN/EU names and a short general-knowledge list of international bodies"),
    "org.trigger_phrase": (
        "ORG",
        "an organisation noun in construct (وزارة، منظمة ...) + its definite genitive phrase",
    ),
    "org.ministry_in_title": (
        "ORG",
        "the portfolio after a minister title (الصحة in وزير الصحة, guidelines §5), the team after a coach title "
        "(الأهلي in مدرب الأهلي), the army or police after a commander title (قائد الجيش)",
    ),
    "occ.title_phrase": ("OCC", "a title noun (وزير، رئيس، سفير ...) + its genitive phrase or nationality adjective"),
    "pers.after_title": ("PERS", "a name-like word sequence after an honorific or an OCC span"),
    "pers.after_verb": ("PERS", "a reporting verb (قال، أكد ...) + a common given name + name words"),
    "pers.given_name": ("PERS", "a common given name (general-knowledge list) + following name words"),
    "pers.surname": ("PERS", "the family name of a full name found in the same text, used alone elsewhere"),
    "pers.speaker": (
        "PERS",
        "a reporting verb + one or two name-like words (no article) + إن/أن or a colon: «وقال فلان إن»",
    ),
    "loc.compass_region": ("LOC", "شرق/غرب/شمال/جنوب/وسط + a continent, region or country name"),
    "loc.cldr_region": ("LOC", "CLDR region names (Africa, Western Asia ...) and a short list of seas and regions"),
    "gpe.cldr_territory": ("GPE", "CLDR country and territory names (ar and every ar_* locale)"),
    "gpe.cldr_city": ("GPE", "CLDR exemplar city names of time zones, minus ambiguous common words"),
    "gpe.alias": ("GPE", "common alternative country names and major cities missing from CLDR"),
    "language.after_cue": ("LANGUAGE", "a CLDR language name after اللغة/لغة, or with ب attached (بالعربية)"),
    "norp.adjective_country": ("NORP", "a country name that is also an adjective (السعودية) after a definite noun"),
    "norp.nisba": ("NORP", "regular nisba adjectives of country names (مصر → مصري/المصرية/المصريون ...)"),
    "cardinal.digits": ("CARDINAL", "a digit number (Western or Arabic-Indic) not inside DATE/MONEY/PERCENT"),
    "cardinal.words": ("CARDINAL", "a run of Arabic number words (ثلاثة، عشرين، ألف، مليون، آلاف ...)"),
    "ordinal.words": ("ORDINAL", "a definite ordinal adjective (الأول، الثانية ... العاشر) outside a DATE"),
}
_PRIORITY = {name: i for i, name in enumerate(RULES)}

# ---------------------------------------------------------------------------
# Normalization (comparison only: offsets always point into the raw text)
# ---------------------------------------------------------------------------

_IGNORED = regex.compile(r"[\p{Mn}\u0640]")  # combining marks (harakat, shadda ...) and tatweel
_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def normalize(word: str) -> str:
    """Return ``word`` as rules compare it: no diacritics or tatweel, hamza-alef as bare alef.

    Only characters are removed or replaced one for one (no Unicode normalization), so the kept
    characters map back to raw offsets exactly (:func:`_keep_map`).
    """
    return _IGNORED.sub("", word).translate(_ALEF)


def _keep_map(raw: str) -> list[int]:
    """Raw offsets (within ``raw``) of the characters :func:`normalize` keeps."""
    return [i for i, ch in enumerate(raw) if not _IGNORED.match(ch)]


# ---------------------------------------------------------------------------
# Hand-written general-knowledge lists (NOT from any gold article)
# ---------------------------------------------------------------------------

#: Single words of place and organisation names that are also common Arabic words («مسقط رأسه» "birthplace",
#: «جنين» "fetus", «حماس» "enthusiasm", «مالي» "financial"); they are not matched alone.
_AMBIGUOUS_PLACES = {
    "مالي", "بنين", "ترك", "ماهي", "سنتر", "العيون", "بلم", "نوم", "واك", "ثيل", "سمراء", "جوني", "أشوا",
    "سيتا", "ديلي", "ترول", "كونكس", "برثا", "دارون", "باهيا", "كاساي", "العالم", "دافيز", "أوكلا", "جوجو",
    "أورال", "أكتوب", "كناري", "فارو", "كوكوس", "كايمان", "سارك", "فينكس", "بيترسبرغ", "سول", "الرأس",
    "جنين", "مسقط", "حماس",
}  # fmt: skip

#: Alternative names of countries in common use that CLDR's ar names do not list.
_GPE_ALIASES = [
    "أمريكا", "أميركا", "الولايات المتحدة الأمريكية", "الولايات المتحدة الأميركية", "بريطانيا", "فلسطين",
    "السعودية", "الإمارات", "روسيا الاتحادية", "الصين الشعبية", "الكونغو", "التشيك",
    "كوريا", "تيمور الشرقية", "ميانمار", "بورما", "هونغ كونغ", "ماكاو", "إنجلترا", "اسكتلندا",
]  # fmt: skip

#: Capitals and large cities often in Arabic news that CLDR's exemplar cities miss.
_CITIES = [
    "الرباط", "صنعاء", "أبوظبي", "أبو ظبي", "الدوحة", "المنامة", "طرابلس", "نواكشوط", "مقديشو", "جدة",
    "مكة", "مكة المكرمة", "الإسكندرية", "الموصل", "البصرة", "حلب", "حمص", "إدلب", "درعا", "مراكش", "فاس",
    "طنجة", "وهران", "قسنطينة", "بنغازي", "مصراتة", "تعز", "الحديدة", "رام الله", "نابلس", "الخليل",
    "جنين", "أربيل", "كركوك", "الرقة", "دير الزور", "اللاذقية", "صفاقس", "سوسة", "أسوان", "الأقصر",
    "واشنطن", "نيودلهي", "إسلام آباد", "بكين", "أنقرة", "إسطنبول", "جنيف", "نيويورك", "باريس", "لندن",
    "موسكو", "برلين", "روما", "مدريد", "طهران", "بروكسل", "فيينا", "طوكيو", "ستراسبورغ", "لاهاي",
    # more large Arab cities (general knowledge; names that are common words, e.g. «العين», «صور», «الخبر»,
    # «العقبة», «البيضاء», are left out)
    "سبها", "سرت", "طبرق", "درنة", "الزاوية", "المكلا", "مأرب", "إربد", "الزرقاء", "صيدا", "زحلة", "بعلبك",
    "غزة", "أريحا", "بيت لحم", "الناصرة", "حيفا", "يافا", "عكا", "المدينة المنورة", "الطائف", "تبوك", "الدمام",
    "أبها", "الشارقة", "عجمان", "رأس الخيمة", "الفجيرة", "صلالة", "نزوى", "صحار", "المحرق", "بورتسودان",
    "أم درمان", "أغادير", "مكناس", "وجدة", "تطوان", "القنيطرة", "سلا", "عنابة", "سطيف", "تلمسان", "باتنة",
    "بجاية", "القيروان", "بنزرت", "قابس", "المنستير", "بورسعيد", "الإسماعيلية", "السويس", "المنصورة", "طنطا",
    "الزقازيق", "المنيا", "أسيوط", "سوهاج", "الغردقة", "شرم الشيخ", "دمياط", "الفيوم", "الجيزة",
]  # fmt: skip
#: Capitals whose name is also a common word (kept out of the gazetteer): a place only after a locative
#: preposition and not in the idiom «مسقط رأس» ("birthplace"): «وصل إلى مسقط», «في مالي».
_CONTEXT_PLACES = {"مسقط", "مالي", "بنين", "جنين"}
_LOCATIVE_PREPOSITIONS = {"في", "إلى", "الى", "وفي", "وإلى"}

#: Regions, seas and rivers (LOC) that CLDR does not name.
_LOC_NAMES = [
    "الشرق الأوسط", "الشرق الأدنى", "الشرق الأقصى", "الخليج العربي", "الخليج الفارسي", "منطقة الخليج",
    "البحر المتوسط", "البحر الأبيض المتوسط", "البحر الأحمر", "البحر الأسود", "البحر الميت", "بحر العرب",
    "المحيط الأطلسي", "المحيط الهادئ", "المحيط الهندي", "نهر النيل", "نهر الفرات", "نهر دجلة", "نهر الأردن",
    "الضفة الغربية", "قطاع غزة", "شبه الجزيرة العربية", "المغرب العربي", "الساحل الأفريقي", "منطقة الساحل",
    "القرن الأفريقي", "البلقان", "القوقاز", "سيناء", "الصحراء الكبرى",
    # mountain ranges and rivers
    "جبال الأطلس", "الأطلس الكبير", "الأطلس المتوسط", "الأطلس الصغير", "الأطلس التلي", "الأطلس الصحراوي",
    "جبال الألب", "جبال الهيمالايا", "جبال الأنديز", "جبال الروكي", "جبال الريف", "جبال طوروس", "جبل طارق",
    "نهر الأمازون", "نهر الدانوب", "نهر النيجر", "نهر الكونغو", "نهر المسيسيبي", "نهر الراين", "نهر الليطاني",
    "صحراء سيناء", "الصحراء الغربية", "الربع الخالي", "وادي عربة", "وادي الأردن",
]  # fmt: skip

#: International bodies known by a fixed name.
_ORG_NAMES = [
    "الأمم المتحدة", "الاتحاد الأوروبي", "الاتحاد الأفريقي", "جامعة الدول العربية", "الجامعة العربية",
    "حلف شمال الأطلسي", "حلف الناتو", "الناتو", "صندوق النقد الدولي", "البنك الدولي", "مجلس الأمن",
    "مجلس الأمن الدولي", "الجمعية العامة للأمم المتحدة", "منظمة التعاون الإسلامي", "مجلس التعاون الخليجي",
    "اليونسكو", "اليونيسف", "الإنتربول", "أوبك", "الصليب الأحمر", "الهلال الأحمر", "منظمة العفو الدولية",
    "محكمة العدل الدولية", "المحكمة الجنائية الدولية", "حزب الله", "حركة حماس", "حماس",
]  # fmt: skip

#: Organisation nouns: in construct form (no article) they start an ORG name.
_ORG_TRIGGERS = {
    "وزارة", "منظمة", "حركة", "تنظيم", "مركز", "مجموعة", "منتدى", "تحالف", "جامعة", "هيئة", "مجلس", "اتحاد",
    "حزب", "شركة", "بنك", "لجنة", "مؤسسة", "جمعية", "وكالة", "صندوق", "معهد", "محكمة", "برلمان", "جبهة",
    "رابطة", "نقابة", "مصرف", "مفوضية", "أكاديمية", "كلية", "جيش", "مكتب", "مديرية", "ائتلاف", "جماعة",
    "دائرة", "بورصة", "مندوبية", "نادي",
    "اللجنة", "الهيئة", "المجلس", "المنظمة", "الوكالة", "المفوضية", "المحكمة", "البرلمان", "الجيش", "البنك",
}  # fmt: skip
#: Definite organisation nouns that start an ORG only with an institutional adjective right after them
#: («المركز الوطني للأرصاد», «المؤسسة العامة للنفط»); alone or with another word they are common nouns
#: («المركز الثالث», «المؤسسة التعليمية»).
_ORG_TRIGGERS_INSTITUTIONAL = {
    "المركز", "المؤسسة", "المديرية", "المندوبية", "الدائرة", "الصندوق", "الديوان", "الجامعة", "المعهد", "الشركة",
}  # fmt: skip
_INSTITUTIONAL_ADJECTIVES = {
    "الوطني", "الوطنية", "العام", "العامة", "العالي", "العليا", "الأعلى", "السامي", "السامية", "المركزي",
    "المركزية", "الاتحادي", "الاتحادية", "الدولي", "الدولية", "الإقليمي", "الإقليمية", "القومي", "القومية",
    "الملكي", "الملكية", "الأميري", "الأميرية",
}  # fmt: skip
#: Definite triggers (the last line above) start an ORG only when followed by an adjective or genitive.
#: «حكومة»/«الحكومة» are deliberately absent: «حكومة مصر» is GPE «مصر» only and «الحكومة المصرية» NORP only
#: (guidelines §7); so are generic plurals («منظمات») and «قوات»/«إدارة»/«سلطة», which are rarely names.

#: Minister titles whose genitive portfolio is an ORG (the ministry's short form, guidelines §5).
_MINISTER_TITLES = {"وزير", "وزيرة", "وزيرا", "وزراء"}
#: Portfolio words after a title: «مساعد وزير المالية لشؤون الموازنة».
_PORTFOLIO_WORDS = {"لشؤون", "لشئون", "للشؤون", "للشئون"}

#: Title nouns (OCC). Construct forms take a genitive phrase; definite ones take adjectives.
_TITLES_CONSTRUCT = {
    "وزير", "وزيرة", "رئيس", "رئيسة", "سفير", "سفيرة", "مدير", "مديرة", "نائب", "نائبة", "مساعد", "مساعدة",
    "أمين", "محافظ", "قائد", "مستشار", "مستشارة", "ممثل", "ممثلة", "مبعوث", "مبعوثة", "متحدث", "ناطق",
    "المتحدث", "الناطق", "عضو", "وكيل", "مفوض", "ملك", "أمير", "ولي", "عمدة", "قنصل", "رئيسا", "وزيرا", "سفيرا",
    "مديرا", "وزراء", "مدرب", "مدربة", "عميد", "عميدة", "محامي", "قاضي", "حاكم", "سكرتير",
}  # fmt: skip
_TITLES_DEFINITE = {
    "الرئيس", "الرئيسة", "الوزير", "الوزيرة", "السفير", "السفيرة", "المدير", "المديرة", "الأمين", "المستشار",
    "المستشارة", "الملك", "الملكة", "الأمير", "الأميرة", "المبعوث", "المبعوثة", "القائد", "المحافظ", "النائب",
    "المفوض", "القنصل", "العاهل", "ولي", "القاضي", "القاضية", "المدرب", "المدربة", "المحامي", "المحامية",
    "الكاتب", "الكاتبة", "الصحفي", "الصحفية", "المخرج", "المخرجة", "اللاعب", "اللاعبة", "الباحث", "الباحثة",
    "الفنان", "الفنانة", "الروائي", "الروائية", "الشاعر", "الشاعرة", "الحاكم",
}  # fmt: skip
#: Adjectives that stay inside a definite title (beside nationality adjectives).
_TITLE_ADJECTIVES = {
    "العام", "العامة", "التنفيذي", "التنفيذية", "الأعلى", "الخاص", "الخاصة", "الدائم", "الدائمة", "الأممي",
    "الأممية", "الأول", "الأولى", "السابق", "السابقة", "المساعد", "المساعدة", "الإقليمي", "الدولي", "الوطني",
}  # fmt: skip
#: "باسم" ("in the name of") continues a spokesperson title: المتحدث باسم الخارجية.
_TITLE_LINKS = {"باسم"}

#: Honorifics and ranks before a person's name (the honorific is not part of the PERS span).
_HONORIFICS = {
    "الرئيس", "الرئيسة", "الملك", "الملكة", "الشيخ", "الشيخة", "الدكتور", "الدكتورة", "د", "السيد", "السيدة",
    "الأمير", "الأميرة", "الوزير", "الوزيرة", "السفير", "السفيرة", "المستشار", "المستشارة", "الجنرال", "اللواء",
    "العميد", "العقيد", "الفريق", "المشير", "الإمام", "البابا", "الحاج", "الأستاذ", "الأستاذة", "المهندس",
    "المهندسة", "النائب", "الزعيم", "القائد", "العاهل", "المبعوث", "المحافظ", "الأمين",
}  # fmt: skip

#: «برئاسة فلان», «بقيادة فلان» ("chaired/led by"): a person's name may follow, as after an honorific.
_LEADER_CUES = {"برئاسة", "بقيادة"}

#: Reporting verbs (with feminine forms) that are often followed by the speaker's name.
_REPORTING_VERBS = {
    "قال", "قالت", "أكد", "أكدت", "أضاف", "أضافت", "أشار", "أشارت", "صرح", "صرحت", "أعلن", "أعلنت", "ذكر",
    "ذكرت", "أوضح", "أوضحت", "لفت", "لفتت", "شدد", "شددت", "اعتبر", "اعتبرت", "رأى", "رأت", "كشف", "كشفت",
    "دعا", "دعت", "حذر", "حذرت", "يقول", "تقول", "وصف", "وصفت", "أفاد", "أفادت",
}  # fmt: skip

#: Complementizers and marks that close a speaker's name after a reporting verb («قال فلان إن ...»).
_SPEECH_OPENERS = {"إن", "أن", "إنه", "أنه", "إنها", "أنها", "بأن", "إنّ", "أنّ", ":"}
#: Indefinite nouns that stand where a speaker's name would («قال مسؤول إن»): never a PERS.
_SPEAKER_NOUNS = {
    "مسؤول", "مسؤولون", "مصدر", "مصادر", "متحدث", "شاهد", "شهود", "بيان", "تقرير", "خبراء", "خبير", "مراقبون",
    "محللون", "محلل", "دبلوماسي", "دبلوماسيون", "مسؤولة", "ناشطون", "ناشط", "مراسل", "سكان", "مواطنون",
}  # fmt: skip

#: Very common Arabic given names (general knowledge), chosen to be rarely anything else.
_GIVEN_NAMES = {
    "محمد", "أحمد", "محمود", "مصطفى", "عمر", "خالد", "حسين", "حسن", "يوسف", "إبراهيم", "إسماعيل", "عثمان",
    "سليمان", "طارق", "وليد", "ياسر", "هشام", "رامي", "زياد", "مروان", "فيصل", "سلمان", "عبدالله", "عبدالرحمن",
    "فاطمة", "عائشة", "مريم", "زينب", "خديجة", "نجيب", "هاني", "ماجد", "فهد", "سعد", "بشار", "صدام",
    "معمر", "جمال", "أنور", "حسني", "عمرو", "أيمن", "أسامة", "إيمان", "نادية", "ليلى", "سارة", "هدى",
    "منى", "رانيا", "دينا", "ياسمين", "نبيه", "ميشال", "ميشيل", "جورج", "بطرس", "بولس", "يحيى", "زكريا",
    "عيسى", "موسى", "هارون", "داود", "إدريس", "عبد", "نوال", "سميرة", "كمال", "رشيد", "حمدان", "منصور",
    "دونالد", "إيمانويل", "فلاديمير", "أنطونيو", "كوفي", "أنجيلا", "باراك",
    # more common Arabic given names (general knowledge; the ones that are also common words are listed
    # in _AMBIGUOUS_GIVEN below, so that alone they are not taken as a name)
    "سمير", "سامي", "سامح", "حاتم", "حازم", "حمزة", "خليل", "راشد", "رشاد", "رياض", "سالم", "سعيد",
    "سلطان", "شريف", "صالح", "صلاح", "عادل", "عاطف", "عبدالعزيز", "عبدالرحيم", "علاء", "عماد", "عمار",
    "غسان", "فؤاد", "فارس", "فتحي", "فريد", "قاسم", "كريم", "لطفي", "مازن", "مجدي", "مراد", "مهدي", "ناصر",
    "نبيل", "نزار", "نواف", "هيثم", "وائل", "وسام", "ياسين", "يونس", "بدر", "تميم", "جابر", "جعفر", "حامد",
    "حسام", "خالدة", "رضا", "زايد", "سيف", "شادي", "طلال", "عبدالمجيد", "عدنان", "عصام", "عوني", "مالك",
    "ميرفت", "نجلاء", "نسرين", "هالة", "هند", "وفاء", "أسماء", "آمنة", "بشرى", "جميلة", "حنان",
    "رحاب", "رشا", "سعاد", "سلمى", "سهام", "شيماء", "عبير", "غادة", "لبنى", "لمياء", "مها", "نجوى", "هبة",
    # common foreign given names in Arabic spelling
    "جون", "جيمس", "ديفيد", "مايكل", "بيتر", "جوزيف", "جوزيه", "هانس", "مارسيل", "فرانسوا", "جان", "بيير",
    "كارلوس", "خوسيه", "ماريا", "كريستين", "أولاف", "ريشي", "جاستن", "شارل", "ألكسندر", "سيرغي", "جو",
}  # fmt: skip
#: Given names that are also common words: alone (one word) they are not taken as a name.
_AMBIGUOUS_GIVEN = {
    "حسن", "سعد", "جمال", "كمال", "منى", "هدى", "أنور", "رشيد", "منصور", "فهد", "نبيه", "أيمن", "سعيد", "صالح",
    "عادل", "شريف", "كريم", "فريد", "سالم", "بدر", "سيف", "مالك", "هند", "وفاء", "صلاح", "جو", "جان", "رضا",
    "فارس", "سلطان", "ناصر", "حامد", "مراد", "هالة", "عبير", "بشرى", "جميلة", "حنان", "سعاد", "رحاب", "هبة",
}  # fmt: skip
#: Words that join the parts of an Arabic name (they never end it).
_NAME_LINKS = {"بن", "بنت", "ابن", "أبو", "أبي", "عبد", "آل", "أم", "ولد", "أبا"}

#: Function words and frequent verbs that end a name, an ORG or an OCC phrase.
_STOP_WORDS = {
    "في", "من", "إلى", "على", "عن", "مع", "حول", "خلال", "بعد", "قبل", "منذ", "حتى", "عند", "لدى", "بين",
    "إن", "أن", "إنه", "أنه", "إنها", "أنها", "لا", "لم", "لن", "ما", "قد", "كان", "كانت", "يكون", "تكون",
    "هو", "هي", "هم", "هذا", "هذه", "ذلك", "تلك", "الذي", "التي", "الذين", "اللذين", "اللتين", "اللواتي",
    "أو", "أم", "ثم", "بل", "كما", "لكن", "غير", "كل", "بعض", "أي", "يوم", "أمس", "اليوم", "غدا", "الآن",
    "وقال", "وأضاف", "وأكد", "يجب", "سوف", "عبر", "ضد", "نحو", "حوالي", "أكثر", "أقل", "جدا", "أيضا", "فقط",
    "زار", "التقى", "استقبل", "وصل", "غادر", "بحث", "ناقش", "وقع", "افتتح", "شارك", "ترأس", "أجرى", "تلقى",
    "يزور", "يلتقي", "يستقبل", "إنّ", "أنّ", "لقد", "هناك", "هنا", "الى", "علي",
    "بأن", "لأن", "وأن", "فإن", "وإن", "كأن", "بأنه", "بأنها", "لأنه",
    "نظيره", "نظيرته", "نظيريه", "نظراءه", "نظيرها",
} | _REPORTING_VERBS  # fmt: skip

#: Nisba forms that the regular rule cannot derive, and group names (NORP), general knowledge.
_NORP_EXTRA = {
    "سعودي", "سعودية", "السعودي", "سعوديون", "سعوديين", "السعوديون", "السعوديين", "إماراتي", "إماراتية",
    "الإماراتي", "الإماراتية", "الإماراتيون", "الإماراتيين", "عربي", "عربية", "العربي", "العربية", "العرب", "عرب",
    "العربيتين", "الأفغاني", "الأفغانية", "أفغاني", "أفغانية", "آسيوي", "آسيوية", "الآسيوي", "الآسيوية",
    "مسلم", "مسلمون", "مسلمين", "المسلم", "المسلمون", "المسلمين", "مسيحي", "مسيحيون", "مسيحيين", "المسيحي",
    "المسيحيون", "المسيحيين", "اليهود", "يهود", "يهودي", "اليهودي", "الأكراد", "كردي", "الكردي", "الكردية",
    "فلسطيني", "فلسطينية", "الفلسطيني", "الفلسطينية", "الفلسطينيون", "الفلسطينيين", "مغاربة", "المغاربة",
    "الأمريكي", "الأمريكية", "الأميركي", "الأميركية", "أمريكي", "أمريكية", "أميركي", "أميركية",
    "الأمريكيون", "الأمريكيين", "البريطاني", "البريطانية", "بريطاني", "بريطانية",
}  # fmt: skip
#: «العربية» names the language after a language cue, the NORP group adjective elsewhere (guidelines §10).

#: Cardinal number words (masculine/feminine, nominative/oblique) and scale words.
_NUMBER_WORDS = {
    "واحد", "واحدة", "اثنان", "اثنين", "اثنتان", "اثنتين", "ثلاث", "ثلاثة", "أربع", "أربعة", "خمس", "خمسة",
    "ست", "ستة", "سبع", "سبعة", "ثماني", "ثمانية", "ثمان", "تسع", "تسعة", "عشر", "عشرة", "أحد", "إحدى",
    "اثنا", "اثني", "اثنتا", "اثنتي", "عشرون", "عشرين", "ثلاثون", "ثلاثين", "أربعون", "أربعين", "خمسون",
    "خمسين", "ستون", "ستين", "سبعون", "سبعين", "ثمانون", "ثمانين", "تسعون", "تسعين", "مئة", "مائة", "مئتان",
    "مئتين", "مائتين", "مائتان", "مئات", "ألف", "ألفا", "ألفان", "ألفين", "آلاف", "مليون", "مليونا", "مليونان",
    "مليونين", "ملايين", "مليار", "مليارا", "ملياران", "مليارين", "مليارات", "تريليون", "بليون",
    "ثلاثمئة", "ثلاثمائة", "أربعمئة", "أربعمائة", "خمسمئة", "خمسمائة", "ستمئة", "ستمائة", "سبعمئة", "سبعمائة",
    "ثمانمئة", "ثمانمائة", "تسعمئة", "تسعمائة", "عشرات", "ألفي", "مئتي", "مليوني", "ملياري",
}  # fmt: skip
#: Number words that are too often something else to start a CARDINAL alone.
_WEAK_NUMBER_WORDS = {"أحد", "إحدى", "ست", "سبع", "عشر", "ألف", "واحد", "واحدة", "خمس", "تسع", "اثنا", "اثنتا"}
#: Scale words that may follow a digit number inside the same CARDINAL/MONEY (``3 ملايين``).
_SCALE_WORDS = {
    "مئة", "مائة", "ألف", "آلاف", "مليون", "ملايين", "مليار", "مليارات", "تريليون", "ألفا", "مليونا", "مليارا"
}  # fmt: skip

#: Units of measurement (QUANTITY/UNIT, guidelines §9): singular, accusative, plural and abbreviated forms.
_UNITS = {
    "كيلومتر", "كيلومترا", "كيلومترات", "كلم", "كم", "متر", "مترا", "أمتار", "سنتيمتر", "سنتيمترا", "سنتيمترات",
    "سم", "مليمتر", "مليمترا", "مليمترات", "ملم", "ميل", "ميلا", "أميال", "قدم", "أقدام", "بوصة", "كيلوغرام",
    "كيلوغراما", "كيلوغرامات", "كيلوجرام", "كيلوجراما", "كغ", "كلغ", "غرام", "غراما", "غرامات", "جرام", "جراما",
    "طن", "طنا", "أطنان", "لتر", "لترا", "لترات", "برميل", "برميلا", "براميل", "هكتار", "هكتارا", "هكتارات",
    "فدان", "فدانا", "أفدنة", "دونم", "دونما", "دونمات", "ميغاواط", "ميجاوات", "ميغاوات", "كيلوواط", "غيغاواط",
    "جيجاوات", "درجة", "درجات",
}  # fmt: skip
#: Units that are a QUANTITY only with a qualifier after them («درجة مئوية», not «درجة» alone).
_WEAK_UNITS = {"درجة", "درجات", "قدم"}
_UNIT_QUALIFIERS = {"مئوية", "فهرنهايت", "مربع", "مربعا", "مربعة", "مربعات", "مكعب", "مكعبا", "مكعبة"}

_PERCENT_TAILS = [("في", "المئة"), ("في", "المائة"), ("بالمئة",), ("بالمائة",), ("%",), ("٪",)]

#: Currency words: CLDR currency names give the first word; these plural/dual forms are added.
_CURRENCY_EXTRA = {
    "دولار", "دولارا", "دولارات", "دولاران", "دولارين", "يورو", "جنيه", "جنيها", "جنيهات", "دينار", "دينارا",
    "دنانير", "ريال", "ريالا", "ريالات", "درهم", "درهما", "دراهم", "ليرة", "ليرات", "روبل", "يوان", "ين",
    "روبية", "فرنك", "شيكل", "إسترليني", "استرليني",
}  # fmt: skip

#: Definite ordinal adjectives (ORDINAL).
_ORDINALS = {
    "الأول", "الأولى", "الثاني", "الثانية", "الثالث", "الثالثة", "الرابع", "الرابعة", "الخامس", "الخامسة",
    "السادس", "السادسة", "السابع", "السابعة", "الثامن", "الثامنة", "التاسع", "التاسعة", "العاشر", "العاشرة",
}  # fmt: skip

#: Time-unit nouns of a day or longer: a number + one of them is a DATE (a duration or an age, guidelines §8).
_DATE_UNITS = {
    "يوم", "يوما", "أيام", "أسبوع", "أسبوعا", "أسابيع", "شهر", "شهرا", "أشهر", "شهور", "عام", "عاما", "أعوام",
    "سنة", "سنوات", "سنين", "عقد", "عقود", "قرن", "قرون", "موسم", "مواسم",
}  # fmt: skip
#: Duals that are durations by themselves.
_DATE_DUALS = {"يومين", "يومان", "أسبوعين", "شهرين", "عامين", "سنتين", "عقدين", "قرنين", "موسمين"}
#: Definite number words inside a relative period («الأشهر الستة المقبلة»).
_DEFINITE_NUMBERS = [
    "الثلاثة", "الأربعة", "الخمسة", "الستة", "السبعة", "الثمانية", "التسعة", "العشرة", "الثلاث", "الأربع",
    "الخمس", "الست", "السبع", "الثماني", "التسع", "العشر", "العشرين", "الثلاثين",
]  # fmt: skip
#: Units under a day: a number + one of them is a TIME.
_TIME_UNITS = {"ساعة", "ساعات", "دقيقة", "دقائق", "ثانية", "ثوان", "ساعتين", "دقيقتين"}
#: Parts of the day that form a TIME with a date: «مساء أمس».
_DAY_PARTS = {"صباح", "مساء", "ظهر", "فجر", "ليلة", "عصر", "منتصف ليل", "صباحا"}
#: Date nouns after a period word: «نهاية العام», «مطلع الشهر».
_PERIOD_NOUNS = {"العام", "الشهر", "الأسبوع", "السنة", "العقد", "القرن", "الصيف", "الشتاء", "الربيع", "الخريف"}

#: Month names that are also common words; they need a day, a year or «شهر» next to them.
_AMBIGUOUS_MONTHS = {"مارس", "ماي", "آب", "أوت", "جوان"}
#: Period words included at the start of a DATE (``منتصف مارس``, ``نهاية 2020``).
_DATE_PERIOD_WORDS = {"مطلع", "أوائل", "أواخر", "منتصف", "نهاية", "بداية", "أول", "آخر", "أوسط"}
#: Nouns kept inside a year DATE (``عام 2015``).
_YEAR_NOUNS = {"عام", "العام", "سنة", "السنة", "عامي", "الفترة", "موسم"}
#: Prepositions that make a bare year a date; not part of the span.
_YEAR_CUES = {"في", "منذ", "حتى", "خلال", "بحلول", "قبل", "بعد", "لعام", "مطلع", "أواخر", "أوائل", "منتصف", "نهاية"}
#: Weekdays that are common words too when alone (الأحد «the one», الاثنين «the two», الجمعة «the assembly»).
_AMBIGUOUS_WEEKDAYS = {"الأحد", "الاثنين", "الإثنين", "الجمعة"}

_COMPASS = {"شرق", "غرب", "شمال", "جنوب", "وسط", "شمالي", "جنوبي", "شرقي", "غربي", "جنوب شرق", "شمال غرب"}

#: Cues for a language name.
_LANGUAGE_CUES = {"اللغة", "لغة", "باللغة", "واللغة", "اللغتين", "باللغتين"}


# ---------------------------------------------------------------------------
# Data derived from CLDR through Babel (built once, cached)
# ---------------------------------------------------------------------------

_PROCLITICS = ("وب", "ول", "وك", "فب", "فل", "فك", "و", "ف", "ب", "ل", "ك")


@dataclass(frozen=True)
class _Entry:
    label: str
    rule: str


def _ar_locales() -> list[Locale]:
    from babel.localedata import locale_identifiers

    ids = sorted(i for i in locale_identifiers() if i == "ar" or i.startswith("ar_"))
    return [Locale.parse(i) for i in ids]


def _clean_place(name: str) -> list[str]:
    """Split a CLDR display name into the plain names it holds (drop parentheses, skip comma lists)."""
    if "،" in name or "," in name:
        return []
    outer = regex.sub(r"\s*\(.*?\)\s*", " ", name).strip()
    inner = regex.findall(r"\((.*?)\)", name)
    return [n for n in [outer, *inner] if n and "منطقة" not in n and "لكنات" not in n]


def _key(name: str) -> tuple[str, ...]:
    return tuple(normalize(w) for w in _word_strings(name))


def _word_strings(text: str) -> list[str]:
    return [text[s:e] for s, e in word_offsets(text)]


@dataclass(frozen=True)
class _Data:
    """Everything the rules look up, keyed by normalized word tuples."""

    names: Mapping[tuple[str, ...], _Entry]  # places, regions, organisations (gazetteer)
    max_name: int
    months: Mapping[tuple[str, ...], str]  # normalized month words -> source locale
    max_month: int
    weekdays: frozenset[str]
    relative: Mapping[tuple[str, ...], str]  # relative-date phrases
    max_relative: int
    currencies: frozenset[str]
    languages: frozenset[str]
    nisba: Mapping[str, str]  # normalized demonym -> country name
    digest: str


def _nisba_forms(name: str) -> list[str]:
    """Regular nisba adjectives of a one-word country name, or none if the rule does not apply."""
    stem = name[2:] if name.startswith("ال") else name
    if len(stem) < 3:
        return []
    if stem.endswith("ا"):
        stem = stem[:-1]
        # «ليبيا» → «ليبي», «إيطاليا» → «إيطالي»: the ي of -يا is already the nisba ending
        base = stem if stem.endswith("ي") and len(stem) >= 4 else stem + "ي"
    elif stem.endswith(("ي", "ة", "و")):
        return []
    else:
        base = stem + "ي"
    if base == name:
        return []
    forms = [base, base + "ة", base + "ون", base + "ين"]
    return forms + ["ال" + f for f in forms]


@lru_cache(maxsize=1)
def _data() -> _Data:
    names: dict[tuple[str, ...], _Entry] = {}

    def add(name: str, label: str, rule: str) -> None:
        key = _key(name)
        if not key or (len(key) == 1 and key[0] in _AMBIG_N):
            return
        names.setdefault(key, _Entry(label, rule))

    locales = _ar_locales()
    org_codes = {"UN", "EU"}
    skip_codes = {"001", "ZZ", "XA", "XB", "EZ", "QO"}
    country_names: set[str] = set()
    for locale in locales:
        for code, name in locale.territories.items():
            if code in skip_codes:
                continue
            for plain in _clean_place(name):
                if code in org_codes:
                    add(plain, "ORG", "org.known")
                elif code.isdigit():
                    add(plain, "LOC", "loc.cldr_region")
                else:
                    add(plain, "GPE", "gpe.cldr_territory")
                    country_names.add(plain)
    for name in _ORG_NAMES:
        add(name, "ORG", "org.known")
    for name in _LOC_NAMES:
        add(name, "LOC", "loc.cldr_region")
    for name in _GPE_ALIASES:
        add(name, "GPE", "gpe.alias")
        country_names.add(name)
    for locale in locales:
        for zone in locale.time_zones.values():
            city = zone.get("city")
            if city:
                for plain in _clean_place(city):
                    add(plain, "GPE", "gpe.cldr_city")
    for name in _CITIES:
        add(name, "GPE", "gpe.alias")

    months: dict[tuple[str, ...], str] = {}
    weekdays: set[str] = set()
    relative: dict[tuple[str, ...], str] = {}
    currencies: set[str] = {normalize(c) for c in _CURRENCY_EXTRA}
    languages: set[str] = set()
    for locale in locales:
        for context in ("format", "stand-alone"):
            for name in locale.months[context]["wide"].values():
                months.setdefault(_key(name), str(locale))
            for name in locale.days[context]["wide"].values():
                weekdays.add(normalize(name))
        fields = locale._data["date_fields"]
        for field in ("day", "week", "month", "year"):
            for phrase in dict(fields[field].get("relative", {})).values():
                for variant in _relative_variants(phrase):
                    relative.setdefault(_key(variant), field)
        for name in locale.currencies.values():
            first = _word_strings(name)
            if first and len(first[0]) > 1:
                currencies.add(normalize(first[0]))
        for code, name in locale.languages.items():
            if len(code) <= 3 and name.startswith("ال") and " " not in name:
                languages.add(normalize(name))
    for day in list(weekdays):
        for phrase in (day + " الماضي", day + " المقبل", day + " القادم"):
            relative.setdefault(_key(phrase), "weekday")
    for noun, fem in (("العقد", False), ("القرن", False), ("الأيام", True), ("الأشهر", True), ("الشهور", True),
                      ("السنوات", True), ("الأعوام", True), ("الأسابيع", True), ("العام", False), ("السنة", True),
                      ("الأسبوع", False), ("الشهر", False)):  # fmt: skip
        for adjective in ("الماضي", "المقبل", "القادم", "الجاري", "الحالي", "المنصرم", "الماضية", "المقبلة",
                          "القادمة", "الحالية", "الأخيرة"):  # fmt: skip
            if adjective.endswith("ة") == fem:
                relative.setdefault(_key(f"{noun} {adjective}"), "general")
    for phrase in ("أمس", "غدا", "اليوم", "أول أمس", "أمس الأول", "بعد غد", "بعد الغد", "هذا العام", "هذه السنة"):
        relative.setdefault(_key(phrase), "general")
    # «الأشهر الستة المقبلة», «السنوات العشر الماضية», «الأيام الثلاثة الأخيرة»
    for noun in ("الأيام", "الأسابيع", "الأشهر", "الشهور", "السنوات", "الأعوام", "العقود"):
        for number in _DEFINITE_NUMBERS:
            for adjective in ("الماضية", "المقبلة", "القادمة", "الأخيرة", "المنصرمة", "الأولى"):
                relative.setdefault(_key(f"{noun} {number} {adjective}"), "general")
    # duals: «اليومين المقبلين», «العامين الماضيين»
    for dual in ("اليومين", "الأسبوعين", "الشهرين", "العامين", "السنتين", "العقدين", "الموسمين"):
        for adjective in ("الماضيين", "المقبلين", "القادمين", "الأخيرين", "المنصرمين"):
            relative.setdefault(_key(f"{dual} {adjective}"), "general")
    # «العام المالي المقبل», «السنة الدراسية الجديدة», «الموسم الماضي»
    for noun, kinds, adjectives in (
        (
            "العام",
            ("المالي", "الدراسي", "الجامعي", "الهجري", "الميلادي"),
            ("المقبل", "الماضي", "الحالي", "الجاري", "الجديد", "القادم"),
        ),
        (
            "السنة",
            ("المالية", "الدراسية", "الجامعية", "الهجرية"),
            ("المقبلة", "الماضية", "الحالية", "الجارية", "الجديدة", "القادمة"),
        ),
        ("الموسم", ("",), ("المقبل", "الماضي", "الحالي", "الجاري", "الجديد", "القادم")),
    ):
        for kind in kinds:
            for adjective in adjectives:
                relative.setdefault(_key(f"{noun} {kind} {adjective}"), "general")

    nisba: dict[str, str] = {}
    for country in sorted(country_names):
        key = _key(country)
        if len(key) == 1:
            for form in _nisba_forms(key[0]):
                if (form,) not in names and form not in _AMBIG_N:
                    nisba.setdefault(form, country)

    for form in _NORP_EXTRA:
        nisba.setdefault(normalize(form), "general knowledge")

    payload = json.dumps(
        [sorted((k, v.label, v.rule) for k, v in names.items()), sorted(months), sorted(weekdays), sorted(relative),
         sorted(currencies), sorted(languages), sorted(nisba)],
        ensure_ascii=False,
    )  # fmt: skip
    return _Data(
        names=names,
        max_name=max(len(k) for k in names),
        months=months,
        max_month=max(len(k) for k in months),
        weekdays=frozenset(weekdays),
        relative=relative,
        max_relative=max(len(k) for k in relative),
        currencies=frozenset(currencies),
        languages=frozenset(languages),
        nisba=nisba,
        digest=hashlib.sha256(payload.encode()).hexdigest()[:16],
    )


_AMBIG_N = {normalize(w) for w in _AMBIGUOUS_PLACES}


def _relative_variants(phrase: str) -> list[str]:
    """A CLDR relative phrase and its common synonyms (القادم ↔ المقبل, السنة ↔ العام)."""
    out = {phrase, phrase.replace("القادمة", "المقبلة").replace("القادم", "المقبل")}
    out |= {p.replace("السنة", "العام").replace("الماضية", "الماضي").replace("الحالية", "الحالي") for p in set(out)}
    out |= {p.replace("المقبلة", "المقبل") for p in set(out) if p.startswith("العام")}
    out |= {p.replace("غدًا", "غدا") for p in set(out)}
    return sorted(out)


def gazetteer_size() -> dict[str, int]:
    """Counts of the looked-up entries per kind (for the README and the provenance)."""
    data = _data()
    counts: dict[str, int] = {}
    for entry in data.names.values():
        counts[entry.rule] = counts.get(entry.rule, 0) + 1
    counts["months"] = len(data.months)
    counts["weekdays"] = len(data.weekdays)
    counts["relative_dates"] = len(data.relative)
    counts["currency_words"] = len(data.currencies)
    counts["languages"] = len(data.languages)
    counts["nisba_forms"] = len(data.nisba)
    return counts


# ---------------------------------------------------------------------------
# Words of a text
# ---------------------------------------------------------------------------

_CLITIC_DIGITS = regex.compile(r"(?:[وف][بلك]?|[بلك])(?=[0-9٠-٩۰-۹])")
_NUMBER = regex.compile(r"[0-9٠-٩۰-۹]+(?:[.,٫٬][0-9٠-٩۰-۹]+)*")


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    raw: str
    norm: str
    keep: tuple[int, ...]

    @property
    def is_punct(self) -> bool:
        return len(self.raw) == 1 and unicodedata.category(self.raw)[0] in "PS"

    @cached_property
    def number(self) -> float | None:
        if _NUMBER.fullmatch(self.raw) is None:
            return None
        text = self.raw.translate(_DIGITS).replace("٬", ",").replace("٫", ".")
        if regex.fullmatch(r"\d{1,3}(,\d{3})+", text):
            text = text.replace(",", "")
        text = text.replace(",", ".")
        try:
            return float(text)
        except ValueError:
            return None

    @cached_property
    def _stems(self) -> tuple[tuple[int, str], ...]:
        return tuple(self._readings())

    def stems(self) -> tuple[tuple[int, str], ...]:
        """``(raw start offset, normalized stem)`` for the word and each proclitic reading of it (cached)."""
        return self._stems

    def _readings(self) -> list[tuple[int, str]]:
        """``(raw start offset, normalized stem)`` for the word and each proclitic reading of it."""
        out = [(self.start, self.norm)]
        norm = self.norm
        for clitic in _PROCLITICS:
            if not norm.startswith(clitic):
                continue
            rest = norm[len(clitic) :]
            cut = len(clitic)
            if clitic[-1] == "ل" and rest.startswith("ل") and len(rest) > 2:
                # «للعراق» = ل + العراق: the span starts at the second ل
                out.append((self.start + self.keep[cut], "ا" + rest))
            if len(rest) >= 2:
                out.append((self.start + self.keep[cut], rest))
        return out


def _words(text: str) -> list[_Word]:
    out = []
    spans = word_offsets(text)
    i = 0
    while i < len(spans):
        start, end = spans[i]
        lead = _CLITIC_DIGITS.match(text, start, end)
        if lead is not None:
            start = lead.end()  # «و2.5»: the proclitic is not part of the number
        # join digit groups split by the tokenizer («2,5» «1.000.000») into one number word
        m = _NUMBER.match(text, start)
        if m is not None and m.end() > end:
            j = i
            while j + 1 < len(spans) and spans[j + 1][1] <= m.end():
                j += 1
            while j > i and not text[spans[j][1] - 1].translate(_DIGITS).isdigit():
                j -= 1  # whole words only, ending on a digit («5.٠ا» keeps «5» alone)
            i, end = j, spans[j][1]
        raw = text[start:end]
        out.append(_Word(start, end, raw, normalize(raw), tuple(_keep_map(raw))))
        i += 1
    return out


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cand:
    start: int
    end: int
    label: str
    rule: str
    first: int  # word index range [first, last)
    last: int


class _Matcher:
    """All rules applied to one text."""

    def __init__(self, text: str, enabled: frozenset[str]) -> None:
        self.text = text
        self.data = _data()
        self.enabled = enabled
        self.w = _words(text)
        self.norms = [w.norm for w in self.w]
        self.out: list[_Cand] = []
        self.date_words: set[int] = set()  # word indices inside DATE/TIME spans (filled by dates())
        self.place_at: dict[int, tuple[int, int, _Entry]] = {}  # gazetteer hits by first word

    # -- helpers ---------------------------------------------------------
    def emit(self, rule: str, first: int, last: int, start: int | None = None) -> _Cand | None:
        """Record a candidate span over words ``[first, last)`` (from ``start`` if proclitics are cut off)."""
        if rule not in self.enabled or first >= last:
            return None
        cand = _Cand(self.w[first].start if start is None else start, self.w[last - 1].end, RULES[rule][0], rule,
                     first, last)  # fmt: skip
        self.out.append(cand)
        return cand

    def lookup(self, i: int, table: Mapping[tuple[str, ...], Any], longest: int) -> tuple[int, int, Any] | None:
        """Longest table entry starting at word ``i`` (proclitics allowed): ``(raw start, end word index, value)``."""
        if i >= len(self.w):
            return None
        best = None
        for start, stem in self.w[i].stems():
            for n in range(min(longest, len(self.w) - i), 0, -1):
                value = table.get((stem, *self.norms[i + 1 : i + n]))
                if value is not None:
                    if best is None or n > best[1] - i:
                        best = (start, i + n, value)
                    break
        return best

    def number_at(self, i: int) -> tuple[int, float | None] | None:
        """A number starting at word ``i`` (digits [+ scale word] or number words): ``(end index, value)``."""
        if i >= len(self.w):
            return None
        value = self.w[i].number
        if value is not None:
            j = i + 1
            if j < len(self.w) and self.norms[j] in _NUMBER_N_SCALE:
                j += 1
            return j, value
        j = i
        while j < len(self.w):
            norm = self.norms[j]
            if j == i and norm not in _NUMBER_N:
                norm = next((stem for _, stem in self.w[i].stems()[1:] if stem in _NUMBER_N), norm)  # «بإحدى عشرة»
            if norm in _NUMBER_N or (j > i and norm.startswith("و") and norm[1:] in _NUMBER_N):
                j += 1
                continue
            break
        if j == i or (j == i + 1 and self._number_word(i) in _WEAK_N):
            return None
        return j, None

    def _number_word(self, i: int) -> str:
        """Word ``i`` as a number word, without its proclitics («بإحدى» → «احدى»), or as it is."""
        return next((stem for _, stem in self.w[i].stems() if stem in _NUMBER_N), self.norms[i])

    def _number_start(self, i: int) -> int:
        """Raw start of the number in word ``i``: after proclitics for a number word («بثلاثة» → «ثلاثة»)."""
        return next((start for start, stem in self.w[i].stems() if stem in _NUMBER_N), self.w[i].start)

    # -- rules -----------------------------------------------------------
    def run(self) -> list[_Cand]:
        self.money_percent()
        self.dates()
        self.places_and_orgs()
        self.titles_and_people()
        self.norp_language()
        self.cardinals()
        return self.out

    def money_percent(self) -> None:
        i = 0
        while i < len(self.w):
            found = self.number_at(i)
            if found is None:
                i += 1
                continue
            j, _ = found
            if j < len(self.w) and self.norms[j] in self.data.currencies:
                k = j + 1
                # a currency adjective: «دولار أمريكي», «جنيه مصري»
                if k < len(self.w) and (self.norms[k] in self.data.nisba or self.norms[k] in _CURR_ADJ):
                    k += 1
                self.emit("money.number_currency", i, k, start=self._number_start(i))
                self.emit("curr.currency_in_money", j, k)
                i = k
                continue
            unit_end = self._unit_end(j)
            if unit_end is not None:
                self.emit("quantity.number_unit", i, unit_end, start=self._number_start(i))
                self.emit("unit.in_quantity", j, unit_end)
                i = unit_end
                continue
            for tail in _PERCENT_TAILS_N:
                if tuple(self.norms[j : j + len(tail)]) == tail:
                    self.emit("percent.number_percent", i, j + len(tail), start=self._number_start(i))
                    i = j + len(tail)
                    break
            else:
                i = j
        # a bare currency name (CURR alone): «سعر الدولار»
        for i in range(len(self.w)):
            start = self._stem_in(i, _CURR_ALONE)
            if start is not None and not any(c.first <= i < c.last for c in self.out):
                self.emit("curr.currency_in_money", i, i + 1, start=start)

    def _unit_end(self, j: int) -> int | None:
        """End of a unit of measurement starting at word ``j`` («كيلومترا», «درجة مئوية», «متر مربع»)."""
        if j >= len(self.w) or self.norms[j] not in _UNITS_N:
            return None
        if j + 1 < len(self.w) and self.norms[j + 1] in _UNIT_QUALIFIERS_N:
            return j + 2
        if self.norms[j] in _WEAK_UNITS_N:
            return None  # «درجة» alone is a rank or a grade as often as a temperature
        return j + 1

    def _year_at(self, i: int) -> bool:
        if i >= len(self.w):
            return False
        value = self.w[i].number
        return value is not None and value.is_integer() and 1000 <= value <= 2199 and len(self.w[i].raw) == 4

    def _ordinal_day_before(self, i: int) -> int | None:
        """First word of an ordinal day + «من» before the month at word ``i`` («التاسع من», «الحادي عشر من»)."""
        if i < 2 or self.norms[i - 1] != "من":
            return None
        k = i - 2
        if self.norms[k] in _TEENS_N and k > 0 and self._stem_in(k - 1, _DAY_ORDINALS_N) is not None:
            return k - 1
        return k if self._stem_in(k, _DAY_ORDINALS_N) is not None else None

    def parts_of_year(self, taken: set[int]) -> None:
        """«الربع الثالث من 2024», «النصف الأول من العام», «الربع الأخير من عام 2024»: one DATE."""
        for i in range(len(self.w) - 1):
            start = self._stem_in(i, _YEAR_PARTS_N)
            if start is None or i in taken or self._stem_in(i + 1, _PART_ORDINALS_N) is None:
                continue
            j = i + 2
            if j + 1 < len(self.w) and self.norms[j] == "من":
                k = j + 1
                if self._year_at(k):
                    j = k + 1
                elif self._stem_in(k, _YEAR_NOUNS_N) is not None and self._year_at(k + 1):
                    j = k + 2
                elif (hit := self.lookup(k, self.data.relative, self.data.max_relative)) is not None:
                    j = hit[1]
                elif self.norms[k] in _PERIOD_NOUNS_N:
                    j = k + 1
            if any(k in taken for k in range(i, j)):
                continue
            self.emit("date.part_of_year", i, j, start=start)
            taken.update(range(i, j))

    def dates(self) -> None:
        data = self.data
        i = 0
        taken: set[int] = set()
        self.parts_of_year(taken)
        while i < len(self.w):
            if i in taken:
                i += 1
                continue
            hit = self.lookup(i, data.months, data.max_month)
            if hit is None:
                i += 1
                continue
            start, j, _ = hit
            first = i
            day = i > 0 and (v := self.w[i - 1].number) is not None and v.is_integer() and 1 <= v <= 31
            if day:
                first = i - 1
                start = self.w[first].start
            elif (ordinal := self._ordinal_day_before(i)) is not None:
                first = ordinal  # «التاسع من كانون الثاني», «الحادي عشر من مارس»
                start = self._stem_in(first, _DAY_ORDINALS_N) or self.w[first].start
            elif self._stem_in(i - 1, _PERIOD_N) is not None:
                first = i - 1
                start = self._stem_in(first, _PERIOD_N)
            shahr = self._stem_in(i - 1, _SHAHR_N) is not None
            if shahr:
                first = i - 1
                start = self._stem_in(first, _SHAHR_N)
            # «حزيران/يونيو» or «حزيران (يونيو)»
            if (
                j + 1 < len(self.w)
                and self.w[j].raw in "/("
                and (h2 := self.lookup(j + 1, data.months, data.max_month))
            ):
                j = h2[1]
                if j < len(self.w) and self.w[j].raw == ")" and self.w[j - 1].raw != "/":
                    j += 1
            year = self._year_at(j)
            if year:
                j += 1
            elif j < len(self.w) and self.norms[j] in _MONTH_ADJ_N:
                j += 1  # «كانون الثاني الماضي»
            period = self._stem_in(i - 1, _PERIOD_N) is not None
            if normalize(self.w[i].raw) in _AMBIG_MONTHS_N and not (day or year or shahr or period):
                i = j
                continue
            if first > 0 and self._stem_in(first - 1, _PERIOD_N) is not None and not day:
                first -= 1
                start = self._stem_in(first, _PERIOD_N)
            self.emit("date.day_month_year", first, j, start=start)
            taken.update(range(first, j))
            i = j
        # years
        for i in range(len(self.w)):
            if i in taken or not self._year_at(i):
                continue
            end = None
            if i + 2 < len(self.w) and self.w[i + 1].raw in "-–/" and self._year_at(i + 2):
                end = i + 3  # «2020-2030»
            elif i + 1 < len(self.w) and self._year_at(i + 1) and self.text[self.w[i + 1].start - 1] == "و":
                end = i + 2  # «بين 1990 و1995»
            elif i + 2 < len(self.w) and self.norms[i + 1] in {"الى", "حتى"} and self._year_at(i + 2):
                end = i + 3  # «من 2020 إلى 2030»
            if end is not None:
                first = i
                if i > 0 and self._stem_in(i - 1, _YEAR_NOUNS_N) is not None:
                    first = i - 1
                start = self._noun_start(first) if first < i else None
                self.emit("date.year_range", first, end, start=start)
                taken.update(range(first, end))
                continue
            if i > 0 and (i - 1) in taken:
                continue
            stem_prev = self._stem_in(i - 1, _YEAR_NOUNS_N) if i > 0 else None
            if stem_prev is not None:
                first = i - 1
                if i > 1 and self._stem_in(i - 2, _PERIOD_N) is not None:
                    first = i - 2
                    stem_prev = self._stem_in(first, _PERIOD_N)
                self.emit("date.year_cue", first, i + 1, start=stem_prev)
                taken.update(range(first, i + 1))
            elif self._stem_in(i - 1, _YEAR_CUES_N) is not None:
                first, start = i, None
                if self._stem_in(i - 1, _PERIOD_N) is not None:
                    first, start = i - 1, self._stem_in(i - 1, _PERIOD_N)  # «نهاية 2020»
                self.emit("date.year_cue", first, i + 1, start=start)
                taken.update(range(first, i + 1))
        # relative dates
        i = 0
        while i < len(self.w):
            if i in taken:
                i += 1
                continue
            hit = self.lookup(i, data.relative, data.max_relative)
            if hit is None:
                i += 1
                continue
            start, j, _ = hit
            # «اليوم العالمي», «اليوم الأول»: «اليوم» + a definite adjective is the noun "day", not "today"
            if (j == i + 1 and self.norms[i].endswith("اليوم") and j < len(self.w) and self.norms[j].startswith("ال")
                    and (self.norms[j].endswith("ي") or self.norms[j] in _ORDINALS_N)):  # fmt: skip
                i += 1
                continue
            if any(k in taken for k in range(i, j)):
                i += 1
                continue
            self.emit("date.relative", i, j, start=start)
            taken.update(range(i, j))
            i = j
        # weekdays
        for i, w in enumerate(self.w):
            if i in taken:
                continue
            stems = {s: st for st, s in w.stems()}
            day = next((s for s in stems if s in data.weekdays), None)
            if day is None:
                continue
            after_yawm = i > 0 and self._stem_in(i - 1, {"يوم"}) is not None
            if after_yawm:
                self.emit("date.weekday", i - 1, i + 1, start=self._stem_in(i - 1, {"يوم"}))
                taken.update((i - 1, i))
            elif day not in _AMBIG_WEEKDAYS_N:
                self.emit("date.weekday", i, i + 1, start=stems[day])
                taken.add(i)
        # period word + date noun: «نهاية العام», «مطلع الشهر»
        for i in range(len(self.w) - 1):
            if i in taken or i + 1 in taken:
                continue
            start = self._stem_in(i, _PERIOD_N)
            if start is not None and self.norms[i + 1] in _PERIOD_NOUNS_N:
                self.emit("date.period", i, i + 2, start=start)
                taken.update((i, i + 1))
        # durations and ages: «ثلاثة أيام», «40 عاما», «يومين»
        for i in range(len(self.w)):
            if i in taken:
                continue
            found = self.number_at(i)
            if found is not None and found[0] < len(self.w) and self.norms[found[0]] in _DATE_UNITS_N:
                j = found[0] + 1
                if not any(k in taken for k in range(i, j)):
                    self.emit("date.duration", i, j, start=self._number_start(i))
                    taken.update(range(i, j))
            elif found is not None and found[0] < len(self.w) and self.norms[found[0]] in _TIME_UNITS_N:
                self.emit("time.part_of_day", i, found[0] + 1, start=self._number_start(i))
                taken.update(range(i, found[0] + 1))
            elif found is None:
                start = self._stem_in(i, _DATE_DUALS_N)
                if start is not None:
                    self.emit("date.duration", i, i + 1, start=start)
                    taken.add(i)
        # «الساعة العاشرة صباحا», «الساعة 10»
        for i in range(len(self.w) - 1):
            start = self._stem_in(i, {"الساعة"})
            if start is None or i + 1 in taken:
                continue
            nxt = self.norms[i + 1]
            if self.w[i + 1].number is not None or nxt in _ORDINALS_N or nxt in _NUMBER_N:
                j = i + 2
                if j + 1 < len(self.w) and self.w[j].raw == ":" and self.w[j + 1].number is not None:
                    j += 2
                if j < len(self.w) and self.norms[j] in _DAY_PARTS_N | _n({"ظهرا", "عصرا", "ليلا"}):
                    j += 1
                self.emit("time.part_of_day", i, j, start=start)
                taken.update(range(i, j))
        self.date_words = taken
        self._merge_dates()

    def _merge_dates(self) -> None:
        """Join DATE spans that touch (``الأحد 5 يونيو``, ``العقد الماضي 2010-2020``); part of day + date -> TIME."""
        dates = sorted((c for c in self.out if c.label == "DATE"), key=lambda c: c.first)
        others = [c for c in self.out if c.label != "DATE"]
        merged: list[_Cand] = []
        for c in dates:
            if merged and merged[-1].last == c.first and self.w[c.first].start == c.start:
                prev = merged.pop()
                c = _Cand(prev.start, c.end, "DATE", prev.rule, prev.first, c.last)
            merged.append(c)
        final = []
        for c in merged:
            if c.first > 0 and c.rule in ("date.relative", "date.weekday"):
                start = self._stem_in(c.first - 1, _DAY_PARTS_N)
                if start is not None and "time.part_of_day" in self.enabled:
                    c = _Cand(start, c.end, "TIME", "time.part_of_day", c.first - 1, c.last)
                    self.date_words.add(c.first)
            final.append(c)
        self.out = others + final

    def _stem_in(self, i: int, words: Iterable[str]) -> int | None:
        """Raw start of word ``i``'s reading (with or without proclitics) that is in ``words``."""
        if i < 0 or i >= len(self.w):
            return None
        words = set(words)
        for start, stem in self.w[i].stems():
            if stem in words:
                return start
        return None

    def _noun_start(self, i: int) -> int:
        for start, stem in self.w[i].stems():
            if stem in _YEAR_NOUNS_N:
                return start
        return self.w[i].start

    def places_and_orgs(self) -> None:
        data = self.data
        i = 0
        while i < len(self.w):
            hit = self.lookup(i, data.names, data.max_name)
            if hit is None and self.norms[i] in _CONTEXT_PLACES_N and i > 0 and self.norms[i - 1] in _LOCATIVE_N:
                if not (i + 1 < len(self.w) and self.norms[i + 1].startswith("راس")):
                    hit = (self.w[i].start, i + 1, _Entry("GPE", "gpe.alias"))
            if hit is None:
                i += 1
                continue
            start, j, entry = hit
            self.place_at[i] = (start, j, entry)
            prev = self.norms[i - 1] if i > 0 else ""
            if (j == i + 1 and start == self.w[i].start and self.norms[i] in _ADJ_COUNTRIES_N
                    and prev.startswith("ال") and prev.endswith(("ة", "ات")) and prev not in _STOP_N):  # fmt: skip
                self.emit("norp.adjective_country", i, j)  # «القيادة السعودية» (guidelines §7)
            else:
                self.emit(entry.rule, i, j, start=start)
            i = j
        # compass regions: «شمال سوريا», «جنوب شرق آسيا»
        for i in range(len(self.w)):
            stem = self._stem_in(i, _COMPASS_N)
            if stem is None or i + 1 >= len(self.w):
                continue
            j = i + 1
            if self.norms[j] in _COMPASS_N and j + 1 < len(self.w):
                j += 1
            target = self.place_at.get(j)
            if target is not None and target[0] == self.w[j].start and target[2].label in ("GPE", "LOC"):
                if any(c.first == i and c.last >= target[1] for c in self.out if c.label in ("LOC", "GPE")):
                    continue  # already a longer CLDR name («جنوب أفريقيا», «شمال أفريقيا»)
                if self.emit("loc.compass_region", i, target[1], start=stem) and target[2].label == "LOC":
                    # «شمال آسيا» is one LOC: the continent inside is not nested (guidelines §4)
                    self.out = [c for c in self.out if not (c.label == "LOC" and c.first == j and c.last == target[1])]
        # organisation nouns with a genitive phrase
        for i, w in enumerate(self.w):
            for start, stem in w.stems():
                institutional = stem in _ORG_INSTITUTIONAL_N
                if stem in _ORG_TRIGGERS_N or institutional:
                    nxt = self.norms[i + 1] if i + 1 < len(self.w) else ""
                    if institutional and nxt not in _INSTITUTIONAL_ADJ_N and nxt not in self.data.nisba:
                        break  # «المركز الثالث», «المؤسسة التعليمية»: common nouns
                    definite = stem.startswith("ال")
                    end = self.phrase(i + 1, max_words=5, definite_head=definite, coordinated=stem == "وزارة")
                    if definite and end > i + 1:
                        end = self.org_tail(i + 1, end, university=stem == "الجامعة")
                    if end > i + 1:
                        self.emit("org.trigger_phrase", i, end, start=start)
                    break

    def org_tail(self, j: int, end: int, *, university: bool) -> int:
        """Extend a definite ORG name whose adjectives ``[j, end)`` include an institutional one.

        A «لل» complement names the body's field («المركز الوطني للأرصاد الجوية», «المفوضية السامية
        للأمم المتحدة لشؤون اللاجئين»), then definite adjectives and a «لشؤون ...» phrase; «الجامعة» +
        a nationality adjective may add «في» + a city («الجامعة الأمريكية في بيروت»).
        """
        adjectives = [self.norms[m] for m in range(j, end)]
        if university and len(adjectives) == 1 and adjectives[0] in self.data.nisba:
            place = self.place_at.get(end + 1)
            if end + 1 < len(self.w) and self.norms[end] == "في" and place is not None and place[2].label == "GPE":
                if place[0] == self.w[end + 1].start:
                    return place[1]
        if not any(a in _INSTITUTIONAL_ADJ_N for a in adjectives) or end >= len(self.w):
            return end
        k = end
        place = self.place_at.get(k)
        if place is not None and place[0] != self.w[k].start and self.norms[k].startswith("لل"):
            k = place[1]  # «للأمم المتحدة»
        elif (
            (
                self.norms[k].startswith("لل")
                or (self.norms[k].startswith("ل") and k + 1 < len(self.w) and self._definite_word(k + 1))
            )
            and len(self.norms[k]) > 4
            and k not in self.date_words
        ):
            k += 1  # «للأرصاد», «لمكافحة الأوبئة», «لحقوق الإنسان»
            while k < len(self.w) and k - end < 3 and self._definite_word(k) and self.norms[k] not in self.data.nisba:
                k += 1
        else:
            return end
        if k < len(self.w) and self.norms[k] in _PORTFOLIO_N:
            k += 1  # «لشؤون اللاجئين»
            while k < len(self.w) and self._definite_word(k):
                k += 1
        return k

    def _definite_word(self, k: int) -> bool:
        norm = self.norms[k]
        return norm.startswith("ال") and norm not in _STOP_N and k not in self.date_words and not self.w[k].is_punct

    def phrase(
        self, j: int, *, max_words: int, definite_head: bool, title: bool = False, coordinated: bool = False
    ) -> int:
        """End index of the genitive/adjective phrase after a head noun at ``j - 1``.

        Continues over: definite words (``ال...``) that are not function words,
        date words or person names; gazetteer names (``مصر``); organisation or
        title nouns in construct (``رئيس مجلس ...``); and, after a title,
        ``باسم`` + its object and a ``لل`` word that starts a gazetteer name
        (``الأمين العام للأمم المتحدة``). Stops at punctuation, numbers,
        ``و``-conjoined words (except, with ``coordinated``, a ``وال`` word after
        a definite word: a ministry's double portfolio, «وزارة التربية والتعليم»),
        prepositions and any other word. A nationality adjective after a place
        name in construct is left out: the body is already named («جامعة أكسفورد
        البريطانية» → «جامعة أكسفورد»).
        """
        k = j
        taken = self.date_words
        while k < len(self.w) and k - j < max_words:
            norm = self.norms[k]
            w = self.w[k]
            if w.is_punct or w.number is not None or k in taken or norm in _STOP_N:
                break
            place = self.place_at.get(k)
            if place is not None and place[0] == w.start and not definite_head:
                k = place[1]  # a name in construct: «جامعة القاهرة», «سفير مصر»
                if not title and place[2].label == "GPE" and k < len(self.w) and self.norms[k] in self.data.nisba:
                    break
                continue
            if coordinated and k > j and norm.startswith("وال") and self.norms[k - 1].startswith("ال"):
                k += 1  # «وزارة التربية والتعليم», «وزيرة الاقتصاد والمالية»
                continue
            if definite_head:
                if (
                    norm in self.data.nisba
                    or norm in _TITLE_ADJ_N
                    or (not title and norm.startswith("ال") and norm not in _HONORIFICS_N)
                ):
                    k += 1
                    continue
                if not title:
                    break
            else:
                if norm.startswith("ال") and norm not in _HONORIFICS_N:
                    k += 1
                    continue
                if norm in _ORG_TRIGGERS_N or norm in _TITLES_C_N:
                    k += 1
                    continue
                if self._chain_word(j, k):
                    k += 1  # «رئيس مجلس إدارة البنك»: an indefinite noun inside a construct chain
                    if not title and k == j + 1 and self.norms[k] in self.data.nisba:
                        break  # «جامعة أكسفورد البريطانية»: a name + a nationality adjective; the body is named
                    continue
            if title and norm in _TITLE_LINKS_N and k + 1 < len(self.w):
                k += 1
                continue
            if title and norm in _PORTFOLIO_N:
                k += 1  # «لشؤون الموازنة»
                while k < len(self.w) and self.norms[k].startswith("ال") and self.norms[k] not in _STOP_N:
                    k += 1
                break
            if title and place is not None and place[0] != w.start:
                # «للأمم المتحدة», «لمصر»: a ل-prefixed gazetteer name closes the title
                k = place[1]
                break
            if title and norm.startswith("ل"):
                stems = {stem for _, stem in w.stems()[1:]}
                if stems & _ORG_TRIGGERS_N or (
                    k == j and not definite_head and any(st.startswith("ال") for st in stems)
                ):
                    # «لجامعة الدول العربية», «وزيرا للصحة»
                    k += 1
                    while (k < len(self.w) and self.norms[k].startswith("ال") and self.norms[k] not in _STOP_N
                           and k not in taken):  # fmt: skip
                        k += 1
                break
            break
        return k

    def _chain_word(self, j: int, k: int) -> bool:
        """True if word ``k`` is an indefinite noun continuing a construct chain that started at ``j``.

        Only while the chain is still indefinite (no definite word taken yet)
        and only when a definite, non-date word follows, as in «مجلس إدارة البنك».
        """
        if k + 1 >= len(self.w) or any(self.norms[m].startswith("ال") for m in range(j, k)):
            return False
        norm, nxt = self.norms[k], self.norms[k + 1]
        taken = self.date_words
        return (
            len(norm) >= 3
            and not norm.startswith(("و", "ف"))
            and not self.w[k].is_punct
            and self.w[k].number is None
            and norm not in _STOP_N
            and norm not in self.data.nisba
            and nxt.startswith("ال")
            and nxt not in _STOP_N
            and k + 1 not in taken
        )

    def titles_and_people(self) -> None:
        occ_ends: dict[int, int] = {}
        for i, w in enumerate(self.w):
            if i in self.date_words:
                continue
            for start, stem in w.stems():
                if stem in _TITLES_C_N and not (i > 0 and self.norms[i - 1] in _TITLES_C_N):
                    end = self.phrase(
                        i + 1, max_words=6, definite_head=False, title=True, coordinated=stem in _MINISTERS_N
                    )
                    for m in range(i, end):
                        if self.norms[m] in _MINISTERS_N or (m == i and stem in _MINISTERS_N):
                            self.ministry(m + 1, end)
                    if (
                        stem in _COACH_TITLES_N or (stem in _COMMANDER_TITLES_N and self.norms[i + 1] in _FORCES_N)
                    ) and (
                        end == i + 2
                        and self.norms[i + 1].startswith("ال")
                        and self.norms[i + 1] not in _GENERIC_TEAMS_N
                    ):
                        # «مدرب الأهلي»: the team a coach trains; «قائد الجيش»: the force he commands (ORG)
                        self.emit("org.ministry_in_title", i + 1, end)
                    # a definite adjective may follow the genitive: «وزير الخارجية المصري» (covered above)
                    if end > i + 1:
                        self.emit("occ.title_phrase", i, end, start=start)
                        occ_ends[end] = i
                    break
                if stem in _TITLES_D_N:
                    end = self.phrase(i + 1, max_words=3, definite_head=True, title=True)
                    if end > i + 1:
                        self.emit("occ.title_phrase", i, end, start=start)
                        occ_ends[end] = i
                    else:
                        occ_ends.setdefault(i + 1, -1 - i)  # bare title: OCC only if a name follows
                    break
        # people after an honorific or an OCC
        for i, w in enumerate(self.w):
            stems = [s for _, s in w.stems()]
            after_honorific = any(s in _HONORIFICS_N or s in _LEADER_CUES_N for s in stems) or (
                w.raw == "د" and i + 1 < len(self.w) and self.w[i + 1].raw == "."
            )
            nxt = i + 1 if w.raw != "د" else i + 2
            if after_honorific or i + 1 in occ_ends:
                if i + 1 in occ_ends and not after_honorific:
                    nxt = i + 1
                end = self.name_at(nxt, need_known=False)
                if end is not None:
                    self.emit("pers.after_title", nxt, end)
                    head = occ_ends.get(i + 1)
                    if head is not None and head < 0:  # a bare definite title before a name is an OCC
                        h = -1 - head
                        self.emit("occ.title_phrase", h, h + 1, start=self._stem_in(h, _TITLES_D_N))
        for i in range(len(self.w) - 1):
            if self._stem_in(i, _VERBS_N) is not None:
                end = self.name_at(i + 1, need_known=True)
                if end is not None:
                    self.emit("pers.after_verb", i + 1, end)
        for i in range(len(self.w) - 2):
            if self._stem_in(i, _VERBS_N) is None:
                continue
            for n in (1, 2):
                close = i + 1 + n
                if close >= len(self.w) or not self._opens_speech(close):
                    continue
                if all(self._speaker_word(k) for k in range(i + 1, close)):
                    self.emit("pers.speaker", i + 1, close)
                break
        for i, norm in enumerate(self.norms):
            if norm in _GIVEN_N or (norm == "عبد" and i + 1 < len(self.w)):
                if i > 0 and (self.norms[i - 1] in _NAME_LINKS_N or self.norms[i - 1] in _GIVEN_N):
                    continue  # inside a longer name
                end = self.name_at(i, need_known=True)
                if end is not None and not (end == i + 1 and norm in _AMBIG_GIVEN_N):
                    self.emit("pers.given_name", i, end)
        self.surnames(occ_ends)

    def surnames(self, occ_ends: Mapping[int, int]) -> None:
        """A family name used alone after the full name was given: «قال جوزيف عون ... وكلف الرئيس عون».

        The last word of every PERS span of two or more words (not a link, number word, ordinal, nisba or
        a given name) is a PERS wherever else it stands alone in the text; a bare definite title right
        before it is an OCC («الرئيس عون»), as for a full name.
        """
        people = [c for c in self.out if c.label == "PERS" and c.last - c.first >= 2]
        family = {}
        for c in people:
            norm = self.norms[c.last - 1]
            if (len(norm) >= 3 and norm not in _NAME_LINKS_N and norm not in _GIVEN_N and norm not in _ORDINALS_N
                    and norm not in self.data.nisba and norm not in _STOP_N):  # fmt: skip
                family[norm] = c
        if not family:
            return
        inside = {k for c in self.out if c.label in ("PERS", "ORG", "GPE", "LOC") for k in range(c.first, c.last)}
        for i, w in enumerate(self.w):
            if i in inside or i in self.date_words:
                continue
            for start, stem in w.stems():
                if stem in family:
                    self.emit("pers.surname", i, i + 1, start=start)
                    head = occ_ends.get(i)
                    if head is not None and head < 0:
                        h = -1 - head
                        self.emit("occ.title_phrase", h, h + 1, start=self._stem_in(h, _TITLES_D_N))
                    break

    def _opens_speech(self, k: int) -> bool:
        """True if word ``k`` opens reported speech: a complementizer (إن، أن ...) or a colon."""
        return self.w[k].raw in _SPEECH_OPENERS or self.norms[k] in _SPEECH_OPENERS_N

    def _speaker_word(self, k: int) -> bool:
        """True if word ``k`` can be part of a speaker's name (no article, not a known common word).

        Construct-form title nouns (وزير، رئيس، أمين ...) are allowed: a title in construct needs a
        following genitive, so one that stands right before إن/أن or a colon is a name («وأضاف أمين:»).
        """
        norm = self.norms[k]
        w = self.w[k]
        return not (
            w.is_punct
            or w.number is not None
            or len(norm) < 2
            or norm.startswith("ال")
            or norm in _STOP_N
            or norm in _SPEAKER_NOUNS_N
            or norm in _TITLES_D_N
            or norm in _ORG_TRIGGERS_N
            or norm in self.data.nisba
            or k in self.place_at
            or k in self.date_words
        )

    def ministry(self, j: int, end: int) -> None:
        """ORG for the portfolio after a minister title: «الصحة» in «وزير الصحة المصري», «لصحة» in «وزيرا للصحة»."""
        start = None
        k = j
        while k < end:
            norm = self.norms[k]
            cut = self.w[k].start
            if k == j and not norm.startswith("ال"):
                readings = [(st, s) for st, s in self.w[k].stems()[1:] if s.startswith("ال")]
                if not readings:
                    return
                cut, norm = readings[0]
            joined = k > j and norm.startswith("وال") and start is not None  # «الاقتصاد والمالية»
            if (not norm.startswith("ال") and not joined) or norm in self.data.nisba or norm in _TITLE_ADJ_N:
                break
            if k in self.place_at:
                break
            if start is None:
                start = cut
            k += 1
        if start is not None:
            self.emit("org.ministry_in_title", j, k, start=start)

    def name_at(self, i: int, *, need_known: bool) -> int | None:
        """End index of a person's name starting at word ``i``, or ``None``.

        A name is one to three name words, each possibly joined by a link
        (``بن``, ``عبد``, ``أبو``, ``آل`` ...). The first word must not start
        with ``ال`` (unless it is linked, as in ``عبد الله``). With
        ``need_known`` it must be a common given name (or ``عبد``). Function
        words, reporting verbs, punctuation, numbers, gazetteer names,
        nationality adjectives, title words and date words end the name.
        """
        if i >= len(self.w):
            return None
        first = self.norms[i]
        if need_known and first not in _GIVEN_N and first != "عبد":
            return None
        if first.startswith("ال") and first not in _GIVEN_N:
            return None
        units = 0
        k = i
        taken = self.date_words
        while k < len(self.w) and units < 3:
            norm = self.norms[k]
            w = self.w[k]
            if (w.is_punct or w.number is not None or norm in _STOP_N or k in taken or norm in self.data.nisba
                    or norm in _TITLES_D_N or norm in _TITLES_C_N or norm in _ORG_TRIGGERS_N or len(norm) < 2
                    or (k > i and norm.startswith("و") and norm not in _GIVEN_N)
                    or norm.startswith(("بال", "لل", "وال", "فال", "كال"))):  # fmt: skip
                break
            place = self.place_at.get(k)
            if place is not None and norm not in _GIVEN_N:
                break
            link = norm in _NAME_LINKS_N and k + 1 < len(self.w) and not self.w[k + 1].is_punct
            if units >= 2 and not link and norm not in _GIVEN_N and (norm.endswith("ة") or norm[0] in "بلك"):
                # a third word with a preposition (بتشكيل، لمدة) or a feminine ending (مذكرة) is the
                # object or complement after the subject's name, not a grandfather's or family name
                break
            if k > i and norm.startswith("ال") and units > 1 and not norm.endswith("ي") and not link:
                break  # «محمد مرسي الوفد»: a third, definite word is rarely part of the name («آل ثاني» is linked)
            if link:
                k += 2
            else:
                k += 1
            units += 1
        if k == i:
            return None
        if not need_known and first not in _GIVEN_N and first not in _NAME_LINKS_N:
            # an unknown first word: a name only as two or more words without the article
            # («سامح شكري», «نيد برايس»), not «أطلق المبادرة»
            span_words = [self.norms[m] for m in range(i, k)]
            if len(span_words) < 2 or span_words[0].startswith("ال"):
                return None
            if any(w.startswith("ال") for w in span_words[1:]):
                # a definite family name is a nisba-shaped «الـ...ي» (رشاد العليمي): after a title or an
                # honorific, given name + such a word is a name; any other definite word is not («أطلق المبادرة»)
                last = span_words[1]
                if not (len(span_words) == 2 and last.endswith("ي") and len(last) >= 5 and last not in _STOP_N):
                    return None
        return k

    def norp_language(self) -> None:
        data = self.data
        # a nisba inside a currency or a place name is part of that name («الخليج العربي», «بحر العرب»,
        # «الإمارات العربية المتحدة»), not a nationality mention
        in_names = {k for c in self.out if c.label in ("CURR", "LOC", "GPE") for k in range(c.first, c.last)}
        for i, w in enumerate(self.w):
            for start, stem in w.stems() if i not in in_names else ():
                if stem in data.nisba:
                    self.emit("norp.nisba", i, i + 1, start=start)
                    break
            if i > 0 and self._stem_in(i - 1, _LANGUAGE_CUES_N) is not None:
                for start, stem in w.stems():
                    if stem in data.languages:
                        self.emit("language.after_cue", i, i + 1, start=start)
                        break
            elif self.norms[i].startswith("وال") and any(c.label == "LANGUAGE" and c.last == i for c in self.out):
                # «بالعربية والفرنسية»: a language name joined by و to a language mention
                if self.norms[i][1:] in data.languages:
                    self.emit("language.after_cue", i, i + 1, start=self.w[i].start + self.w[i].keep[1])
            elif self.norms[i].startswith("بال") and i not in in_names:
                # «بالعربية», «بالفرنسية»: ب + a language name with no noun to agree with is "in <language>";
                # not before another name word («بالعربية السعودية»)
                nxt = self.norms[i + 1] if i + 1 < len(self.w) else ""
                stem = self.norms[i][1:]
                if stem in data.languages and nxt not in data.nisba and (i + 1) not in self.place_at:
                    self.emit("language.after_cue", i, i + 1, start=self.w[i].start + self.w[i].keep[1])

    def cardinals(self) -> None:
        covered = [(c.first, c.last) for c in self.out if c.label in ("DATE", "TIME", "MONEY", "PERCENT", "QUANTITY")]
        in_names = [(c.first, c.last) for c in self.out if c.label == "PERS"]  # «عبد الله الثاني»
        for i in range(len(self.w)):
            if any(f <= i < last for f, last in covered + in_names):
                continue
            for start, stem in self.w[i].stems():
                if stem in _ORDINALS_N:
                    self.emit("ordinal.words", i, i + 1, start=start)
                    break

        def free(a: int, b: int) -> bool:
            return not any(f < b and a < last for f, last in covered)

        i = 0
        while i < len(self.w):
            if self.w[i].number is not None:
                j = i + 1
                if j < len(self.w) and self.norms[j] in _NUMBER_N_SCALE:
                    j += 1
                if free(i, j):
                    self.emit("cardinal.digits", i, j)
                i = j
                continue
            found = self.number_at(i)
            if found is not None and free(i, found[0]):
                self.emit("cardinal.words", i, found[0], start=self._number_start(i))
                i = found[0]
                continue
            i += 1


def _n(words: Iterable[str]) -> frozenset[str]:
    return frozenset(normalize(w) for w in words)


_NUMBER_N = _n(_NUMBER_WORDS)
_NUMBER_N_SCALE = _n(_SCALE_WORDS)
_WEAK_N = _n(_WEAK_NUMBER_WORDS)
_UNITS_N = _n(_UNITS)
_WEAK_UNITS_N = _n(_WEAK_UNITS)
_UNIT_QUALIFIERS_N = _n(_UNIT_QUALIFIERS)
_PERCENT_TAILS_N = [tuple(normalize(x) for x in t) for t in _PERCENT_TAILS]
_CURR_ADJ = _n({"أمريكي", "أميركي", "إسترليني", "استرليني", "أوروبي"})
_CURR_ALONE = _n({"الدولار", "اليورو", "الجنيه", "الدينار", "الريال", "الدرهم", "الليرة", "الروبل", "اليوان"})
_AMBIG_MONTHS_N = _n(_AMBIGUOUS_MONTHS)
_PERIOD_N = _n(_DATE_PERIOD_WORDS)
_YEAR_NOUNS_N = _n(_YEAR_NOUNS)
_YEAR_CUES_N = _n(_YEAR_CUES)
_AMBIG_WEEKDAYS_N = _n(_AMBIGUOUS_WEEKDAYS)
_COMPASS_N = _n(w for c in _COMPASS for w in c.split())
_ORG_TRIGGERS_N = _n(_ORG_TRIGGERS)
_TITLES_C_N = _n(_TITLES_CONSTRUCT)
_TITLES_D_N = _n(_TITLES_DEFINITE)
_TITLE_ADJ_N = _n(_TITLE_ADJECTIVES)
_ORG_INSTITUTIONAL_N = _n(_ORG_TRIGGERS_INSTITUTIONAL)
_INSTITUTIONAL_ADJ_N = _n(_INSTITUTIONAL_ADJECTIVES)
_TITLE_LINKS_N = _n(_TITLE_LINKS)
_HONORIFICS_N = _n(_HONORIFICS)
_LEADER_CUES_N = _n(_LEADER_CUES)
_CONTEXT_PLACES_N = _n(_CONTEXT_PLACES)
_LOCATIVE_N = _n(_LOCATIVE_PREPOSITIONS)
_VERBS_N = _n(_REPORTING_VERBS)
_SPEECH_OPENERS_N = _n(_SPEECH_OPENERS)
_SPEAKER_NOUNS_N = _n(_SPEAKER_NOUNS)
_GIVEN_N = _n(_GIVEN_NAMES)
_NAME_LINKS_N = _n(_NAME_LINKS)
_STOP_N = _n(_STOP_WORDS)
_LANGUAGE_CUES_N = _n(_LANGUAGE_CUES)
_SHAHR_N = _n({"شهر"})
_AMBIG_GIVEN_N = _n(_AMBIGUOUS_GIVEN)
_MONTH_ADJ_N = _n({"الماضي", "المقبل", "القادم", "الجاري", "المنصرم", "الفائت"})
_ADJ_COUNTRIES_N = _n({"السعودية"})
_MINISTERS_N = _n(_MINISTER_TITLES)
_COACH_TITLES_N = _n({"مدرب", "مدربة"})
_COMMANDER_TITLES_N = _n({"قائد"})
_FORCES_N = _n({"الجيش", "الشرطة", "الحرس"})
#: A coach's generic team nouns are not names («مدرب المنتخب», «مدرب الفريق»).
_GENERIC_TEAMS_N = _n({"المنتخب", "الفريق", "النادي", "الحراس", "اللياقة", "الناشئين", "الشباب", "الكرة"})
_PORTFOLIO_N = _n(_PORTFOLIO_WORDS)
_ORDINALS_N = _n(_ORDINALS)
_DATE_UNITS_N = _n(_DATE_UNITS)
_DATE_DUALS_N = _n(_DATE_DUALS)
_TIME_UNITS_N = _n(_TIME_UNITS)
_DAY_PARTS_N = _n(w for p in _DAY_PARTS for w in p.split())
_PERIOD_NOUNS_N = _n(_PERIOD_NOUNS)
_YEAR_PARTS_N = _n({"الربع", "النصف", "الثلث"})
_PART_ORDINALS_N = _n({"الأول", "الثاني", "الثالث", "الرابع", "الأخير", "الماضي", "المقبل", "الحالي", "الجاري"})
_DAY_ORDINALS_N = _n(_ORDINALS) | _n({"الحادي", "العشرين", "الثلاثين"})
_TEENS_N = _n({"عشر", "عشرة", "والعشرين", "والعشرون", "والثلاثين"})


def _resolve(cands: Sequence[_Cand]) -> tuple[list[_Cand], int, int]:
    """Keep nested spans, drop duplicates and spans that cross a higher-priority span.

    Returns:
        ``(kept, crossing_dropped, same_range_dropped)``: the second counts spans
        removed for crossing a higher-priority span, the third spans removed
        because a higher-priority rule gave the same range another label.
    """
    best: dict[tuple[int, int], _Cand] = {}
    relabelled: set[tuple[int, int, str]] = set()
    for c in sorted(cands, key=lambda c: _PRIORITY[c.rule]):
        key = (c.start, c.end)
        if key in best:
            if best[key].label != c.label:  # the earlier (higher-priority) rule's label wins
                relabelled.add((c.start, c.end, c.label))
            continue
        best[key] = c
    kept: list[_Cand] = []
    dropped = 0
    for c in sorted(best.values(), key=lambda c: (_PRIORITY[c.rule], c.start, -c.end)):
        if any(k.start < c.end and c.start < k.end and not (k.start <= c.start and c.end <= k.end)
               and not (c.start <= k.start and k.end <= c.end) for k in kept):  # fmt: skip
            dropped += 1
            continue
        kept.append(c)
    return sorted(kept, key=lambda c: (c.start, c.end, c.label)), dropped, len(relabelled)


class RuleModel:
    """The offline rule baseline (view ``native``); see the module docstring and :data:`RULES`.

    Args:
        exclude: Rule names or labels to switch off (e.g. ``["NORP",
            "pers.given_name"]``).

    Raises:
        ModelError: If ``exclude`` names an unknown rule or label.
    """

    name = "rules"
    view = "native"

    def __init__(self, *, exclude: Iterable[str] = ()) -> None:
        excluded = set(exclude) if not isinstance(exclude, str) else {exclude}
        labels = {label for label, _ in RULES.values()}
        known = set(RULES) | labels
        unknown = sorted(excluded - known)
        if unknown:
            raise ModelError(
                "unknown rule or label to exclude",
                field="exclude",
                value=unknown,
                fix=f"use rule names ({', '.join(RULES)}) or labels ({', '.join(sorted(labels))})",
            )
        self.exclude = frozenset(excluded)
        self.enabled = frozenset(r for r, (label, _) in RULES.items() if r not in excluded and label not in excluded)
        self.labels = frozenset(RULES[r][0] for r in self.enabled)

    @classmethod
    def from_spec(cls, arg: str | None, **options: Any) -> RuleModel:
        """Create from the registry name ``rules`` (``arg`` must be ``None``).

        Raises:
            ModelError: On an argument after the name or an unknown option.
        """
        if arg:
            raise ModelError("the rules model takes no argument", field="name", value=f"rules:{arg}", fix="use 'rules'")
        for key in options:
            if key != "exclude":
                raise ModelError("unknown option for model 'rules'", field=key, value=options[key], fix="use: exclude")
        return cls(**options)

    def explain(self, text: str) -> list[tuple[Span, str]]:
        """Return every predicted span with the name of the rule that made it, in text order."""
        kept, _, _ = _resolve(_Matcher(text, self.enabled).run())
        return [(Span(c.start, c.end, c.label), c.rule) for c in kept]

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Apply the rules to each text."""
        out = []
        for text in texts:
            kept, dropped, relabelled = _resolve(_Matcher(text, self.enabled).run())
            diagnostics = {"crossing_dropped": dropped} if dropped else {}
            if relabelled:
                diagnostics["same_range_dropped"] = relabelled
            out.append(Prediction(spans=tuple(Span(c.start, c.end, c.label) for c in kept), diagnostics=diagnostics))
        return out

    def provenance(self) -> dict[str, object]:
        """Identify the rules: adapter version, Babel/CLDR version, a digest of the looked-up data, rules on."""
        return {
            "id": self.name,
            "adapter": "models.rules:RuleModel",
            "adapter_version": ADAPTER_VERSION,
            "revision": f"babel-{babel.__version__}+{_data().digest}",
            "view": self.view,
            "label_map": None,
            "rules": sorted(self.enabled),
        }
