"""DAT004–DAT007 `min_rows`: a serving column with fewer non-null rows is not judged, and the rule says so.

A drift or domain verdict on a handful of rows is a guess: a column below the floor is named in the rule's
message instead of judged, and a rule that could judge no column at all is `skipped` with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from checker.checks.base import Outcome
from checker.data import compare
from checker.data.frame import Frame
from checker.model import Status

MAX_NAMED = 10  # columns named in the message; the rest are counted


@dataclass
class SampleGuard:
    min_rows: int
    judged: int = 0
    thin: list[str] = field(default_factory=list)
    rows_word: str = "non-null serving rows"

    def columns(self, serving: Frame, names: Iterable[str]) -> list[str]:
        """The columns of `names` in `serving` with at least `min_rows` non-null rows."""
        counts = compare.non_null_rows(serving, names)
        kept = [name for name, rows in counts.items() if rows >= self.min_rows]
        self.thin += [f"{serving.label} {name!r} ({rows})" for name, rows in counts.items() if rows < self.min_rows]
        self.judged += len(kept)
        return kept

    def sample(self, serving: Frame) -> bool:
        """DAT005: a null rate counts the missing values too, so it is the sample's rows that must suffice."""
        self.rows_word = "serving rows"
        if serving.rows >= self.min_rows:
            self.judged += 1
            return True
        self.thin.append(f"{serving.label} ({serving.rows})")
        return False

    def applied(self, outcome: Outcome, what: str) -> Outcome:
        """`outcome` with the columns left out named; skipped when nothing was judged."""
        if not self.thin or outcome.status in (Status.ERROR, Status.SKIPPED):
            return outcome
        floor = f"fewer than {self.min_rows} {self.rows_word} (min_rows)"
        if self.judged == 0 and outcome.status == Status.PASS:
            return Outcome.skipped(f"too few serving rows to judge any {what}, {floor}: {self._named()}")
        return outcome.model_copy(update={"message": f"{outcome.message}; not judged, {floor}: {self._named()}"})

    def _named(self) -> str:
        more = len(self.thin) - MAX_NAMED
        return ", ".join(self.thin[:MAX_NAMED]) + (f" and {more} more" if more > 0 else "")
