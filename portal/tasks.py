from celery import shared_task

from portal.dashboard.cache import bring_up_to_date, bump_generation
from portal.dashboard.summary import rebuild, vacuum_notes_if_bloated


@shared_task(name="portal.tasks.count_dashboard_changes")
def count_dashboard_changes() -> None:
    """Every minute: count the changes saved since the last dashboard view
    into the summary rows, so the next view finds nothing left to count.
    Safe to run twice and beside a view: one counter writes at a time. It
    reads the notes even when the cache says none wait (the cache may have
    lost its mark)."""
    bring_up_to_date(look_anyway=True)
    vacuum_notes_if_bloated()


@shared_task(name="portal.tasks.rebuild_dashboard")
def rebuild_dashboard() -> int:
    """Nightly: every summary row counted again from the records. Catches
    what no signal reported (``update()``, ``bulk_create``) and renews the
    overdue counts for the new day."""
    segments = rebuild()
    bump_generation()
    vacuum_notes_if_bloated()
    return segments
