"""The clue pages: the three-signature handover through the views, each step
refused to the wrong role and out of order, 404 (never 403) and no trace for
everyone who may not see a clue, the audited reads, and query counts.

The world is built with the services (round, teams, members who sign their
three commitments, targets, departments); only the round's status is set
directly. The module is also a URLconf (``urlpatterns``, for
``pytest.mark.urls``): the root URLconf plus the clue URLs, until
xuncha/urls.py includes them.
"""

import datetime
import io
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import include, path, reverse
from django.utils import timezone

from clues import services
from clues.models import Clue, ClueFile, Disposition
from rounds.models import Commitment, Membership, ProblemCategory, Round, Target
from rounds.services.planning import (
    commitment_sign,
    round_create,
    target_add,
    team_add_member,
    team_create,
)
from rounds.services.problems import problem_create
from tests.factories import OfficeFactory, OrganizationFactory, UserFactory, make_user
from tests.rounds_factories import cadre_with_user, round_kind
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry
from xuncha.orgs.models import Department
from xuncha.orgs.services import department_create

# --- URLconf -----------------------------------------------------------------


def _urlpatterns() -> list:
    from xuncha import urls as root

    if any(getattr(p, "namespace", None) == "clues" for p in root.urlpatterns):
        return root.urlpatterns
    return [path("clues/", include("clues.urls")), *root.urlpatterns]


urlpatterns = _urlpatterns()

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

S = Clue.Status
PERSON = "欧阳被反映"


def _one_page_pdf() -> bytes:
    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return out.getvalue()


PDF_BYTES = _one_page_pdf()


# --- The world, through the services ------------------------------------------


@dataclass
class World:
    officer: User
    leader: User
    member: User
    other_leader: User
    other_member: User
    department: Department
    dept_user: User
    other_department: Department
    other_dept_user: User
    leadership: User
    contact: User
    plain_office: User
    target: Target
    other_target: Target


def _clue_officer(office, username: str) -> User:
    user = make_user(Role.OFFICE, office=office, username=username, full_name="线索专管员")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="clues", codename="manage_clue")
    )
    return User.objects.get(pk=user.pk)  # fresh: no cached roles or permissions


def _signed_member(team, role: str, officer: User, name: str) -> User:
    cadre = cadre_with_user(
        role=Role.TEAM_LEADER if role == Membership.Role.LEADER else Role.TEAM_MEMBER,
        in_leader_pool=role != Membership.Role.MEMBER,
        name=name,
    )
    membership = team_add_member(team=team, cadre=cadre, role=role, user=officer)
    for kind in Commitment.Kind.values:
        commitment_sign(membership=membership, kind=kind, user=cadre.user)
    return cadre.user


def build_world() -> World:
    office = OfficeFactory()
    officer = _clue_officer(office, "officer")
    today = timezone.localdate()
    round_ = round_create(
        office=office,
        term=13,
        number=1,
        year=today.year,
        kinds=[round_kind("regular")],
        planned_start=today - datetime.timedelta(days=10),
        planned_end=today + datetime.timedelta(days=50),
        user=officer,
    )
    team = team_create(round_=round_, number=1, user=officer)
    other_team = team_create(round_=round_, number=2, user=officer)
    target = target_add(team=team, organization=OrganizationFactory(), user=officer)
    other_target = target_add(team=other_team, organization=OrganizationFactory(), user=officer)
    leader = _signed_member(team, Membership.Role.LEADER, officer, "甲组长")
    member = _signed_member(team, Membership.Role.MEMBER, officer, "甲组员")
    other_leader = _signed_member(other_team, Membership.Role.LEADER, officer, "乙组长")
    other_member = _signed_member(other_team, Membership.Role.MEMBER, officer, "乙组员")
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.ON_SITE)

    department = department_create(
        code="JW", name="市纪委监委", kind=Department.Kind.DISCIPLINE, user=officer
    )
    other_department = department_create(
        code="ZZB", name="市委组织部", kind=Department.Kind.ORGANIZATION, user=officer
    )
    return World(
        officer=officer,
        leader=leader,
        member=member,
        other_leader=other_leader,
        other_member=other_member,
        department=department,
        dept_user=UserFactory(roles=[Role.DEPARTMENT], department=department, full_name="纪委甲"),
        other_department=other_department,
        other_dept_user=UserFactory(roles=[Role.DEPARTMENT], department=other_department),
        leadership=make_user(Role.LEADERSHIP, office=office),
        contact=make_user(Role.UNIT_CONTACT, organization=target.organization),
        # Office staff without the clue permission: no clue at all.
        plain_office=make_user(Role.OFFICE, office=office, username="plain_office"),
        target=Target.objects.get(pk=target.pk),
        other_target=other_target,
    )


@pytest.fixture
def w(settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def draft(w: World, *, person: str = PERSON, urgent: bool = False, by: User | None = None) -> Clue:
    return services.clue_create(
        target=w.target,
        user=by or w.member,
        person_name=person,
        person_position="局长",
        person_rank=Clue.Rank.DEPARTMENT,
        person_is_top_leader=True,
        discipline=Clue.Discipline.INTEGRITY,
        source="interview",
        confidentiality=Clue.Confidentiality.SECRET,
        summary="反映其违规收受礼金。",
        department=w.department,
        urgent=urgent,
    )


def advance(w: World, clue: Clue, to: str) -> Clue:
    """Through the services, step by step, up to status ``to``."""
    if not clue.files.exists():
        attach(w, clue)  # the leader signs a handover with its material package
    steps = [
        (S.SUBMITTED, lambda c: services.clue_submit(clue=c, user=w.leader)),
        (S.APPROVED, lambda c: services.clue_approve(clue=c, user=w.officer)),
        (S.RECEIVED, lambda c: services.clue_receive(clue=c, user=w.dept_user)),
    ]
    for status, step in steps:
        clue = step(clue)
        if status == to:
            break
    return Clue.objects.get(pk=clue.pk)


def final_disposition(w: World, clue: Clue) -> Disposition:
    return services.disposition_report(
        clue=clue, user=w.dept_user, method=Disposition.Method.CASE, note="已立案。", is_final=True
    )


def url(name: str, *args) -> str:
    return reverse(f"clues:{name}", args=args)


def html(response) -> str:
    return response.content.decode()


def status_of(clue: Clue) -> str:
    return Clue.objects.values_list("status", flat=True).get(pk=clue.pk)


def attach(w: World, clue: Clue) -> ClueFile:
    upload = SimpleUploadedFile("谈话笔录.pdf", PDF_BYTES, content_type="application/pdf")
    return services.clue_attach_file(clue=clue, upload=upload, kind="interview", user=w.member)


# --- The whole handover through the pages ----------------------------------------


def people_data(*people: dict) -> dict:
    """The disposition form's people rows, as the page posts them."""
    data = {
        "people-TOTAL_FORMS": str(max(3, len(people))),
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "50",
    }
    for number, person in enumerate(people):
        data.update({f"people-{number}-{name}": value for name, value in person.items()})
    return data


def test_three_signatures_through_the_pages(w, client):
    category, _ = ProblemCategory.objects.get_or_create(code="T-CLUE", defaults={"name": "违纪"})
    problem = problem_create(
        target=w.target,
        category=category,
        description="违规收受礼金问题",
        source="interview",
        severity="serious",
        user=w.member,
    )

    # The member picks a target, drafts the clue from a problem, adds material.
    client.force_login(w.member)
    choice = html(client.get(url("clue_create")))
    assert f"?target={w.target.pk}" in choice
    assert f"?target={w.other_target.pk}" not in choice
    form_page = client.get(url("clue_create") + f"?target={w.target.pk}")
    assert form_page.status_code == 200 and "违规收受礼金问题" in html(form_page)
    response = client.post(
        url("clue_create") + f"?target={w.target.pk}",
        {
            "person_name": PERSON,
            "person_position": "局长",
            "person_rank": "department",
            "person_is_top_leader": "on",
            "discipline": "integrity",
            "source": "interview",
            "confidentiality": "secret",
            "summary": "反映其违规收受礼金。",
            "department": w.department.pk,
            "problems": [problem.pk],
        },
    )
    clue = Clue.objects.get()
    assert response.status_code == 302 and response["Location"] == clue.get_absolute_url()
    assert list(clue.problems.all()) == [problem]
    assert clue.drafted_by == w.member and clue.status == S.DRAFT

    upload = SimpleUploadedFile("谈话笔录.pdf", PDF_BYTES, content_type="application/pdf")
    client.post(url("clue_file_upload", clue.pk), {"kind": "interview", "file": upload})
    assert clue.files.count() == 1
    client.post(url("clue_edit", clue.pk), {**_fields(clue), "person_position": "副局长"})
    clue.refresh_from_db()
    assert clue.person_position == "副局长"

    # First signature: the team leader.
    client.force_login(w.leader)
    page = html(client.get(clue.get_absolute_url()))
    assert url("clue_submit", clue.pk) in page
    client.post(url("clue_submit", clue.pk))
    clue.refresh_from_db()
    assert clue.status == S.SUBMITTED and clue.submitted_by == w.leader

    # Second: the office.
    client.force_login(w.officer)
    assert url("clue_approve", clue.pk) in html(client.get(clue.get_absolute_url()))
    client.post(url("clue_approve", clue.pk))
    clue.refresh_from_db()
    assert clue.status == S.APPROVED and clue.approved_by == w.officer

    # Third: the department signs from its list, where it saw the number only.
    client.force_login(w.dept_user)
    ledger = html(client.get(url("clue_list")))
    assert clue.number in ledger and PERSON not in ledger
    assert url("clue_receive", clue.pk) in ledger
    response = client.post(url("clue_receive", clue.pk))
    assert response["Location"] == clue.get_absolute_url()
    clue.refresh_from_db()
    assert clue.status == S.RECEIVED and clue.received_by == w.dept_user
    assert clue.disposition_due is not None

    page = html(client.get(clue.get_absolute_url()))
    for who in (w.leader, w.officer, w.dept_user):
        assert who.full_name in page  # the three signatures, with who and when
    assert PERSON in page and "谈话笔录.pdf" in page

    # The department reports twice (history is appended), the office closes.
    client.post(
        url("clue_disposition", clue.pk),
        {"method": "verify", "note": "初步核实中。", "money_recovered": "0", **people_data()},
    )
    # 初步核实 cannot discipline anyone: refused, nothing written, the form kept.
    refused = client.post(
        url("clue_disposition", clue.pk),
        {
            "method": "verify",
            "note": "核实完毕。",
            "money_recovered": "0",
            **people_data({"name": PERSON, "party_discipline": "warning"}),
        },
    )
    assert refused.status_code == 200
    assert "处置方式为“初步核实”时只能记录组织处理，不能记录党纪处分" in html(refused)
    assert clue.dispositions.count() == 1
    client.post(
        url("clue_disposition", clue.pk),
        {
            "method": "case",
            "money_recovered": "120000.50",
            "is_final": "on",
            "note": "已立案审查调查。",
            **people_data(
                {
                    "name": PERSON,
                    "position": "科长",
                    "party_discipline": "serious_warning",
                    "government_sanction": "demerit",
                    "transferred_to_justice": "on",
                },
                {"name": "同案人员", "organizational_handling": "免职"},
            ),
        },
    )
    assert list(clue.dispositions.values_list("method", flat=True)) == ["verify", "case"]
    case = clue.dispositions.get(method="case")
    assert [(p.name, p.outcomes) for p in case.people.all()] == [
        (PERSON, ["party_discipline", "government_sanction", "transferred_to_justice"]),
        ("同案人员", ["organizational_handling"]),
    ]
    client.force_login(w.officer)
    page = html(client.get(clue.get_absolute_url()))
    assert page.index("初步核实中") < page.index("已立案审查调查")  # newest last
    assert url("clue_close", clue.pk) in page
    client.post(url("clue_close", clue.pk))
    assert status_of(clue) == S.CLOSED

    # Reopen needs a reason.
    response = client.post(url("clue_reopen", clue.pk), {"reason": ""}, follow=True)
    assert "重新打开须说明理由" in html(response) and status_of(clue) == S.CLOSED
    client.post(url("clue_reopen", clue.pk), {"reason": "发现新的问题线索。"})
    assert status_of(clue) == S.RECEIVED


def _fields(clue: Clue) -> dict:
    return {
        "person_name": clue.person_name,
        "person_position": clue.person_position,
        "person_rank": clue.person_rank,
        "person_is_top_leader": "on" if clue.person_is_top_leader else "",
        "discipline": clue.discipline,
        "source": clue.source,
        "confidentiality": clue.confidentiality,
        "summary": clue.summary,
        "department": clue.department_id,
    }


def test_office_returns_a_clue_with_a_reason(w, client):
    clue = advance(w, draft(w), S.SUBMITTED)
    client.force_login(w.officer)
    response = client.post(url("clue_return", clue.pk), {"reason": "  "}, follow=True)
    assert "退回须说明理由" in html(response) and status_of(clue) == S.SUBMITTED
    client.post(url("clue_return", clue.pk), {"reason": "材料不全，请补充谈话笔录。"})
    assert status_of(clue) == S.DRAFT
    client.force_login(w.member)
    assert "材料不全，请补充谈话笔录。" in html(client.get(clue.get_absolute_url()))


# --- Each step refused to the wrong role, and out of order -----------------------


@pytest.mark.parametrize(
    ("step", "status", "who", "expected"),
    [
        ("clue_submit", S.DRAFT, "member", 403),  # a member, not the leader
        ("clue_submit", S.DRAFT, "officer", 403),
        ("clue_submit", S.DRAFT, "other_leader", 404),
        ("clue_submit", S.DRAFT, "dept_user", 404),
        ("clue_approve", S.SUBMITTED, "leader", 403),
        ("clue_approve", S.SUBMITTED, "plain_office", 404),
        ("clue_approve", S.SUBMITTED, "dept_user", 404),
        ("clue_return", S.SUBMITTED, "leader", 403),
        ("clue_receive", S.APPROVED, "officer", 403),
        ("clue_receive", S.APPROVED, "other_dept_user", 404),
        ("clue_receive", S.APPROVED, "leader", 404),  # the team no longer sees it
        ("clue_disposition", S.RECEIVED, "officer", 403),
        ("clue_disposition", S.RECEIVED, "other_dept_user", 404),
        ("clue_close", S.RECEIVED, "dept_user", 403),
        ("clue_reopen", S.RECEIVED, "leadership", 404),
        ("clue_approve", S.SUBMITTED, "leadership", 404),
        ("clue_approve", S.SUBMITTED, "contact", 404),
    ],
)
def test_a_step_is_refused_to_the_wrong_role(w, client, step, status, who, expected):
    clue = draft(w)
    if status != S.DRAFT:
        clue = advance(w, clue, status)
    client.force_login(getattr(w, who))
    data = {"reason": "理由", "method": "talk", "note": "说明", "money_recovered": "0"}
    assert client.post(url(step, clue.pk), data).status_code == expected
    assert status_of(clue) == status
    assert not clue.dispositions.exists()


@pytest.mark.parametrize(
    ("step", "status", "who", "message"),
    [
        ("clue_approve", S.DRAFT, "officer", "不能审批"),
        ("clue_return", S.DRAFT, "officer", "只有待审批的线索可以退回"),
        ("clue_submit", S.SUBMITTED, "leader", "不能签字报送"),
        ("clue_approve", S.APPROVED, "officer", "不能审批"),
        ("clue_receive", S.RECEIVED, "dept_user", "不能签收"),
        ("clue_close", S.RECEIVED, "officer", "尚未报告处置完毕"),
        ("clue_reopen", S.RECEIVED, "officer", "只有已销号的线索可以重新打开"),
    ],
)
def test_a_step_out_of_order_says_why_and_changes_nothing(w, client, step, status, who, message):
    clue = draft(w)
    if status != S.DRAFT:
        clue = advance(w, clue, status)
    client.force_login(getattr(w, who))
    response = client.post(url(step, clue.pk), {"reason": "理由"}, follow=True)
    assert response.status_code == 200
    assert message in html(response)
    assert status_of(clue) == status


def test_edit_and_upload_stop_once_the_leader_has_signed(w, client):
    clue = advance(w, draft(w), S.SUBMITTED)
    client.force_login(w.member)
    assert client.get(url("clue_edit", clue.pk)).status_code == 403
    upload = SimpleUploadedFile("补充.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post(
        url("clue_file_upload", clue.pk), {"kind": "document", "file": upload}, follow=True
    )
    assert "不能再补充材料" in html(response)
    assert not clue.files.filter(original_name="补充.pdf").exists()


def test_a_disposition_with_errors_shows_the_form_again(w, client):
    clue = advance(w, draft(w), S.RECEIVED)
    client.force_login(w.dept_user)
    response = client.post(url("clue_disposition", clue.pk), {"method": "talk", "note": ""})
    assert response.status_code == 200 and "请检查填写的处置情况" in html(response)
    assert not clue.dispositions.exists()


# --- Who sees a clue --------------------------------------------------------------


def test_department_sees_the_clue_only_after_receipt(w, client):
    clue = advance(w, draft(w), S.APPROVED)
    client.force_login(w.dept_user)
    for name in ("clue_detail", "clue_print"):
        assert client.get(url(name, clue.pk)).status_code == 404
    assert PERSON not in html(client.get(url("clue_list")))

    services.clue_receive(clue=clue, user=w.dept_user)
    assert client.get(url("clue_detail", clue.pk)).status_code == 200
    assert client.get(url("clue_print", clue.pk)).status_code == 200
    ledger = html(client.get(url("clue_list")))
    assert PERSON in ledger and clue.number in ledger


def test_team_sees_its_clue_until_the_office_approves_it(w, client):
    clue = advance(w, draft(w), S.SUBMITTED)
    client.force_login(w.member)
    assert client.get(url("clue_detail", clue.pk)).status_code == 200
    services.clue_approve(clue=clue, user=w.officer)
    assert client.get(url("clue_detail", clue.pk)).status_code == 404
    assert clue.number not in html(client.get(url("clue_list")))


OUTSIDERS = ["leadership", "contact", "other_leader", "other_member", "other_dept_user"]


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.APPROVED, S.RECEIVED, S.CLOSED])
@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_and_see_no_trace(w, client, who, status):
    clue = draft(w)
    clue_file = attach(w, clue)
    if status == S.CLOSED:
        clue = advance(w, clue, S.RECEIVED)
        final_disposition(w, clue)
        services.clue_close(clue=clue, user=w.officer)
    elif status != S.DRAFT:
        clue = advance(w, clue, status)
    client.force_login(getattr(w, who))
    for target in (
        url("clue_detail", clue.pk),
        url("clue_file", clue.pk, clue_file.pk),
        url("clue_print", clue.pk),
        url("clue_edit", clue.pk),
        url("reconciliation"),
    ):
        assert client.get(target).status_code == 404, target
    listing = client.get(url("clue_list"))
    assert listing.status_code in (200, 404)
    assert clue.number not in html(listing) and PERSON not in html(listing)
    # Nor does a search find it (the page echoes the query, not the clue).
    search = client.get(url("clue_list"), {"q": clue.number})
    assert search.status_code == listing.status_code
    if search.status_code == 200:
        assert search.context["page"].paginator.count == 0
        assert clue.get_absolute_url() not in html(search)
    assert not AuditEntry.objects.filter(
        actor=getattr(w, who), action__startswith="clue.read"
    ).exists()


def test_leadership_and_unit_contacts_have_no_clue_pages(w, client):
    for who in ("leadership", "contact"):
        client.force_login(getattr(w, who))
        assert client.get(url("clue_list")).status_code == 404
        assert client.get(url("clue_create")).status_code == 404


def test_a_file_of_one_clue_is_not_reachable_through_another(w, client):
    clue = draft(w)
    clue_file = attach(w, clue)
    other = draft(w, person="另一人")
    client.force_login(w.member)
    assert client.get(url("clue_file", other.pk, clue_file.pk)).status_code == 404
    response = client.get(url("clue_file", clue.pk, clue_file.pk))
    assert response.status_code == 200
    response.close()


def test_office_staff_without_the_clue_permission_see_nothing(w, client):
    clue = advance(w, draft(w), S.RECEIVED)
    client.force_login(w.plain_office)
    assert client.get(url("clue_detail", clue.pk)).status_code == 404
    assert client.get(url("reconciliation")).status_code == 404
    page = html(client.get(url("clue_list")))
    assert clue.number not in page and PERSON not in page


# --- Audited reads and the file response --------------------------------------------


def test_reading_the_page_a_file_and_the_print_view_is_audited(w, client):
    clue = draft(w)
    clue_file = attach(w, clue)
    clue = advance(w, clue, S.RECEIVED)
    client.force_login(w.dept_user)
    reads = AuditEntry.objects.filter(actor=w.dept_user, object_id=str(clue.pk))

    response = client.get(url("clue_detail", clue.pk))
    assert "no-store" in response["Cache-Control"]  # never kept in a browser or proxy cache
    entry = reads.get(action="clue.read")
    assert entry.ip_address == "127.0.0.1" and entry.actor_username == w.dept_user.username
    assert entry.object_type == "clues.clue" and PERSON not in str(entry.data)

    response = client.get(url("clue_file", clue.pk, clue_file.pk))
    assert response.status_code == 200
    # The stored file, stamped with the reader's watermark (a PDF of the same pages).
    served = b"".join(response.streaming_content)
    assert served.startswith(b"%PDF") and served != PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment")
    entry = reads.get(action="clue.read_file")
    assert entry.data == {"file": clue_file.pk} and entry.ip_address == "127.0.0.1"

    client.get(url("clue_print", clue.pk))
    assert reads.filter(action="clue.read").count() == 2


def test_print_view_is_the_handover_form_with_the_readers_watermark(w, client):
    clue = advance(w, draft(w, urgent=True), S.RECEIVED)
    client.force_login(w.officer)
    page = html(client.get(url("clue_print", clue.pk)))
    assert "问题线索审批交接单" in page and "@media print" in page and "size: A4" in page
    assert 'data-testid="confidentiality-mark">秘密<' in page
    assert page.count("查阅人：线索专管员") >= 10  # repeated across the page
    for who in (w.leader, w.officer, w.dept_user):
        assert who.full_name in page
    assert "直报快车道" in page


def test_user_text_is_escaped(w, client):
    clue = draft(w, person="<script>alert(1)</script>")
    client.force_login(w.member)
    for name in ("clue_detail", "clue_print"):
        page = html(client.get(url(name, clue.pk)))
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;" in page


# --- The ledgers -----------------------------------------------------------------------


def test_ledger_puts_urgent_first_and_flags_overdue(w, client):
    plain = advance(w, draft(w, person="普通线索人"), S.RECEIVED)
    urgent = advance(w, draft(w, person="快车道线索人", urgent=True), S.RECEIVED)
    Clue.objects.filter(pk=plain.pk).update(
        disposition_due=timezone.localdate() - datetime.timedelta(days=1)
    )
    client.force_login(w.officer)
    page = html(client.get(url("clue_list")))
    assert page.index(urgent.number) < page.index(plain.number)
    assert page.count('data-testid="urgent-badge"') == 1
    assert page.count('data-testid="overdue-badge"') == 1
    overdue = html(client.get(url("clue_list"), {"overdue": "1"}))
    assert plain.number in overdue and urgent.number not in overdue
    urgent_only = html(client.get(url("clue_list"), {"urgent": "1"}))
    assert urgent.number in urgent_only and plain.number not in urgent_only


def test_team_ledger_shows_its_drafts_and_offers_drafting(w, client):
    clue = draft(w)
    client.force_login(w.member)
    page = html(client.get(url("clue_list")))
    assert clue.number in page and url("clue_create") in page
    client.force_login(w.other_member)
    assert clue.number not in html(client.get(url("clue_list")))


def _many_clues(w: World, count: int, *, receive: bool) -> None:
    for n in range(count):
        clue = draft(w, person=f"被反映人{n}", urgent=n % 7 == 0)
        if receive:
            advance(w, clue, S.RECEIVED)


@pytest.mark.parametrize("who", ["officer", "dept_user", "member"])
def test_ledger_queries_do_not_grow_with_the_number_of_clues(
    w, client, who, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = getattr(w, who)
    client.force_login(user)
    receive = who == "dept_user"
    _many_clues(w, 5, receive=receive)
    advance(w, draft(w), S.APPROVED)  # one awaiting receipt
    with CaptureQueriesContext(connection) as few:
        response = client.get(url("clue_list"))
    assert response.status_code == 200
    _many_clues(w, 25, receive=receive)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url("clue_list"))
    shown = response.context["page"].paginator.count
    assert shown == {"officer": 31, "dept_user": 30, "member": 30}[who]


# --- Reconciliation (对账) ----------------------------------------------------------


def test_reconciliation_shows_the_four_disagreements(w, client):
    now = timezone.now()
    waiting = advance(w, draft(w, person="未签收"), S.APPROVED)
    Clue.objects.filter(pk=waiting.pk).update(approved_at=now - datetime.timedelta(days=5))
    fresh = advance(w, draft(w, person="刚审批"), S.APPROVED)
    overdue = advance(w, draft(w, person="逾期"), S.RECEIVED)
    Clue.objects.filter(pk=overdue.pk).update(
        disposition_due=timezone.localdate() - datetime.timedelta(days=2)
    )
    to_close = advance(w, draft(w, person="待销号"), S.RECEIVED)
    final_disposition(w, to_close)
    in_progress = advance(w, draft(w, person="核实中"), S.RECEIVED)
    services.disposition_report(clue=in_progress, user=w.dept_user, method="verify", note="核实")

    client.force_login(w.officer)
    response = client.get(url("reconciliation"))
    assert response.status_code == 200
    tables = {t["key"]: t for t in response.context["tables"]}
    assert tables["not_received"]["count"] == 1
    assert [c.pk for c in tables["not_received"]["rows"]] == [waiting.pk]
    assert [c.pk for c in tables["overdue"]["rows"]] == [overdue.pk]
    assert [c.pk for c in tables["to_close"]["rows"]] == [to_close.pk]
    assert [c.pk for c in tables["no_feedback"]["rows"]] == [overdue.pk]
    (row,) = response.context["by_department"]
    assert row["department__name"] == w.department.name
    assert (row["handed_over"], row["received"], row["with_feedback"]) == (5, 3, 2)
    assert (row["overdue"], row["closed"]) == (1, 0)
    assert fresh.number not in html(response)

    # The final disposition closed: off the 待销号 list, counted as closed.
    services.clue_close(clue=to_close, user=w.officer)
    response = client.get(url("reconciliation"))
    assert {t["key"]: t["count"] for t in response.context["tables"]}["to_close"] == 0
    assert response.context["by_department"][0]["closed"] == 1


def test_reconciliation_is_the_clue_officers_only(w, client):
    for who in ("leader", "dept_user", "leadership", "plain_office"):
        client.force_login(getattr(w, who))
        assert client.get(url("reconciliation")).status_code == 404


def test_reconciliation_queries_do_not_grow_with_the_number_of_clues(
    w, client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def some(n: int) -> None:
        for _ in range(n):
            advance(w, draft(w), S.APPROVED)
            final_disposition(w, advance(w, draft(w), S.RECEIVED))
            advance(w, draft(w, urgent=True), S.RECEIVED)

    client.force_login(w.officer)
    some(1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("reconciliation")).status_code == 200
    some(4)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url("reconciliation"))
    assert response.context["by_department"][0]["handed_over"] == 15


def test_feedback_meets_the_deadline_and_a_reopened_clue_owes_a_new_one(w):
    """Once the department reports, the clue is no longer overdue or reminded;
    reopening it after 销号 starts a new deadline for a new report."""
    import datetime

    from clues.selectors import clue_list
    from clues.services.reminders import due_reminders

    clue = advance(w, draft(w), S.RECEIVED)
    today = timezone.localdate()
    Clue.objects.filter(pk=clue.pk).update(disposition_due=today - datetime.timedelta(days=3))
    clue.refresh_from_db()
    assert clue.is_overdue
    assert clue in clue_list(user=w.officer, filters={"overdue": "1"})
    assert clue.pk in {r.clue_id for r in due_reminders(today)}

    final_disposition(w, clue)
    clue.refresh_from_db()
    assert clue.feedback_at is not None and not clue.is_overdue
    assert clue not in clue_list(user=w.officer, filters={"overdue": "1"})
    assert clue.pk not in {r.clue_id for r in due_reminders(today)}

    services.clue_close(clue=clue, user=w.officer)
    services.clue_reopen(clue=clue, user=w.officer, reason="回头看发现新情况。")
    clue.refresh_from_db()
    assert clue.feedback_at is None
    assert clue.disposition_due > today and not clue.is_overdue


def test_a_downloaded_pdf_carries_the_readers_name_and_time(w, client, tmp_path):
    import shutil
    import subprocess

    clue = draft(w)
    clue_file = attach(w, clue)
    client.force_login(w.member)
    response = client.get(url("clue_file", clue.pk, clue_file.pk))
    assert response.status_code == 200
    stamped = tmp_path / "stamped.pdf"
    stamped.write_bytes(b"".join(response.streaming_content))
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed to read the watermark")
    text = subprocess.run(
        ["pdftotext", str(stamped), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert f"查阅人：{w.member.get_full_name()}" in text
    assert timezone.localtime().strftime("%Y-%m-%d") in text


def test_a_pdf_that_cannot_be_stamped_is_not_handed_out(w, client):
    clue = draft(w)
    clue_file = attach(w, clue)
    with open(clue_file.file.path, "wb") as damaged:
        damaged.write(b"%PDF-1.4\nnot really a pdf\n%%EOF\n")
    client.force_login(w.member)
    response = client.get(url("clue_file", clue.pk, clue_file.pk), follow=True)
    assert response.redirect_chain and "无法" in html(response)


def test_the_ledger_export_holds_only_what_the_reader_may_see_and_is_audited(w, client):
    from openpyxl import load_workbook

    from xuncha.audit.models import AuditEntry

    received = advance(w, draft(w), S.RECEIVED)
    still_with_team = draft(w, person="另一人")
    client.force_login(w.dept_user)
    response = client.get(url("clue_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert numbers == [received.number]
    assert still_with_team.number not in numbers
    entry = AuditEntry.objects.get(action="clue.export", actor=w.dept_user)
    assert entry.data["numbers"] == [received.number]
    # Someone with no clue role gets a 404, not an empty file.
    client.force_login(w.leadership)
    assert client.get(url("clue_export")).status_code == 404
