"""Where a party is registered: from its name, and from its taxpayer ID.

A taxpayer ID carries the administrative division (GB/T 2260) of the office that issued it:
characters 3-8 of a credit code (GB 32100-2015), the first six digits of an older 15-digit
ID. A company's name carries a division too: the law on enterprise names puts the
registering authority's division first ("四川…有限公司", "杭州…"), in brackets after the
trade name ("…科技（上海）有限公司"), or, for a branch, before 分公司/分行 ("…有限公司绵阳
分公司"). When both are there and name different provinces, one of the two values is misread
or belongs to the other party: a check that needs no second copy of either value.

Only the province is compared: the city level would need every county. A credit code is kept
for life, so a company that moved to another province and renamed itself after it is flagged
(rarely: a person confirms it). The tables below are the 31 provinces of the
mainland and their prefecture-level divisions (GB/T 2260, 2023), by short name.
"""

from __future__ import annotations

import re

from reimburse.ocr.fapiao.uscc import is_id_card_number, is_valid_uscc

PROVINCES: dict[str, str] = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古",
    "21": "辽宁", "22": "吉林", "23": "黑龙江",
    "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西", "37": "山东",
    "41": "河南", "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南",
    "50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏",
    "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏", "65": "新疆",
}  # fmt: skip

_CITIES: dict[str, str] = {
    "13": "石家庄 唐山 秦皇岛 邯郸 邢台 保定 张家口 承德 沧州 廊坊 衡水",
    "14": "太原 大同 阳泉 长治 晋城 朔州 晋中 运城 忻州 临汾 吕梁",
    "15": "呼和浩特 包头 乌海 赤峰 通辽 鄂尔多斯 呼伦贝尔 巴彦淖尔 乌兰察布 兴安盟 锡林郭勒 阿拉善",
    "21": "沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口 阜新 辽阳 盘锦 铁岭 葫芦岛",
    "22": "长春 四平 辽源 通化 白山 松原 白城 延边",
    "23": "哈尔滨 齐齐哈尔 鸡西 鹤岗 双鸭山 大庆 伊春 佳木斯 七台河 牡丹江 黑河 绥化 大兴安岭",
    "32": "南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁",
    "33": "杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水",
    "34": "合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 六安 亳州 池州 宣城",
    "35": "福州 厦门 莆田 三明 泉州 漳州 南平 龙岩 宁德",
    "36": "南昌 景德镇 萍乡 九江 新余 鹰潭 赣州 吉安 宜春 抚州 上饶",
    "37": "济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城 滨州 菏泽",
    "41": "郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 周口 驻马店 济源",
    "42": "武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州 恩施 仙桃 潜江 天门",
    "43": "长沙 株洲 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底 湘西",
    "44": "广州 韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆 惠州"
    " 梅州 汕尾 河源 阳江 清远 东莞 中山 潮州 揭阳 云浮",
    "45": "南宁 柳州 桂林 梧州 北海 防城港 钦州 贵港 玉林 百色 贺州 河池 来宾 崇左",
    "46": "海口 三亚 三沙 儋州",
    "51": "成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山"
    " 南充 眉山 宜宾 广安 达州 雅安 巴中 资阳 阿坝 甘孜 凉山",
    "52": "贵阳 六盘水 遵义 安顺 毕节 铜仁 黔西南 黔东南 黔南",
    "53": "昆明 曲靖 玉溪 保山 昭通 丽江 普洱 临沧 楚雄 红河 文山 西双版纳 大理 德宏 怒江 迪庆",
    "54": "拉萨 日喀则 昌都 林芝 那曲",
    "61": "西安 铜川 宝鸡 咸阳 渭南 延安 汉中 榆林 商洛",
    "62": "兰州 嘉峪关 金昌 天水 武威 张掖 平凉 酒泉 庆阳 定西 陇南 临夏 甘南",
    "63": "西宁 海东 海北 黄南 果洛 玉树",
    "64": "银川 石嘴山 吴忠 固原",
    "65": "乌鲁木齐 克拉玛依 吐鲁番 哈密 昌吉 博尔塔拉 巴音郭楞"
    " 阿克苏 克孜勒苏 喀什 和田 伊犁 塔城 阿勒泰 石河子",
}
# Left out on purpose: short names that are also common words or other places' names, and
# so start names that are not about a place (阿里 as in 阿里云, 安康, 白银, 中卫, 山南,
# 朝阳, a district of Beijing as well, 海南 and 海西 of Qinghai, which are also a province
# and Fujian's "west of the strait"). Such a name is compared only when it says 市.
_WORD_LIKE: dict[str, str] = {
    "阿里": "54",
    "安康": "61",
    "白银": "62",
    "中卫": "64",
    "山南": "54",
    "朝阳": "21",
}

PLACES: dict[str, str] = {
    **{city: code for code, cities in _CITIES.items() for city in cities.split()},
    **{name: code for code, name in PROVINCES.items()},
    "吉林": "22",  # both the province and a city in it
}
_PLACE = "|".join(sorted(PLACES, key=len, reverse=True))
_CITY_SAID = "|".join(sorted(_WORD_LIKE, key=len, reverse=True))
# A place as it opens a name: the province (with 省 or its autonomous region's title, or
# without), a city (with 市 or without). Not a place that goes on as a prefecture (海南州 is
# Qinghai's, not Hainan), a street or a district (北京路, 河北区 of Tianjin).
_NOT_THE_PLACE = r"(?!州|藏族|路|街|道|大道|广场|区)"
_LEADING = re.compile(
    rf"^(?:(?P<place>{_PLACE}){_NOT_THE_PLACE}(?:省|市|(?:壮族|回族|维吾尔)?自治区)?|(?P<said>{_CITY_SAID})市)"
)
_BRACKETED = re.compile(rf"[(（](?P<place>{_PLACE})(?:省|市)?[)）]")
# A branch and its own place, after its parent's name: "…有限公司绵阳分公司", "…银行成都分行".
# Not a bank's sub-branch (支行) or an office (营业部): those are named after a street or a
# district, which are often called after other cities (大连的中山路, 天津的河北区).
_BRANCH = re.compile(r"(?:分公司|分行)$")
_PARENT = re.compile(r"公司|银行|集团")
# Only companies and banks: the law on their names is strict, while a shop's name may carry
# a dish's home town (兰州拉面, 桂林米粉) wherever the shop is.
_COMPANY = re.compile(r"(?:公司|银行)$")
_ANY_PLACE = re.compile(_PLACE)
# names that begin with the country are registered by the national authority, anywhere
_NATIONAL = re.compile(r"^(?:中国|中华|全国|国家)")


def _leading_province(text: str) -> str | None:
    m = _LEADING.match(text)
    if m is None:
        return None
    if m.group("said"):
        return _WORD_LIKE[m.group("said")]
    return PLACES[m.group("place")]


def name_province(name: str) -> str | None:
    """The province code a company's name places it in, or None when it names no place it
    must be registered in (no place, the country, a shop, or a branch whose place is not
    read)."""
    text = re.sub(r"\s", "", name)
    branch = _BRANCH.search(text)
    if branch is not None:
        # a branch registers where it is; its parent's place says nothing about that
        parents = list(_PARENT.finditer(text, 0, branch.start()))
        return _leading_province(text[parents[-1].end() : branch.start()]) if parents else None
    if not _COMPANY.search(text):
        return None
    bracketed = _BRACKETED.search(text)
    if bracketed is not None:
        return PLACES[bracketed.group("place")]
    if _NATIONAL.match(text):
        return None
    return _leading_province(text)


def mentions_province(name: str, province: str) -> bool:
    """Whether any place in ``name`` lies in ``province``: a subsidiary named after its
    parent's brand and then its own place (青岛啤酒西安…有限公司) is registered at the second."""
    return any(PLACES[m.group()] == province for m in _ANY_PLACE.finditer(re.sub(r"\s", "", name)))


def tax_id_province(tax_id: str) -> str | None:
    """The province code of the office that issued a taxpayer ID: a credit code's
    characters 3-4, an older 15-digit ID's first two digits. None for other shapes (a
    person's ID card number says where they were born, not where a business is)."""
    code = tax_id.strip().upper()
    if is_valid_uscc(code) and not is_id_card_number(code):
        province = code[2:4]
    elif len(code) == 15 and code[:6].isdigit():
        province = code[:2]
    else:
        return None
    return province if province in PROVINCES else None
