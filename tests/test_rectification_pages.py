"""The rectification pages: what each person sees and may do, 404s for what
is not theirs, the public survey page, and query counts on the lists."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rectification import services
from rectification.models import Assessment, Item, Plan, Recommendation, SurveyLink
from rounds.models import Target
from tests.factories import make_user
from tests.rect_fixtures import (
    URLS,
    accepted_plan,
    make_fed_back_target,
    make_round,
    set_item,
    today,
    world,
)
from xuncha.accounts.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLS)]

ST = Item.State


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return world()


def url(name, *args):
    return reverse(f"rectification:{name}", args=args)


def text(response) -> str:
    return response.content.decode()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


# --- Plans ---------------------------------------------------------------------


def test_unit_contact_opens_the_plan_of_a_fed_back_target(w, client):
    target = make_fed_back_target(
        organization=w.organization, round_=make_round(w.office), problems=2, found_by=w.office_user
    )
    client.force_login(w.contact)
    page = text(client.get(url("plan_list")))
    assert "编制整改方案" in page
    assert w.plan.get_absolute_url() in page
    assert w.other_plan.get_absolute_url() not in page

    response = client.post(url("plan_open", target.pk))
    plan = Plan.objects.get(target=target)
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert plan.items.count() == 2
    # Nothing left to open.
    assert url("plan_open", target.pk) not in text(client.get(url("plan_list")))


def test_other_units_cannot_open_or_see_a_plan(w, client):
    target = make_fed_back_target(
        organization=w.organization, round_=make_round(w.office), problems=1, found_by=w.office_user
    )
    client.force_login(w.other_contact)
    assert client.post(url("plan_open", target.pk)).status_code == 404
    assert client.get(url("plan_detail", w.plan.pk)).status_code == 404
    assert not Plan.objects.filter(target=target).exists()


def test_office_sees_every_plan_with_its_status(w, client):
    client.force_login(w.office_user)
    page = text(client.get(url("plan_list")))
    assert w.plan.get_absolute_url() in page and w.other_plan.get_absolute_url() in page
    assert "已通过" in page


def test_plan_page_shows_the_three_lists_and_never_unreleased_problems(w, client):
    client.force_login(w.contact)
    page = text(client.get(url("plan_detail", w.plan.pk)))
    for item in w.items:
        assert item.problem.description in page
        assert item.measures in page and item.responsible_person in page
    for heading in ("任务清单", "责任清单", "责任领导", "责任部门", "完成时限"):
        assert heading in page
    assert "未反馈的问题" not in page
    assert "进入整改台账" in page


def _draft_plan(w):
    target = make_fed_back_target(
        organization=w.organization, round_=make_round(w.office), problems=2, found_by=w.office_user
    )
    return services.plan_open(target=target, user=w.contact)


def test_contact_fills_an_item_inline_and_leader_signs(w, client):
    plan = _draft_plan(w)
    item = plan.items.first()
    client.force_login(w.contact)
    page = text(client.get(plan.get_absolute_url()))
    assert url("item_edit", item.pk) in page
    assert url("plan_sign", plan.pk) not in page  # the contact does not sign

    inline = client.get(url("item_edit", item.pk), HTTP_HX_REQUEST="true")
    assert "<html" not in text(inline) and 'name="measures"' in text(inline)

    response = client.post(
        url("item_edit", item.pk),
        {
            "measures": "全面清理津补贴",
            "kind": Item.Kind.DEADLINE,
            "responsible_leader": "副局长",
            "responsible_person": "李四",
            "responsible_department": "人事科",
            "deadline": days(30).isoformat(),
            "responsible_user": w.contact.pk,
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{item.pk}")
    item.refresh_from_db()
    assert (item.measures, item.responsible_person, item.responsible_user) == (
        "全面清理津补贴",
        "李四",
        w.contact,
    )

    client.force_login(w.leader)
    page = text(client.get(plan.get_absolute_url()))
    assert url("plan_sign", plan.pk) in page and "尚未填写整改措施" in page


def test_item_edit_refused_once_submitted_and_to_others(w, client):
    client.force_login(w.contact)
    item = w.item  # its plan is accepted
    assert client.get(url("item_edit", item.pk)).status_code == 403
    assert client.post(url("item_edit", item.pk), {"measures": "x"}).status_code == 403
    client.force_login(w.other_contact)
    assert client.get(url("item_edit", item.pk)).status_code == 404


def test_responsible_user_must_be_an_account_of_the_unit(w, client):
    plan = _draft_plan(w)
    item = plan.items.first()
    client.force_login(w.contact)
    response = client.post(
        url("item_edit", item.pk),
        {"measures": "x", "kind": Item.Kind.DEADLINE, "responsible_user": w.other_contact.pk},
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.responsible_user is None


def test_submit_and_review_through_the_pages(w, client):
    plan = _draft_plan(w)
    from tests.rect_fixtures import fill_plan

    fill_plan(plan, w.contact)
    client.force_login(w.leader)
    client.post(url("plan_sign", plan.pk))
    client.force_login(w.contact)
    page = text(client.get(plan.get_absolute_url()))
    assert "报送巡察办" in page
    client.post(url("plan_submit", plan.pk))
    client.force_login(w.office_user)
    page = text(client.get(plan.get_absolute_url()))
    assert url("plan_review", plan.pk) in page
    response = client.post(url("plan_review", plan.pk), {"decision": "return"}, follow=True)
    assert "退回须说明理由" in text(response)
    client.post(url("plan_review", plan.pk), {"decision": "return", "reason": "时限过长"})
    plan.refresh_from_db()
    assert (plan.status, plan.return_reason) == (Plan.Status.RETURNED, "时限过长")
    client.force_login(w.contact)
    assert "时限过长" in text(client.get(plan.get_absolute_url()))


# --- Items ---------------------------------------------------------------------


def test_unit_contact_sees_only_own_items_and_gets_404_on_others(w, client):
    client.force_login(w.contact)
    page = text(client.get(url("item_list")))
    for item in w.items:
        assert item.get_absolute_url() in page
    other = w.other_item
    assert other.get_absolute_url() not in page
    assert client.get(url("item_detail", other.pk)).status_code == 404
    assert client.get(url("item_edit", other.pk)).status_code == 404
    assert client.post(url("item_action", other.pk, "report"), {"version": 0}).status_code == 404
    assert client.get(url("overdue_list")).status_code == 200


def test_item_list_filters_and_colours(w, client):
    red, yellow, green = w.items
    set_item(red, deadline=days(-3))
    set_item(yellow, deadline=days(5))
    set_item(green, deadline=days(15), kind=Item.Kind.IMMEDIATE)
    client.force_login(w.office_user)

    def listed(**params):
        response = client.get(url("item_list"), params)
        return [item.pk for item in response.context["page"]]

    assert listed(colour="red") == [red.pk]
    assert listed(colour="yellow") == [yellow.pk]
    assert listed(colour="green") == [green.pk]
    assert listed(kind=Item.Kind.IMMEDIATE) == [green.pk]
    assert listed(organization=w.other_organization.pk) == [
        i.pk for i in w.other_plan.items.order_by("deadline", "pk")
    ]
    set_item(yellow, state=ST.ACCEPTED)
    assert yellow.pk not in listed(open="1")
    assert listed(state=ST.ACCEPTED) == [yellow.pk]
    assert listed(round=w.round.pk, organization=w.organization.pk) == [red.pk, yellow.pk, green.pk]
    page = text(client.get(url("item_list")))
    assert 'data-colour="red"' in page and 'data-colour="green"' in page


def test_item_detail_shows_history_evidence_and_only_allowed_forms(w, client):
    from tests.rect_fixtures import pdf_file

    item = w.item
    services.ledger_report(
        item=item,
        user=w.contact,
        expected_version=0,
        progress=35,
        note="完成第一批清退",
        files=[pdf_file("清退凭证.pdf")],
    )
    client.force_login(w.contact)
    page = text(client.get(item.get_absolute_url()))
    assert "完成第一批清退" in page and "35%" in page and "清退凭证.pdf" in page
    assert str(w.contact) in page
    evidence = item.evidence.get()
    assert evidence.sha256 in page
    assert url("item_action", item.pk, "report") in page
    assert url("item_action", item.pk, "hand_in") in page
    assert url("item_action", item.pk, "check") not in page
    assert 'type="file"' in page and "multiple" in page and "50 MB" in page
    assert 'name="version" value="1"' in page

    client.force_login(w.office_user)
    page = text(client.get(item.get_absolute_url()))
    assert url("item_action", item.pk, "transfer") in page
    assert url("item_action", item.pk, "report") not in page

    client.force_login(w.leadership)
    page = text(client.get(item.get_absolute_url()))
    assert "item_action" not in page and "/report/" not in page and "/transfer/" not in page


def test_form_errors_keep_what_was_typed(w, client):
    client.force_login(w.contact)
    response = client.post(
        url("item_action", w.item.pk, "report"), {"version": 0, "progress": 150, "note": "进展说明"}
    )
    assert response.status_code == 200
    page = text(response)
    assert "请检查填写的内容" in page and "进展说明" in page
    assert not w.item.entries.exists()


def test_overdue_list_groups_red_items_by_organization(w, client):
    set_item(w.items[0], deadline=days(-10))
    set_item(w.items[1], deadline=days(-2))
    set_item(w.items[2], deadline=days(3))  # yellow: not overdue
    set_item(w.other_item, deadline=days(-5))
    client.force_login(w.office_user)
    response = client.get(url("overdue_list"))
    listed = [item.pk for item in response.context["page"]]
    assert set(listed) == {w.items[0].pk, w.items[1].pk, w.other_item.pk}
    by_org = {
        row["organization__name"]: row["count"] for row in response.context["by_organization"]
    }
    assert by_org == {w.organization.name: 2, w.other_organization.name: 1}
    assert "10 天" in text(response)
    response = client.get(url("overdue_list"), {"sort": "deadline"})
    assert [item.pk for item in response.context["page"]] == [
        w.items[0].pk,
        w.other_item.pk,
        w.items[1].pk,
    ]


def _grow(w, count: int):
    """More items for the same organization, in a second round, various colours."""
    target = make_fed_back_target(
        organization=w.organization,
        round_=make_round(w.office),
        problems=count,
        found_by=w.office_user,
    )
    plan = accepted_plan(target, contact=w.contact, leader=w.leader, office_user=w.office_user)
    for n, item in enumerate(plan.items.all()):
        set_item(item, deadline=days([-5, 3, 15, 40][n % 4]), transferred_to=None)


def _queries(client, path, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params or {}).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["contact", "office_user"])
@pytest.mark.parametrize("page", ["item_list", "overdue_list", "figures", "plan_list"])
def test_list_pages_query_count_does_not_grow_with_items(
    client, settings, tmp_path, django_assert_max_num_queries, who, page
):
    settings.MEDIA_ROOT = tmp_path
    w = world(problems=5, other_problems=1)
    client.force_login(getattr(w, who))
    set_item(w.items[0], deadline=days(-1))
    set_item(w.items[1], deadline=days(2))
    path = url(page)
    client.get(path)  # the session's first save is not the page's
    few = _queries(client, path)  # 5 items of the unit
    _grow(w, 35)  # 40
    # _grow adds a round: the next page reads the filter's options once more
    # (xuncha.core.choice_cache); the count that must not grow is the page's own.
    client.get(path)
    with django_assert_max_num_queries(few):
        response = client.get(path)
    if page == "item_list":
        assert len(response.context["page"]) == (40 if who == "contact" else 41)
    assert _queries(client, path) == few
    assert few <= 15  # +1: the session's second-factor device (django-otp)


# --- Assessment and the public survey ----------------------------------------------


@pytest.fixture
def assessment(w):
    return services.assessment_open(target=w.target, user=w.office_user)


def test_office_opens_an_assessment_from_an_accepted_plan(w, client):
    client.force_login(w.office_user)
    page = text(client.get(w.plan.get_absolute_url()))
    assert url("assessment_open", w.target.pk) in page
    response = client.post(url("assessment_open", w.target.pk))
    assessment = Assessment.objects.get(target=w.target)
    assert response["Location"] == assessment.get_absolute_url()
    client.force_login(w.contact)
    assert client.post(url("assessment_open", w.target.pk)).status_code == 403
    assert client.get(assessment.get_absolute_url()).status_code == 404
    client.force_login(w.leadership)
    assert client.get(assessment.get_absolute_url()).status_code == 200


def test_generate_links_listed_as_full_urls_then_close(w, client, assessment):
    client.force_login(w.office_user)
    client.post(
        url("assessment_action", assessment.pk, "links"), {"respondent": "public", "count": 3}
    )
    client.post(
        url("assessment_action", assessment.pk, "links"), {"respondent": "cadre", "count": 2}
    )
    page = text(client.get(assessment.get_absolute_url()))
    links = re.findall(r"http://testserver/rectification/survey/[\w-]+/", page)
    assert len(links) == 5
    assert set(links) == {
        f"http://testserver{link.get_absolute_url()}" for link in assessment.links.all()
    }
    response = client.post(
        url("assessment_action", assessment.pk, "links"), {"respondent": "public", "count": 0}
    )
    assert response.status_code == 200 and assessment.links.count() == 5

    client.post(url("assessment_action", assessment.pk, "close"))
    assessment.refresh_from_db()
    assert not assessment.survey_open


def test_verdict_and_accountability(w, client, assessment):
    client.force_login(w.office_user)
    client.post(
        url("assessment_action", assessment.pk, "verdict"),
        {"verdict": "poor", "verdict_note": "群众不满意"},
    )
    client.post(
        url("assessment_action", assessment.pk, "accountability"),
        {
            "person_name": "张建国",
            "position": "党组书记",
            "measure": "诫勉谈话",
            "reason": "整改不力",
        },
    )
    assessment.refresh_from_db()
    assert (assessment.verdict, assessment.decided_by) == ("poor", w.office_user)
    page = text(client.get(assessment.get_absolute_url()))
    assert "诫勉谈话" in page and "张建国" in page
    client.force_login(w.leadership)
    response = client.post(url("assessment_action", assessment.pk, "close"))
    assert response.status_code == 403


def test_assessment_figures(w, client, assessment):
    links = services.survey_links_create(
        assessment=assessment, respondent="public", count=4, user=w.office_user
    )
    for link, score in zip(links, (5, 4, 2), strict=False):
        services.survey_answer(token=link.token, satisfaction=score)
    set_item(w.items[0], state=ST.CLOSED, closed_at=w.item.updated_at, rules_made=3)
    set_item(w.items[1], money_recovered=2500)
    client.force_login(w.office_user)
    response = client.get(assessment.get_absolute_url())
    survey = response.context["survey"]["total"]
    assert (survey["links"], survey["answers"], survey["satisfied"]) == (4, 3, 2)
    assert round(survey["average"], 2) == round(11 / 3, 2)
    assert survey["satisfied_rate"] == 66.7
    completion = response.context["completion"]
    assert (completion["total"], completion["done"], completion["rules"]) == (3, 1, 3)
    assert completion["money"] == 2500
    assert completion["rate"] == 33.3


def test_survey_link_answers_once(w, client, assessment):
    link = services.survey_links_create(
        assessment=assessment, respondent="public", count=1, user=w.office_user
    )[0]
    path = link.get_absolute_url()
    response = client.get(path)  # anonymous
    page = text(response)
    assert response.status_code == 200
    assert w.organization.name in page and "csrfmiddlewaretoken" in page
    assert all(item.problem.description not in page for item in w.items)
    assert response["Referrer-Policy"] == "same-origin"

    response = client.post(path, {"satisfaction": 4, "comment": "有改进"})
    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.satisfaction, link.comment) == (4, "有改进")

    response = client.post(path, {"satisfaction": 1, "comment": "再答一次"})
    assert "每个链接只能提交一次" in text(response)
    link.refresh_from_db()
    assert (link.satisfaction, link.comment) == (4, "有改进")


def test_survey_needs_a_choice(w, client, assessment):
    link = services.survey_links_create(
        assessment=assessment, respondent="cadre", count=1, user=w.office_user
    )[0]
    response = client.post(link.get_absolute_url(), {"comment": "没选"})
    assert "请选择满意程度" in text(response)
    link.refresh_from_db()
    assert link.answered_at is None


def test_closed_survey_refuses(w, client, assessment):
    link = services.survey_links_create(
        assessment=assessment, respondent="public", count=1, user=w.office_user
    )[0]
    services.survey_close(assessment=assessment, user=w.office_user)
    assert "测评已结束" in text(client.get(link.get_absolute_url()))
    response = client.post(link.get_absolute_url(), {"satisfaction": 5})
    assert "测评已结束" in text(response)
    link.refresh_from_db()
    assert link.answered_at is None


def test_invalid_survey_token_is_404(client, db):
    assert client.get(url("survey_answer", "no-such-token")).status_code == 404


def test_survey_checks_csrf(w, assessment):
    from django.test import Client

    link = services.survey_links_create(
        assessment=assessment, respondent="public", count=1, user=w.office_user
    )[0]
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(link.get_absolute_url(), {"satisfaction": 5}).status_code == 403
    assert SurveyLink.objects.get(pk=link.pk).answered_at is None


# --- Recommendations ---------------------------------------------------------------


def test_recommendation_flow(w, client):
    department = w.other_dept.department
    client.force_login(w.office_user)
    assert "印发建议书" in text(client.get(url("recommendation_list")))
    response = client.post(
        url("recommendation_create"),
        {
            "department": department.pk,
            "round": w.round.pk,
            "title": "关于规范津补贴发放的巡察建议书",
            "content": "多家单位存在违规发放津补贴问题，建议全面规范。",
            "due": days(30).isoformat(),
        },
    )
    recommendation = Recommendation.objects.get()
    assert response["Location"] == recommendation.get_absolute_url()

    client.force_login(w.discipline)  # another department
    assert client.get(recommendation.get_absolute_url()).status_code == 404
    client.force_login(w.contact)
    assert client.get(url("recommendation_create")).status_code == 404
    assert client.get(recommendation.get_absolute_url()).status_code == 404

    client.force_login(w.other_dept)
    page = text(client.get(recommendation.get_absolute_url()))
    assert "签收" in page and "办结" not in page
    client.post(url("recommendation_step", recommendation.pk), {"action": "received"})
    response = client.post(
        url("recommendation_step", recommendation.pk), {"action": "answered"}, follow=True
    )
    assert "请填写落实情况" in text(response)
    client.post(
        url("recommendation_step", recommendation.pk),
        {"action": "answered", "note": "已出台规范文件"},
    )
    assert (
        client.post(url("recommendation_step", recommendation.pk), {"action": "closed"}).status_code
        == 403
    )

    client.force_login(w.office_user)
    client.post(url("recommendation_step", recommendation.pk), {"action": "closed"})
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.CLOSED
    actions = list(recommendation.entries.values_list("action", flat=True))
    assert actions == ["issued", "received", "answered", "closed"]


# --- Figures -------------------------------------------------------------------


def test_figures_per_round_and_target(w, client):
    set_item(w.items[0], state=ST.CLOSED, closed_at=w.item.updated_at, rules_made=2)
    set_item(w.other_item, state=ST.ACCEPTED, money_recovered=1000)
    second = make_round(w.office)
    target = make_fed_back_target(
        organization=w.organization, round_=second, problems=1, found_by=w.office_user
    )
    accepted_plan(target, contact=w.contact, leader=w.leader, office_user=w.office_user)
    client.force_login(w.office_user)
    response = client.get(url("figures"))
    total = response.context["total"]
    assert (total["total"], total["done"], total["rules"], total["money"]) == (6, 2, 2, 1000)
    per_round = {row["round"]: (row["total"], row["done"]) for row in response.context["per_round"]}
    assert per_round == {w.round.pk: (5, 2), second.pk: (1, 0)}
    per_target = {
        (row["round"], row["organization"]): row["rate"] for row in response.context["per_target"]
    }
    assert per_target[(w.round.pk, w.organization.pk)] == 33.3
    assert per_target[(w.round.pk, w.other_organization.pk)] == 50.0
    response = client.get(url("figures"), {"round": second.pk})
    assert [row["round"] for row in response.context["per_target"]] == [second.pk]

    client.force_login(w.contact)
    total = client.get(url("figures")).context["total"]
    assert total["total"] == 4  # their own items only


def test_team_member_and_admin_roles_get_404_on_the_lists(w, client):
    for role in (Role.TEAM_MEMBER, Role.SYSADMIN, Role.AUDITOR):
        client.force_login(make_user(role, username=f"x-{role.value}"))
        for name in ("plan_list", "item_list", "overdue_list", "figures", "recommendation_list"):
            assert client.get(url(name)).status_code == 404
        assert client.get(url("item_detail", w.item.pk)).status_code == 404
        assert client.get(url("plan_detail", w.plan.pk)).status_code == 404


def test_anonymous_is_sent_to_login(w, client):
    for path in (url("plan_list"), url("item_list"), url("item_detail", w.item.pk)):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_plan_reaches_rectifying(w):
    assert Target.objects.get(pk=w.target.pk).status == Target.Status.RECTIFYING


def test_the_ledger_exports_what_the_list_shows_and_neutralises_formulas(w, client):
    import io

    from openpyxl import load_workbook

    set_item(w.item, measures='=HYPERLINK("http://x","点我")')
    client.force_login(w.contact)
    response = client.get(url("item_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "被巡察单位", "问题")
    exported = {row[0] for row in rows[1:]}
    assert w.item.pk in exported and w.other_item.pk not in exported
    measures = next(row[3] for row in rows[1:] if row[0] == w.item.pk)
    assert "HYPERLINK" in measures  # kept as text...
    assert all(
        cell.data_type != "f" for row in sheet.iter_rows() for cell in row
    )  # ...never a formula
