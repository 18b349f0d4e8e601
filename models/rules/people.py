"""Title and person rules: OCC title phrases, ministries, and PERS names.

Names come after titles, reporting verbs and given names, as speakers before إن/أن, and as family names used alone.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping

from arabench.models.rules import vocab as v
from arabench.models.rules.places import PlaceRules

__all__ = ["SURNAME_SOURCES", "SURNAME_WINDOW", "PeopleRules"]

#: Rules whose full names (two words or more) lend their last word to ``pers.surname``: names with a person cue.
SURNAME_SOURCES = frozenset({"pers.after_title", "pers.after_verb", "pers.speaker"})
#: A family name used alone is a PERS only this many words or fewer after the end of its full name.
SURNAME_WINDOW = 60


class PeopleRules(PlaceRules):
    """OCC, PERS and the ministry/team/force ORG inside a title."""

    def titles_and_people(self) -> None:
        """OCC title phrases and the PERS names after titles, reporting verbs and given names."""
        occ_ends: dict[int, int] = {}
        for i, w in enumerate(self.w):
            if i in self.date_words:
                continue
            for start, stem in w.stems():
                if stem in v.TITLES_C and not (i > 0 and self.norms[i - 1] in v.TITLES_C):
                    end = self.phrase(
                        i + 1, max_words=6, definite_head=False, title=True, coordinated=stem in v.MINISTERS
                    )
                    for m in range(i, end):
                        if self.norms[m] in v.MINISTERS or (m == i and stem in v.MINISTERS):
                            self.ministry(m + 1, end)
                    if (stem in v.COACH_TITLES or (stem in v.COMMANDER_TITLES and self.norms[i + 1] in v.FORCES)) and (
                        end == i + 2 and self.norms[i + 1].startswith("ال") and self.norms[i + 1] not in v.GENERIC_TEAMS
                    ):
                        # «مدرب الأهلي»: the team a coach trains; «قائد الجيش»: the force he commands (ORG)
                        self.emit("org.ministry_in_title", i + 1, end)
                    # a definite adjective may follow the genitive: «وزير الخارجية المصري» (covered above)
                    if end > i + 1:
                        self.emit("occ.title_phrase", i, end, start=start)
                        occ_ends[end] = i
                    break
                if stem in v.TITLES_D:
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
            after_honorific = any(s in v.HONORIFICS or s in v.LEADER_CUES for s in stems) or (
                w.raw == "د" and i + 1 < len(self.w) and self.w[i + 1].raw == "."
            )
            nxt = i + 1 if w.raw != "د" else i + 2
            if after_honorific or i + 1 in occ_ends:
                if i + 1 in occ_ends and not after_honorific:
                    nxt = i + 1
                name_end = self.name_at(nxt, need_known=False)
                if name_end is not None:
                    self.emit("pers.after_title", nxt, name_end)
                    head = occ_ends.get(i + 1)
                    if head is not None and head < 0:  # a bare definite title before a name is an OCC
                        h = -1 - head
                        self.emit("occ.title_phrase", h, h + 1, start=self._stem_in(h, v.TITLES_D))
        for i in range(len(self.w) - 1):
            if self._stem_in(i, v.VERBS) is not None:
                name_end = self.name_at(i + 1, need_known=True)
                if name_end is not None:
                    self.emit("pers.after_verb", i + 1, name_end)
        for i in range(len(self.w) - 2):
            if self._stem_in(i, v.VERBS) is None:
                continue
            for n in (1, 2):
                close = i + 1 + n
                if close >= len(self.w) or not self._opens_speech(close):
                    continue
                if all(self._speaker_word(k) for k in range(i + 1, close)):
                    self.emit("pers.speaker", i + 1, close)
                break
        for i, norm in enumerate(self.norms):
            if norm in v.GIVEN or (norm == "عبد" and i + 1 < len(self.w)):
                if i > 0 and (self.norms[i - 1] in v.NAME_LINKS or self.norms[i - 1] in v.GIVEN):
                    continue  # inside a longer name
                name_end = self.name_at(i, need_known=True)
                if name_end is not None and not (name_end == i + 1 and norm in v.AMBIG_GIVEN):
                    self.emit("pers.given_name", i, name_end)
        self.surnames(occ_ends)

    def surnames(self, occ_ends: Mapping[int, int]) -> None:
        """A family name used alone shortly after the full name: «قال الرئيس جوزيف عون ... وكلف عون».

        Only a full name with a person cue counts (:data:`SURNAME_SOURCES`: after a title or an honorific,
        after a reporting verb, a speaker), and its last word only within :data:`SURNAME_WINDOW` words
        after it; the last word must not be a link, given name, ordinal, nisba, function word or a common
        word of news text (``common_words``: «حيث», «عدد», «مثل» are never a family name). A bare definite
        title right before the family name is an OCC («الرئيس عون»), as for a full name.
        """
        ends: dict[str, list[int]] = {}  # family name -> word indices where its full names end, in order
        for c in sorted(self.out, key=lambda c: c.last):
            if c.label != "PERS" or c.rule not in SURNAME_SOURCES or c.last - c.first < 2:
                continue
            norm = self.norms[c.last - 1]
            if (len(norm) >= 3 and norm not in v.NAME_LINKS and norm not in v.GIVEN and norm not in v.ORDINALS
                    and norm not in self.data.nisba and norm not in v.STOP and norm not in v.COMMON):  # fmt: skip
                ends.setdefault(norm, []).append(c.last)
        if not ends:
            return
        inside = self.covered(("PERS", "ORG", "GPE", "LOC"))
        for i, w in enumerate(self.w):
            if inside[i] or i in self.date_words:
                continue
            for start, stem in w.stems():
                found = ends.get(stem)
                if found is not None and 0 <= i - found[max(bisect_right(found, i) - 1, 0)] <= SURNAME_WINDOW:
                    self.emit("pers.surname", i, i + 1, start=start)
                    head = occ_ends.get(i)
                    if head is not None and head < 0:
                        h = -1 - head
                        self.emit("occ.title_phrase", h, h + 1, start=self._stem_in(h, v.TITLES_D))
                    break

    def _opens_speech(self, k: int) -> bool:
        """True if word ``k`` opens reported speech: a complementizer (إن، أن ...) or a colon."""
        return self.w[k].raw in v.SPEECH_OPENERS_RAW or self.norms[k] in v.SPEECH_OPENERS

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
            or norm in v.STOP
            or norm in v.SPEAKER_NOUNS
            or norm in v.COMMON
            or norm in v.TITLES_D
            or norm in v.ORG_TRIGGERS
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
            if (not norm.startswith("ال") and not joined) or norm in self.data.nisba or norm in v.TITLE_ADJ:
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
        if need_known and first not in v.GIVEN and first != "عبد":
            return None
        if first.startswith("ال") and first not in v.GIVEN:
            return None
        units = 0
        k = i
        taken = self.date_words
        while k < len(self.w) and units < 3:
            norm = self.norms[k]
            w = self.w[k]
            if (w.is_punct or w.number is not None or norm in v.STOP or k in taken or norm in self.data.nisba
                    or norm in v.TITLES_D or norm in v.TITLES_C or norm in v.ORG_TRIGGERS or len(norm) < 2
                    or (k > i and norm.startswith("و") and norm not in v.GIVEN)
                    or (k > i and norm in v.COMMON and norm not in v.GIVEN)
                    or norm.startswith(("بال", "لل", "وال", "فال", "كال"))):  # fmt: skip
                break
            place = self.place_at.get(k)
            if place is not None and norm not in v.GIVEN:
                break
            link = norm in v.NAME_LINKS and k + 1 < len(self.w) and not self.w[k + 1].is_punct
            if units >= 2 and not link and norm not in v.GIVEN and (norm.endswith("ة") or norm[0] in "بلك"):
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
        if not need_known and first not in v.GIVEN and first not in v.NAME_LINKS:
            # an unknown first word: a name only as two or more words without the article
            # («سامح شكري», «نيد برايس»), not «أطلق المبادرة»
            span_words = [self.norms[m] for m in range(i, k)]
            if len(span_words) < 2 or span_words[0].startswith("ال"):
                return None
            if any(w.startswith("ال") for w in span_words[1:]):
                # a definite family name is a nisba-shaped «الـ...ي» (رشاد العليمي): after a title or an
                # honorific, given name + such a word is a name; any other definite word is not («أطلق المبادرة»)
                last = span_words[1]
                if not (len(span_words) == 2 and last.endswith("ي") and len(last) >= 5 and last not in v.STOP):
                    return None
        return k
