"""NORP and LANGUAGE rules: nisba adjectives and language names after a cue."""

from __future__ import annotations

from arabench.models.rules import vocab as v
from arabench.models.rules.base import MatcherBase

__all__ = ["NorpRules"]


class NorpRules(MatcherBase):
    """NORP (nisba adjectives outside names) and LANGUAGE candidates."""

    def norp_language(self) -> None:
        """Nisba adjectives outside currency and place names; language names after a cue or with ب."""
        data = self.data
        # a nisba inside a currency or a place name is part of that name («الخليج العربي», «بحر العرب»,
        # «الإمارات العربية المتحدة»), not a nationality mention
        in_names = self.covered(("CURR", "LOC", "GPE"))
        language_ends = {c.last for c in self.out if c.label == "LANGUAGE"}
        for i, w in enumerate(self.w):
            for start, stem in w.stems() if not in_names[i] else ():
                if stem in data.nisba:
                    self.emit("norp.nisba", i, i + 1, start=start)
                    break
            if i > 0 and self._stem_in(i - 1, v.LANGUAGE_CUES) is not None:
                for start, stem in w.stems():
                    if stem in data.languages:
                        if self.emit("language.after_cue", i, i + 1, start=start):
                            language_ends.add(i + 1)
                        break
            elif self.norms[i].startswith("وال") and i in language_ends:
                # «بالعربية والفرنسية»: a language name joined by و to a language mention
                if self.norms[i][1:] in data.languages:
                    if self.emit("language.after_cue", i, i + 1, start=self.w[i].start + self.w[i].keep[1]):
                        language_ends.add(i + 1)
            elif self.norms[i].startswith("بال") and not in_names[i]:
                # «بالعربية», «بالفرنسية»: ب + a language name with no noun to agree with is "in <language>";
                # not before another name word («بالعربية السعودية»)
                nxt = self.norms[i + 1] if i + 1 < len(self.w) else ""
                stem = self.norms[i][1:]
                if stem in data.languages and nxt not in data.nisba and (i + 1) not in self.place_at:
                    if self.emit("language.after_cue", i, i + 1, start=self.w[i].start + self.w[i].keep[1]):
                        language_ends.add(i + 1)
