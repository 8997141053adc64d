"""The demo city behind ``manage.py seed_demo``: regions, offices, departments,
a few hundred Party organizations, the cadre pool and one account per role.

Every step is idempotent (rows are found by their natural keys and only the
missing ones are created), so seeding twice leaves the data as seeding once.
A later feature adds its demo data by appending one step to ``STEPS``.
"""

from django.db import transaction

from demo import (
    checklist,
    clues,
    crosscheck,
    fieldwork,
    intake,
    orgs,
    people,
    rectification,
    rounds,
    users,
)
from demo.context import DemoContext, Step
from xuncha.audit.services import log_action

STEPS: list[Step] = [
    users.seed_role_groups,
    orgs.seed_regions,
    orgs.seed_offices,
    orgs.seed_departments,
    orgs.seed_organizations,
    people.seed_specialties,
    people.seed_cadre_pool,
    users.seed_users,
    rounds.seed_kinds_and_categories,
    rounds.seed_cadre_accounts,
    checklist.seed_checklist_items,
    rounds.seed_rounds,
    rounds.seed_weekly_summaries,
    clues.seed_clue_officer,
    clues.seed_department_accounts,
    clues.seed_clues,
    fieldwork.seed_field_records,
    rectification.seed_unit_accounts,
    rectification.seed_plans,
    rectification.seed_assessments,
    rectification.seed_recommendations,
    crosscheck.seed_crosscheck,
    intake.seed_questionnaire,
    intake.seed_intake,
    users.seed_second_factor,
]


@transaction.atomic
def seed_demo() -> DemoContext:
    """Run every step in one transaction: a failed step leaves nothing behind."""
    demo = DemoContext.start(reserved_names=users.FIXED_NAMES)
    for step in STEPS:
        step(demo)
    if demo.created:
        log_action(None, "demo.seed", None, dict(demo.created))
    return demo
