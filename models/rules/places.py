"""Place and organisation rules: gazetteer names, compass regions, organisation nouns with their phrase."""

from __future__ import annotations

from arabench.models.rules import vocab as v
from arabench.models.rules.base import MatcherBase
from arabench.models.rules.gazetteers import Entry

__all__ = ["COUNTED", "PlaceRules"]

#: Gazetteer rules whose names are counted in a training split (not general knowledge or CLDR).
COUNTED = frozenset({"org.train_names", "gpe.train_names"})


class PlaceRules(MatcherBase):
    """GPE, LOC and ORG candidates; fills :attr:`place_at`; :meth:`phrase` is shared with the title rules."""

    def places_and_orgs(self) -> None:
        """Gazetteer names, compass regions and organisation nouns with their genitive phrase."""
        data = self.data
        i = 0
        while i < len(self.w):
            hit = self.lookup(i, data.names, data.max_name)
            if hit is None and self.norms[i] in v.CONTEXT_PLACES and i > 0 and self.norms[i - 1] in v.LOCATIVE:
                if not (i + 1 < len(self.w) and self.norms[i + 1].startswith("راس")):
                    hit = (self.w[i].start, i + 1, Entry("GPE", "gpe.alias"))
            if hit is None:
                i += 1
                continue
            start, j, entry = hit
            prev = self.norms[i - 1] if i > 0 else ""
            if (entry.rule in COUNTED and j == i + 1 and self.norms[i].startswith("ال") and prev.startswith("ال")
                    and prev not in v.STOP):  # fmt: skip
                i += 1  # a counted one-word name in an adjective's place: «البنك الأهلي» (the club is «الأهلي»)
                continue
            self.place_at[i] = (start, j, entry)
            if (j == i + 1 and start == self.w[i].start and self.norms[i] in v.ADJ_COUNTRIES
                    and prev.startswith("ال") and prev.endswith(("ة", "ات")) and prev not in v.STOP):  # fmt: skip
                self.emit("norp.adjective_country", i, j)  # «القيادة السعودية» (guidelines §7)
            else:
                self.emit(entry.rule, i, j, start=start)
            i = j
        # compass regions: «شمال سوريا», «جنوب شرق آسيا»
        places_from: dict[int, list[tuple[int, str]]] = {}  # LOC/GPE candidates by first word: (last, label)
        for c in self.out:
            if c.label in ("LOC", "GPE"):
                places_from.setdefault(c.first, []).append((c.last, c.label))
        unnested: dict[tuple[int, int], int] = {}  # LOC (first, last) -> candidates before this index drop it
        for i in range(len(self.w)):
            stem = self._stem_in(i, v.COMPASS)
            if stem is None or i + 1 >= len(self.w):
                continue
            j = i + 1
            if self.norms[j] in v.COMPASS and j + 1 < len(self.w):
                j += 1
            target = self.place_at.get(j)
            if target is not None and target[0] == self.w[j].start and target[2].label in ("GPE", "LOC"):
                if any(last >= target[1] for last, _ in places_from.get(i, ())):
                    continue  # already a longer CLDR name («جنوب أفريقيا», «شمال أفريقيا»)
                if self.emit("loc.compass_region", i, target[1], start=stem) and target[2].label == "LOC":
                    # «شمال آسيا» is one LOC: the continent inside is not nested (guidelines §4)
                    unnested[(j, target[1])] = len(self.out)
                    kept = [
                        (last, label) for last, label in places_from.get(j, ()) if (last, label) != (target[1], "LOC")
                    ]
                    places_from[j] = kept
        if unnested:
            self.out = [
                c for n, c in enumerate(self.out) if not (c.label == "LOC" and n < unnested.get((c.first, c.last), -1))
            ]
        # organisation nouns with a genitive phrase
        for i, w in enumerate(self.w):
            for start, word_stem in w.stems():
                institutional = word_stem in v.ORG_INSTITUTIONAL
                if word_stem in v.ORG_TRIGGERS or institutional:
                    nxt = self.norms[i + 1] if i + 1 < len(self.w) else ""
                    if institutional and nxt not in v.INSTITUTIONAL_ADJ and nxt not in self.data.nisba:
                        break  # «المركز الثالث», «المؤسسة التعليمية»: common nouns
                    definite = word_stem.startswith("ال")
                    end = self.phrase(i + 1, max_words=5, definite_head=definite, coordinated=word_stem == "وزارة")
                    if definite and end > i + 1:
                        end = self.org_tail(i + 1, end, university=word_stem == "الجامعة")
                    if end > i + 1 and self._named(i + 1, end):
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
        if not any(a in v.INSTITUTIONAL_ADJ for a in adjectives) or end >= len(self.w):
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
        if k < len(self.w) and self.norms[k] in v.PORTFOLIO:
            k += 1  # «لشؤون اللاجئين»
            while k < len(self.w) and self._definite_word(k):
                k += 1
        return k

    def _named(self, j: int, end: int) -> bool:
        """True if the phrase ``[j, end)`` after an organisation noun holds a name, not only common words.

        A name is a gazetteer name or a word that is not a common word of news text (``common_words``):
        «اتحاد طنجة», «تنظيم القاعدة», «الوكالة الدولية للطاقة الذرية» name a body; «مجلس الوزراء», «الجيش
        اللبناني», «وزارة الخارجية» are generic (news corpora such as ANERcorp leave them untagged).
        """
        return any(k in self.place_at or self.norms[k] not in v.COMMON for k in range(j, end))

    def _definite_word(self, k: int) -> bool:
        norm = self.norms[k]
        return norm.startswith("ال") and norm not in v.STOP and k not in self.date_words and not self.w[k].is_punct

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
            if w.is_punct or w.number is not None or k in taken or norm in v.STOP:
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
                    or norm in v.TITLE_ADJ
                    or (not title and norm.startswith("ال") and norm not in v.HONORIFICS)
                ):
                    k += 1
                    continue
                if not title:
                    break
            else:
                if norm.startswith("ال") and norm not in v.HONORIFICS:
                    k += 1
                    continue
                if norm in v.ORG_TRIGGERS or norm in v.TITLES_C:
                    k += 1
                    continue
                if self._chain_word(j, k):
                    k += 1  # «رئيس مجلس إدارة البنك»: an indefinite noun inside a construct chain
                    if not title and k == j + 1 and self.norms[k] in self.data.nisba:
                        break  # «جامعة أكسفورد البريطانية»: a name + a nationality adjective; the body is named
                    continue
            if title and norm in v.TITLE_LINKS and k + 1 < len(self.w):
                k += 1
                continue
            if title and norm in v.PORTFOLIO:
                k += 1  # «لشؤون الموازنة»
                while k < len(self.w) and self.norms[k].startswith("ال") and self.norms[k] not in v.STOP:
                    k += 1
                break
            if title and place is not None and place[0] != w.start:
                # «للأمم المتحدة», «لمصر»: a ل-prefixed gazetteer name closes the title
                k = place[1]
                break
            if title and norm.startswith("ل"):
                stems = {stem for _, stem in w.stems()[1:]}
                if stems & v.ORG_TRIGGERS or (
                    k == j and not definite_head and any(st.startswith("ال") for st in stems)
                ):
                    # «لجامعة الدول العربية», «وزيرا للصحة»
                    k += 1
                    while (k < len(self.w) and self.norms[k].startswith("ال") and self.norms[k] not in v.STOP
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
            and norm not in v.STOP
            and norm not in self.data.nisba
            and nxt.startswith("ال")
            and nxt not in v.STOP
            and k + 1 not in taken
        )
