"""Number rules: MONEY + CURR, PERCENT, QUANTITY + UNIT, CARDINAL and ORDINAL."""

from __future__ import annotations

from arabench.models.rules import vocab as v
from arabench.models.rules.base import MatcherBase

__all__ = ["NumberRules"]


class NumberRules(MatcherBase):
    """Money, percentages, quantities (run first) and cardinals/ordinals (run last, outside other spans)."""

    def money_percent(self) -> None:
        """A number + a currency (MONEY, CURR), a unit (QUANTITY, UNIT) or a percent tail; bare currencies."""
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
                if k < len(self.w) and (self.norms[k] in self.data.nisba or self.norms[k] in v.CURR_ADJ):
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
            for tail in v.PERCENT_TAILS:
                if tuple(self.norms[j : j + len(tail)]) == tail:
                    self.emit("percent.number_percent", i, j + len(tail), start=self._number_start(i))
                    i = j + len(tail)
                    break
            else:
                i = j
        # a bare currency name (CURR alone): «سعر الدولار»
        inside = self.covered()  # the spans above; a bare currency adds one word at i and covers no later word
        for i in range(len(self.w)):
            start = self._stem_in(i, v.CURR_ALONE)
            if start is not None and not inside[i]:
                self.emit("curr.currency_in_money", i, i + 1, start=start)

    def _unit_end(self, j: int) -> int | None:
        """End of a unit of measurement starting at word ``j`` («كيلومترا», «درجة مئوية», «متر مربع»)."""
        if j >= len(self.w) or self.norms[j] not in v.UNITS:
            return None
        if j + 1 < len(self.w) and self.norms[j + 1] in v.UNIT_QUALIFIERS:
            return j + 2
        if self.norms[j] in v.WEAK_UNITS:
            return None  # «درجة» alone is a rank or a grade as often as a temperature
        return j + 1

    def cardinals(self) -> None:
        """ORDINAL words and CARDINAL numbers outside DATE/TIME/MONEY/PERCENT/QUANTITY spans."""
        covered = self.covered(("DATE", "TIME", "MONEY", "PERCENT", "QUANTITY"))
        in_names = self.covered(("PERS",))  # «عبد الله الثاني»
        # covered words before each index: a range [a, b) is free when no word in it is covered
        before = [0]
        for flag in covered:
            before.append(before[-1] + flag)
        for i in range(len(self.w)):
            if covered[i] or in_names[i]:
                continue
            for start, stem in self.w[i].stems():
                if stem in v.ORDINALS:
                    self.emit("ordinal.words", i, i + 1, start=start)
                    break

        def free(a: int, b: int) -> bool:
            return before[b] == before[a]

        i = 0
        while i < len(self.w):
            if self.w[i].number is not None:
                j = i + 1
                if j < len(self.w) and self.norms[j] in v.NUMBER_SCALE:
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
