"""What the demo steps share while they run."""

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from demo.names import NameMaker

DEMO_SEED = 2026


@dataclass
class DemoContext:
    """One generator for all steps, so that each row gets the same name on
    every run. For that, a step draws from it for every row it describes,
    whether the row exists already or not, and steps keep their order."""

    rng: random.Random
    names: NameMaker
    # Rows created (and passwords reset) by this run, by kind: the audit entry's data.
    created: Counter[str] = field(default_factory=Counter)

    @classmethod
    def start(cls, *, reserved_names: tuple[str, ...] = ()) -> "DemoContext":
        # Names and places for a demo, not secrets: a seeded generator is the point.
        rng = random.Random(DEMO_SEED)  # noqa: S311
        return cls(rng=rng, names=NameMaker(rng, reserved=reserved_names))

    def count(self, kind: str, number: int = 1) -> None:
        if number:
            self.created[kind] += number


Step = Callable[[DemoContext], None]
