"""Date and time rules: month dates, years, relative dates, weekdays, periods, durations, clock times."""

from __future__ import annotations

from arabench.models.rules import vocab as v
from arabench.models.rules.base import Cand, MatcherBase
from arabench.models.rules.text import normalize

__all__ = ["DateRules"]


class DateRules(MatcherBase):
    """DATE and TIME candidates; fills :attr:`date_words` for the later families."""

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
        if self.norms[k] in v.TEENS and k > 0 and self._stem_in(k - 1, v.DAY_ORDINALS) is not None:
            return k - 1
        return k if self._stem_in(k, v.DAY_ORDINALS) is not None else None

    def parts_of_year(self, taken: set[int]) -> None:
        """«الربع الثالث من 2024», «النصف الأول من العام», «الربع الأخير من عام 2024»: one DATE."""
        for i in range(len(self.w) - 1):
            start = self._stem_in(i, v.YEAR_PARTS)
            if start is None or i in taken or self._stem_in(i + 1, v.PART_ORDINALS) is None:
                continue
            j = i + 2
            if j + 1 < len(self.w) and self.norms[j] == "من":
                k = j + 1
                if self._year_at(k):
                    j = k + 1
                elif self._stem_in(k, v.YEAR_NOUNS) is not None and self._year_at(k + 1):
                    j = k + 2
                elif (hit := self.lookup(k, self.data.relative, self.data.max_relative)) is not None:
                    j = hit[1]
                elif self.norms[k] in v.PERIOD_NOUNS:
                    j = k + 1
            if any(k in taken for k in range(i, j)):
                continue
            self.emit("date.part_of_year", i, j, start=start)
            taken.update(range(i, j))

    def dates(self) -> None:
        """Month dates, years, relative dates, weekdays, periods, durations and clock times."""
        data = self.data
        i = 0
        taken: set[int] = set()
        start: int | None  # raw start offset of a candidate (None: its first word's start)
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
            day = i > 0 and (value := self.w[i - 1].number) is not None and value.is_integer() and 1 <= value <= 31
            if day:
                first = i - 1
                start = self.w[first].start
            elif (ordinal := self._ordinal_day_before(i)) is not None:
                first = ordinal  # «التاسع من كانون الثاني», «الحادي عشر من مارس»
                start = self._stem_in(first, v.DAY_ORDINALS) or self.w[first].start
            elif self._stem_in(i - 1, v.PERIOD) is not None:
                first = i - 1
                start = self._stem_in(first, v.PERIOD)
            shahr = self._stem_in(i - 1, v.SHAHR) is not None
            if shahr:
                first = i - 1
                start = self._stem_in(first, v.SHAHR)
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
            elif j < len(self.w) and self.norms[j] in v.MONTH_ADJ:
                j += 1  # «كانون الثاني الماضي»
            period = self._stem_in(i - 1, v.PERIOD) is not None
            if normalize(self.w[i].raw) in v.AMBIG_MONTHS and not (day or year or shahr or period):
                i = j
                continue
            if first > 0 and self._stem_in(first - 1, v.PERIOD) is not None and not day:
                first -= 1
                start = self._stem_in(first, v.PERIOD)
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
                if i > 0 and self._stem_in(i - 1, v.YEAR_NOUNS) is not None:
                    first = i - 1
                start = self._noun_start(first) if first < i else None
                self.emit("date.year_range", first, end, start=start)
                taken.update(range(first, end))
                continue
            if i > 0 and (i - 1) in taken:
                continue
            stem_prev = self._stem_in(i - 1, v.YEAR_NOUNS) if i > 0 else None
            if stem_prev is not None:
                first = i - 1
                if i > 1 and self._stem_in(i - 2, v.PERIOD) is not None:
                    first = i - 2
                    stem_prev = self._stem_in(first, v.PERIOD)
                self.emit("date.year_cue", first, i + 1, start=stem_prev)
                taken.update(range(first, i + 1))
            elif self._stem_in(i - 1, v.YEAR_CUES) is not None:
                first, start = i, None
                if self._stem_in(i - 1, v.PERIOD) is not None:
                    first, start = i - 1, self._stem_in(i - 1, v.PERIOD)  # «نهاية 2020»
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
                    and (self.norms[j].endswith("ي") or self.norms[j] in v.ORDINALS)):  # fmt: skip
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
            weekday = next((s for s in stems if s in data.weekdays), None)
            if weekday is None:
                continue
            after_yawm = i > 0 and self._stem_in(i - 1, {"يوم"}) is not None
            if after_yawm:
                self.emit("date.weekday", i - 1, i + 1, start=self._stem_in(i - 1, {"يوم"}))
                taken.update((i - 1, i))
            elif weekday not in v.AMBIG_WEEKDAYS:
                self.emit("date.weekday", i, i + 1, start=stems[weekday])
                taken.add(i)
        # period word + date noun: «نهاية العام», «مطلع الشهر»
        for i in range(len(self.w) - 1):
            if i in taken or i + 1 in taken:
                continue
            start = self._stem_in(i, v.PERIOD)
            if start is not None and self.norms[i + 1] in v.PERIOD_NOUNS:
                self.emit("date.period", i, i + 2, start=start)
                taken.update((i, i + 1))
        # durations and ages: «ثلاثة أيام», «40 عاما», «يومين»
        for i in range(len(self.w)):
            if i in taken:
                continue
            found = self.number_at(i)
            if found is not None and found[0] < len(self.w) and self.norms[found[0]] in v.DATE_UNITS:
                j = found[0] + 1
                if not any(k in taken for k in range(i, j)):
                    self.emit("date.duration", i, j, start=self._number_start(i))
                    taken.update(range(i, j))
            elif found is not None and found[0] < len(self.w) and self.norms[found[0]] in v.TIME_UNITS:
                self.emit("time.part_of_day", i, found[0] + 1, start=self._number_start(i))
                taken.update(range(i, found[0] + 1))
            elif found is None:
                start = self._stem_in(i, v.DATE_DUALS)
                if start is not None:
                    self.emit("date.duration", i, i + 1, start=start)
                    taken.add(i)
        # «الساعة العاشرة صباحا», «الساعة 10»
        for i in range(len(self.w) - 1):
            start = self._stem_in(i, {"الساعة"})
            if start is None or i + 1 in taken:
                continue
            nxt = self.norms[i + 1]
            if self.w[i + 1].number is not None or nxt in v.ORDINALS or nxt in v.NUMBER:
                j = i + 2
                if j + 1 < len(self.w) and self.w[j].raw == ":" and self.w[j + 1].number is not None:
                    j += 2
                if j < len(self.w) and self.norms[j] in v.DAY_PARTS | v.DAY_PART_ADVERBS:
                    j += 1
                self.emit("time.part_of_day", i, j, start=start)
                taken.update(range(i, j))
        self.date_words = taken
        self._merge_dates()

    def _merge_dates(self) -> None:
        """Join DATE spans that touch (``الأحد 5 يونيو``, ``العقد الماضي 2010-2020``); part of day + date -> TIME."""
        dates = sorted((c for c in self.out if c.label == "DATE"), key=lambda c: c.first)
        others = [c for c in self.out if c.label != "DATE"]
        merged: list[Cand] = []
        for c in dates:
            if merged and merged[-1].last == c.first and self.w[c.first].start == c.start:
                prev = merged.pop()
                c = Cand(prev.start, c.end, "DATE", prev.rule, prev.first, c.last)
            merged.append(c)
        final = []
        for c in merged:
            if c.first > 0 and c.rule in ("date.relative", "date.weekday"):
                start = self._stem_in(c.first - 1, v.DAY_PARTS)
                if start is not None and "time.part_of_day" in self.enabled:
                    c = Cand(start, c.end, "TIME", "time.part_of_day", c.first - 1, c.last)
                    self.date_words.add(c.first)
            final.append(c)
        self.out = others + final
