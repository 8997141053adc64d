"""One new round walked from plan to 归档 in Chromium, through the pages only,
each step signed in as the role that does it, each role's 待办 count read
before and after its step, and the public survey answered signed out at 375 px.

Only the people and organizations exist beforehand (the office's files); the
round, team, target, problems, clue, plan, ledger and assessment are made by
clicking.
"""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission

from rounds.models import ProblemCategory, Round
from tests.browser.conftest import sign_in
from tests.factories import (
    PASSWORD,
    CadreFactory,
    DepartmentFactory,
    OfficeFactory,
    OrganizationFactory,
    UserFactory,
    make_user,
)
from tests.rounds_factories import round_kind
from xuncha.accounts.roles import Role
from xuncha.orgs.models import Department

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Cast:
    def __init__(self):
        round_kind("regular")
        self.category, _ = ProblemCategory.objects.get_or_create(
            code="WALK", defaults={"name": "违规发放津补贴"}
        )
        self.office = OfficeFactory()
        self.office_user = make_user(
            Role.OFFICE, office=self.office, username="office", full_name="王巡察"
        )
        self.office_user.user_permissions.add(
            Permission.objects.get(content_type__app_label="clues", codename="manage_clue")
        )
        self.organization = OrganizationFactory(name="中共步行市水务局党组", code="WALK-01")
        self.contact = make_user(
            Role.UNIT_CONTACT, organization=self.organization, username="unit", full_name="李联络"
        )
        self.top_leader = UserFactory(
            roles=[Role.UNIT_CONTACT],
            organization=self.organization,
            username="unitleader",
            full_name="赵书记",
        )
        self.organization.leader_user = self.top_leader
        self.organization.save(update_fields=["leader_user"])
        department = DepartmentFactory(kind=Department.Kind.DISCIPLINE, name="市纪委监委")
        self.jiwei = make_user(Role.DEPARTMENT, department=department, username="jiwei")
        self.department = department
        # The team: a leader, a deputy and three members (5 people).
        self.cadres = []
        for username, role, leader_pool in [
            ("leader", Role.TEAM_LEADER, True),
            ("deputy", Role.TEAM_MEMBER, True),
            ("member", Role.TEAM_MEMBER, False),
            ("member2", Role.TEAM_MEMBER, False),
            ("member3", Role.TEAM_MEMBER, False),
        ]:
            user = UserFactory(roles=[role], username=username, full_name=f"干部{username}")
            self.cadres.append(
                CadreFactory(
                    name=f"干部{username}",
                    user=user,
                    in_leader_pool=leader_pool,
                    in_talent_pool=True,
                )
            )


def todo_total(page, base: str) -> int:
    page.goto(f"{base}/todo/")
    text = page.get_by_test_id("todo-total").inner_text()
    return int(re.search(r"\d+", text).group())


class Session:
    """Each step in its own browser session, as each person has their own
    browser; ``session.page`` is the current one."""

    def __init__(self, browser, base: str):
        self.browser, self.base, self.page = browser, base, None

    def as_user(self, username: str):
        if self.page is not None:
            self.page.context.close()
        self.page = self.browser.new_context(locale="zh-CN").new_page()
        sign_in(self.page, self.base, username, PASSWORD)
        return self.page


def click(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).first.click()
    page.wait_for_load_state()


def test_a_round_from_plan_to_archive_through_the_pages(browser, live_server):
    cast = Cast()
    base = live_server.url
    session = Session(browser, base)
    today = datetime.date.today()

    # --- 计划 → 准备: the office plans the round, forms the team, adds the target.
    page = session.as_user("office")
    page.goto(f"{base}/rounds/new/")
    page.get_by_label("届次").fill("13")
    page.get_by_label("轮次").fill("7")
    page.get_by_label("年度").fill(str(today.year))
    page.locator("input[name=kinds]").first.check()
    page.get_by_label("计划开始").fill((today - datetime.timedelta(days=20)).isoformat())
    page.get_by_label("计划结束").fill((today + datetime.timedelta(days=40)).isoformat())
    click(page, "保存")
    round_ = Round.objects.get()
    round_url = f"{base}/rounds/{round_.pk}/"
    page.goto(round_url)
    page.get_by_label("组号").fill("1")
    click(page, "组建")
    team_url = page.url
    assert "/rounds/teams/" in team_url
    for cadre, role in zip(cast.cadres, ["组长", "副组长", "组员", "组员", "组员"], strict=True):
        page.get_by_label("职务").select_option(label=role)
        page.get_by_label("干部", exact=True).select_option(str(cadre.pk))
        click(page, "编入本组")
        assert cadre.name in page.content()
    page.get_by_label("组织编码").fill("WALK-01")
    page.get_by_role("button", name="加入").first.click()
    page.wait_for_load_state()
    assert cast.organization.name in page.content()
    page.goto(round_url)
    click(page, "推进到准备")
    assert Round.objects.get().status == Round.Status.PREPARING, page.locator("main").inner_text()

    # --- Every member signs the three commitments (三承诺).
    for cadre in cast.cadres:
        page = session.as_user(cadre.user.username)
        before = todo_total(page, base)
        assert before >= 1, (cadre.user.username, page.url, page.locator("main").inner_text())
        page.goto(f"{team_url}commitments/")
        for _ in range(3):
            page.get_by_role("button", name=re.compile("本人已阅读并签署")).first.click()
            page.wait_for_load_state()
        assert todo_total(page, base) == before - 1

    # --- The office sets the dates and moves on site.
    page = session.as_user("office")
    target = round_.targets.get()
    page.goto(f"{base}/rounds/targets/{target.pk}/")
    page.get_by_label("进驻日期").fill((today - datetime.timedelta(days=10)).isoformat())
    click(page, "保存日期")
    page.goto(round_url)
    click(page, "推进到进驻")
    assert Round.objects.get().status == Round.Status.ON_SITE

    # --- The leader files today's log.
    page = session.as_user("leader")
    before = todo_total(page, base)
    page.goto(f"{team_url}logs/new/?date={today.isoformat()}")
    page.get_by_label("个别谈话（人次）").fill("3")
    page.get_by_label("工作情况").fill("与班子成员个别谈话。")
    page.get_by_role("button", name=re.compile("报送|保存")).first.click()
    page.wait_for_load_state()
    assert todo_total(page, base) == before - 1

    # --- A member records a problem and submits it; the leader approves it.
    page = session.as_user("member")
    page.goto(f"{base}/rounds/targets/{target.pk}/problems/new/")
    page.get_by_label("问题类别").select_option(str(cast.category.pk))
    page.get_by_label("问题描述").fill("违规发放津补贴 12 万元")
    page.get_by_label("问题来源").select_option(index=0)
    page.get_by_label("严重程度").select_option(index=0)
    click(page, "保存")
    problem_url = page.url
    assert re.search(r"/rounds/problems/\d+/$", problem_url), page.locator("main").inner_text()
    click(page, "提交组内研判")
    assert "组内研判" in page.locator("main").inner_text()
    page = session.as_user("leader")
    before = todo_total(page, base)
    page.goto(problem_url)
    click(page, "研判通过，报巡察办审核")
    assert todo_total(page, base) == before - 1

    # --- The member drafts a clue; the leader signs it.
    page = session.as_user("member")
    page.goto(f"{base}/clues/new/?target={target.pk}")
    page.locator("[name=person_name]").fill("欧阳某")
    page.locator("[name=person_position]").fill("局长")
    page.locator("[name=person_rank]").select_option(index=1)
    page.locator("[name=discipline]").select_option(index=1)
    page.locator("[name=source]").select_option(index=1)
    page.locator("[name=summary]").fill("反映其违规收受礼金。")
    page.locator("[name=department]").select_option(str(cast.department.pk))
    click(page, "保存草稿")
    clue_url = page.url
    assert re.search(r"/clues/\d+/$", clue_url), page.locator("main").inner_text()
    # The material package (问题资料包) goes with it.
    page.get_by_text("上传材料", exact=True).click()
    page.locator("[name=file]").set_input_files(
        files=[{"name": "谈话笔录.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    click(page, "上传")
    page = session.as_user("leader")
    before = todo_total(page, base)
    page.goto(clue_url)
    click(page, "签字并报送")
    assert todo_total(page, base) == before - 1

    # --- The office checks the problem and approves the clue; jiwei signs for it.
    page = session.as_user("office")
    before = todo_total(page, base)
    page.goto(problem_url)
    click(page, "审核通过，列入巡察报告")
    page.goto(clue_url)
    click(page, "审批同意")
    assert todo_total(page, base) == before - 2
    page = session.as_user("jiwei")
    assert todo_total(page, base) == 1
    page.goto(f"{base}/clues/#awaiting-receipt")
    click(page, "签收")
    assert todo_total(page, base) == 1  # now: report its disposition

    # --- The office closes the stay and feeds back (报告 → 反馈 → 整改).
    page = session.as_user("office")
    page.goto(f"{base}/rounds/targets/{target.pk}/")
    page.get_by_label("撤离日期").fill((today - datetime.timedelta(days=2)).isoformat())
    click(page, "保存日期")
    page.goto(round_url)
    click(page, "推进到报告")
    page.goto(f"{base}/rounds/targets/{target.pk}/")
    feedback = page.get_by_test_id("feedback-form")
    feedback.locator("[name=feedback_date]").fill(today.isoformat())
    feedback.get_by_role("button", name="反馈").click()
    page.wait_for_load_state()
    assert "已向" in page.locator("main").inner_text()
    page.goto(round_url)
    click(page, "推进到反馈")
    page.goto(round_url)
    click(page, "推进到整改")
    assert Round.objects.get().status == Round.Status.RECTIFYING

    # --- The unit draws up the plan; the top leader signs it; the unit submits it.
    page = session.as_user("unit")
    assert todo_total(page, base) == 1
    page.goto(f"{base}/rectification/")
    click(page, "编制整改方案")
    plan_url = page.url
    item = target.plan.items.get()
    page.goto(f"{base}/rectification/items/{item.pk}/edit/")
    page.locator("[name=measures]").fill("清退违规发放的津补贴，建立审批制度。")
    page.locator("[name=responsible_person]").fill("钱主任")
    page.locator("[name=deadline]").fill((today + datetime.timedelta(days=30)).isoformat())
    click(page, "保存")
    page = session.as_user("unitleader")
    assert todo_total(page, base) == 1  # 待签字
    page.goto(plan_url)
    click(page, "签字背书")
    assert todo_total(page, base) == 0
    page = session.as_user("unit")
    assert todo_total(page, base) == 1
    page.goto(plan_url)
    click(page, "报送巡察办")
    assert todo_total(page, base) == 0

    # --- The office accepts the plan.
    page = session.as_user("office")
    before = todo_total(page, base)
    page.goto(plan_url)
    page.locator("[name=decision][value=accept]").check()
    click(page, "提交审核意见")
    assert todo_total(page, base) == before - 1

    # --- The unit hands the item in; the office checks and closes it.
    page = session.as_user("unit")
    before = todo_total(page, base)
    page.goto(f"{base}/rectification/items/{item.pk}/")
    page.eval_on_selector("#action-hand_in", "el => { el.open = true; }")
    page.locator("#action-hand_in [name=note]").fill("已全部清退。")
    page.locator("#action-hand_in input[type=file]").set_input_files(
        files=[{"name": "清退凭证.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.locator("#action-hand_in").get_by_role("button", name="确认交账").click()
    page.wait_for_load_state()
    assert todo_total(page, base) == before - 1
    page = session.as_user("office")
    before = todo_total(page, base)
    page.goto(f"{base}/rectification/items/{item.pk}/")
    page.eval_on_selector("#action-check", "el => { el.open = true; }")
    page.locator("#action-check [name=decision][value=accept]").check()
    page.locator("#action-check [name=note]").fill("佐证齐全，同意。")
    page.locator("#action-check").get_by_role("button", name="提交查账结论").click()
    page.wait_for_load_state()
    assert todo_total(page, base) == before  # from 待查账 to 待销账
    page.goto(f"{base}/rectification/items/{item.pk}/")
    page.eval_on_selector("#action-close", "el => { el.open = true; }")
    page.locator("#action-close").get_by_role("button", name="确认销号").click()
    page.wait_for_load_state()
    assert todo_total(page, base) == before - 1

    # --- The assessment: a survey link answered signed out on a phone.
    page.goto(plan_url)
    click(page, "开展整改评估")
    page.get_by_label("生成数量").fill("1")
    click(page, "生成链接")
    link_url = page.get_by_test_id("survey-links").first.input_value().strip()
    phone = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740})
    try:
        public = phone.new_page()
        public.goto(link_url)
        public.locator("input[name=satisfaction]").first.check()
        public.get_by_role("button", name="提交评价").click()
        assert "您已通过此链接提交了评价" in public.get_by_test_id("notice").inner_text()
    finally:
        phone.close()

    # --- 归档.
    page.goto(round_url)
    click(page, "推进到归档")
    assert Round.objects.get().status == Round.Status.ARCHIVED
    page.context.close()


def _pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return out.getvalue()


PDF = _pdf()
