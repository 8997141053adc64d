"""Factories and small builders for the rounds app.

Like ``tests.factories`` they write rows directly (no services, no audit
entries), so a test that goes through a service sees only what that service
did. Where a relation carries a django-guardian grant in real life (a member
sees the team's targets), the factory writes the grant too, the way
``team_add_member`` and ``target_add`` would.

Round kinds and problem categories are looked up or created by code: a
transactional test flushes the rows the migration seeded.
"""

import datetime
import itertools

import factory
from django.utils import timezone
from guardian.shortcuts import assign_perm

from rounds.models import (
    Commitment,
    Membership,
    Problem,
    ProblemCategory,
    Round,
    RoundKind,
    Target,
    Team,
    WorkLog,
)
from tests.factories import CadreFactory, OfficeFactory, OrganizationFactory, UserFactory
from xuncha.accounts.roles import Role
from xuncha.orgs.models import Cadre

VIEW_TARGET = "rounds.view_target"

KIND_NAMES = {
    "regular": "常规",
    "special": "专项",
    "adhoc": "机动",
    "elevated": "提级",
    "cross": "交叉",
    "linked": "联动",
    "extended": "延伸",
    "follow_up": "回头看",
}

# code: (name, parent code)
CATEGORIES = {
    "A": ("党的领导弱化", None),
    "A02": ("“三重一大”事项未经集体研究决策", "A"),
    "B": ("党的建设缺失", None),
    "B02": ("组织生活不严肃不规范", "B"),
    "C": ("全面从严治党不力", None),
    "C04": ("违规发放津补贴", "C"),
    "C07": ("工程项目未公开招标", "C"),
}


_names = itertools.count(1)


def today() -> datetime.date:
    return timezone.localdate()


def round_kind(code: str) -> RoundKind:
    found, _ = RoundKind.objects.get_or_create(
        code=code, defaults={"name": KIND_NAMES[code], "sort_order": list(KIND_NAMES).index(code)}
    )
    return found


def category(code: str) -> ProblemCategory:
    name, parent_code = CATEGORIES[code]
    found, _ = ProblemCategory.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "parent": category(parent_code) if parent_code else None,
            "is_negative_list": parent_code is not None,
        },
    )
    return found


class RoundFactory(factory.django.DjangoModelFactory):
    """A round of the city office by default; ``kinds=["cross"]`` for its kinds."""

    class Meta:
        model = Round
        skip_postgeneration_save = True

    office = factory.SubFactory(OfficeFactory)
    term = 13
    # Names spell the number in Chinese up to 99 (the forms' limit too).
    number = factory.Sequence(lambda n: n % 99 + 1)
    year = factory.LazyFunction(lambda: today().year)
    planned_start = factory.LazyFunction(lambda: today() - datetime.timedelta(days=30))
    planned_end = factory.LazyFunction(lambda: today() + datetime.timedelta(days=60))
    status = Round.Status.PLANNED

    @factory.post_generation
    def kinds(self, create, extracted, **kwargs):
        if create:
            self.kinds.set([round_kind(code) for code in (extracted or ["regular"])])


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    round = factory.SubFactory(RoundFactory)
    number = factory.Sequence(lambda n: n % 99 + 1)
    liaison = "联络员"


def cadre_with_user(*, role: Role = Role.TEAM_MEMBER, **kwargs) -> Cadre:
    """A cadre with a login of a team role (the security officer grants that
    role separately from putting the cadre on a team)."""
    name = kwargs.pop("name", None) or f"巡察干部{next(_names)}"
    username = kwargs.pop("username", None)
    user = UserFactory(roles=[role], full_name=name, **({"username": username} if username else {}))
    return CadreFactory(name=name, user=user, **kwargs)


class MembershipFactory(factory.django.DjangoModelFactory):
    """A cadre on a team. ``signed=True``: all three commitments signed, with the
    team's targets granted as team_add_member would have."""

    class Meta:
        model = Membership
        skip_postgeneration_save = True

    class Params:
        signed = factory.Trait(commitments_completed_at=factory.LazyFunction(timezone.now))

    team = factory.SubFactory(TeamFactory)
    round = factory.LazyAttribute(lambda m: m.team.round)
    cadre = factory.LazyFunction(cadre_with_user)
    role = Membership.Role.MEMBER
    commitments_completed_at = None

    @factory.post_generation
    def commitments(self, create, extracted, **kwargs):
        if not create:
            return
        if self.commitments_completed_at is not None:
            for kind in Commitment.Kind.values:
                Commitment.objects.create(
                    membership=self, kind=kind, signed_at=self.commitments_completed_at
                )
        for target in self.team.targets.all():
            assign_perm(VIEW_TARGET, self.cadre.user, target)


def staff_team(
    team: Team, *, size: int = 5, deputies: int = 1, leader: bool = True, signed: bool = True
) -> list[Membership]:
    """Leader, deputies and members up to ``size`` people, all signed by default."""
    roles = ([Membership.Role.LEADER] if leader else []) + [Membership.Role.DEPUTY] * deputies
    roles += [Membership.Role.MEMBER] * (size - len(roles))
    return [
        MembershipFactory(
            team=team,
            role=role,
            signed=signed,
            cadre=cadre_with_user(
                role=Role.TEAM_LEADER if role == Membership.Role.LEADER else Role.TEAM_MEMBER,
                in_leader_pool=role != Membership.Role.MEMBER,
            ),
        )
        for role in roles
    ]


class TargetFactory(factory.django.DjangoModelFactory):
    """An organization assigned to a team; the team's members get the grant."""

    class Meta:
        model = Target
        skip_postgeneration_save = True

    team = factory.SubFactory(TeamFactory)
    round = factory.LazyAttribute(lambda t: t.team.round)
    organization = factory.SubFactory(OrganizationFactory)
    leader_name = factory.LazyAttribute(lambda t: t.organization.leader_name)
    status = Target.Status.ASSIGNED

    @factory.post_generation
    def grant(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        for membership in self.team.memberships.select_related("cadre__user"):
            assign_perm(VIEW_TARGET, membership.cadre.user, self)


class ProblemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Problem

    target = factory.SubFactory(TargetFactory)
    round = factory.LazyAttribute(lambda p: p.target.round)
    team = factory.LazyAttribute(lambda p: p.target.team)
    category = factory.LazyFunction(lambda: category("C04"))
    description = factory.Sequence(lambda n: f"测试问题{n}")
    source = Problem.Source.INTERVIEW
    severity = Problem.Severity.SERIOUS
    immediate_fix = False
    status = Problem.Status.DRAFT
    found_by = factory.SubFactory(UserFactory)
    found_on = factory.LazyFunction(today)


class WorkLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkLog

    team = factory.SubFactory(TeamFactory)
    date = factory.LazyFunction(today)
    interviews = 1
    documents = 1
    petitions = 0
    visits = 0
    site_checks = 0
    problems_found = 0
    narrative = "当日工作情况。"
    filed_by = factory.SubFactory(UserFactory)
