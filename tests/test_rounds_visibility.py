"""Who sees which targets and problems, through the rounds selectors: a team its
own targets once all three commitments are signed (and no longer once removed),
a unit contact its own fed-back problems, leadership fed-back problems, a
district office its district's rounds; the list filters; attachments."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from rounds.models import (
    Commitment,
    Membership,
    Problem,
    ProblemAttachment,
    Round,
    Target,
    TargetUserObjectPermission,
)
from rounds.selectors import (
    get_problem_for_user,
    get_round_for_user,
    get_target_for_user,
    problem_list,
    round_list,
    target_list,
)
from rounds.services import (
    commitment_sign,
    problem_attach,
    target_add,
    team_add_member,
    team_remove_member,
)
from tests.factories import OfficeFactory, OrganizationFactory, RegionFactory, make_user
from tests.files import minimal_pdf
from tests.rounds_factories import (
    ProblemFactory,
    RoundFactory,
    TargetFactory,
    TeamFactory,
    cadre_with_user,
    category,
    staff_team,
    today,
)
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry

P = Problem.Status
KINDS = Commitment.Kind.values


def pks(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


class World:
    """A city round in its reporting stage with two teams, and a district round.

    Team A inspects 财政局 (problems: a draft, one in the report, two fed back),
    team B inspects 教育局 (a draft, one fed back). The district round of 历下区
    has one target with one fed-back problem.
    """

    def __init__(self, office_user):
        self.office = office_user
        self.lixia = RegionFactory(name="历下区")
        self.huaiyin = RegionFactory(name="槐荫区")
        self.round = RoundFactory(office=office_user.office, status=Round.Status.REPORTING)
        self.team_a = TeamFactory(round=self.round, number=1)
        self.team_b = TeamFactory(round=self.round, number=2)
        self.member_a = staff_team(self.team_a)[2].cadre.user
        self.member_b = staff_team(self.team_b)[2].cadre.user
        self.finance = OrganizationFactory(name="市财政局党组")
        self.education = OrganizationFactory(name="槐荫区教育局党组", region=self.huaiyin)
        self.target_a = TargetFactory(
            team=self.team_a, organization=self.finance, status=Target.Status.FED_BACK
        )
        self.target_b = TargetFactory(
            team=self.team_b, organization=self.education, status=Target.Status.FED_BACK
        )
        self.a_draft = ProblemFactory(target=self.target_a, description="津补贴草稿")
        self.a_in_report = ProblemFactory(
            target=self.target_a, status=P.IN_REPORT, description="三重一大列入报告"
        )
        self.a_fed_back = ProblemFactory(
            target=self.target_a,
            status=P.FED_BACK,
            category=category("C04"),
            immediate_fix=True,
            description="违规发放津补贴12.6万元",
        )
        self.a_fed_back_2 = ProblemFactory(
            target=self.target_a,
            status=P.FED_BACK,
            category=category("A02"),
            source=Problem.Source.DATA,
            severity=Problem.Severity.GRAVE,
            description="三重一大事项未集体研究",
        )
        self.b_draft = ProblemFactory(target=self.target_b, category=category("C07"))
        self.b_fed_back = ProblemFactory(
            target=self.target_b,
            status=P.FED_BACK,
            category=category("C07"),
            description="工程项目未公开招标",
        )
        self.district_office = make_user(
            Role.OFFICE,
            username="lixia_office",
            office=OfficeFactory(district=True, region=self.lixia),
        )
        self.district_round = RoundFactory(
            office=self.district_office.office, status=Round.Status.REPORTING
        )
        self.district_target = TargetFactory(
            team=TeamFactory(round=self.district_round, number=1),
            organization=OrganizationFactory(name="历下区某街道党工委", region=self.lixia),
            status=Target.Status.FED_BACK,
        )
        self.district_problem = ProblemFactory(target=self.district_target, status=P.FED_BACK)


@pytest.fixture
def world(office_user):
    return World(office_user)


# --- a team sees its own targets and problems ------------------------------------------


def test_member_of_team_a_sees_team_as_targets_and_problems_only(world):
    user = world.member_a
    assert pks(target_list(user=user)) == {world.target_a.pk}
    assert pks(problem_list(user=user)) == {
        world.a_draft.pk,
        world.a_in_report.pk,
        world.a_fed_back.pk,
        world.a_fed_back_2.pk,
    }
    assert get_target_for_user(user, world.target_a.pk) == world.target_a
    assert get_problem_for_user(user, world.a_draft.pk) == world.a_draft


def test_member_of_team_a_gets_404_on_team_bs_target_and_problems(world):
    with pytest.raises(Http404):
        get_target_for_user(world.member_a, world.target_b.pk)
    for problem in (world.b_draft, world.b_fed_back, world.district_problem):
        with pytest.raises(Http404):
            get_problem_for_user(world.member_a, problem.pk)
    # And the other way round.
    with pytest.raises(Http404):
        get_target_for_user(world.member_b, world.target_a.pk)
    with pytest.raises(Http404):
        get_problem_for_user(world.member_b, world.a_fed_back.pk)


# --- a unit contact sees its own fed-back problems ---------------------------------------


def test_unit_contact_sees_only_fed_back_problems_of_its_own_organization(world):
    contact = make_user(Role.UNIT_CONTACT, organization=world.finance)

    assert pks(problem_list(user=contact)) == {world.a_fed_back.pk, world.a_fed_back_2.pk}
    assert pks(target_list(user=contact)) == {world.target_a.pk}
    for hidden in (world.a_draft, world.a_in_report, world.b_fed_back, world.district_problem):
        with pytest.raises(Http404):
            get_problem_for_user(contact, hidden.pk)
    with pytest.raises(Http404):
        get_target_for_user(contact, world.target_b.pk)


def test_unit_contact_sees_nothing_before_feedback(world):
    contact = make_user(Role.UNIT_CONTACT, organization=world.finance)
    Target.objects.filter(pk=world.target_a.pk).update(status=Target.Status.REPORTING)
    Problem.objects.filter(target=world.target_a).update(status=P.IN_REPORT)

    assert not problem_list(user=contact).exists()
    assert not target_list(user=contact).exists()


def test_contact_without_an_organization_sees_nothing(world):
    contact = make_user(Role.UNIT_CONTACT, organization=None)
    assert not problem_list(user=contact).exists()
    assert not target_list(user=contact).exists()


# --- leadership and offices -------------------------------------------------------------


def test_leadership_sees_only_fed_back_problems(world):
    leadership = make_user(Role.LEADERSHIP)

    assert pks(problem_list(user=leadership)) == {
        world.a_fed_back.pk,
        world.a_fed_back_2.pk,
        world.b_fed_back.pk,
        world.district_problem.pk,
    }
    for hidden in (world.a_draft, world.a_in_report, world.b_draft):
        with pytest.raises(Http404):
            get_problem_for_user(leadership, hidden.pk)


def test_district_leadership_sees_only_its_districts_fed_back_problems(world):
    leadership = make_user(
        Role.LEADERSHIP, username="lixia_leader", office=world.district_office.office
    )
    assert pks(problem_list(user=leadership)) == {world.district_problem.pk}


def test_city_office_sees_every_round_and_every_problem(world):
    assert pks(round_list(user=world.office)) == {world.round.pk, world.district_round.pk}
    assert pks(problem_list(user=world.office)) == set(Problem.objects.values_list("pk", flat=True))


def test_district_office_sees_only_its_districts_rounds(world):
    office = world.district_office
    assert pks(round_list(user=office)) == {world.district_round.pk}
    assert pks(target_list(user=office)) == {world.district_target.pk}
    assert pks(problem_list(user=office)) == {world.district_problem.pk}
    with pytest.raises(Http404):
        get_round_for_user(office, world.round.pk)
    with pytest.raises(Http404):
        get_target_for_user(office, world.target_a.pk)
    with pytest.raises(Http404):
        get_problem_for_user(office, world.a_draft.pk)

    other_district = make_user(
        Role.OFFICE, username="huaiyin_office", office=OfficeFactory(district=True)
    )
    assert not round_list(user=other_district).exists()
    assert not problem_list(user=other_district).exists()


@pytest.mark.parametrize(
    "role", [Role.DEPARTMENT, Role.SYSADMIN, Role.SECURITY_OFFICER, Role.AUDITOR]
)
def test_other_roles_see_no_round_data(world, role):
    user = make_user(role)
    assert not round_list(user=user).exists()
    assert not target_list(user=user).exists()
    assert not problem_list(user=user).exists()


# --- the problem list's filters ---------------------------------------------------------


def filtered(world, **filters) -> set[int]:
    return pks(problem_list(user=world.office, filters=filters))


def test_category_filter_includes_the_categorys_descendants(world):
    c = category("C")
    assert filtered(world, category=c.pk) == {
        world.a_draft.pk,
        world.a_in_report.pk,
        world.a_fed_back.pk,
        world.b_draft.pk,
        world.b_fed_back.pk,
        world.district_problem.pk,
    }
    assert filtered(world, category=category("C07").pk) == {world.b_draft.pk, world.b_fed_back.pk}
    assert filtered(world, category=str(category("A").pk)) == {world.a_fed_back_2.pk}


def test_region_immediate_fix_and_text_filters(world):
    assert filtered(world, region=world.huaiyin.pk) == {world.b_draft.pk, world.b_fed_back.pk}
    assert filtered(world, region=world.lixia.pk) == {world.district_problem.pk}
    assert filtered(world, immediate_fix="1") == {world.a_fed_back.pk}
    assert filtered(world, immediate_fix="") == filtered(world)
    assert filtered(world, q="津补贴") == {world.a_draft.pk, world.a_fed_back.pk}
    assert filtered(world, q="  三重一大 ") == {world.a_in_report.pk, world.a_fed_back_2.pk}


def test_status_source_severity_round_and_team_filters(world):
    assert filtered(world, status=P.IN_REPORT) == {world.a_in_report.pk}
    assert filtered(world, source=Problem.Source.DATA) == {world.a_fed_back_2.pk}
    assert filtered(world, severity=Problem.Severity.GRAVE) == {world.a_fed_back_2.pk}
    assert filtered(world, round=world.district_round.pk) == {world.district_problem.pk}
    assert filtered(world, team=world.team_b.pk) == {world.b_draft.pk, world.b_fed_back.pk}


def test_filters_never_widen_what_a_user_sees(world):
    contact = make_user(Role.UNIT_CONTACT, organization=world.finance)
    assert not problem_list(user=contact, filters={"status": P.DRAFT}).exists()
    assert not problem_list(user=world.member_a, filters={"team": world.team_b.pk}).exists()


@pytest.mark.parametrize("who", ["office", "member_a"])
def test_problem_list_query_count_does_not_grow_with_rows(world, who):
    user = getattr(world, who)
    filters = {"category": category("C").pk}
    assert user.roles  # loaded once per request in real life

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            # What a list row shows: the organization, category, team and round.
            rows = [
                (p.target.organization.name, p.category.name, p.team.name, p.round.name)
                for p in problem_list(user=user, filters=filters)
            ]
        assert rows
        return len(captured)

    before = count_queries()
    for _ in range(15):
        ProblemFactory(target=world.target_a, category=category("C04"))
    assert count_queries() == before


# --- the three commitments gate the data ------------------------------------------------


@pytest.fixture
def newcomer(world):
    """A cadre the office puts on team A through the service, not yet signed."""
    Round.objects.filter(pk=world.round.pk).update(status=Round.Status.ON_SITE)
    cadre = cadre_with_user(name="新成员")
    return team_add_member(
        team=world.team_a, cadre=cadre, role=Membership.Role.MEMBER, user=world.office
    )


def sees_nothing(world, user) -> None:
    assert not target_list(user=user).exists()
    assert not problem_list(user=user).exists()
    with pytest.raises(Http404):
        get_target_for_user(user, world.target_a.pk)
    with pytest.raises(Http404):
        get_problem_for_user(user, world.a_draft.pk)


def test_member_sees_nothing_until_all_three_commitments_are_signed(world, newcomer):
    user = newcomer.cadre.user
    assert TargetUserObjectPermission.objects.filter(user=user).exists()  # granted, but gated
    sees_nothing(world, user)

    for kind in KINDS[:2]:
        commitment_sign(membership=newcomer, kind=kind, user=user)
        sees_nothing(world, user)

    commitment_sign(membership=newcomer, kind=KINDS[2], user=user)

    assert Membership.objects.get(pk=newcomer.pk).commitments_completed_at is not None
    assert pks(target_list(user=user)) == {world.target_a.pk}
    assert pks(problem_list(user=user)) == pks(Problem.objects.filter(team=world.team_a))
    with pytest.raises(Http404):
        get_target_for_user(user, world.target_b.pk)
    with pytest.raises(Http404):
        get_problem_for_user(user, world.b_draft.pk)


def test_nobody_signs_for_the_member(world, newcomer):
    for someone_else in (world.office, world.member_a, world.member_b):
        with pytest.raises(PermissionDenied, match="承诺书只能由本人签署"):
            commitment_sign(membership=newcomer, kind=KINDS[0], user=someone_else)
    assert not Commitment.objects.filter(membership=newcomer).exists()


def test_signing_twice_is_idempotent(world, newcomer):
    user = newcomer.cadre.user
    first = commitment_sign(membership=newcomer, kind=KINDS[0], user=user)
    for kind in KINDS[1:]:
        commitment_sign(membership=newcomer, kind=kind, user=user)
    completed_at = Membership.objects.get(pk=newcomer.pk).commitments_completed_at

    again = commitment_sign(membership=newcomer, kind=KINDS[0], user=user)

    assert again.pk == first.pk
    assert again.signed_at == first.signed_at
    assert Commitment.objects.filter(membership=newcomer).count() == 3
    assert Membership.objects.get(pk=newcomer.pk).commitments_completed_at == completed_at
    assert AuditEntry.objects.filter(action="commitment.sign").count() == 3
    with pytest.raises(ValidationError, match="未知的承诺类型"):
        commitment_sign(membership=newcomer, kind="loyalty", user=user)


def test_signed_in_one_round_is_not_signed_in_the_next(world):
    """一次一授权: signing for round 1 opens nothing of round 2."""
    next_round = RoundFactory(office=world.office.office, status=Round.Status.PLANNED)
    next_team = TeamFactory(round=next_round, number=1)
    next_target = TargetFactory(team=next_team)
    team_add_member(
        team=next_team,
        cadre=world.member_a.cadre,
        role=Membership.Role.MEMBER,
        user=world.office,
        confirm_busy=True,  # still on round 1's team: the office confirms both
    )

    assert pks(target_list(user=world.member_a)) == {world.target_a.pk}
    with pytest.raises(Http404):
        get_target_for_user(world.member_a, next_target.pk)


def test_removing_a_member_takes_the_grant_back(world, newcomer):
    user = newcomer.cadre.user
    for kind in KINDS:
        commitment_sign(membership=newcomer, kind=kind, user=user)
    assert target_list(user=user).exists()
    assert TargetUserObjectPermission.objects.filter(user=user, content_object=world.target_a)

    team_remove_member(membership=newcomer, user=world.office)

    assert not Membership.objects.filter(pk=newcomer.pk).exists()
    assert not TargetUserObjectPermission.objects.filter(user=user).exists()
    sees_nothing(world, user)
    assert AuditEntry.objects.filter(action="team.member_remove").count() == 1
    # The others on the team keep theirs.
    assert get_target_for_user(world.member_a, world.target_a.pk) == world.target_a


def test_target_added_later_is_granted_to_the_team(world, office_user):
    """Assigning a team a new target grants it to every member (target_add)."""
    Round.objects.filter(pk=world.round.pk).update(status=Round.Status.PREPARING)
    added = target_add(
        team=world.team_a, organization=OrganizationFactory(name="市审计局党组"), user=office_user
    )
    assert pks(target_list(user=world.member_a)) == {world.target_a.pk, added.pk}
    with pytest.raises(Http404):
        get_target_for_user(world.member_b, added.pk)


# --- attachments -----------------------------------------------------------------------

PDF_BYTES = minimal_pdf()
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def test_attachment_keeps_checksum_and_size_under_a_name_the_uploader_cannot_choose(
    world, media_root
):
    upload = SimpleUploadedFile("谈话记录（张某）.pdf", PDF_BYTES, content_type="text/plain")

    attachment = problem_attach(problem=world.a_draft, upload=upload, user=world.member_a)

    stored = ProblemAttachment.objects.get(pk=attachment.pk)
    assert stored.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert stored.size == len(PDF_BYTES)
    assert stored.original_name == "谈话记录（张某）.pdf"
    # The browser's content type is not believed; the bytes decide.
    assert stored.content_type == "application/pdf"
    assert stored.file.name.startswith(f"problems/{today():%Y/%m}/")
    assert stored.file.name.endswith(".pdf")
    assert "谈话记录" not in stored.file.name
    (path,) = stored_files(media_root)
    assert path.read_bytes() == PDF_BYTES
    entry = AuditEntry.objects.get(action="problem.attach")
    assert entry.data["sha256"] == stored.sha256


# Django keeps only the last "/" component of an uploaded name; what is left is a label.
@pytest.mark.parametrize("name", ["记录.pdf", "../../../etc/记录.pdf"])
def test_same_name_twice_keeps_both_files_inside_media_root(world, media_root, name):
    for _ in range(2):
        problem_attach(
            problem=world.a_draft,
            upload=SimpleUploadedFile(name, PDF_BYTES),
            user=world.member_a,
        )
    names = set(ProblemAttachment.objects.values_list("file", flat=True))
    assert len(names) == 2
    assert not any("记录" in stored or ".." in stored for stored in names)
    files = stored_files(media_root)
    assert len(files) == 2
    assert all(path.resolve().is_relative_to(media_root.resolve()) for path in files)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("发票.pdf", EXE_BYTES, "类型不在允许范围内"),
        ("setup.exe", EXE_BYTES, "类型不在允许范围内"),
        ("照片.png", b"\x89PNG\r\n\x1a\n<script>alert(1)</script>", "不是有效的图片"),
        ("记录.docx", PDF_BYTES, "扩展名与内容不符"),
        ("..\\..\\记录.pdf", PDF_BYTES, "含有路径字符"),
    ],
)
def test_disguised_or_dangerous_upload_refused_and_nothing_stored(
    world, media_root, name, content, message
):
    with pytest.raises(ValidationError, match=message):
        problem_attach(
            problem=world.a_draft, upload=SimpleUploadedFile(name, content), user=world.member_a
        )
    assert not ProblemAttachment.objects.exists()
    assert stored_files(media_root) == []
    assert not AuditEntry.objects.filter(action="problem.attach").exists()


def test_only_the_team_and_the_office_attach(world, media_root):
    contact = make_user(Role.UNIT_CONTACT, organization=world.finance)
    for outsider in (contact, world.member_b, make_user(Role.LEADERSHIP)):
        with pytest.raises(PermissionDenied):
            problem_attach(
                problem=world.a_fed_back,
                upload=SimpleUploadedFile("证据.pdf", PDF_BYTES),
                user=outsider,
            )
    problem_attach(
        problem=world.a_draft, upload=SimpleUploadedFile("证据.pdf", PDF_BYTES), user=world.office
    )
    assert ProblemAttachment.objects.count() == 1
