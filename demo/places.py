"""The demo city's map: its districts and counties, their townships and
streets (乡镇、街道), and the words village and community names are made of.

The city and every place in it are fictional; the names follow the patterns
of real ones so that lists and reports read like the real thing.
"""

import random
from typing import NamedTuple

from demo.names import SURNAMES
from xuncha.orgs.models import Region


class RegionRow(NamedTuple):
    key: str  # the prefix of the region's organization codes: "R01-T03-V05"
    code: str  # 区划代码: six digits like a real one, with a province prefix no real one has
    name: str
    kind: str
    townships: tuple[str, ...]


DISTRICT, COUNTY, COUNTY_CITY = Region.Kind.DISTRICT, Region.Kind.COUNTY, Region.Kind.COUNTY_CITY

REGIONS = [
    RegionRow("R01", "990102", "市南区", DISTRICT, (
        "中山路街道", "江宁路街道", "金湖街道", "望海街道", "云霄路街道",
    )),
    RegionRow("R02", "990103", "市北区", DISTRICT, (
        "北岭街道", "兴隆街道", "双山街道", "海港街道", "辽源路街道",
    )),
    RegionRow("R03", "990104", "江滨区", DISTRICT, (
        "滨江街道", "临江街道", "白沙街道", "桃源街道",
    )),
    RegionRow("R04", "990105", "湖东区", DISTRICT, (
        "湖光街道", "东湖街道", "柳岸街道", "新城街道", "荷花镇",
    )),
    RegionRow("R05", "990106", "新港区", DISTRICT, (
        "港湾街道", "海晏街道", "渔港镇", "盐场镇",
    )),
    RegionRow("R06", "990121", "东山县", COUNTY, (
        "城关镇", "东山镇", "石门乡", "龙泉镇", "桃花乡", "青龙镇",
    )),
    RegionRow("R07", "990122", "南岭县", COUNTY, (
        "南岭镇", "岭口镇", "杨家坪乡", "黄土岗镇", "三河乡",
    )),
    RegionRow("R08", "990123", "青石县", COUNTY, (
        "青石镇", "白马镇", "石桥乡", "大王庄镇", "柳树湾乡",
    )),
    RegionRow("R09", "990181", "西河市", COUNTY_CITY, (
        "河西街道", "河东街道", "新华街道", "马家店镇", "五里铺镇", "杜庄镇",
    )),
    RegionRow("R10", "990182", "平川市", COUNTY_CITY, (
        "平川街道", "永安街道", "高家集镇", "沙河镇", "王家寨镇",
    )),
]  # fmt: skip

# A street (街道) has residents' communities (社区); a town or township (镇、乡) has villages.
COMMUNITY_WORDS = [
    "和平",
    "幸福",
    "锦绣",
    "滨河",
    "朝阳",
    "翠苑",
    "金港",
    "新华",
    "长青",
    "春晖",
    "明珠",
    "星光",
    "丽景",
    "花园",
    "海韵",
    "望湖",
    "文化",
    "安居",
    "康乐",
    "东苑",
    "西苑",
    "南苑",
    "北苑",
    "兴华",
    "富民",
    "铁路",
    "前进",
    "建设",
    "工人",
    "育才",
]
VILLAGE_WORDS = [
    "前进",
    "红星",
    "东风",
    "石门",
    "柳河",
    "杏花",
    "双井",
    "大洼",
    "小河",
    "南坡",
    "北沟",
    "后营",
    "前营",
    "新庄",
    "马鞍山",
    "龙王庙",
    "三里河",
    "五里桥",
    "枣林",
    "槐树",
    "白杨",
    "桃园",
    "梨园",
    "泉水",
    "青山",
    "沙窝",
    "河口",
    "东岭",
    "西岭",
    "松林",
]
VILLAGE_PATTERNS = ("{surname}家庄", "{surname}家", "{surname}庄", "{word}", "{word}", "{word}")


def is_street(township: str) -> bool:
    return township.endswith("街道")


def village_names(rng: random.Random, *, street: bool, count: int) -> list[str]:
    """``count`` different names of the communities of a street or the villages of a township."""
    names: list[str] = []
    while len(names) < count:
        if street:
            name = rng.choice(COMMUNITY_WORDS) + "社区"
        else:
            pattern = rng.choice(VILLAGE_PATTERNS)
            name = pattern.format(surname=rng.choice(SURNAMES), word=rng.choice(VILLAGE_WORDS))
            name += "村"
        if name not in names:
            names.append(name)
    return names
