"""The 大数据比对 pages: reviewing a hit (problem with evidence, clue draft,
dismissal), confidentiality (404 beyond the round's teams and the office,
masked numbers, audited reads), upload and mapping, file retention."""

import datetime
import io
import os
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from clues.models import Clue
from crosscheck.models import Hit, Rule, RuleRun, Source
from crosscheck.services import sources
from crosscheck.tasks import run_rule
from rounds.models import Problem, ProblemCategory
from tests import test_clues_pages as clue_pages
from tests.crosscheck_fixtures import LI, SUN, ZHANG, csv_bytes, load_list, rule_run_now
from tests.factories import OfficeFactory, make_user
from tests.rounds_factories import RoundFactory
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry

FULL_ID = re.compile(r"\d{17}[\dX]")


@pytest.fixture
def w(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = clue_pages.build_world()
    round_ = world.target.round
    # The relief list is brought in for the first team's target: the hit is its lead.
    load_list(round_, world.officer, "relief", target=world.target)
    load_list(round_, world.officer, "assets")
    rule_run_now(user=world.officer, round_=round_, rule=Rule.objects.get(code="relief-assets"))
    world.hit = Hit.objects.get(round=round_)
    return world


def _category():
    return ProblemCategory.objects.filter(is_active=True).first()


def test_a_member_turns_a_hit_into_a_problem_with_the_rows_attached(client, w):
    client.force_login(w.member)
    response = client.post(
        reverse("crosscheck:hit_review", args=[w.hit.pk]),
        {
            "action": "problem",
            "problem-target": w.target.pk,
            "problem-category": _category().pk,
            "problem-severity": "serious",
            "problem-description": "低保对象孙八名下有车辆，审核把关不严。",
        },
    )
    assert response.status_code == 302
    w.hit.refresh_from_db()
    problem = w.hit.problem
    assert w.hit.status == Hit.Status.PROBLEM and w.hit.reviewed_by == w.member
    assert problem.source == Problem.Source.DATA and problem.target == w.target
    attachment = problem.attachments.get()
    with attachment.file.open("rb") as stored:
        sheet = load_workbook(io.BytesIO(stored.read())).worksheets[0]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "孙八" in cells
    assert SUN[:6] + "********" + SUN[-4:] in cells
    assert not any(FULL_ID.search(cell) for cell in cells)
    # The birth date is the middle of the number: never beside its masked form.
    assert not any("1955-09-09" in cell for cell in cells)
    assert AuditEntry.objects.filter(action="crosscheck.hit.problem").count() == 1


def test_a_reviewed_hit_cannot_be_reviewed_again(client, w):
    client.force_login(w.member)
    url = reverse("crosscheck:hit_review", args=[w.hit.pk])
    client.post(url, {"action": "dismiss", "dismiss-reason": "同名车辆已过户。"})
    response = client.post(url, {"action": "dismiss", "dismiss-reason": "再次排除"})
    assert response.status_code == 400
    w.hit.refresh_from_db()
    assert w.hit.review_note == "同名车辆已过户。"
    assert AuditEntry.objects.filter(action="crosscheck.hit.dismiss").count() == 1


def test_dismissing_needs_a_reason(client, w):
    client.force_login(w.officer)
    response = client.post(reverse("crosscheck:hit_review", args=[w.hit.pk]), {"action": "dismiss"})
    assert response.status_code == 400
    w.hit.refresh_from_db()
    assert w.hit.status == Hit.Status.OPEN


def test_a_member_drafts_a_clue_from_a_hit(client, w):
    client.force_login(w.member)
    response = client.post(
        reverse("crosscheck:hit_review", args=[w.hit.pk]),
        {
            "action": "clue",
            "clue-target": w.target.pk,
            "clue-person_name": "孙八",
            "clue-person_position": "村委会主任",
            "clue-person_rank": "other",
            "clue-discipline": "masses",
            "clue-source": "data",
            "clue-confidentiality": "secret",
            "clue-summary": "低保对象名下有车辆。",
            "clue-department": w.department.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    w.hit.refresh_from_db()
    clue = w.hit.clue
    assert w.hit.status == Hit.Status.CLUE
    assert clue.status == Clue.Status.DRAFT and clue.source == Problem.Source.DATA


def test_the_office_may_dismiss_but_files_no_problem(client, w):
    client.force_login(w.officer)
    page = client.get(reverse("crosscheck:hit_detail", args=[w.hit.pk])).content.decode()
    assert "转为问题或起草线索由本轮巡察组成员操作" in page
    assert 'data-action="dismiss"' in page and 'data-action="problem"' not in page
    response = client.post(
        reverse("crosscheck:hit_review", args=[w.hit.pk]),
        {"action": "problem", "problem-target": w.target.pk, "problem-category": _category().pk,
         "problem-severity": "minor", "problem-description": "x"},
    )  # fmt: skip
    assert response.status_code == 400
    assert not Problem.objects.exists()


def test_the_hit_page_shows_the_rows_and_why_with_numbers_masked(client, w):
    client.force_login(w.leader)
    html = client.get(reverse("crosscheck:hit_detail", args=[w.hit.pk])).content.decode()
    assert "身份证号相同" in html and "名下有车辆或房产" in html
    assert SUN[:6] + "********" + SUN[-4:] in html
    assert SUN not in html and not FULL_ID.search(html)


def test_every_read_of_a_list_is_audited(client, w):
    source = Source.objects.get(kind="relief")
    client.force_login(w.member)
    client.get(reverse("crosscheck:source_detail", args=[source.pk]))
    client.get(reverse("crosscheck:source_rows", args=[source.pk]))
    client.get(reverse("crosscheck:hit_detail", args=[w.hit.pk]))
    reads = AuditEntry.objects.filter(actor=w.member, action="crosscheck.source.read")
    assert reads.count() == 2
    assert AuditEntry.objects.filter(actor=w.member, action="crosscheck.hit.read").count() == 1


def test_list_pages_run_a_fixed_number_of_queries(client, w, django_assert_max_num_queries):
    round_ = w.target.round
    load_list(round_, w.officer, "deceased")
    load_list(round_, w.officer, "cadres")
    for code in ("relief-deceased", "relief-cadres"):
        rule_run_now(user=w.officer, round_=round_, rule=Rule.objects.get(code=code))
    assert Hit.objects.count() == 4
    client.force_login(w.member)
    for url in (
        reverse("crosscheck:index"),
        reverse("crosscheck:round_home", args=[round_.pk]),
        reverse("crosscheck:hit_list", args=[round_.pk]) + "?status=all",
        reverse("crosscheck:source_rows", args=[Source.objects.get(kind="relief").pk]),
    ):
        with django_assert_max_num_queries(30):
            assert client.get(url).status_code == 200


def test_the_rows_page_shows_no_full_number(client, w):
    source = Source.objects.get(kind="relief")
    client.force_login(w.officer)
    html = client.get(reverse("crosscheck:source_rows", args=[source.pk])).content.decode()
    assert "赵六" in html and not FULL_ID.search(html)


def _outsiders(w):
    other_round = RoundFactory(office=w.target.round.office, number=9)
    other_team = clue_pages.team_create(round_=other_round, number=1, user=w.officer)
    other_member = clue_pages._signed_member(
        other_team, clue_pages.Membership.Role.MEMBER, w.officer, "他轮组员"
    )
    district = make_user(Role.OFFICE, office=OfficeFactory(district=True), username="区巡察办")
    return {
        "leadership": w.leadership,
        "unit_contact": w.contact,
        "department": w.dept_user,
        "another round's member": other_member,
        "another office": district,
        "system admin": make_user(Role.SYSADMIN),
        "auditor": make_user(Role.AUDITOR),
    }


def test_everyone_but_the_rounds_teams_and_the_office_gets_404(client, w):
    source = Source.objects.get(kind="relief")
    urls = [
        reverse("crosscheck:round_home", args=[w.target.round.pk]),
        reverse("crosscheck:hit_list", args=[w.target.round.pk]),
        reverse("crosscheck:source_detail", args=[source.pk]),
        reverse("crosscheck:source_rows", args=[source.pk]),
        reverse("crosscheck:hit_detail", args=[w.hit.pk]),
    ]
    for who, user in _outsiders(w).items():
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (who, url)
        response = client.post(
            reverse("crosscheck:hit_review", args=[w.hit.pk]),
            {"action": "dismiss", "dismiss-reason": "x"},
        )
        assert response.status_code == 404, who
    for user in (w.officer, w.leader, w.member):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 200, (user, url)
    # The round's other team sees the round's pages, not the first team's list or hit.
    client.force_login(w.other_member)
    for url in urls:
        expected = 200 if "/rounds/" in url else 404
        assert client.get(url).status_code == expected, url
    w.hit.refresh_from_db()
    assert w.hit.status == Hit.Status.OPEN


def test_the_round_page_links_to_the_crosscheck_for_those_who_may_use_it(client, w):
    url = reverse("rounds:round_detail", args=[w.target.round.pk])
    target = reverse("crosscheck:round_home", args=[w.target.round.pk])
    client.force_login(w.member)
    assert target in client.get(url).content.decode()
    client.force_login(w.leadership)
    assert target not in client.get(url).content.decode()


def test_upload_then_mapping_page_then_import(client, w):
    client.force_login(w.member)
    content = csv_bytes(
        ["名字", "证件号码", "单位"], [["张 三", ZHANG, "市发改委"], ["李梅", LI, "x"]]
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("crosscheck:source_upload", args=[w.target.round.pk]),
        {
            "kind": "cadres",
            "label": "干部名册",
            "target": w.target.pk,
            "file": SimpleUploadedFile("名册.csv", content),
        },
    )
    source = Source.objects.get(label="干部名册")
    assert source.target == w.target
    assert response.status_code == 302 and source.status == Source.Status.MAPPING
    page = client.get(reverse("crosscheck:source_detail", args=[source.pk])).content.decode()
    # The preview masks the numbers too.
    assert ZHANG[:6] + "********" + ZHANG[-4:] in page and ZHANG not in page
    client.post(
        reverse("crosscheck:source_map", args=[source.pk]),
        {"name": "名字", "id_number": "证件号码", "unit": "单位"},
    )
    source.refresh_from_db()
    assert source.status == Source.Status.IMPORTING
    source = sources.source_import(source.pk)
    assert source.status == Source.Status.DONE and source.rows == 2
    html = client.get(reverse("crosscheck:source_detail", args=[source.pk])).content.decode()
    assert "已读取 2 行" in html


def test_uploaded_files_are_deleted_after_the_retention(w, settings):
    settings.CROSSCHECK_FILE_RETENTION_DAYS = 30
    old = Source.objects.get(kind="relief")
    Source.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=31))
    path = old.file.path
    assert sources.purge_expired_files() == 1
    old.refresh_from_db()
    assert not old.file and old.file_deleted_at is not None
    assert not os.path.exists(path)
    # The rows stay: the rules still run.
    assert Source.objects.get(kind="assets").file  # within the retention: kept
    assert sources.purge_expired_files() == 0
    assert AuditEntry.objects.filter(action="crosscheck.source.file_deleted").count() == 1


def test_the_office_adds_a_rule_on_its_page_and_runs_it(
    client, w, django_capture_on_commit_callbacks
):
    client.force_login(w.officer)
    round_ = w.target.round
    response = client.post(
        reverse("crosscheck:rule_create", args=[round_.pk]),
        {
            "name": "低保 × 车辆（2023 年起）",
            "description": "低保对象名下有车辆。",
            "left_kind": "relief",
            "key": "person",
            "right_kind": "assets",
            "mode": "match",
            "date_from": "2023-01-01",
        },
    )
    assert response.status_code == 302
    rule = Rule.objects.get(office=round_.office)
    assert rule.params == {"date_from": "2023-01-01"}
    with django_capture_on_commit_callbacks() as sent:
        client.post(reverse("crosscheck:rule_run", args=[round_.pk]), {"rule": rule.pk})
    assert len(sent) == 1 and not Hit.objects.filter(rule=rule).exists()  # queued for the worker
    run_rule(RuleRun.objects.get(rule=rule).pk)  # what the worker does with the message
    assert Hit.objects.filter(rule=rule).count() == 1
    # Another office's rule is not offered to this round, nor run in it.
    other = Rule.objects.create(
        office=OfficeFactory(district=True), code="other-office", name="区里的规则",
        description="x", left_kind="relief", key="person", right_kind="assets",
    )  # fmt: skip
    html = client.get(reverse("crosscheck:round_home", args=[round_.pk])).content.decode()
    assert "低保 × 车辆（2023 年起）" in html and "区里的规则" not in html
    client.post(reverse("crosscheck:rule_run", args=[round_.pk]), {"rule": other.pk})
    assert not Hit.objects.filter(rule=other).exists()
    assert not RuleRun.objects.filter(rule=other).exists()


def test_a_team_member_may_not_add_rules_on_the_page(client, w):
    client.force_login(w.member)
    url = reverse("crosscheck:rule_create", args=[w.target.round.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "x"}).status_code == 403
    assert not Rule.objects.exclude(office=None).exists()


def test_held_data_matches_under_a_name_rule(w):
    from crosscheck.services.rules import rule_create

    cadre = w.member.cadre
    cadre.name = "孙八"
    cadre.save()
    sources.source_from_held_data(user=w.officer, round_=w.target.round)
    rule = rule_create(
        user=w.officer, name="低保 × 库内干部（同名）", description="同名，需核实。",
        left_kind="relief", key=Rule.Key.NAME, right_kind="cadres",
    )  # fmt: skip
    rule_run_now(user=w.officer, round_=w.target.round, rule=rule)
    hit = Hit.objects.get(rule=rule)
    assert hit.basis == Hit.Basis.NAME and hit.right_row.role == "本人"


def test_the_progress_bar_polls_while_a_list_is_read(client, w):
    content = csv_bytes(["姓名", "身份证号"], [["张三", ZHANG]])
    from django.core.files.uploadedfile import SimpleUploadedFile

    source = sources.source_upload(
        user=w.officer, round_=w.target.round, kind="cadres", label="读取中",
        upload=SimpleUploadedFile("a.csv", content), target=w.target,
    )  # fmt: skip
    sources.source_set_mapping(user=w.officer, source=source, mapping=source.mapping)
    Source.objects.filter(pk=source.pk).update(progress=40)
    client.force_login(w.member)
    url = reverse("crosscheck:source_detail", args=[source.pk])
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in partial and "40%" in partial
    sources.source_import(source.pk)
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in partial and "已读取 1 行" in partial


def test_no_page_shows_the_birth_date_beside_a_masked_number(client, w):
    # First 6 + birth date + last 4 is the whole number but the 3 sequence
    # digits and check digit, which the masked form already shows.
    client.force_login(w.officer)
    source = Source.objects.get(kind="relief")
    for url in (
        reverse("crosscheck:hit_detail", args=[w.hit.pk]),
        reverse("crosscheck:source_rows", args=[source.pk]),
    ):
        html = client.get(url).content.decode()
        assert SUN[:6] + "********" + SUN[-4:] in html
        assert "1955-09-09" not in html


def test_the_team_is_not_offered_the_cadre_pool_list(client, w):
    url = reverse("crosscheck:round_home", args=[w.target.round.pk])
    held = reverse("crosscheck:source_from_held", args=[w.target.round.pk])
    client.force_login(w.member)
    assert held not in client.get(url).content.decode()
    assert client.post(held).status_code == 403
    client.force_login(w.officer)
    assert held in client.get(url).content.decode()


def test_a_refused_review_that_shows_the_hit_is_audited_as_a_read(client, w):
    client.force_login(w.member)
    url = reverse("crosscheck:hit_review", args=[w.hit.pk])
    for data in ({"action": "nonsense"}, {"action": "dismiss", "dismiss-reason": ""}):
        response = client.post(url, data)
        assert response.status_code == 400 and "孙八" in response.content.decode()
    reads = AuditEntry.objects.filter(actor=w.member, action="crosscheck.hit.read")
    assert reads.count() == 2


def test_the_team_cannot_page_through_the_cadre_pool_list(client, w):
    held = sources.source_from_held_data(user=w.officer, round_=w.target.round)
    url = reverse("crosscheck:source_rows", args=[held.pk])
    client.force_login(w.member)
    assert client.get(url).status_code == 404
    client.force_login(w.officer)
    assert client.get(url).status_code == 200
