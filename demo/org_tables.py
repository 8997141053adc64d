"""The organizations of the demo city, as data.

The kind of a Party organization is in its name (…党组, …党委, …党工委,
…党总支, …党支部), so the tables give names and the code reads the kind off them.
"""

from typing import NamedTuple

from xuncha.orgs.models import Department, Organization

Sector = Organization.Sector


class CityOrg(NamedTuple):
    code: str
    name: str
    leader_title: str
    parent: str | None = None  # code of the supervising organization


# 市直: level city, no region.
CITY_ORGS: dict[str, list[CityOrg]] = {
    Sector.GOVERNMENT: [
        CityOrg("C001", "市发展和改革委员会党组", "党组书记、主任"),
        CityOrg("C002", "市教育局党组", "党组书记、局长"),
        CityOrg("C003", "市科学技术局党组", "党组书记、局长"),
        CityOrg("C004", "市工业和信息化局党组", "党组书记、局长"),
        CityOrg("C005", "市民政局党组", "党组书记、局长"),
        CityOrg("C006", "市财政局党组", "党组书记、局长"),
        CityOrg("C007", "市人力资源和社会保障局党组", "党组书记、局长"),
        CityOrg("C008", "市自然资源和规划局党组", "党组书记、局长"),
        CityOrg("C009", "市生态环境局党组", "党组书记、局长"),
        CityOrg("C010", "市住房和城乡建设局党组", "党组书记、局长"),
        CityOrg("C011", "市交通运输局党组", "党组书记、局长"),
        CityOrg("C012", "市水利局党组", "党组书记、局长"),
        CityOrg("C013", "市农业农村局党组", "党组书记、局长"),
        CityOrg("C014", "市商务局党组", "党组书记、局长"),
        CityOrg("C015", "市文化和旅游局党组", "党组书记、局长"),
        CityOrg("C016", "市卫生健康委员会党组", "党组书记、主任"),
        CityOrg("C017", "市应急管理局党组", "党组书记、局长"),
        CityOrg("C018", "市审计局党组", "党组书记、局长"),
        CityOrg("C019", "市市场监督管理局党组", "党组书记、局长"),
        CityOrg("C020", "市医疗保障局党组", "党组书记、局长"),
        CityOrg("C021", "市统计局党组", "党组书记、局长"),
        CityOrg("C022", "市城市管理局党组", "党组书记、局长"),
        CityOrg("C023", "市退役军人事务局党组", "党组书记、局长"),
        CityOrg("C024", "市国有资产监督管理委员会党委", "党委书记、主任"),
        CityOrg("C025", "市高新技术产业开发区党工委", "党工委书记"),
    ],
    Sector.POLITICAL_LEGAL: [
        CityOrg("C026", "市中级人民法院党组", "党组书记、院长"),
        CityOrg("C027", "市人民检察院党组", "党组书记、检察长"),
        CityOrg("C028", "市公安局党委", "党委书记、局长"),
        CityOrg("C029", "市司法局党组", "党组书记、局长"),
    ],
    Sector.INSTITUTION: [
        CityOrg("C030", "市第一人民医院党委", "党委书记", parent="C016"),
        CityOrg("C031", "市中心医院党委", "党委书记", parent="C016"),
        CityOrg("C032", "市疾病预防控制中心党委", "党委书记、主任", parent="C016"),
        CityOrg("C033", "市住房公积金管理中心党委", "党委书记、主任"),
        CityOrg("C034", "市广播电视台党委", "党委书记、台长"),
        CityOrg("C035", "市第一中学党委", "党委书记、校长", parent="C002"),
        CityOrg("C036", "市公共资源交易中心党总支", "党总支书记、主任"),
    ],
    Sector.STATE_ENTERPRISE: [
        CityOrg("C037", "市城市建设投资集团有限公司党委", "党委书记、董事长", parent="C024"),
        CityOrg("C038", "市交通投资集团有限公司党委", "党委书记、董事长", parent="C024"),
        CityOrg("C039", "市水务集团有限公司党委", "党委书记、董事长", parent="C024"),
        CityOrg("C040", "市文化旅游发展集团有限公司党委", "党委书记、董事长", parent="C024"),
        CityOrg("C041", "市金融控股集团有限公司党委", "党委书记、董事长", parent="C024"),
    ],
    Sector.UNIVERSITY: [
        CityOrg("C042", "市职业技术学院党委", "党委书记"),
        CityOrg("C043", "市开放大学党委", "党委书记"),
    ],
    Sector.OTHER: [
        CityOrg("C044", "市总工会党组", "党组书记、常务副主席"),
        CityOrg("C045", "市妇女联合会党组", "党组书记、主席"),
        CityOrg("C046", "市文学艺术界联合会党组", "党组书记、副主席"),
        CityOrg("C047", "市科学技术协会党组", "党组书记、常务副主席"),
        CityOrg("C048", "市工商业联合会党组", "党组书记、常务副主席"),
        CityOrg("C049", "市机关事务服务中心党支部", "党支部书记"),
    ],
}


class CountyBody(NamedTuple):
    suffix: str  # the code is "<region key>-<suffix>"
    name: str  # after the region's name
    sector: str
    leader_title: str


# 区县（市）直: level county, one of each in every region.
COUNTY_BODIES = [
    CountyBody("D01", "财政局党组", Sector.GOVERNMENT, "党组书记、局长"),
    CountyBody("D02", "教育和体育局党组", Sector.GOVERNMENT, "党组书记、局长"),
    CountyBody("D03", "住房和城乡建设局党组", Sector.GOVERNMENT, "党组书记、局长"),
    CountyBody("D04", "农业农村局党组", Sector.GOVERNMENT, "党组书记、局长"),
    CountyBody("D05", "人民法院党组", Sector.POLITICAL_LEGAL, "党组书记、院长"),
    CountyBody("D06", "人民检察院党组", Sector.POLITICAL_LEGAL, "党组书记、检察长"),
    CountyBody("D07", "人民医院党委", Sector.INSTITUTION, "党委书记"),
    CountyBody("D08", "城市建设投资有限公司党委", Sector.STATE_ENTERPRISE, "党委书记、董事长"),
]

KIND_SUFFIXES = {
    "党工委": Organization.Kind.WORKING_COMMITTEE,
    "党总支": Organization.Kind.GENERAL_BRANCH,
    "党支部": Organization.Kind.BRANCH,
    "党组": Organization.Kind.LEADING_GROUP,
    "党委": Organization.Kind.COMMITTEE,
}


def kind_of(name: str) -> str:
    for suffix, kind in KIND_SUFFIXES.items():
        if name.endswith(suffix):
            return kind
    raise ValueError(f"党组织名称应以党组、党委、党工委、党总支或党支部结尾：{name}")


def unit_name(name: str) -> str:
    """The unit a Party organization belongs to: its short name."""
    for suffix in KIND_SUFFIXES:
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


class DepartmentRow(NamedTuple):
    code: str
    name: str
    kind: str
    region: str | None = None  # a district's department: the region's name


DEPARTMENTS = [
    DepartmentRow("JW", "市纪委监委", Department.Kind.DISCIPLINE),
    DepartmentRow("ZZB", "市委组织部", Department.Kind.ORGANIZATION),
    DepartmentRow("CZJ", "市财政局", Department.Kind.OTHER),
    DepartmentRow("SJJ", "市审计局", Department.Kind.OTHER),
    DepartmentRow("ZJJ", "市住房和城乡建设局", Department.Kind.OTHER),
    DepartmentRow("R01-JW", "市南区纪委监委", Department.Kind.DISCIPLINE, region="市南区"),
]
