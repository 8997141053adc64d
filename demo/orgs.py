"""Steps that build the demo city's map: regions, inspection offices,
receiving departments and the Party organizations that are inspected."""

from collections.abc import Iterator
from typing import NamedTuple

from demo.context import DemoContext
from demo.org_tables import (
    CITY_ORGS,
    COUNTY_BODIES,
    DEPARTMENTS,
    kind_of,
    unit_name,
)
from demo.places import REGIONS, RegionRow, is_street, village_names
from xuncha.audit.services import log_action
from xuncha.orgs.models import Department, Office, Organization, Region
from xuncha.orgs.services import department_create

CITY_OFFICE = "市委巡察办"
VILLAGES_PER_TOWNSHIP = (4, 6)
GENERAL_BRANCH_SHARE = 0.2  # the larger villages and communities have a 党总支

Level = Organization.Level
Sector = Organization.Sector


def seed_regions(demo: DemoContext) -> None:
    for order, row in enumerate(REGIONS, start=1):
        _, created = Region.objects.get_or_create(
            code=row.code, defaults={"name": row.name, "kind": row.kind, "sort_order": order * 10}
        )
        demo.count("regions", created)


def seed_offices(demo: DemoContext) -> None:
    _, created = Office.objects.get_or_create(
        name=CITY_OFFICE, defaults={"level": Office.Level.CITY, "region": None}
    )
    demo.count("offices", created)
    for region in Region.objects.filter(code__in=[row.code for row in REGIONS]):
        _, created = Office.objects.get_or_create(
            region=region,
            defaults={"name": f"{region.name}委巡察办", "level": Office.Level.DISTRICT},
        )
        demo.count("offices", created)


def seed_departments(demo: DemoContext) -> None:
    existing = set(Department.objects.values_list("code", flat=True))
    for row in DEPARTMENTS:
        if row.code in existing:
            continue
        region = Region.objects.get(name=row.region) if row.region else None
        department_create(code=row.code, name=row.name, kind=row.kind, region=region)
        demo.count("departments")


class OrgSpec(NamedTuple):
    code: str
    name: str
    sector: str
    level: str
    region_code: str | None
    parent_code: str | None
    leader_name: str
    leader_title: str

    def build(self, *, region_ids: dict[str, int], ids: dict[str, int]) -> Organization:
        return Organization(
            code=self.code,
            name=self.name,
            short_name=unit_name(self.name),
            kind=kind_of(self.name),
            sector=self.sector,
            level=self.level,
            region_id=region_ids[self.region_code] if self.region_code else None,
            parent_id=ids[self.parent_code] if self.parent_code else None,
            leader_name=self.leader_name,
            leader_title=self.leader_title,
        )


def organization_plan(demo: DemoContext) -> list[OrgSpec]:
    """Every demo organization, parents before their children."""
    plan = list(_city_orgs(demo))
    for region in REGIONS:
        plan.extend(_region_orgs(demo, region))
    return plan


def _city_orgs(demo: DemoContext) -> Iterator[OrgSpec]:
    for sector, rows in CITY_ORGS.items():
        for row in rows:
            yield OrgSpec(
                code=row.code,
                name=row.name,
                sector=sector,
                level=Level.CITY,
                region_code=None,
                parent_code=row.parent,
                leader_name=demo.names.name(),
                leader_title=row.leader_title,
            )


def _region_orgs(demo: DemoContext, region: RegionRow) -> Iterator[OrgSpec]:
    for body in COUNTY_BODIES:
        yield OrgSpec(
            code=f"{region.key}-{body.suffix}",
            name=region.name + body.name,
            sector=body.sector,
            level=Level.COUNTY,
            region_code=region.code,
            parent_code=None,
            leader_name=demo.names.name(),
            leader_title=body.leader_title,
        )
    for number, township in enumerate(region.townships, start=1):
        code = f"{region.key}-T{number:02d}"
        street = is_street(township)
        yield OrgSpec(
            code=code,
            name=township + ("党工委" if street else "党委"),
            sector=Sector.TOWNSHIP,
            level=Level.TOWNSHIP,
            region_code=region.code,
            parent_code=None,
            leader_name=demo.names.name(),
            leader_title="党工委书记" if street else "党委书记",
        )
        yield from _villages(demo, region, township, code)


def _villages(
    demo: DemoContext, region: RegionRow, township: str, township_code: str
) -> Iterator[OrgSpec]:
    street = is_street(township)
    count = demo.rng.randint(*VILLAGES_PER_TOWNSHIP)
    for number, place in enumerate(village_names(demo.rng, street=street, count=count), start=1):
        branch = "党总支" if demo.rng.random() < GENERAL_BRANCH_SHARE else "党支部"
        yield OrgSpec(
            code=f"{township_code}-V{number:02d}",
            name=township + place + branch,
            sector=Sector.VILLAGE,
            level=Level.VILLAGE,
            region_code=region.code,
            parent_code=township_code,
            leader_name=demo.names.name(),
            leader_title=(
                f"社区{branch}书记、居委会主任" if street else f"村{branch}书记、村委会主任"
            ),
        )


def seed_organizations(demo: DemoContext) -> None:
    """Create the organizations that are missing, in a few bulk inserts. An
    organization that exists is left as it is, edits made in the demo included."""
    plan = organization_plan(demo)
    ids = dict(Organization.objects.values_list("code", "pk"))
    region_ids = dict(Region.objects.values_list("code", "pk"))
    pending = [spec for spec in plan if spec.code not in ids]
    created = 0
    while pending:
        # A child needs its parent's id: insert in waves, top of the tree first.
        ready = [spec for spec in pending if spec.parent_code is None or spec.parent_code in ids]
        if not ready:
            raise ValueError(f"演示党组织的上级不存在：{pending[0].parent_code}")
        rows = Organization.objects.bulk_create(
            [spec.build(region_ids=region_ids, ids=ids) for spec in ready]
        )
        ids.update((row.code, row.pk) for row in rows)
        created += len(rows)
        pending = [spec for spec in pending if spec.code not in ids]
    if created:
        log_action(None, "organization.bulk_create", None, {"count": created})
        demo.count("organizations", created)
