"""Chinese personal names, drawn deterministically from a seeded generator."""

import random
from typing import NamedTuple

# The hundred commonest surnames, roughly in order of frequency.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
MALE_GIVEN = (
    "建国军伟强磊涛勇峰斌波辉刚鹏杰明华平东海林志文宏永春晓晨宇浩俊超亮健德庆振兴立成新学金凯"
)
FEMALE_GIVEN = "丽娟敏静芳艳燕玲霞婷慧红梅琳洁雪莉萍英华倩颖琴云凤欣悦佳怡璐月晶秀兰"
SINGLE_CHARACTER_SHARE = 0.3


class Person(NamedTuple):
    name: str
    gender: str  # "M" or "F", as Cadre.gender


class NameMaker:
    """Never gives the same name twice, nor one of the reserved names."""

    def __init__(self, rng: random.Random, *, reserved: tuple[str, ...] = ()) -> None:
        self.rng = rng
        self.used = set(reserved)

    def person(self, *, gender: str | None = None, surname: str | None = None) -> Person:
        gender = gender or self.rng.choice("MF")
        given_characters = MALE_GIVEN if gender == "M" else FEMALE_GIVEN
        while True:
            length = 1 if self.rng.random() < SINGLE_CHARACTER_SHARE else 2
            given = "".join(self.rng.choice(given_characters) for _ in range(length))
            name = (surname or self.rng.choice(SURNAMES)) + given
            if name not in self.used:
                self.used.add(name)
                return Person(name, gender)

    def name(self) -> str:
        return self.person().name
