"""Provincial-level divisions by their GB/T 2260 code (the first two digits).

Digits 3-4 of a Ministry of Education school code (学校标识码) are this code: 4111010001 -> 11 北京市.
"""
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省",
    "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
}


def province_of_school_code(code: str) -> str | None:
    """'4111010001' -> '北京市'; None when digits 3-4 are not a province code."""
    return PROVINCES.get(code[2:4])
