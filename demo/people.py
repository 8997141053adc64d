"""Steps that fill the cadre pool: specialties, cadres, and what recusal
checks read (relatives, past posts, declared conflicts)."""

import datetime
from typing import NamedTuple

from demo.cadre_tables import (
    CONFLICTS,
    LEADER_POOL,
    RELATIVES,
    SPECIALTIES,
    TALENT_POOL,
    WORK_HISTORY,
    CadreRow,
    Relation,
)
from demo.context import DemoContext
from demo.names import Person
from xuncha.orgs.models import (
    Cadre,
    CadreRelation,
    CadreWorkHistory,
    ConflictDeclaration,
    Organization,
    Specialty,
)

# Relatives who usually share the cadre's surname.
SAME_SURNAME = {Relation.PARENT, Relation.CHILD, Relation.SIBLING}


def seed_specialties(demo: DemoContext) -> None:
    for name in SPECIALTIES:
        _, created = Specialty.objects.get_or_create(name=name)
        demo.count("specialties", created)


class CadreSpec(NamedTuple):
    row: CadreRow
    person: Person
    leader: bool


def cadre_plan(demo: DemoContext) -> list[CadreSpec]:
    return [
        CadreSpec(row, demo.names.person(), leader)
        for leader, rows in ((True, LEADER_POOL), (False, TALENT_POOL))
        for row in rows
    ]


def seed_cadre_pool(demo: DemoContext) -> None:
    plan = cadre_plan(demo)
    relatives = _relative_names(demo, plan)
    organizations = Organization.objects.in_bulk(_organization_codes(plan), field_name="code")
    cadres = _create_cadres(demo, plan, organizations)
    _create_relatives(demo, cadres, relatives, organizations)
    _create_work_history(demo, cadres, organizations)
    _create_conflicts(demo, cadres, organizations)


def _organization_codes(plan: list[CadreSpec]) -> set[str]:
    codes = {spec.row.home for spec in plan}
    codes |= {row.organization for row in (*RELATIVES, *WORK_HISTORY, *CONFLICTS)}
    return codes - {None}


def _organization(organizations: dict[str, Organization], code: str | None) -> Organization | None:
    return organizations[code] if code else None


def _relative_names(demo: DemoContext, plan: list[CadreSpec]) -> list[str]:
    people = {spec.row.code: spec.person for spec in plan}
    names = []
    for row in RELATIVES:
        cadre = people[row.cadre]
        if row.relation == Relation.SPOUSE:
            gender = "F" if cadre.gender == "M" else "M"
            names.append(demo.names.person(gender=gender).name)
        elif row.relation in SAME_SURNAME:
            names.append(demo.names.person(surname=cadre.name[0]).name)
        else:
            names.append(demo.names.name())
    return names


def _create_cadres(
    demo: DemoContext, plan: list[CadreSpec], organizations: dict[str, Organization]
) -> dict[str, Cadre]:
    specialties = Specialty.objects.in_bulk(SPECIALTIES, field_name="name")
    cadres = Cadre.objects.in_bulk([spec.row.code for spec in plan], field_name="code")
    for spec in plan:
        if spec.row.code in cadres:
            continue
        cadre = Cadre.objects.create(
            code=spec.row.code,
            name=spec.person.name,
            gender=spec.person.gender,
            organization=organizations[spec.row.home],
            position=spec.row.position,
            rank=spec.row.rank,
            in_leader_pool=spec.leader,
            in_talent_pool=not spec.leader,
        )
        cadre.specialties.set([specialties[name] for name in spec.row.specialties.split()])
        cadres[cadre.code] = cadre
        demo.count("cadres")
    return cadres


def _create_relatives(
    demo: DemoContext,
    cadres: dict[str, Cadre],
    names: list[str],
    organizations: dict[str, Organization],
) -> None:
    for row, name in zip(RELATIVES, names, strict=True):
        _, created = CadreRelation.objects.get_or_create(
            cadre=cadres[row.cadre],
            relation=row.relation,
            organization=_organization(organizations, row.organization),
            workplace=row.workplace,
            defaults={"name": name, "position": row.position},
        )
        demo.count("cadre_relations", created)


def _create_work_history(
    demo: DemoContext, cadres: dict[str, Cadre], organizations: dict[str, Organization]
) -> None:
    for row in WORK_HISTORY:
        _, created = CadreWorkHistory.objects.get_or_create(
            cadre=cadres[row.cadre],
            organization=_organization(organizations, row.organization),
            workplace=row.workplace,
            start_date=datetime.date.fromisoformat(row.start),
            defaults={
                "position": row.position,
                "end_date": datetime.date.fromisoformat(row.end),
            },
        )
        demo.count("work_history", created)


def _create_conflicts(
    demo: DemoContext, cadres: dict[str, Cadre], organizations: dict[str, Organization]
) -> None:
    for row in CONFLICTS:
        _, created = ConflictDeclaration.objects.get_or_create(
            cadre=cadres[row.cadre],
            organization=organizations[row.organization],
            defaults={"reason": row.reason},
        )
        demo.count("conflict_declarations", created)
