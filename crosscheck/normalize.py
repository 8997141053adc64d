"""Cleaning one cell of an outside list before it is compared: names,
ID-card numbers (GB 11643), enterprise names, credit codes, amounts, dates.

Every function takes what a spreadsheet cell holds (text, a number, a date)
and returns the cleaned value or None; the ID-card check says why a number
is refused, in Chinese, for the row report.
"""

import datetime
import functools
import hashlib
import operator
import re
import time
import unicodedata
from decimal import Decimal, InvalidOperation

from django.conf import settings

_AMOUNT_LIMIT = Decimal("1e14")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
_ID_SHAPE_18 = re.compile(r"^\d{17}[\dX]$")
_ID_SHAPE_15 = re.compile(r"^\d{15}$")
_CREDIT_CODE = re.compile(r"^[0-9A-Z]{18}$")
_DATE_PARTS = re.compile(r"^(\d{4})\D?(\d{1,2})\D?(\d{1,2})\D?$")


class BadIdNumber(ValueError):
    """An ID-card number that is not one: the message says why, in Chinese."""


def text(value) -> str:
    """Full-width forms to half-width (ＡＢＣ１２３ → ABC123, （ → (), every kind of
    space removed: the form in which two lists are compared."""
    if value is None:
        return ""
    value = str(value)
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    # str.split() without an argument splits on every Unicode space (U+3000 too).
    return "".join(value.split())


def person_name(value) -> str:
    # "张 三", "张　三" and "張三" typed with a full-width space are the same
    # person; a Latin name is compared in capitals. The middle dot of minority
    # names comes in several code points: one of them.
    cleaned = text(value).upper()
    return cleaned.replace("•", "·").replace("・", "·").replace("‧", "·")[:100]


def enterprise_name(value) -> str:
    return text(value).upper()[:200]


def credit_code(value) -> str | None:
    """A unified social credit code (18 characters), or None when absent or malformed."""
    cleaned = text(value).upper()
    return cleaned if _CREDIT_CODE.match(cleaned) else None


_DIGIT_ZERO_WEIGHT = ord("0") * sum(ID_WEIGHTS)


def check_digit(first17: str) -> str:
    # Bytes iterate as code points: the weighted sum of the digits without int() per digit.
    total = sum(map(operator.mul, first17.encode("ascii"), ID_WEIGHTS)) - _DIGIT_ZERO_WEIGHT
    return ID_CHECK_CHARS[total % 11]


@functools.lru_cache(maxsize=2)
def _today_digits(hour: int) -> str:
    return f"{datetime.date.today():%Y%m%d}"


def _birth(digits: str) -> datetime.date:
    # Compared as digits (YYYYMMDD sorts as the date does): no date.today() per number.
    if not "18800101" <= digits <= _today_digits(int(time.time()) // 3600):
        raise BadIdNumber("出生日期无效")
    try:
        return datetime.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise BadIdNumber("出生日期无效") from None


def id_number(value) -> str:
    """The 18-digit number, validated; a 15-digit (first-generation) number
    converted to 18 (century 19 inserted, check digit computed). Raises
    BadIdNumber saying why."""
    return id_number_and_birth(value)[0]


def id_number_and_birth(value) -> tuple[str, datetime.date]:
    """id_number, with the birth date it carries (validated on the way)."""
    cleaned = text(value).upper()
    if isinstance(value, float):
        raise BadIdNumber("存成了数字（末尾几位可能已丢失），请将该列设为文本格式")
    if _ID_SHAPE_15.match(cleaned):
        first17 = cleaned[:6] + "19" + cleaned[6:]
        born = _birth(first17[6:14])
        return first17 + check_digit(first17), born
    if len(cleaned) != 18:
        raise BadIdNumber(f"位数不对（{len(cleaned)} 位）")
    if not _ID_SHAPE_18.match(cleaned):
        raise BadIdNumber("含有非数字字符")
    born = _birth(cleaned[6:14])
    if check_digit(cleaned[:17]) != cleaned[17]:
        raise BadIdNumber("校验码错误")
    return cleaned, born


def birth_from_id(number: str) -> datetime.date:
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def mask_id(number: str) -> str:
    """What a page shows: the first 6 and the last 4 characters."""
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def id_key(number: str) -> str:
    """The keyed hash an ID number is matched by (the number itself is not
    kept): HMAC-SHA256 under CROSSCHECK_ID_KEY, 128 bits in hex."""
    inner, outer = _hmac_states(settings.CROSSCHECK_ID_KEY)
    inner, outer = inner.copy(), outer.copy()
    inner.update(number.encode())
    outer.update(inner.digest())
    return outer.hexdigest()[:32]


@functools.lru_cache(maxsize=4)
def _hmac_states(key: str):
    """HMAC (RFC 2104) with the key's two padded blocks hashed once: a million
    numbers cost a million short hashes, not a million key set-ups."""
    raw = key.encode()
    if len(raw) > _BLOCK:
        raw = hashlib.sha256(raw).digest()
    raw = raw.ljust(_BLOCK, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in raw))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in raw))
    return inner, outer


_BLOCK = 64  # SHA-256's block size


def name_birth_key(name: str, born: datetime.date | None) -> str | None:
    """The second person key, hashed as the ID number is: name and birth date
    in clear would give back the digits a masked ID hides. Joins compare it
    for equality only, so the hash matches exactly when the pair does."""
    if not name or born is None:
        return None
    return id_key(name + "|" + born.isoformat())


def amount(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(str(value)).quantize(Decimal("0.01"))
    cleaned = text(value).replace(",", "").replace("¥", "").replace("￥", "").removesuffix("元")
    if not cleaned:
        return None
    try:
        result = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("金额格式无效") from None
    if not result.is_finite():  # "NaN" and "Infinity" parse as decimals
        raise ValueError("金额格式无效")
    if abs(result) >= _AMOUNT_LIMIT:
        raise ValueError("金额过大")
    # Cents are the column's; rounding here would only cost time.
    return result


def date(value) -> datetime.date | None:
    """2024-03-05, 2024/3/5, 20240305, 2024年3月5日, or a spreadsheet date."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # 19900307 typed into a number cell.
        if isinstance(value, float) and not value.is_integer():
            raise ValueError("日期格式无效")
        value = str(int(value))
    value = str(value)
    if len(value) == 10 and value[4] == "-":
        try:
            return datetime.date.fromisoformat(value)  # the common spelling, at C speed
        except ValueError:
            pass
    words = unicodedata.normalize("NFKC", str(value)).split()
    match = _DATE_PARTS.match(words[0].split("T")[0]) if words else None
    if not match:
        raise ValueError("日期格式无效")
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValueError("日期无效") from None
