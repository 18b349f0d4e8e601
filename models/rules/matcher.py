"""The matcher: every rule family applied to one text, in a fixed order."""

from __future__ import annotations

from arabench.models.rules.base import Cand
from arabench.models.rules.dates import DateRules
from arabench.models.rules.norp import NorpRules
from arabench.models.rules.numbers import NumberRules
from arabench.models.rules.people import PeopleRules

__all__ = ["Matcher"]


class Matcher(NumberRules, DateRules, PeopleRules, NorpRules):
    """All rules applied to one text: ``Matcher(text, enabled).run()`` returns the candidates."""

    def run(self) -> list[Cand]:
        """Apply every rule family (numbers, dates, places, people, NORP, cardinals); return the candidates."""
        self.money_percent()
        self.dates()
        self.places_and_orgs()
        self.titles_and_people()
        self.norp_language()
        self.cardinals()
        return self.out
