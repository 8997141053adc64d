"""Tests generated from the problem-review table (rounds/workflow.PROBLEM):
each state × role × action is allowed or refused by the service as the
table says, and the problem page offers exactly the allowed ones."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from rounds.models import Problem
from rounds.services import problem_transition
from rounds.workflow import PROBLEM
from tests.factories import OfficeFactory, make_user
from tests.test_rounds_problems import Cast
from xuncha.accounts.roles import Role
from xuncha.core.workflow import actions_for

P = Problem.Status
ROLES = ["member", "leader", "office", "other_office"]
# The specification, apart from the table: who moves a problem out of which state.
SPEC = {
    "submit": (P.DRAFT, {"member", "leader"}),
    "team_approve": (P.TEAM_REVIEW, {"leader"}),
    "team_return": (P.TEAM_REVIEW, {"leader"}),
    "office_approve": (P.OFFICE_REVIEW, {"office"}),
    "office_return": (P.OFFICE_REVIEW, {"office"}),
}


def test_the_specification_covers_every_row():
    assert {
        rule.action: (rule.sources[0], rule.roles) for rule in PROBLEM.rules
    }.keys() == SPEC.keys()
    for rule in PROBLEM.rules:
        assert rule.sources == (SPEC[rule.action][0],)


@pytest.mark.parametrize("role", ROLES)
def test_problem_table_service_and_page_agree(office_user, role, client):
    cast = Cast(office_user)
    user = {
        "member": cast.member,
        "leader": cast.leader,
        "office": cast.office,
        "other_office": make_user(
            Role.OFFICE, office=OfficeFactory(district=True), username="district"
        ),
    }[role]
    problem = cast.problem()
    client.force_login(user)
    for state in P.values:
        for action, (source, who) in SPEC.items():
            savepoint = transaction.savepoint()
            Problem.objects.filter(pk=problem.pk).update(status=state)
            current = Problem.objects.get(pk=problem.pk)
            ok = state == source and role in who
            offer = actions_for(PROBLEM, user, current).get(action)
            assert (offer is not None and offer.allowed) == ok, (role, state, action)
            response = client.get(reverse("rounds:problem_detail", args=[problem.pk]))
            if response.status_code == 200:
                page = set(re.findall(r'data-action="([^"]+)"', response.content.decode()))
                assert (action in page) == ok, (role, state, action, page)
            if ok:
                problem_transition(problem=current, action=action, user=user, note="请补充")
                assert Problem.objects.get(pk=problem.pk).status == PROBLEM.rule(action).target
            else:
                with pytest.raises((ValidationError, PermissionDenied)):
                    problem_transition(problem=current, action=action, user=user, note="请补充")
                assert Problem.objects.get(pk=problem.pk).status == state
            transaction.savepoint_rollback(savepoint)
