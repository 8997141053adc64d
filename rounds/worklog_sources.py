"""Where a day's work-log figures can come from besides the leader's typing.

Apps that hold the day's records (fieldwork: interviews, petitions, documents
examined) register a function ``(team, date) -> {figure: count}``; the log
form offers the sums as the figures to file. rounds imports none of them.
"""

import datetime
from collections.abc import Callable

WorklogSource = Callable[[object, datetime.date], dict[str, int]]
_SOURCES: list[WorklogSource] = []


def register_worklog_source(source: WorklogSource) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def counts_from_records(team, date: datetime.date) -> dict[str, int]:
    counts: dict[str, int] = {}
    for source in _SOURCES:
        for name, value in source(team, date).items():
            counts[name] = counts.get(name, 0) + value
    return counts
