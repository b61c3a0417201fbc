"""Issue 16: where a party is registered, by its name and by its taxpayer ID (fake names)."""

from __future__ import annotations

import pytest

from reimburse.ocr.fapiao.divisions import name_province, tax_id_province
from reimburse.ocr.fapiao.uscc import uscc_check_digit


def uscc(division: str, org: str = "MA1XY7Q2K") -> str:
    first17 = "91" + division + org
    return first17 + uscc_check_digit(first17)


@pytest.mark.parametrize(
    ("name", "province"),
    [
        ("四川星河示例科技有限公司", "51"),
        ("四川省星河示例科技有限公司", "51"),
        ("广西壮族自治区星河示例贸易有限公司", "45"),
        ("黑龙江星河示例物流有限公司", "23"),
        ("绵阳市星河示例科技有限公司", "51"),
        ("深圳星河示例电子有限公司", "44"),
        ("吉林星河示例商贸有限公司", "22"),
        # brackets after the trade name name the place of registration, whatever comes first
        ("星河示例科技（上海）有限公司", "31"),
        ("兰州星河示例餐饮（广州）有限公司", "44"),
        # a branch registers where it is: its own place, not its parent's
        ("四川星河示例速运有限公司绵阳分公司", "51"),
        ("北京星河示例科技有限公司成都分公司", "51"),
        ("星河示例银行股份有限公司杭州分行", "33"),
        ("宁夏回族自治区星河示例贸易有限公司", "64"),
        # a short city name that is also a word counts only with 市
        ("朝阳市星河示例有限公司", "21"),
        ("安康市星河示例有限公司", "61"),
    ],
)
def test_a_company_name_places_it_in_a_province(name: str, province: str) -> None:
    assert name_province(name) == province


@pytest.mark.parametrize(
    "name",
    [
        "星河示例科技有限公司",  # no place
        "中国星河示例集团有限公司",  # the country: registered anywhere
        "北京星河示例科技有限公司第一分公司",  # a branch whose own place is not named
        "兰州牛肉拉面馆",  # a shop: a dish's home town, not where it is
        "阿里示例云计算有限公司",  # 阿里 (a prefecture of Tibet) as a word
        "朝阳星河示例有限公司",
        # a bank's sub-branch is named after a street or district, often called after another
        # city (Dalian's 中山路, Tianjin's 河北区); a street is no place of registration
        "星河示例银行股份有限公司中山支行",
        "星河示例银行股份有限公司河北支行",
        "星河示例科技有限公司北京路分公司",
        "海南藏族自治州星河示例有限公司",  # Qinghai's 海南, not the province
        "海南州星河示例有限公司",
        "",
    ],
)
def test_a_name_that_names_no_place_of_registration_says_nothing(name: str) -> None:
    assert name_province(name) is None


def test_a_tax_id_says_which_province_issued_it() -> None:
    assert tax_id_province(uscc("510700")) == "51"
    assert tax_id_province(uscc("440300").lower()) == "44"
    assert tax_id_province("510798775802711") == "51"  # an older 15-digit ID: its division first


def test_a_tax_id_that_names_no_province_says_nothing() -> None:
    bad = uscc("510700")
    assert tax_id_province(bad[:-1] + ("0" if bad[-1] != "0" else "1")) is None  # check fails
    assert tax_id_province(uscc("100000")) is None  # the national authority
    # a person's ID card number says where they were born; this one also passes as a credit
    # code issued in Sichuan (51), and is still no business's
    assert tax_id_province("325101198506120024") is None
    assert tax_id_province("11010119900307451400") is None
    assert tax_id_province("") is None


def test_every_listed_place_opens_a_name() -> None:
    """Each province and prefecture of the table is found where a name starts with it (a
    place glued to its neighbour in the table would be found nowhere)."""
    from reimburse.ocr.fapiao.divisions import PLACES, PROVINCES

    assert len(PLACES) > 300 and all(2 <= len(place) <= 4 for place in PLACES)
    assert set(PLACES.values()) == set(PROVINCES)
    for place, code in PLACES.items():
        assert name_province(f"{place}星河示例科技有限公司") == code, place
    # written down apart from the table: one pair per line of it, and its longest names
    known = {"惠州": "44", "梅州": "44", "乐山": "51", "南充": "51", "巴音郭楞": "65", "阿克苏": "65"}
    known |= {"石家庄": "13", "齐齐哈尔": "23", "西双版纳": "53", "日喀则": "54", "嘉峪关": "62"}
    known |= {"厦门": "35", "景德镇": "36", "三门峡": "41", "张家界": "43", "防城港": "45", "儋州": "46"}
    assert {place: PLACES.get(place) for place in known} == known
