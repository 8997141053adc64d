"""码上巡察: the public reporting page, its limits, and the team's triage."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from clues.models import Clue
from clues.selectors import clue_list
from intake import captcha, services
from intake.models import PublicStatus, Report, ReportFile
from intake.selectors import report_list
from intake.services.public import RECEIPT_ALPHABET, STORAGE_FULL
from rounds.models import Problem, Round
from rounds.selectors import problem_list
from tests import test_clues_pages as clue_pages
from tests.intake_fixtures import channel, noise_png
from tests.rounds_factories import category as problem_category
from xuncha.audit.models import AuditEntry
from xuncha.core.todo import todo_for

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return clue_pages.build_world()


def submit(client, ch, text="村委会主任挪用扶贫资金修建自家院墙。", addr="198.51.100.7", **extra):
    data = {"text": text, "reporter_name": "", "reporter_phone": "", **extra}
    return client.post(ch.get_absolute_url(), data, REMOTE_ADDR=addr)


def receipt_of(client) -> str:
    page = client.get(reverse("intake:receipt")).content.decode()
    return re.search(r'data-testid="receipt">([^<]+)<', page).group(1)


def status_of(client, code: str, addr="198.51.100.7") -> str:
    return client.post(
        reverse("intake:status"), {"receipt": code}, REMOTE_ADDR=addr
    ).content.decode()


# --- the public side ---------------------------------------------------------------


def test_a_report_with_a_picture_gets_a_receipt_shown_once_and_its_status(client, w):
    ch = channel(w.target, w.officer)
    response = submit(
        client, ch, files=[noise_png()], reporter_name="李明", reporter_phone="13800000000"
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("intake:receipt")  # no id in the address
    code = receipt_of(client)
    assert re.fullmatch(rf"([{RECEIPT_ALPHABET}]{{4}}-){{3}}[{RECEIPT_ALPHABET}]{{4}}", code)
    # Shown once: the receipt page no longer has it.
    assert code not in client.get(reverse("intake:receipt")).content.decode()
    report = Report.objects.get()
    assert report.receipt_hash != code and code not in report.receipt_hash
    assert report.reporter_name == "李明" and report.files.count() == 1
    assert "已受理" in status_of(client, code)
    # One-way: the audit entry records no address, so none ties the report to a sender.
    entry = AuditEntry.objects.get(action="intake.submit")
    assert entry.ip_address is None and entry.data == {"files": 1}


def test_public_pages_reveal_nothing_of_any_other_report(client, w):
    ch = channel(w.target, w.officer)
    form_url = ch.get_absolute_url()

    def public_pages():
        return [
            CSRF.sub("", client.get(form_url, REMOTE_ADDR="192.0.2.1").content.decode()),
            CSRF.sub("", client.get(reverse("intake:status")).content.decode()),
        ]

    before = public_pages()
    submit(client, ch, text="甲反映：财务科长虚报差旅费报销。", addr="192.0.2.50")
    first = receipt_of(client)
    submit(client, ch, text="乙反映：食堂采购未公开比价招标。", addr="192.0.2.51")
    second = receipt_of(client)
    services.report_outside(
        report=Report.objects.get(text__startswith="乙"), reason="非本单位", user=w.member
    )

    # No count and no trace of the reports on the pages anyone can open.
    assert public_pages() == before
    # Receipt codes are random, not in order, and none leads to another report.
    assert first != second
    first_status = status_of(client, first)
    assert "已受理" in first_status and "已办结" not in first_status
    assert "财务科长" not in first_status and "食堂" not in first_status
    second_status = status_of(client, second)
    assert "已办结" in second_status and "非本单位" not in second_status  # never the handling
    for code in (first, second):
        guess = code[:-1] + ("2" if code[-1] != "2" else "3")
        assert "未查到" in status_of(client, guess)


def test_the_code_is_valid_only_during_the_stay(client, w):
    ch = channel(w.target, w.officer)
    Round.objects.filter(pk=w.target.round_id).update(status=Round.Status.REPORTING)

    response = submit(client, ch)

    assert "二维码已失效" in response.content.decode()
    assert not Report.objects.exists()


def test_a_flood_from_one_address_is_slowed_to_a_captcha_then_refused(client, w, settings):
    settings.INTAKE_CAPTCHA_AFTER = 2
    settings.INTAKE_PER_ADDRESS_HOUR = 6
    ch = channel(w.target, w.officer)

    statuses = [submit(client, ch, files=[noise_png(40)]).status_code for _ in range(20)]

    # Two go through; the next four need the CAPTCHA the page shows and store
    # nothing without it; the rest are refused before their body is read.
    assert statuses[:2] == [302, 302]
    assert statuses[2:6] == [400] * 4
    assert statuses[6:] == [429] * 14
    assert Report.objects.count() == 2 and ReportFile.objects.count() == 2
    # Refused unread: even a body that cannot be parsed gets the same answer.
    garbled = client.post(
        ch.get_absolute_url(),
        b"--x\r\nnot a form",
        content_type="multipart/form-data; boundary=x",
        REMOTE_ADDR="198.51.100.7",
    )
    assert garbled.status_code == 429
    # Another address is not slowed by this one.
    assert submit(client, ch, addr="198.51.100.99").status_code == 302


def test_guessing_receipt_codes_is_slowed(client, w, settings):
    settings.INTAKE_STATUS_PER_ADDRESS_HOUR = 3
    answers = [
        client.post(
            reverse("intake:status"), {"receipt": f"AAAA-AAAA-AAAA-AAA{n}"}, REMOTE_ADDR="192.0.2.9"
        ).status_code
        for n in range(2, 7)
    ]
    assert answers == [200, 200, 200, 429, 429]


def test_the_captcha_lets_a_person_through(client, w, settings, monkeypatch):
    settings.INTAKE_CAPTCHA_AFTER = 0
    monkeypatch.setattr(captcha, "random_answer", lambda: "K7PX")
    ch = channel(w.target, w.officer)
    page = client.get(ch.get_absolute_url(), REMOTE_ADDR="198.51.100.7").content.decode()
    assert 'data-testid="captcha"' in page and "data:image/png;base64," in page

    assert submit(client, ch, captcha="WRNG").status_code == 400
    client.get(ch.get_absolute_url(), REMOTE_ADDR="198.51.100.7")  # a new challenge
    assert submit(client, ch, captcha="k7px").status_code == 302
    assert Report.objects.count() == 1


def test_a_flood_never_fills_the_disk(client, w, settings, monkeypatch, tmp_path):
    settings.INTAKE_CAPTCHA_AFTER = 1000
    settings.INTAKE_PER_ADDRESS_HOUR = 1000
    settings.INTAKE_TARGET_QUOTA_MB = 1
    ch = channel(w.target, w.officer)

    answers = []
    for index in range(12):
        response = submit(client, ch, addr=f"10.0.0.{index}", files=[noise_png(300)])  # ~270 KB
        answers.append(response.status_code)
        if response.status_code == 400:
            assert STORAGE_FULL in response.content.decode()

    stored = sum(f.size for f in ReportFile.objects.all())
    on_disk = sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file())
    assert answers.count(302) == 3 and answers.count(400) == 9
    assert stored <= 1024 * 1024 and on_disk <= 1024 * 1024
    # A report as text alone still goes through.
    assert submit(client, ch, addr="10.0.1.1").status_code == 302


def test_an_oversized_post_is_refused_unread(client, w, settings):
    settings.INTAKE_FILE_MAX_MB = 1
    ch = channel(w.target, w.officer)
    response = client.post(
        ch.get_absolute_url(),
        {"text": "x" * 20},
        REMOTE_ADDR="198.51.100.7",
        CONTENT_LENGTH=str(5 * 1024 * 1024),  # over 3 files × 1 MB
    )
    assert response.status_code == 413
    assert not Report.objects.exists()


def test_the_daily_limit_per_target_holds_whatever_the_address(client, w, settings):
    settings.INTAKE_PER_TARGET_DAY = 3
    ch = channel(w.target, w.officer)
    codes = [submit(client, ch, addr=f"10.1.0.{i}").status_code for i in range(5)]
    assert codes == [302, 302, 302, 400, 400]
    assert Report.objects.count() == 3


def test_only_pictures_and_pdfs_are_taken(client, w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.files import docx_bytes

    ch = channel(w.target, w.officer)
    response = submit(client, ch, files=[SimpleUploadedFile("a.docx", docx_bytes())])
    assert response.status_code == 400 and "只能上传图片或 PDF" in response.content.decode()
    fake = SimpleUploadedFile("a.png", b"<html><script>alert(1)</script></html>")
    assert submit(client, ch, files=[fake]).status_code == 400
    assert not Report.objects.exists()


# --- triage ------------------------------------------------------------------------


def _report(w, text="反映该局违规发放津补贴，涉及全体中层。", **kwargs) -> Report:
    return services.report_submit(channel=channel(w.target, w.officer), text=text, **kwargs).report


def _public(report: Report) -> str:
    return Report.objects.get(pk=report.pk).public_status()


def test_triage_outcomes_reach_the_right_lists(w):
    category = problem_category("A02")
    to_problem, to_clue, to_transfer, outside, first, repeat = (
        _report(w, text=f"第{i}件反映：有关单位存在违规问题，请核查。") for i in range(6)
    )
    for report in (to_problem, to_clue):
        ReportFile.objects.create(
            report=report, original_name="现场.png", content_type="image/png", size=1, sha256="0"
        ).file.save("x.png", noise_png(10))

    problem = services.report_to_problem(
        report=to_problem, category=category, severity=Problem.Severity.MINOR,
        description="", user=w.member,
    )  # fmt: skip
    clue = services.report_to_clue(
        report=to_clue, person_name="王某", person_position="局长", person_rank=Clue.Rank.DEPARTMENT,
        person_is_top_leader=True, discipline=Clue.Discipline.INTEGRITY, department=w.department,
        summary="", user=w.member,
    )  # fmt: skip
    services.report_transfer(report=to_transfer, department=w.other_department, user=w.leader)
    services.report_outside(
        report=outside, reason="反映的是个人劳动争议，请向劳动仲裁部门申请。", user=w.member
    )
    services.report_duplicate(report=repeat, first=first, user=w.member)

    # A problem with source 信访 on the team's problem list, with the picture.
    assert problem.source == Problem.Source.PETITION and problem.description == to_problem.text
    assert problem_list(user=w.member).filter(pk=problem.pk).exists()
    assert problem.attachments.count() == 1
    # A clue draft on the team's clue list, with the petition file.
    assert clue.status == Clue.Status.DRAFT and clue.source == Problem.Source.PETITION
    assert clue_list(user=w.member).filter(pk=clue.pk).exists()
    assert clue.files.get().kind == "petition"
    # Each on its own list of reports; the repeat is linked, not counted twice.
    for state, report in [
        (Report.State.PROBLEM, to_problem), (Report.State.CLUE, to_clue),
        (Report.State.TRANSFERRED, to_transfer), (Report.State.OUTSIDE, outside),
        (Report.State.DUPLICATE, repeat), (Report.State.NEW, first),
    ]:  # fmt: skip
        assert list(report_list(user=w.member, filters={"state": state})) == [report]
    assert Report.objects.filter(target=w.target).counted().count() == 5
    assert Report.objects.get(pk=repeat.pk).duplicate_of == first
    # What the reporter sees.
    assert _public(to_problem) == PublicStatus.HANDLING
    assert _public(to_transfer) == PublicStatus.HANDLING
    assert _public(outside) == PublicStatus.DONE
    assert _public(repeat) == PublicStatus.RECEIVED  # follows its first report
    services.report_receipt(
        report=to_transfer, receipt_number="ZZB-2026-031",
        receipt_on=timezone.localdate(), user=w.member,
    )  # fmt: skip
    assert _public(to_transfer) == PublicStatus.DONE
    services.report_outside(report=first, reason="已由信访部门办结。", user=w.member)
    assert _public(repeat) == PublicStatus.DONE


def test_untriaged_reports_are_on_the_team_todo(w):
    _report(w)
    _report(w)
    task = next(t for t in todo_for(w.member) if "群众反映" in t.title)
    assert task.count == 2
    other = next(t for t in todo_for(w.other_member) if "群众反映" in t.title)
    assert other.count == 0


def test_triage_is_the_teams_and_refused_to_others(w):
    from django.core.exceptions import PermissionDenied, ValidationError

    report = _report(w)
    with pytest.raises(PermissionDenied):
        services.report_outside(report=report, reason="理由", user=w.other_member)
    with pytest.raises(PermissionDenied):
        services.report_outside(report=report, reason="理由", user=w.officer)
    with pytest.raises(ValidationError):
        services.report_outside(report=report, reason="  ", user=w.member)
    services.report_outside(report=report, reason="理由", user=w.member)
    with pytest.raises(ValidationError):  # triaged once
        services.report_transfer(report=report, department=w.department, user=w.member)
    with pytest.raises(ValidationError):
        services.report_receipt(
            report=report, receipt_number="1", receipt_on=datetime.date.today(), user=w.member
        )


def test_reports_are_confidential_and_every_read_is_audited(client, w):
    report = _report(w, reporter_name="李明", reporter_phone="13800000000")
    ReportFile.objects.create(
        report=report, original_name="a.png", content_type="image/png", size=1, sha256="0"
    ).file.save("a.png", noise_png(10))
    detail = report.get_absolute_url()
    file_url = report.files.get().get_absolute_url()
    for user in (w.other_member, w.other_leader, w.leadership, w.contact, w.dept_user):
        client.force_login(user)
        assert client.get(detail).status_code == 404
        assert client.get(file_url).status_code == 404
        assert client.get(reverse("intake:report_list")).status_code in (200, 404)
        if client.get(reverse("intake:report_list")).status_code == 200:
            assert "李明" not in client.get(reverse("intake:report_list")).content.decode()
    reads = AuditEntry.objects.filter(action="intake.read")
    assert not reads.exists()
    for user in (w.member, w.leader, w.officer):
        client.force_login(user)
        page = client.get(detail).content.decode()
        assert "李明" in page and "13800000000" in page
        b"".join(client.get(file_url).streaming_content)
    assert reads.count() == 6
    assert set(reads.values_list("actor", flat=True)) == {w.member.pk, w.leader.pk, w.officer.pk}


def test_the_team_triages_from_the_report_page(client, w):
    report = _report(w)
    client.force_login(w.member)
    page = client.get(report.get_absolute_url()).content.decode()
    assert {"problem", "clue", "transfer", "outside", "duplicate"} <= set(
        re.findall(r'data-action="([^"]+)"', page)
    )
    response = client.post(
        reverse("intake:report_action", args=[report.pk, "transfer"]),
        {"department": w.department.pk, "note": "请依规处理"},
    )
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).state == Report.State.TRANSFERRED
    client.force_login(w.officer)  # the office sees, the team triages
    page = client.get(report.get_absolute_url()).content.decode()
    assert 'data-action="receipt"' not in page
    response = client.post(
        reverse("intake:report_action", args=[report.pk, "receipt"]),
        {"receipt_number": "JW-1", "receipt_on": "2020-01-01"},
    )
    assert response.status_code == 403


def test_the_list_counts_a_repeat_once(client, w):
    first = _report(w)
    repeat = _report(w)
    services.report_duplicate(report=repeat, first=first, user=w.member)
    client.force_login(w.member)
    page = client.get(reverse("intake:report_list")).content.decode()
    assert "共受理 1 件" in page


def test_a_refused_triage_form_that_shows_the_report_is_audited_as_a_read(client, w):
    report = _report(w, reporter_name="李明")
    client.force_login(w.member)
    response = client.post(reverse("intake:report_action", args=[report.pk, "outside"]), {})
    assert response.status_code == 400 and "李明" in response.content.decode()
    reads = AuditEntry.objects.filter(action="intake.read", actor=w.member)
    assert reads.count() == 1


def test_two_reports_marked_as_each_others_repeat_make_no_cycle(w):
    from django.core.exceptions import ValidationError

    a, b = (
        _report(w, text="第一件反映：该局违规发放津补贴。"),
        _report(w, text="第二件反映：该局违规发放津补贴。"),
    )
    stale_a = Report.objects.get(pk=a.pk)  # read by the second request before the first saved
    services.report_duplicate(report=a, first=b, user=w.member)
    with pytest.raises(ValidationError):
        services.report_duplicate(report=b, first=stale_a, user=w.member)
    assert Report.objects.get(pk=b.pk).state == Report.State.NEW
    assert _public(a) == _public(b)


def test_a_looping_duplicate_chain_does_not_break_the_status_page(w):
    a, b = (
        _report(w, text="第一件反映：该局违规发放津补贴。"),
        _report(w, text="第二件反映：该局违规发放津补贴。"),
    )
    Report.objects.filter(pk=a.pk).update(state=Report.State.DUPLICATE, duplicate_of=b)
    Report.objects.filter(pk=b.pk).update(state=Report.State.DUPLICATE, duplicate_of=a)
    assert _public(a) in {choice[0] for choice in PublicStatus.choices}
