"""The demo cadre pool (干部库), as data.

Relatives, past posts and declared conflicts are chosen so that recusal
(回避) has something to find: a spouse at a unit the demo's unit contact
belongs to, a former township Party secretary, a father who sits on a village
committee, a conflict declared with a state enterprise.
"""

from typing import NamedTuple

from xuncha.orgs.models import Cadre, CadreRelation

SPECIALTIES = ["党务", "财务", "审计", "法律", "工程", "农村工作"]

Rank = Cadre.Rank
Relation = CadreRelation.Relation


class CadreRow(NamedTuple):
    code: str
    home: str  # organization code
    position: str
    specialties: str  # names from SPECIALTIES, separated by spaces
    rank: str = Rank.SECTION


# 组长库: 处级, leading a team.
LEADER_POOL = [
    CadreRow("GB0001", "C011", "党组成员、副局长", "党务 工程", Rank.DEPARTMENT),
    CadreRow("GB0002", "C013", "二级巡视员", "农村工作 党务", Rank.DEPARTMENT),
    CadreRow("GB0003", "C006", "党组成员、副局长", "财务", Rank.DEPARTMENT),
    CadreRow("GB0004", "C018", "一级调研员", "审计 财务", Rank.DEPARTMENT),
    CadreRow("GB0005", "C029", "二级调研员", "法律", Rank.DEPARTMENT),
    CadreRow("GB0006", "C010", "总工程师", "工程", Rank.DEPARTMENT),
    CadreRow("GB0007", "C002", "二级巡视员", "党务", Rank.DEPARTMENT),
    CadreRow("GB0008", "C016", "党组成员、副主任", "党务", Rank.DEPARTMENT),
    CadreRow("GB0009", "C003", "一级调研员", "党务", Rank.DEPARTMENT),
    CadreRow("GB0010", "C024", "党委委员、副主任", "财务 审计", Rank.DEPARTMENT),
    CadreRow("GB0011", "C026", "审判委员会专职委员", "法律", Rank.DEPARTMENT),
    CadreRow("GB0012", "C027", "检察委员会专职委员", "法律", Rank.DEPARTMENT),
    CadreRow("GB0013", "C005", "二级调研员", "党务 农村工作", Rank.DEPARTMENT),
    CadreRow("GB0014", "C021", "党组成员、副局长", "财务", Rank.DEPARTMENT),
    CadreRow("GB0015", "C008", "二级巡视员", "工程 法律", Rank.DEPARTMENT),
    CadreRow("GB0016", "C023", "一级调研员", "党务", Rank.DEPARTMENT),
]

# 人才库: members, by their specialty.
TALENT_POOL = [
    CadreRow("GB0017", "C018", "财政审计科科长", "审计 财务"),
    CadreRow("GB0018", "C006", "预算科科长", "财务"),
    CadreRow("GB0019", "C006", "会计科副科长", "财务"),
    CadreRow("GB0020", "C029", "法治督察科科长", "法律"),
    CadreRow("GB0021", "C019", "综合执法支队副支队长", "法律"),
    CadreRow("GB0022", "C010", "建筑市场监管科科长", "工程"),
    CadreRow("GB0023", "C011", "建设管理科科长", "工程"),
    CadreRow("GB0024", "C013", "乡村振兴科科长", "农村工作"),
    CadreRow("GB0025", "C013", "农村合作经济指导科科长", "农村工作 财务"),
    CadreRow("GB0026", "C005", "社会救助科科长", "农村工作"),
    CadreRow("GB0027", "C002", "机关党委专职副书记", "党务"),
    CadreRow("GB0028", "C016", "人事科科长", "党务"),
    CadreRow("GB0029", "C007", "社会保险基金监督科科长", "财务 审计"),
    CadreRow("GB0030", "C020", "基金监管科科长", "财务 审计"),
    CadreRow("GB0031", "C014", "财务审计科科长", "财务 审计"),
    CadreRow("GB0032", "C012", "工程建设管理科科长", "工程"),
    CadreRow("GB0033", "C009", "法规科科长", "法律"),
    CadreRow("GB0034", "C017", "安全生产监督管理科科长", "法律 工程"),
    CadreRow("GB0035", "C026", "审判管理办公室副主任", "法律"),
    CadreRow("GB0036", "C027", "第四检察部副主任", "法律"),
    CadreRow("GB0037", "C028", "经济犯罪侦查支队大队长", "法律 财务"),
    CadreRow("GB0038", "C004", "机关党委办公室主任", "党务"),
    CadreRow("GB0039", "C015", "计划财务科科长", "财务"),
    CadreRow("GB0040", "C022", "市政设施管理科科长", "工程"),
    CadreRow("GB0041", "C008", "执法监察支队副支队长", "法律 工程"),
    CadreRow("GB0042", "C003", "资源配置与管理科科长", "财务"),
    CadreRow("GB0043", "C021", "执法监督科科长", "审计"),
    CadreRow("GB0044", "C001", "投资科科长", "财务 工程"),
    CadreRow("GB0045", "C001", "机关党委专职副书记", "党务"),
    CadreRow("GB0046", "C024", "产权管理科科长", "财务 审计"),
    CadreRow("GB0047", "C025", "财政金融局副局长", "财务"),
    CadreRow("GB0048", "C044", "经费审查办公室主任", "审计"),
    CadreRow("GB0049", "C045", "组织联络部部长", "党务"),
    CadreRow("GB0050", "C037", "财务部经理", "财务", Rank.OTHER),
    CadreRow("GB0051", "C037", "工程管理部部长", "工程", Rank.OTHER),
    CadreRow("GB0052", "C038", "审计部部长", "审计", Rank.OTHER),
    CadreRow("GB0053", "C039", "纪检监察室主任", "党务 法律", Rank.OTHER),
    CadreRow("GB0054", "C042", "审计处科长", "审计"),
    CadreRow("GB0055", "C042", "组织部副部长", "党务"),
    CadreRow("GB0056", "C043", "财务处科长", "财务"),
    CadreRow("GB0057", "C030", "审计科科长", "审计 财务"),
    CadreRow("GB0058", "C032", "党委办公室主任", "党务"),
    CadreRow("GB0059", "C034", "财务科科长", "财务"),
    CadreRow("GB0060", "C036", "交易管理科科长", "工程 法律"),
    CadreRow("GB0061", "C018", "经济责任审计科副科长", "审计"),
    CadreRow("GB0062", "C018", "固定资产投资审计科科长", "审计 工程"),
    CadreRow("GB0063", "C013", "农田建设管理科科长", "农村工作 工程"),
    CadreRow("GB0064", "C007", "一级主任科员", "党务"),
]


class RelativeRow(NamedTuple):
    cadre: str
    relation: str
    organization: str | None  # code, when the relative works at a demo organization
    workplace: str  # otherwise, where
    position: str


RELATIVES = [
    RelativeRow("GB0001", Relation.SPOUSE, "C030", "", "护理部主任"),
    RelativeRow("GB0002", Relation.SPOUSE, "C019", "", "信用监督管理科科长"),
    RelativeRow("GB0005", Relation.CHILD, "R06-T02", "", "党政办科员"),
    RelativeRow("GB0008", Relation.SIBLING, "C037", "", "财务部副经理"),
    RelativeRow("GB0012", Relation.CHILD, None, "省城某律师事务所", "律师"),
    RelativeRow("GB0017", Relation.PARENT, "R06-T01-V01", "", "村委会委员"),
    RelativeRow("GB0019", Relation.SPOUSE, "C010", "", "办公室副主任"),
    RelativeRow("GB0030", Relation.SPOUSE, None, "市第二实验小学", "教师"),
    RelativeRow("GB0040", Relation.IN_LAW, "C010", "", "二级调研员"),
    RelativeRow("GB0044", Relation.SPOUSE, "R01-D03", "", "科员"),
    RelativeRow("GB0051", Relation.SIBLING, "R09-T04", "", "副镇长"),
]


class PastPostRow(NamedTuple):
    cadre: str
    organization: str | None
    workplace: str
    position: str
    start: str  # ISO dates
    end: str


WORK_HISTORY = [
    PastPostRow("GB0001", "C010", "", "建设管理科科长", "2012-03-01", "2016-08-31"),
    PastPostRow("GB0001", "C022", "", "副局长", "2016-09-01", "2021-05-31"),
    PastPostRow("GB0002", "R06-T03", "", "党委书记", "2015-06-01", "2020-12-31"),
    PastPostRow("GB0004", "C006", "", "国库科科长", "2010-07-01", "2015-05-31"),
    PastPostRow("GB0010", "C038", "", "财务总监", "2016-04-01", "2020-10-31"),
    PastPostRow("GB0013", "R08-T02", "", "镇长", "2014-01-01", "2018-12-31"),
    PastPostRow("GB0017", "R06-T01", "", "党政办科员", "2012-09-01", "2017-06-30"),
    PastPostRow("GB0022", None, "省建筑设计研究院", "结构工程师", "2008-07-01", "2013-04-30"),
    PastPostRow("GB0057", "C031", "", "财务科副科长", "2014-03-01", "2019-02-28"),
]


class ConflictRow(NamedTuple):
    cadre: str
    organization: str
    reason: str


CONFLICTS = [
    ConflictRow("GB0003", "C040", "近三年作为财政评审专家参与该集团重大投资项目评审"),
    ConflictRow("GB0025", "R07-T03", "本人籍贯为该乡，近亲属多人在当地村任职"),
    ConflictRow("GB0046", "C039", "与该集团主要负责人系大学同学，交往较密切"),
]
