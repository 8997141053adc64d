"""Cleaning cells before comparison: ID-card numbers (GB 11643), names, dates, amounts."""

import datetime
from decimal import Decimal

import pytest

from crosscheck import normalize
from crosscheck.normalize import BadIdNumber
from tests.crosscheck_fixtures import full_width, idn, wrong_check

# A published example number (GB 11643's own).
EXAMPLE = "11010519491231002X"


def test_the_standards_example_number_is_valid():
    assert normalize.id_number(EXAMPLE) == EXAMPLE
    assert normalize.check_digit(EXAMPLE[:17]) == "X"


def test_a_lower_case_x_and_spaces_are_accepted():
    assert normalize.id_number(" 110105 19491231 002x ") == EXAMPLE


def test_full_width_digits_are_the_same_number():
    assert normalize.id_number(full_width(EXAMPLE)) == EXAMPLE


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (wrong_check(EXAMPLE), "校验码错误"),
        ("1101051949123100", "位数不对"),
        ("11010519491231002Y", "含有非数字字符"),
        ("110105194913310021", "出生日期无效"),
        ("110105" + "21990101" + "0011", "出生日期无效"),
    ],
)
def test_bad_numbers_are_refused_with_a_reason(value, reason):
    with pytest.raises(BadIdNumber, match=reason):
        normalize.id_number(value)


def test_a_number_stored_as_a_spreadsheet_float_is_refused():
    with pytest.raises(BadIdNumber, match="文本格式"):
        normalize.id_number(1.1010519491231e17)


def test_a_15_digit_number_becomes_its_18_digit_form():
    eighteen = idn("19600303", "105")
    fifteen = eighteen[:6] + eighteen[8:17]
    assert normalize.id_number(fifteen) == eighteen


def test_a_15_digit_number_with_an_impossible_date_is_refused():
    with pytest.raises(BadIdNumber):
        normalize.id_number("110105601332001")


def test_masking_keeps_the_first_six_and_the_last_four():
    assert normalize.mask_id(EXAMPLE) == "110105********002X"


def test_the_key_is_a_keyed_hash_not_the_number(settings):
    key = normalize.id_key(EXAMPLE)
    assert EXAMPLE not in key and len(key) == 32
    settings.CROSSCHECK_ID_KEY = "another-key-entirely-0123456789abcdef"
    assert normalize.id_key(EXAMPLE) != key


def test_birth_date_comes_from_the_number():
    assert normalize.birth_from_id(EXAMPLE) == datetime.date(1949, 12, 31)


def test_names_lose_spaces_and_full_width_forms():
    assert normalize.person_name("张　三 ") == "张三"
    assert normalize.person_name("ｔｏｍ") == "TOM"
    assert normalize.enterprise_name("乙科技（杭州）有限公司") == "乙科技(杭州)有限公司"


@pytest.mark.parametrize(
    "value", ["2023-03-05", "2023/3/5", "20230305", "2023年3月5日", "2023-03-05 00:00:00"]
)
def test_dates_in_the_usual_spellings(value):
    assert normalize.date(value) == datetime.date(2023, 3, 5)


def test_amounts_with_separators_and_currency():
    assert normalize.amount("¥1,234.5元") == Decimal("1234.50")
    with pytest.raises(ValueError, match="金额"):
        normalize.amount("一千")


def test_credit_codes_are_normalised_or_dropped():
    assert normalize.credit_code("９１３３０１００ma2aaaaa1x") == "91330100MA2AAAAA1X"
    assert normalize.credit_code("123") is None


def test_the_key_is_hmac_sha256_as_the_standard_library_computes_it(settings):
    import hashlib
    import hmac

    for key in ("short", "k" * 64, "a-key-longer-than-one-sha256-block-" * 3):
        settings.CROSSCHECK_ID_KEY = key
        expected = hmac.new(key.encode(), EXAMPLE.encode(), hashlib.sha256).hexdigest()[:32]
        assert normalize.id_key(EXAMPLE) == expected


def test_a_date_typed_as_a_number_is_read_as_its_digits():
    # 19900307 in an Excel number cell arrives as an int (or a float from some writers).
    assert normalize.date(19900307) == datetime.date(1990, 3, 7)
    assert normalize.date(19900307.0) == datetime.date(1990, 3, 7)
    with pytest.raises(ValueError):
        normalize.date(1990.5)
    with pytest.raises(ValueError):
        normalize.date(float("inf"))
