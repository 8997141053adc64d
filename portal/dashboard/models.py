"""The dashboard's summary rows: its figures kept per round and per group of
organizations (district × sector), so a view adds up hundreds of small rows
instead of re-counting a million problems and items.

A *segment* is one round's rows whose organization is in one district (0 for
the 市直 units) and one sector: every scope the dashboard offers (term, year,
round, district, sector, the viewer's office) is a union of whole segments.
Its ``data`` holds the segment's counts (see ``portal.dashboard.summary``).

A *change* is a note, written in the same transaction as the record it is
about, that a segment must be counted again: the signals write one for every
saved or deleted problem, target, clue, disposition, item, ledger entry and
plan, and the next dashboard view (or the beat, every minute) counts the
segments again and only then invalidates the cached figures of the scopes
that contain them. The round and organization are kept as plain numbers, not
foreign keys: a note may outlive the round it names (it was deleted), and
summary rows must never stand in the way of deleting what they count.
"""

from django.db import models


class FigureSegment(models.Model):
    round_key = models.IntegerField()
    region_key = models.IntegerField()  # 0: the 市直 units, which have no district
    sector = models.CharField(max_length=20)
    data = models.JSONField(default=dict)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round_key", "region_key", "sector"], name="figure_segment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"round {self.round_key} · region {self.region_key} · {self.sector}"


class FigureChange(models.Model):
    """A segment (or, with no organization, a whole round) to count again."""

    round_key = models.IntegerField(null=True)  # None: every round the organization is in
    organization_key = models.IntegerField(null=True)  # None: every segment of the round
    # The organization's district and sector before an edit moved it.
    old_region_key = models.IntegerField(null=True)
    old_sector = models.CharField(max_length=20, blank=True)
    # A target, a round or an organization: coverage must be counted again too.
    coverage = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"round {self.round_key} · organization {self.organization_key}"


class CoverageSummary(models.Model):
    """Coverage (全覆盖) of one term as one office's reach sees it: which
    organizations are to be covered and which a round of the term inspected,
    per district × sector × level. Segments cannot add this up (an
    organization inspected in two rounds counts once), so it is kept per
    term, the scope the dashboard opens on; a scope of a year or a round
    counts it from the records. ``office_key`` 0 is the reach of the city
    office (every round); a district office's reach has its own row.

    ``data``: [[region (0: 市直), sector, level, to cover, inspected, covered], ...]
    """

    office_key = models.IntegerField()
    term = models.IntegerField()
    data = models.JSONField(default=list)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office_key", "term"], name="coverage_summary_unique")
        ]

    def __str__(self) -> str:
        return f"office {self.office_key} · term {self.term}"


class Watermark(models.Model):
    """The highest id of a counted table already noted: rows inserted above
    it without a signal (``bulk_create`` in the imports and in drawing up a
    plan) are noted by the next count (``summary.note_bulk_inserts``)."""

    table = models.CharField(max_length=63, unique=True)
    last_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.table} ≤ {self.last_id}"
