"""The foundation's bench data: a city's organizations, cadres, users and audit log.

The shared data set is built in parts, each a registered data set that finds
what an earlier run built (by its marker) and adds only what is missing, so
``--only X`` runs in any order, then a full run, leave the database at the
stated scale:

- ``orgs`` (here): regions, organizations, cadres, the office, auditor and
  unit users; marker: ``BENCH-`` codes, ``bench_`` user names;
- ``audit`` (here): sample audit entries; marker: their action;
- ``rounds`` (``bench/rounds.py``): ten rounds of term 99 (theme
  ``BENCH-…``), one target per organization, teams, members and their grants,
  the problems; marker: the term and theme of the rounds;
- ``rectification``: plans and one item per problem, ledger entries, sent
  reminders; found through the bench rounds;
- ``clues``: three bench departments and their users, the clues, grants and
  dispositions; found through the bench rounds and departments;
- ``dashboard`` and ``reports``: no rows of their own but a user (the
  leadership's) and handles into the rows above.

At city scale: 12 regions, 3,000 Party organizations (市直 units, each
region's 区委 and 区直 units, townships and their villages), 300 cadres, the
users the figures log in as, and 5,000 audit entries. Every row the bench
creates has a ``BENCH-`` code (users: a ``bench_`` name), so a second run
finds it and creates only what is missing; a larger scale after a smaller
one adds the difference.

Rows are written with ``bulk_create``, not through the services: the bench
needs a realistic amount of data quickly, not an audit entry per row. The
audit entries themselves go through ``log_action``, since the chain is only
valid if each entry is appended the way the application appends it.
"""

import time
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from bench.registry import BenchContext, analyze, bench_dataset
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.accounts.services import ensure_role_groups
from xuncha.audit.models import AuditEntry
from xuncha.audit.services import log_action
from xuncha.orgs.models import Cadre, Office, Organization, Region, Specialty

PREFIX = "BENCH-"
CITY_ORGANIZATIONS = 3000
CITY_CADRES = 300
CITY_AUDIT_ENTRIES = 5000
SAMPLE_ACTION = "bench.sample"
BATCH_SIZE = 1000

Sector = Organization.Sector
Kind = Organization.Kind
Level = Organization.Level

REGIONS = [
    ("城关区", Region.Kind.DISTRICT),
    ("江北区", Region.Kind.DISTRICT),
    ("江南区", Region.Kind.DISTRICT),
    ("东城区", Region.Kind.DISTRICT),
    ("西城区", Region.Kind.DISTRICT),
    ("高新区", Region.Kind.DISTRICT),
    ("临江县", Region.Kind.COUNTY),
    ("青山县", Region.Kind.COUNTY),
    ("白水县", Region.Kind.COUNTY),
    ("石门县", Region.Kind.COUNTY),
    ("云溪市", Region.Kind.COUNTY_CITY),
    ("龙泉市", Region.Kind.COUNTY_CITY),
]

# (sector, kind, unit name): the 市直 units cycle through these in order, so
# every sector and kind is present at any scale.
CITY_UNITS = [
    (Sector.GOVERNMENT, Kind.LEADING_GROUP, "发展和改革委员会"),
    (Sector.INSTITUTION, Kind.COMMITTEE, "第一人民医院"),
    (Sector.STATE_ENTERPRISE, Kind.COMMITTEE, "城市建设投资集团"),
    (Sector.UNIVERSITY, Kind.COMMITTEE, "职业技术学院"),
    (Sector.POLITICAL_LEGAL, Kind.LEADING_GROUP, "中级人民法院"),
    (Sector.OTHER, Kind.LEADING_GROUP, "总工会"),
    (Sector.GOVERNMENT, Kind.LEADING_GROUP, "教育局"),
    (Sector.INSTITUTION, Kind.COMMITTEE, "疾病预防控制中心"),
    (Sector.STATE_ENTERPRISE, Kind.COMMITTEE, "交通投资集团"),
    (Sector.UNIVERSITY, Kind.COMMITTEE, "师范学院"),
    (Sector.POLITICAL_LEGAL, Kind.COMMITTEE, "公安局"),
    (Sector.GOVERNMENT, Kind.WORKING_COMMITTEE, "经济技术开发区"),
    (Sector.GOVERNMENT, Kind.LEADING_GROUP, "财政局"),
    (Sector.INSTITUTION, Kind.GENERAL_BRANCH, "图书馆"),
    (Sector.STATE_ENTERPRISE, Kind.COMMITTEE, "水务集团"),
    (Sector.GOVERNMENT, Kind.LEADING_GROUP, "农业农村局"),
    (Sector.POLITICAL_LEGAL, Kind.LEADING_GROUP, "人民检察院"),
    (Sector.GOVERNMENT, Kind.LEADING_GROUP, "卫生健康委员会"),
]
COUNTY_UNITS = [
    (Sector.GOVERNMENT, Kind.LEADING_GROUP, "教育局"),
    (Sector.INSTITUTION, Kind.COMMITTEE, "人民医院"),
    (Sector.STATE_ENTERPRISE, Kind.COMMITTEE, "城市发展集团"),
    (Sector.POLITICAL_LEGAL, Kind.COMMITTEE, "公安分局"),
    (Sector.GOVERNMENT, Kind.LEADING_GROUP, "财政局"),
    (Sector.INSTITUTION, Kind.GENERAL_BRANCH, "农业技术推广中心"),
    (Sector.GOVERNMENT, Kind.LEADING_GROUP, "住房和城乡建设局"),
    (Sector.OTHER, Kind.LEADING_GROUP, "妇联"),
    (Sector.POLITICAL_LEGAL, Kind.LEADING_GROUP, "人民法院"),
    (Sector.GOVERNMENT, Kind.LEADING_GROUP, "民政局"),
]
TOWNSHIPS = ["城东", "城西", "河口", "石桥", "新塘", "柳林", "白沙", "青龙", "长岭", "桃源"]
VILLAGES = [
    "张庄", "李家", "王营", "刘湾", "陈坝", "杨岭", "赵集", "黄桥", "周塘", "吴圩",
    "徐坪", "孙岗", "胡庄", "朱家", "高楼", "林场", "何湾", "郭庄", "马坊", "罗店",
]  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN_NAMES = ["建国", "秀英", "志强", "丽华", "海涛", "敏", "军", "红梅", "伟", "静"]
SPECIALTIES = ["党务", "财务", "审计", "法律", "工程", "农村工作"]
POSITIONS = [
    ("处长", Cadre.Rank.DEPARTMENT),
    ("副处长", Cadre.Rank.DEPARTMENT),
    ("科长", Cadre.Rank.SECTION),
    ("副科长", Cadre.Rank.SECTION),
    ("一级主任科员", Cadre.Rank.SECTION),
    ("科员", Cadre.Rank.OTHER),
]


@dataclass(frozen=True)
class OrgsData:
    """What the figures need from the "orgs" data set."""

    office_user: User  # office staff of the city office: sees every organization
    auditor_user: User  # security auditor: reads the audit log
    unit_user: User  # unit contact of one 市直 unit
    region: Region  # the first bench region, for filtered lists
    organization_count: int  # bench organizations present


@dataclass(frozen=True)
class AuditData:
    entry_count: int  # entries in the whole chain (not only the bench's)


def _person(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN_NAMES[(i * 7 + i // len(SURNAMES)) % 10]


def _numbered(name: str, i: int, size: int) -> str:
    # Past the end of a name list, number the repeats: 教育局（2）.
    return name if i < size else f"{name}（{i // size + 1}）"


def organization_plan(total: int) -> list[list[dict]]:
    """The bench organizations for ``total`` of them, in tiers: each tier's
    parents are in an earlier tier (``parent`` is a code). Counts grow with
    ``total``, and a code means the same organization at every scale."""
    city_units = round(total * 0.06)
    county_units = round(total * 0.10 / len(REGIONS))
    townships = max(1, round(total * 0.04 / len(REGIONS)))
    villages = max(0, total - city_units - len(REGIONS) * (1 + county_units + townships))
    per_township, extra = divmod(villages, len(REGIONS) * townships)

    roots, middle, leaves = [], [], []
    for i in range(city_units):
        sector, kind, unit = CITY_UNITS[i % len(CITY_UNITS)]
        suffix = "党组" if kind == Kind.LEADING_GROUP else "党委"
        roots.append(
            {
                "code": f"{PREFIX}C{i + 1:04d}",
                "name": f"市{_numbered(unit, i, len(CITY_UNITS))}{suffix}",
                "sector": sector,
                "kind": kind,
                "level": Level.CITY,
                "region": None,
                "parent": None,
            }
        )
    township_index = 0
    for r, (region_name, _kind) in enumerate(REGIONS, start=1):
        region_code = f"{PREFIX}R{r:02d}"
        root_code = f"{region_code}-000"
        roots.append(
            {
                "code": root_code,
                "name": f"中共{region_name}委员会",
                "sector": Sector.GOVERNMENT,
                "kind": Kind.COMMITTEE,
                "level": Level.COUNTY,
                "region": region_code,
                "parent": None,
            }
        )
        for u in range(county_units):
            sector, kind, unit = COUNTY_UNITS[u % len(COUNTY_UNITS)]
            suffix = "党组" if kind == Kind.LEADING_GROUP else "党委"
            middle.append(
                {
                    "code": f"{region_code}-U{u + 1:03d}",
                    "name": f"{region_name}{_numbered(unit, u, len(COUNTY_UNITS))}{suffix}",
                    "sector": sector,
                    "kind": kind,
                    "level": Level.COUNTY,
                    "region": region_code,
                    "parent": root_code,
                }
            )
        for t in range(townships):
            street = t % 3 == 2  # every third is a 街道 with a 党工委
            township = _numbered(TOWNSHIPS[t % len(TOWNSHIPS)], t, len(TOWNSHIPS))
            township_code = f"{region_code}-T{t + 1:02d}"
            middle.append(
                {
                    "code": township_code,
                    "name": f"{region_name}{township}{'街道党工委' if street else '镇党委'}",
                    "sector": Sector.TOWNSHIP,
                    "kind": Kind.WORKING_COMMITTEE if street else Kind.COMMITTEE,
                    "level": Level.TOWNSHIP,
                    "region": region_code,
                    "parent": root_code,
                }
            )
            count = per_township + (1 if township_index < extra else 0)
            township_index += 1
            for v in range(count):
                community = v % 5 == 4
                village = _numbered(VILLAGES[v % len(VILLAGES)], v, len(VILLAGES))
                leaves.append(
                    {
                        "code": f"{township_code}-V{v + 1:03d}",
                        "name": f"{township}{village}{'社区党总支' if community else '村党支部'}",
                        "sector": Sector.VILLAGE,
                        "kind": Kind.GENERAL_BRANCH if community else Kind.BRANCH,
                        "level": Level.VILLAGE,
                        "region": region_code,
                        "parent": township_code,
                    }
                )
    return [roots, middle, leaves]


def _ensure_regions() -> dict[str, Region]:
    regions = {}
    for r, (name, kind) in enumerate(REGIONS, start=1):
        code = f"{PREFIX}R{r:02d}"
        # The name says bench, so it can't collide with a real region's.
        regions[code], _ = Region.objects.get_or_create(
            code=code, defaults={"name": f"{name}（基准）", "kind": kind, "sort_order": 100 + r}
        )
    return regions


def _ensure_organizations(total: int, regions: dict[str, Region]) -> int:
    existing = dict(Organization.objects.filter(code__startswith=PREFIX).values_list("code", "pk"))
    created = 0
    for tier in organization_plan(total):
        new = []
        for i, row in enumerate(tier):
            if row["code"] in existing:
                continue
            region = regions[row["region"]] if row["region"] else None
            new.append(
                Organization(
                    code=row["code"],
                    name=row["name"],
                    short_name=row["name"][:100],
                    kind=row["kind"],
                    sector=row["sector"],
                    level=row["level"],
                    region=region,
                    parent_id=existing[row["parent"]] if row["parent"] else None,
                    leader_name=_person(i),
                    leader_title="书记",
                )
            )
        Organization.objects.bulk_create(new, batch_size=BATCH_SIZE)
        created += len(new)
        # Children of the next tier point at these by primary key.
        existing.update((org.code, org.pk) for org in new if org.pk is not None)
        if any(org.pk is None for org in new):  # backends that return no ids
            existing = dict(
                Organization.objects.filter(code__startswith=PREFIX).values_list("code", "pk")
            )
    return created


def _ensure_cadres(total: int) -> int:
    existing = set(Cadre.objects.filter(code__startswith=PREFIX).values_list("code", flat=True))
    wanted = [f"{PREFIX}K{i + 1:04d}" for i in range(total)]
    missing = [(i, code) for i, code in enumerate(wanted) if code not in existing]
    if not missing:
        return 0
    workplaces = list(
        Organization.objects.filter(code__startswith=PREFIX, level__in=[Level.CITY, Level.COUNTY])
        .order_by("code")
        .values_list("pk", flat=True)
    )
    specialties = [Specialty.objects.get_or_create(name=name)[0] for name in SPECIALTIES]
    cadres = []
    for i, code in missing:
        position, rank = POSITIONS[i % len(POSITIONS)]
        cadres.append(
            Cadre(
                code=code,
                name=_person(i + 3),
                gender="MF"[i % 2],
                organization_id=workplaces[i % len(workplaces)],
                position=position,
                rank=rank,
                in_leader_pool=rank == Cadre.Rank.DEPARTMENT and i % 3 == 0,
                in_talent_pool=True,
            )
        )
    Cadre.objects.bulk_create(cadres, batch_size=BATCH_SIZE)
    ids = dict(Cadre.objects.filter(code__in=[c.code for c in cadres]).values_list("code", "pk"))
    through = Cadre.specialties.through
    links = []
    for i, code in missing:
        for specialty in {specialties[i % 6], specialties[(i * 5 + 1) % 6]}:
            links.append(through(cadre_id=ids[code], specialty_id=specialty.pk))
    through.objects.bulk_create(links, batch_size=BATCH_SIZE, ignore_conflicts=True)
    return len(cadres)


def _city_office() -> Office:
    office = Office.objects.filter(level=Office.Level.CITY).first()
    return office or Office.objects.create(name="市委巡察办", level=Office.Level.CITY)


def _bench_user(username: str, full_name: str, role: Role, groups: dict, **links) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"full_name": full_name, "password": make_password(None), **links},
    )
    if not created and any(getattr(user, field) != value for field, value in links.items()):
        for field, value in links.items():
            setattr(user, field, value)
        user.save(update_fields=list(links))
    user.groups.add(groups[role])
    return user


@bench_dataset("orgs")
def build_orgs(context: BenchContext) -> OrgsData:
    started = time.perf_counter()
    regions = _ensure_regions()
    total = context.scale.count(CITY_ORGANIZATIONS)
    created_orgs = _ensure_organizations(total, regions)
    created_cadres = _ensure_cadres(context.scale.count(CITY_CADRES))
    if created_orgs or created_cadres:
        analyze(Organization, Cadre, Cadre.specialties.through)
    groups = ensure_role_groups()
    first_unit = Organization.objects.get(code=f"{PREFIX}C0001")
    data = OrgsData(
        office_user=_bench_user(
            "bench_office", "基准测试·巡察办", Role.OFFICE, groups, office=_city_office()
        ),
        auditor_user=_bench_user("bench_auditor", "基准测试·审计员", Role.AUDITOR, groups),
        unit_user=_bench_user(
            "bench_unit", "基准测试·联络人", Role.UNIT_CONTACT, groups, organization=first_unit
        ),
        region=regions[f"{PREFIX}R01"],
        organization_count=Organization.objects.filter(code__startswith=PREFIX).count(),
    )
    context.log(
        f"orgs: {data.organization_count} organizations ({created_orgs} new), "
        f"{created_cadres} new cadres in {time.perf_counter() - started:.1f} s"
    )
    return data


@bench_dataset("audit", needs=["orgs"])
def build_audit(context: BenchContext) -> AuditData:
    """Sample entries, appended one by one through log_action like real ones."""
    orgs: OrgsData = context.data["orgs"]
    missing = (
        context.scale.count(CITY_AUDIT_ENTRIES)
        - AuditEntry.objects.filter(action=SAMPLE_ACTION).count()
    )
    if missing > 0:
        started = time.perf_counter()
        subjects = list(Organization.objects.filter(code__startswith=PREFIX).order_by("code")[:500])
        for i in range(missing):
            org = subjects[i % len(subjects)]
            log_action(
                orgs.office_user,
                SAMPLE_ACTION,
                org,
                {"code": org.code, "name": org.name, "changed": ["leader_name", "leader_title"]},
            )
        elapsed = time.perf_counter() - started
        context.log(
            f"audit: {missing} entries appended in {elapsed:.1f} s "
            f"({elapsed * 1000 / missing:.2f} ms each)"
        )
    return AuditData(entry_count=AuditEntry.objects.count())
