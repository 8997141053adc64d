"""Every list page's Excel export: a real .xlsx with Chinese headers, the list's
rows, nothing a spreadsheet would run as a formula, and an audit entry."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import OrganizationFactory, make_user
from tests.rounds_factories import RoundFactory, TargetFactory
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry

EXPORTS = [
    ("orgs:organization_export", Role.OFFICE, "组织编码"),
    ("orgs:cadre_export", Role.OFFICE, "干部编号"),
    ("rounds:round_export", Role.OFFICE, "轮次"),
    ("rounds:target_export", Role.OFFICE, "组织编码"),
    ("rounds:weekly_summary_export", Role.OFFICE, "巡察轮次"),
    ("rounds:problem_export", Role.OFFICE, None),
    ("rectification:item_export", Role.OFFICE, "编号"),
    ("rectification:plan_export", Role.OFFICE, "被巡察单位"),
    ("rectification:recommendation_export", Role.OFFICE, "标题"),
    ("audit:entry_export", Role.AUDITOR, "编号"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "role", "first_header"), EXPORTS)
def test_list_export_is_a_safe_workbook(client, url_name, role, first_header):
    user = make_user(role)
    office = user.office or make_user(Role.OFFICE, username="o2").office
    organization = OrganizationFactory(name='=HYPERLINK("http://x","点我")')
    TargetFactory(round=RoundFactory(office=office), organization=organization)
    client.force_login(user)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    if first_header:
        assert header[0] == first_header
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert AuditEntry.objects.filter(actor=user, action__endswith=".export").exists()


@pytest.mark.django_db
def test_organization_export_keeps_formula_like_names_as_text(client):
    user = make_user(Role.OFFICE)
    OrganizationFactory(name='=HYPERLINK("http://x","点我")', code="X-1")
    client.force_login(user)
    response = client.get(reverse("orgs:organization_export"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '=HYPERLINK("http://x","点我")' in names


FORMULA_NAMES = ['=HYPERLINK("http://x","点我")', "+1+1", "-2+3", "@SUM(1,2)"]


@pytest.mark.django_db
def test_dashboard_export_writes_formula_like_names_as_text(client):
    """Region, organization and category names reach the dashboard workbook's
    label column; none may become a live formula."""
    from rounds.models import Problem, ProblemCategory, Round
    from tests.factories import RegionFactory
    from tests.rounds_factories import ProblemFactory

    user = make_user(Role.LEADERSHIP)
    round_ = RoundFactory(office=user.office, status=Round.Status.RECTIFYING)
    parent = ProblemCategory.objects.create(code="ZZ", name=FORMULA_NAMES[3])
    for number, name in enumerate(FORMULA_NAMES):
        organization = OrganizationFactory(name=name, region=RegionFactory(name=name))
        target = TargetFactory(round=round_, organization=organization)
        category = ProblemCategory.objects.create(code=f"ZZ{number}", name=name, parent=parent)
        ProblemFactory(target=target, category=category, status=Problem.Status.FED_BACK)
    client.force_login(user)
    response = client.get(reverse("dashboard:export_xlsx"), {"term": ""})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    texts = {cell.value for cell in cells}
    assert FORMULA_NAMES[0] in texts  # the region name, kept exactly as typed
    assert FORMULA_NAMES[3] in texts  # the top-level category
