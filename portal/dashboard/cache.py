"""The dashboard's figures, cached per office and scope, and invalidated by
scope, once per change.

Saving or deleting a record the figures count writes a change note
(``FigureChange``) in the same transaction, through the signals below: the
note commits with the record or not at all. The next dashboard view (or the
beat, every minute) counts the named segments again and only then bumps the
*generations* of the scopes that contain them: the term's, and the term and
district's. A cached entry's key carries the generations of what its scope
covers, so a change in the 13th term's 东区 leaves the 12th term's figures and
西区's cached, and each change invalidates once, after it is committed and
counted (no view can cache figures of the old rows under a new generation:
the rows are counted before the bump). A change that touches every scope (a
round's term or year, an organization's name or place, the district and
category lists) bumps the one global generation.

Rows inserted with ``bulk_create`` (imports, a plan's items) send no signal:
each count first compares the counted tables' highest ids with the last
ones seen and notes the new rows' segments. What neither reports (an
``update()`` that leaves no ledger entry or saved plan behind) waits for the
nightly rebuild, which counts everything again.
"""

import logging
import time
from collections.abc import Callable, Iterable

from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import OperationalError, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60
GLOBAL_KEY = "dashboard:generation"
KEY_VERSION = 2
# Whether change notes may be waiting: True once one is written, False once a
# count has taken them. A view asks the cache, not the notes' table: a queue
# table that a bulk load filled and emptied holds dead rows until it is
# vacuumed, and reading even one row of it then cost 40 ms. Missing (the cache
# was emptied or restarted) means "look", and the beat always looks.
PENDING_KEY = "dashboard:changes-pending"


def _term_key(term) -> str:
    return f"dashboard:gen:term:{term}"


def _region_key(term, region) -> str:
    return f"dashboard:gen:term:{term}:region:{region}"


def _fresh() -> int:
    # Start from the clock, not from 1: if the cache ever drops a key, a
    # restarted count must not meet entries left from the old one.
    return time.time_ns() // 1000


def generations(keys: list[str]) -> list[int]:
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, _fresh(), timeout=None)
            found[key] = cache.get(key, _fresh())
    return [found[key] for key in keys]


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # missing: any new value invalidates
        cache.add(key, _fresh(), timeout=None)


def bump_generation() -> None:
    """Invalidate every cached figure (a structural change; the bench)."""
    _bump(GLOBAL_KEY)


def bump_scopes(term_regions: Iterable[tuple[int, int | None]]) -> None:
    """Invalidate the scopes that contain these (term, district) pairs:
    the term's own generation once, and each district's in it once. District
    None stands for the whole term (every district's entries go too)."""
    pairs = set(term_regions)
    for term in {term for term, _region in pairs}:
        _bump(_term_key(term))
    for term, region in pairs:
        if region is None:
            bump_generation()  # rare: a whole round counted again
        else:
            _bump(_region_key(term, region))


def scope_generation_keys(terms: list[int], region_id: int | None) -> list[str]:
    """The generations a scope's entry depends on: per term of its rounds,
    the district's when it names one, else the term's."""
    if region_id:
        return [GLOBAL_KEY, *(_region_key(term, region_id) for term in terms)]
    return [GLOBAL_KEY, *(_term_key(term) for term in terms)]


def figures_key(office_key: str, scope_key: str, generation_keys: list[str]) -> str:
    stamp = ".".join(str(g) for g in generations(generation_keys))
    return f"dashboard:figures:v{KEY_VERSION}:{stamp}:{office_key}:{get_language()}:{scope_key}"


def cached(key: str, compute: Callable[[], object]):
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def cached_figures(
    office_key: str,
    scope_key: str,
    compute: Callable[[], dict],
    generation_keys: list[str] | None = None,
) -> dict:
    return cached(figures_key(office_key, scope_key, generation_keys or [GLOBAL_KEY]), compute)


def mark_changes_pending() -> None:
    """A change note was written: the next view counts. Called at once and
    again at commit, so a count that ran between the two cannot leave the
    note behind with the mark cleared."""
    cache.set(PENDING_KEY, True, None)
    transaction.on_commit(lambda: cache.set(PENDING_KEY, True, None))


def mark_is_shared() -> bool:
    """Whether every process reads the same mark. A process-local cache (the
    development default, LocMem) would hold each process's own: a note the
    worker wrote would never mark the web's, so there every view looks."""
    return not isinstance(caches["default"], LocMemCache)


def changes_may_be_pending() -> bool:
    return not mark_is_shared() or cache.get(PENDING_KEY) is not False


def take_pending_mark() -> None:
    """Before a count reads the notes: any note committed after this read
    marks again."""
    cache.set(PENDING_KEY, False, None)


def bring_up_to_date(*, look_anyway: bool = False) -> None:
    """Count the pending changes and invalidate what they touched (a view
    calls this before reading; it is one cheap query when nothing is pending:
    the tables' highest ids, for rows inserted without a signal).
    ``look_anyway``: read the notes' table even when the cache says nothing
    is pending (the beat, in case the cache lost its mark)."""
    from portal.dashboard.summary import apply_changes, note_bulk_inserts
    from rounds.models import Round

    try:
        note_bulk_inserts()
        if not (look_anyway or changes_may_be_pending()):
            return
        applied = apply_changes()
    except OperationalError:
        # SQLite busy with another writer: the notes stay, the next view or the
        # beat counts them; this view shows the rows as last counted.
        logger.warning("dashboard: changes not counted now (database busy)", exc_info=True)
        return
    if applied is None:
        return
    touched, structural = applied
    terms = dict(Round.objects.filter(pk__in={key[0] for key in touched}).values_list("pk", "term"))
    pairs = set()
    for round_id, region_key, sector in touched:
        if round_id in terms:
            whole_round = sector == "*"  # apply_changes' mark for "every segment of the round"
            pairs.add((terms[round_id], None if whole_round else region_key))
    if structural or len(terms) < len({key[0] for key in touched}):
        bump_generation()  # a round is gone, or something every scope shows changed
    bump_scopes(pairs)


# --- the change notes ----------------------------------------------------------------


def _note(
    round_id: int | None, organization_id: int | None, *, coverage: bool = False, **old
) -> None:
    from portal.dashboard.models import FigureChange

    FigureChange.objects.create(
        round_key=round_id, organization_key=organization_id, coverage=coverage, **old
    )
    mark_changes_pending()


def _target_place(target_id: int | None) -> tuple[int | None, int | None]:
    from rounds.models import Target

    row = Target.objects.filter(pk=target_id).values_list("round_id", "organization_id").first()
    return row or (None, None)


def _organization_of_target(instance) -> int | None:
    """The organization of a problem's or clue's target, without a query when
    the target is already loaded."""
    field = type(instance)._meta.get_field("target")
    if field.is_cached(instance):
        return instance.target.organization_id
    return _target_place(instance.target_id)[1]


def _problem_or_clue_changed(sender, instance, **kwargs) -> None:
    # No organization found (the target is being deleted too): the whole round.
    _note(instance.round_id, _organization_of_target(instance))


def _target_changed(sender, instance, **kwargs) -> None:
    _note(instance.round_id, instance.organization_id, coverage=True)


def _item_changed(sender, instance, **kwargs) -> None:
    _note(instance.round_id, instance.organization_id)


def _disposition_changed(sender, instance, **kwargs) -> None:
    from clues.models import Clue

    row = Clue.objects.filter(pk=instance.clue_id).values_list("round_id", "target_id").first()
    if row:
        _note(row[0], _target_place(row[1])[1])


def _disposition_person_changed(sender, instance, **kwargs) -> None:
    from clues.models import Disposition

    disposition = Disposition.objects.filter(pk=instance.disposition_id).first()
    if disposition is not None:
        _disposition_changed(sender, disposition)


def _ledger_entry_changed(sender, instance, **kwargs) -> None:
    # The ledger moves an item with update(); the entry it leaves says which.
    from rectification.models import Item

    row = Item.objects.filter(pk=instance.item_id).values_list("round_id", "organization_id")
    if row := row.first():
        _note(*row)


def _plan_changed(sender, instance, **kwargs) -> None:
    # A plan's review starts its items with update().
    round_id, _organization = _target_place(instance.target_id)
    if round_id is not None:
        _note(round_id, instance.organization_id)


PLACE_FIELDS = ("region_id", "sector", "level", "is_active", "name")


def _organization_before(sender, instance, **kwargs) -> None:
    from xuncha.orgs.models import Organization

    instance._dashboard_before = (
        Organization.objects.filter(pk=instance.pk).values(*PLACE_FIELDS).first()
        if instance.pk
        else None
    )


def _organization_changed(sender, instance, created=False, **kwargs) -> None:
    before = getattr(instance, "_dashboard_before", None)
    if before is not None and all(getattr(instance, f) == before[f] for f in PLACE_FIELDS):
        return  # a contact or an address: nothing the dashboard shows
    if before is None or (before["region_id"], before["sector"]) == (
        instance.region_id,
        instance.sector,
    ):
        # New, or renamed, (de)activated, of another level: the summary rows
        # do not hold these (coverage reads the organizations), only the cache.
        _note(None, None, coverage=True)
        return
    # Moved to another district or sector: its rows leave one segment for another.
    _note(
        None,
        instance.pk,
        coverage=True,
        old_region_key=before["region_id"] or 0,
        old_sector=before["sector"],
    )


def _organization_deleted(sender, instance, **kwargs) -> None:
    _note(None, None, coverage=True)


def _round_changed(sender, instance, **kwargs) -> None:
    _note(None, None, coverage=True)  # its term, year or office places its rows in scopes


def _round_deleted(sender, instance, **kwargs) -> None:
    _note(instance.pk, None)
    _note(None, None, coverage=True)


def _structure_changed(sender, **kwargs) -> None:
    _note(None, None)


def connect_invalidation() -> None:
    from clues.models import Clue, Disposition, DispositionPerson
    from rectification.models import Item, LedgerEntry, Plan
    from rounds.models import Problem, ProblemCategory, Round, Target
    from xuncha.orgs.models import Organization, Region

    saved_and_deleted = [
        (Problem, _problem_or_clue_changed),
        (Clue, _problem_or_clue_changed),
        (Target, _target_changed),
        (Item, _item_changed),
        (Disposition, _disposition_changed),
        (DispositionPerson, _disposition_person_changed),
        (LedgerEntry, _ledger_entry_changed),
        (Plan, _plan_changed),
        (Region, _structure_changed),
        (ProblemCategory, _structure_changed),
    ]
    for model, handler in saved_and_deleted:
        uid = f"dashboard-invalidate-{model._meta.label_lower}"
        post_save.connect(handler, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(handler, sender=model, dispatch_uid=f"{uid}-delete")
    uid = "dashboard-invalidate-round"
    post_save.connect(_round_changed, sender=Round, dispatch_uid=f"{uid}-save")
    post_delete.connect(_round_deleted, sender=Round, dispatch_uid=f"{uid}-delete")
    uid = "dashboard-invalidate-organization"
    pre_save.connect(_organization_before, sender=Organization, dispatch_uid=f"{uid}-before")
    post_save.connect(_organization_changed, sender=Organization, dispatch_uid=f"{uid}-save")
    post_delete.connect(_organization_deleted, sender=Organization, dispatch_uid=f"{uid}-delete")
