"""Bench figure for the round archive (found by ``manage.py bench``).

- ``archive.round.s``: the whole package of one archived round with 20
  targets and 2,000 problems, each with its rectification item (a hundred a
  target), 20 clues handed over, 20 assessments, four weekly summaries and
  200 evidence files: every document rendered through its own renderer
  (40 reports and feedback opinions, 20 handover forms, the round's
  2,000-item ledger, the summaries, assessments and the evaluation table),
  the evidence read back and checked, the two indexes and the manifest,
  written as a zip (archive.package.build_package, as the worker runs it).
  One run: it takes tens of seconds. The target: at most 60 s.

The round is written in bulk on the "orgs" data set's organizations inside
a transaction that is rolled back after the measurement (as the import
figure does), and its evidence files are deleted: the shared data set keeps
its stated counts and does not grow from run to run. Its counts scale with
``--scale`` (the names say the city-scale count).
"""

import datetime
import hashlib
import tempfile
import time

from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from bench.citydata import PREFIX, OrgsData
from bench.clues import _ensure_departments
from bench.measure import measuring
from bench.registry import BenchContext, Measurement, analyze, bench_figure
from clues.models import Clue
from rectification.models import Assessment, Evidence, Item, LedgerEntry, Plan
from rounds.models import (
    Problem,
    ProblemCategory,
    Round,
    RoundKind,
    Target,
    Team,
    WeeklySummary,
)
from xuncha.orgs.models import Organization

ARCHIVE_TERM = 98
THEME = f"{PREFIX}归档基准"
TARGETS = 20
CITY_ITEMS = 2000
CITY_EVIDENCE = 200
TEAMS = 4
DESCRIPTIONS = [
    "违规向在职人员发放津补贴，相关制度执行不严格，财务审核把关不到位。",
    "“三重一大”事项未经党组会集体研究决策，个人说了算现象仍有发生。",
    "政府采购项目化整为零规避公开招标，合同管理不规范，验收把关不严。",
    "组织生活会批评与自我批评辣味不足，会前谈心谈话不深入，流于形式。",
]


def _tiny_pdf(n: int) -> bytes:
    from demo.clues import tiny_pdf

    return tiny_pdf(f"Bench evidence {n}")


def _build_round(context: BenchContext, orgs: OrgsData) -> Round:
    office_user = orgs.office_user
    today = timezone.localdate()
    entry = today - datetime.timedelta(days=200)
    exit_, feedback = entry + datetime.timedelta(days=30), entry + datetime.timedelta(days=45)
    round_ = Round.objects.create(
        office=office_user.office,
        term=ARCHIVE_TERM,
        # Rolled back after each run; a free number all the same, whatever an
        # interrupted run may have left.
        number=(
            Round.objects.filter(office=office_user.office, term=ARCHIVE_TERM).aggregate(
                n=Max("number")
            )["n"]
            or 0
        )
        + 1,
        year=entry.year,
        theme=THEME,
        planned_start=entry,
        planned_end=feedback,
        status=Round.Status.ARCHIVED,
    )
    round_.kinds.set(RoundKind.objects.filter(code="regular"))
    teams = [Team.objects.create(round=round_, number=n) for n in range(1, TEAMS + 1)]
    organizations = list(Organization.objects.filter(code__startswith=PREFIX).order_by("code"))
    targets = Target.objects.bulk_create(
        Target(
            round=round_,
            team=teams[i % TEAMS],
            organization=organizations[i],
            leader_name=organizations[i].leader_name,
            entry_date=entry,
            exit_date=exit_,
            feedback_date=feedback,
            status=Target.Status.CLOSED,
        )
        for i in range(min(context.scale.count(TARGETS), len(organizations)))
    )
    categories = list(ProblemCategory.objects.filter(parent__isnull=False).order_by("code"))
    items = context.scale.count(CITY_ITEMS)
    problems = Problem.objects.bulk_create(
        Problem(
            target=targets[i % len(targets)],
            round=round_,
            team=targets[i % len(targets)].team,
            category=categories[i % len(categories)],
            description=f"{DESCRIPTIONS[i % len(DESCRIPTIONS)]}（第{i + 1}项）",
            source=Problem.Source.INTERVIEW,
            severity=Problem.Severity.SERIOUS,
            immediate_fix=i % 7 == 0,
            status=Problem.Status.FED_BACK,
            found_by=office_user,
            found_on=entry,
        )
        for i in range(items)
    )
    plans = {
        target.pk: Plan.objects.create(
            target=target,
            organization=target.organization,
            status=Plan.Status.ACCEPTED,
            signed_at=timezone.now(),
            submitted_at=timezone.now(),
        )
        for target in targets
    }
    rect_items = Item.objects.bulk_create(
        Item(
            plan=plans[p.target_id],
            problem=p,
            organization=p.target.organization,
            round=round_,
            office=round_.office,
            measures="建立台账，逐项整改，完善制度。",
            kind=Item.Kind.DEADLINE,
            responsible_leader="王建国",
            responsible_person="李志强",
            deadline=feedback + datetime.timedelta(days=60),
            state=Item.State.ACCEPTED,
            progress=100,
        )
        for p in problems
    )
    entries = LedgerEntry.objects.bulk_create(
        LedgerEntry(
            item=item,
            action=LedgerEntry.Action.HAND_IN,
            actor=office_user,
            note="已完成整改，报送佐证材料。",
            state_before="in_progress",
            state_after="handed_in",
        )
        for item in rect_items
    )
    step = max(1, len(entries) // context.scale.count(CITY_EVIDENCE))
    for n, entry_row in enumerate(entries[::step]):
        content = _tiny_pdf(n)
        evidence = Evidence(
            item=entry_row.item,
            entry=entry_row,
            original_name=f"整改佐证{n}.pdf",
            content_type="application/pdf",
            size=len(content),
            uploaded_by=office_user,
            sha256=hashlib.sha256(content).hexdigest(),
        )
        evidence.file.save(f"bench-archive-{round_.pk}-{n}.pdf", ContentFile(content), save=True)
    department = _ensure_departments()[0]
    now = timezone.now()
    Clue.objects.bulk_create(
        Clue(
            number=f"{PREFIX}ARC-{round_.pk}-{i + 1:03d}",
            round=round_,
            team=target.team,
            target=target,
            person_name="某某",
            person_position="副局长",
            person_rank=Clue.Rank.SECTION,
            discipline=Clue.Discipline.INTEGRITY,
            source=Problem.Source.PETITION,
            summary="反映其违规插手工程项目。",
            department=department,
            status=Clue.Status.RECEIVED,
            drafted_by=office_user,
            submitted_by=office_user,
            submitted_at=now,
            approved_by=office_user,
            approved_at=now,
            received_by=office_user,
            received_at=now,
        )
        for i, target in enumerate(targets)
    )
    Assessment.objects.bulk_create(
        Assessment(
            target=target,
            survey_open=False,
            verdict="good",
            verdict_note="整改到位。",
            decided_by=office_user,
            decided_at=now,
        )
        for target in targets
    )
    WeeklySummary.objects.bulk_create(
        WeeklySummary(
            round=round_,
            week_start=entry + datetime.timedelta(days=7 * w - entry.weekday()),
            data={"round": round_.name, "teams": [], "totals": {}},
        )
        for w in range(1, 5)
    )
    analyze(Problem, Item, LedgerEntry)
    return round_


def _delete_files(round_id: int) -> None:
    for evidence in Evidence.objects.filter(item__round_id=round_id):
        evidence.file.delete(save=False)


@bench_figure("archive.round", names=["archive.round.s"], needs=["orgs"])
def archive_round(context: BenchContext) -> list[Measurement]:
    from archive.package import build_package

    orgs: OrgsData = context.data["orgs"]
    with transaction.atomic():
        started = time.perf_counter()
        # The security officer's grant (the archive holds the clues), written directly.
        orgs.office_user.user_permissions.add(
            Permission.objects.get(content_type__app_label="clues", codename="manage_clue")
        )
        office_user = type(orgs.office_user).objects.get(pk=orgs.office_user.pk)
        round_ = _build_round(context, orgs)
        items = Item.objects.filter(round=round_).count()
        evidence = Evidence.objects.filter(item__round=round_).count()
        context.log(f"archive round built in {time.perf_counter() - started:.1f} s")
        try:
            with measuring(), tempfile.TemporaryFile() as out:
                started, cpu = time.perf_counter(), time.process_time()
                manifest = build_package(round_, office_user, out, lambda percent: None)
                seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
                size = out.tell()
        finally:
            _delete_files(round_.pk)
            transaction.set_rollback(True)
    # On a shared machine the wall time is mostly waiting for a core: the
    # process's own CPU time says how much of it was the work.
    context.log(
        f"archive: {len(manifest['entries'])} entries ({items} items, {evidence} "
        f"evidence files), {size / 1048576:.1f} MB, {seconds:.1f} s ({cpu:.1f} s of CPU)"
    )
    return [("archive.round.s", seconds, "s")]
