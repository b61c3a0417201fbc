"""Word lists for synthetic invoices: made-up company names, places, goods and people.

Every name is assembled at random from common words, so it names no real business or
person (a chance collision with a real name is possible, as with any two-character 字号,
but nothing here was taken from a real invoice).
"""

from __future__ import annotations

# (province name, city name, 6-digit administrative division prefix of the city, 2-digit
# province code). Division codes are public (GB/T 2260); only the city level is used.
CITIES: tuple[tuple[str, str, str, str], ...] = (
    ("北京", "北京市", "1101", "11"),
    ("上海", "上海市", "3101", "31"),
    ("天津", "天津市", "1201", "12"),
    ("重庆", "重庆市", "5001", "50"),
    ("广东", "广州市", "4401", "44"),
    ("深圳", "深圳市", "4403", "44"),
    ("浙江", "杭州市", "3301", "33"),
    ("江苏", "苏州市", "3205", "32"),
    ("江苏", "南京市", "3201", "32"),
    ("四川", "成都市", "5101", "51"),
    ("湖北", "武汉市", "4201", "42"),
    ("青岛", "青岛市", "3702", "37"),
    ("陕西", "西安市", "6101", "61"),
    ("湖南", "长沙市", "4301", "43"),
    ("福建", "福州市", "3501", "35"),
    ("山东", "济南市", "3701", "37"),
)

# Cities with their own tax bureau print their name in the title instead of the province.
SEPARATE_PLAN_CITIES = frozenset({"4403", "3702", "3302", "3502", "2102"})

# Generic district names that many cities have, so that no city gets another's district.
DISTRICTS = ("高新区", "经济技术开发区", "工业园区", "新城区", "科技园区", "临港新区", "中心城区", "软件园")
ROADS = ("建设路", "人民路", "解放路", "中山路", "科技路", "长江路", "和平路", "文化路", "创新大道", "光明街")

BRAND_CHARS = "华瑞德安博嘉鑫恒泰宏远盛达信元昌和中新天海丰正诚合利通汇佳联越晨辰启明卓隆润泽腾景航宇"
INDUSTRIES = (
    "科技",
    "信息技术",
    "贸易",
    "商贸",
    "餐饮管理",
    "酒店管理",
    "物流",
    "文化传媒",
    "建筑工程",
    "电子",
    "办公设备",
    "咨询",
)
COMPANY_FORMS = ("有限公司", "有限公司", "有限责任公司", "股份有限公司")

BANKS = ("中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "交通银行", "招商银行", "兴业银行")

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高"
GIVEN_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉萍红"

# (name as printed since the 2018 tax-classification prefixes, spec, unit, rate group,
# unit price range in yuan). Rate groups: "goods" 17/16/13, "transport" 11/10/9,
# "services" 6 (catering, lodging, modern services), "simple" 3 (small-scale).
GOODS: tuple[tuple[str, str, str, str, tuple[int, int]], ...] = (
    ("*餐饮服务*餐费", "", "", "services", (50, 2000)),
    ("*住宿服务*住宿费", "", "天", "services", (180, 900)),
    ("*住宿服务*房费", "标准间", "间", "services", (200, 800)),
    ("*运输服务*客运服务费", "", "", "transport", (20, 600)),
    ("*运输服务*货物运输服务", "", "次", "transport", (100, 5000)),
    ("*信息技术服务*技术服务费", "", "项", "services", (1000, 30000)),
    ("*现代服务*会议服务费", "", "次", "services", (2000, 20000)),
    ("*物流辅助服务*收派服务费", "", "", "services", (10, 300)),
    ("*经纪代理服务*代订服务费", "", "", "services", (10, 200)),
    ("*纸制品*复印纸", "A4 70g", "箱", "goods", (80, 260)),
    ("*计算机外部设备*无线鼠标", "M220", "个", "goods", (40, 200)),
    ("*计算机外部设备*键盘", "K120", "个", "goods", (60, 400)),
    ("*文具*中性笔", "0.5mm", "盒", "goods", (10, 60)),
    ("*纸制品*笔记本", "B5", "本", "goods", (5, 40)),
    ("*电子元件*贴片电阻", "0603", "个", "goods", (1, 5)),
    ("*日用杂品*保温杯", "500ml", "个", "goods", (30, 300)),
    ("*电线电缆*网线", "CAT6 305m", "箱", "goods", (200, 900)),
    ("*印刷品*宣传册", "A4 16P", "本", "goods", (3, 20)),
)
