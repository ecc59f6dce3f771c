"""The demo city hall: departments, service items, lanes, windows and staff as real halls publish them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class DemoMaterial:
    """An application material."""

    name: str
    form: Literal["ORIGINAL", "COPY", "ORIGINAL_AND_COPY"]
    copies: int
    required: bool
    condition: str | None = None


@dataclass(frozen=True)
class DemoFee:
    """A fee with its legal basis."""

    name: str
    amount_yuan: str
    legal_basis: str


@dataclass(frozen=True)
class DemoItem:
    """A service item with its published elements."""

    code: str
    name: str
    department_code: str
    kind: Literal["IMMEDIATE", "PROMISED", "JOINT", "REPORTED"]
    legal_limit: int
    promised_limit: int
    day_unit: Literal["WORKING", "NATURAL"]
    visits_required: int
    citywide: bool
    legal_basis: str
    conditions: str
    result_name: str
    lane: str
    materials: tuple[DemoMaterial, ...]
    fees: tuple[DemoFee, ...] = ()
    steps: tuple[str, ...] = ("受理", "审查", "决定", "送达")


@dataclass(frozen=True)
class DemoDepartment:
    """A stationed department."""

    code: str
    name: str
    short_name: str


@dataclass(frozen=True)
class DemoLane:
    """A queue lane."""

    prefix: str
    name: str
    range_start: int
    range_end: int
    daily_cap: int
    average_service_minutes: int


@dataclass(frozen=True)
class DemoWindow:
    """A window."""

    number: str
    name: str
    kind: Literal["GENERAL", "DEDICATED"]
    lanes: tuple[str, ...]
    department_code: str | None


@dataclass(frozen=True)
class DemoUser:
    """A staff account."""

    username: str
    display_name: str
    role: Literal["ADMIN", "SUPERVISOR", "CHIEF_REP", "CLERK", "MONITOR", "HOTLINE"]
    department_code: str | None
    mobile: str


HALL_CODE = "370100"
HALL_NAME = "济南市政务服务中心"
HALL_REGION = "370100"

# Every demo account gets this password (documented in the README).
DEMO_PASSWORD = "hall-demo-2026"  # noqa: S105  (published demo password)

DEPARTMENTS: tuple[DemoDepartment, ...] = (
    DemoDepartment("GA", "济南市公安局", "公安"),
    DemoDepartment("SJ", "济南市市场监督管理局", "市场监管"),
    DemoDepartment("ZR", "济南市自然资源和规划局", "自然资源"),
    DemoDepartment("ZJ", "济南市住房和城乡建设局", "住建"),
    DemoDepartment("SW", "国家税务总局济南市税务局", "税务"),
    DemoDepartment("RS", "济南市人力资源和社会保障局", "人社"),
    DemoDepartment("YB", "济南市医疗保障局", "医保"),
    DemoDepartment("MZ", "济南市民政局", "民政"),
    DemoDepartment("BDC", "济南市不动产登记中心", "不动产"),
    DemoDepartment("WJ", "济南市卫生健康委员会", "卫健"),
    DemoDepartment("JT", "济南市交通运输局", "交通"),
)

LANES: tuple[DemoLane, ...] = (
    DemoLane("A", "商事登记", 1, 999, 500, 15),
    DemoLane("B", "不动产登记", 1, 999, 400, 20),
    DemoLane("C", "公安户政出入境", 1, 999, 600, 8),
    DemoLane("D", "社保医保", 1, 999, 500, 10),
    DemoLane("E", "税务", 1, 999, 400, 12),
    DemoLane("F", "工程建设及其他综合", 1, 999, 300, 20),
)

ID_CARD = DemoMaterial("居民身份证", "ORIGINAL", 1, True)
AGENT = DemoMaterial("授权委托书及代理人身份证", "ORIGINAL", 1, False, "委托他人代为办理的")
LICENCE = DemoMaterial("营业执照", "COPY", 1, True)
PERMIT_LAW = "《中华人民共和国行政许可法》第四十二条"

ITEMS: tuple[DemoItem, ...] = (
    # 市场监督管理局 (lane A)
    DemoItem(
        "11370100MB28570014000117001",
        "个体工商户设立登记",
        "SJ",
        "IMMEDIATE",
        15,
        0,
        "WORKING",
        1,
        True,
        "《促进个体工商户发展条例》第八条；《中华人民共和国市场主体登记管理条例》第十九条",
        "经营者为有经营能力的自然人，经营场所符合规定。",
        "营业执照",
        "A",
        (
            DemoMaterial("个体工商户登记（备案）申请书", "ORIGINAL", 1, True),
            ID_CARD,
            DemoMaterial("经营场所使用证明", "COPY", 1, True),
            AGENT,
        ),
    ),
    DemoItem(
        "11370100MB28570014000117002",
        "有限责任公司设立登记",
        "SJ",
        "PROMISED",
        15,
        1,
        "WORKING",
        1,
        True,
        "《中华人民共和国市场主体登记管理条例》第十九条",
        "股东符合法定人数，有公司章程、公司名称和住所。",
        "营业执照",
        "A",
        (
            DemoMaterial("公司登记（备案）申请书", "ORIGINAL", 1, True),
            DemoMaterial("公司章程", "ORIGINAL", 1, True),
            DemoMaterial("股东主体资格证明", "COPY", 1, True),
            DemoMaterial("住所使用证明", "COPY", 1, True),
            AGENT,
        ),
    ),
    DemoItem(
        "11370100MB28570014000117003",
        "企业开办一件事",
        "SJ",
        "JOINT",
        15,
        1,
        "WORKING",
        1,
        True,
        "《国务院办公厅关于进一步优化企业开办服务的通知》（国办发〔2020〕16号）",
        "新设立企业同时办理营业执照、公章刻制、涉税事项、社保登记和银行开户预约。",
        "营业执照、印章、发票及税控设备",
        "A",
        (
            DemoMaterial("企业开办一件事申请表", "ORIGINAL", 1, True),
            DemoMaterial("公司章程", "ORIGINAL", 1, True),
            ID_CARD,
        ),
        steps=("综合受理", "分发并联审批", "统一出件"),
    ),
    DemoItem(
        "11370100MB28570014000117004",
        "食品经营许可",
        "SJ",
        "PROMISED",
        20,
        5,
        "WORKING",
        1,
        True,
        "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》",
        "有与经营的食品品种、数量相适应的场所、设备和食品安全管理人员。",
        "食品经营许可证",
        "A",
        (
            DemoMaterial("食品经营许可申请书", "ORIGINAL", 1, True),
            LICENCE,
            DemoMaterial("经营场所平面图和设备布局图", "ORIGINAL", 1, True),
            DemoMaterial("食品安全管理制度文本", "ORIGINAL", 1, True),
        ),
    ),
    DemoItem(
        "11370100MB28570014000117005",
        "药品零售企业许可",
        "SJ",
        "PROMISED",
        30,
        15,
        "WORKING",
        1,
        False,
        "《中华人民共和国药品管理法》第五十一条",
        "具有依法经过资格认定的药师，有与所经营药品相适应的营业场所和设备。",
        "药品经营许可证",
        "A",
        (
            DemoMaterial("药品经营许可证申请表", "ORIGINAL", 1, True),
            LICENCE,
            DemoMaterial("执业药师注册证", "COPY", 1, True),
            DemoMaterial("营业场所产权或租赁证明", "COPY", 1, True),
        ),
    ),
    DemoItem(
        "11370100MB28570014000117006",
        "企业注销登记",
        "SJ",
        "PROMISED",
        10,
        1,
        "WORKING",
        1,
        True,
        "《中华人民共和国市场主体登记管理条例》第三十一条",
        "已依法完成清算，清缴税款和社会保险费。",
        "准予注销登记通知书",
        "A",
        (
            DemoMaterial("注销登记申请书", "ORIGINAL", 1, True),
            DemoMaterial("清算报告", "ORIGINAL", 1, True),
            LICENCE,
        ),
    ),
    # 公安局 (lane C)
    DemoItem(
        "11370100004188543R4000112001",
        "居民身份证换领",
        "GA",
        "PROMISED",
        60,
        20,
        "NATURAL",
        1,
        True,
        "《中华人民共和国居民身份证法》第十一条",
        "居民身份证有效期满或者登记项目变更。",
        "居民身份证",
        "C",
        (
            DemoMaterial("原居民身份证", "ORIGINAL", 1, True),
            DemoMaterial("居民户口簿", "ORIGINAL", 1, True),
        ),
        (
            DemoFee(
                "居民身份证工本费",
                "20.00",
                "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》",
            ),
        ),
    ),
    DemoItem(
        "11370100004188543R4000112002",
        "临时居民身份证申领",
        "GA",
        "IMMEDIATE",
        3,
        0,
        "NATURAL",
        1,
        True,
        "《中华人民共和国临时居民身份证管理办法》第五条",
        "正在申领、换领、补领居民身份证期间急需使用。",
        "临时居民身份证",
        "C",
        (DemoMaterial("居民户口簿", "ORIGINAL", 1, True),),
        (
            DemoFee(
                "临时居民身份证工本费",
                "10.00",
                "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》",
            ),
        ),
    ),
    DemoItem(
        "11370100004188543R4000112003",
        "户口迁移（市内迁移）",
        "GA",
        "PROMISED",
        20,
        5,
        "WORKING",
        1,
        True,
        "《中华人民共和国户口登记条例》第十条",
        "在本市范围内有合法稳定住所。",
        "居民户口簿",
        "C",
        (
            DemoMaterial("居民户口簿", "ORIGINAL", 1, True),
            ID_CARD,
            DemoMaterial("房屋所有权证明", "COPY", 1, True),
        ),
    ),
    DemoItem(
        "11370100004188543R4000112004",
        "往来港澳通行证签注",
        "GA",
        "PROMISED",
        15,
        7,
        "WORKING",
        1,
        True,
        "《中国公民因私事往来香港地区或者澳门地区的暂行管理办法》第四条",
        "持有有效往来港澳通行证。",
        "往来港澳通行证签注",
        "C",
        (DemoMaterial("往来港澳通行证", "ORIGINAL", 1, True), ID_CARD),
        (
            DemoFee(
                "签注费（一次有效）",
                "15.00",
                "《国家发展改革委 财政部关于降低因私普通护照等出入境证件收费标准的通知》",
            ),
        ),
    ),
    DemoItem(
        "11370100004188543R4000112005",
        "普通护照签发",
        "GA",
        "PROMISED",
        15,
        7,
        "WORKING",
        1,
        True,
        "《中华人民共和国护照法》第六条",
        "中国公民因私出国。",
        "普通护照",
        "C",
        (ID_CARD, DemoMaterial("近期免冠彩色照片", "ORIGINAL", 1, True)),
        (
            DemoFee(
                "护照工本费",
                "120.00",
                "《国家发展改革委 财政部关于降低因私普通护照等出入境证件收费标准的通知》",
            ),
        ),
    ),
    DemoItem(
        "11370100004188543R4000112006",
        "机动车注册登记",
        "GA",
        "PROMISED",
        2,
        1,
        "WORKING",
        1,
        False,
        "《中华人民共和国道路交通安全法》第八条；《机动车登记规定》",
        "机动车经检验合格，所有人申请注册登记。",
        "机动车登记证书、号牌、行驶证",
        "C",
        (
            ID_CARD,
            DemoMaterial("购车发票", "ORIGINAL", 1, True),
            DemoMaterial("机动车交通事故责任强制保险凭证", "ORIGINAL", 1, True),
        ),
        (
            DemoFee(
                "机动车号牌工本费", "100.00", "《国家发展改革委 财政部关于公安部门收费标准的通知》"
            ),
        ),
    ),
    # 不动产登记中心 (lane B)
    DemoItem(
        "11370100MB2857119D4000113001",
        "不动产首次登记",
        "BDC",
        "PROMISED",
        30,
        5,
        "WORKING",
        1,
        True,
        "《不动产登记暂行条例》第二十条",
        "依法取得不动产权利，权属来源合法。",
        "不动产权证书",
        "B",
        (
            DemoMaterial("不动产登记申请书", "ORIGINAL", 1, True),
            ID_CARD,
            DemoMaterial("权属来源证明", "COPY", 1, True),
            DemoMaterial("不动产界址、空间界限、面积等材料", "ORIGINAL", 1, True),
        ),
        (
            DemoFee(
                "不动产登记费（住宅）",
                "80.00",
                "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》",
            ),
        ),
    ),
    DemoItem(
        "11370100MB2857119D4000113002",
        "不动产转移登记（二手房买卖）",
        "BDC",
        "PROMISED",
        30,
        3,
        "WORKING",
        1,
        True,
        "《不动产登记暂行条例》第十四条",
        "买卖双方签订存量房买卖合同并完成缴税。",
        "不动产权证书",
        "B",
        (
            DemoMaterial("不动产登记申请书", "ORIGINAL", 1, True),
            ID_CARD,
            DemoMaterial("不动产权证书", "ORIGINAL", 1, True),
            DemoMaterial("存量房买卖合同", "ORIGINAL", 1, True),
            DemoMaterial("完税凭证", "COPY", 1, True),
        ),
        (
            DemoFee(
                "不动产登记费（住宅）",
                "80.00",
                "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》",
            ),
        ),
    ),
    DemoItem(
        "11370100MB2857119D4000113003",
        "不动产抵押登记",
        "BDC",
        "PROMISED",
        30,
        1,
        "WORKING",
        0,
        True,
        "《不动产登记暂行条例》第十四条；《中华人民共和国民法典》第四百零二条",
        "抵押人与抵押权人签订抵押合同。",
        "不动产登记证明",
        "B",
        (
            DemoMaterial("不动产登记申请书", "ORIGINAL", 1, True),
            DemoMaterial("不动产权证书", "ORIGINAL", 1, True),
            DemoMaterial("抵押合同和主债权合同", "ORIGINAL", 1, True),
        ),
        (
            DemoFee(
                "不动产登记费（住宅）",
                "80.00",
                "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》",
            ),
        ),
    ),
    DemoItem(
        "11370100MB2857119D4000113004",
        "不动产登记资料查询",
        "BDC",
        "IMMEDIATE",
        1,
        0,
        "WORKING",
        1,
        True,
        "《不动产登记资料查询暂行办法》第十条",
        "权利人、利害关系人查询不动产登记资料。",
        "不动产登记资料查询结果证明",
        "B",
        (ID_CARD, AGENT),
    ),
    # 自然资源和规划局 (lane F)
    DemoItem(
        "11370100MB2857022R4000114001",
        "建设工程规划许可证核发",
        "ZR",
        "PROMISED",
        20,
        10,
        "WORKING",
        1,
        False,
        "《中华人民共和国城乡规划法》第四十条",
        "建设项目符合控制性详细规划和规划条件。",
        "建设工程规划许可证",
        "F",
        (
            DemoMaterial("建设工程规划许可申请表", "ORIGINAL", 1, True),
            DemoMaterial("建设工程设计方案总平面图", "ORIGINAL", 2, True),
            DemoMaterial("土地权属证明", "COPY", 1, True),
        ),
    ),
    DemoItem(
        "11370100MB2857022R4000114002",
        "建设用地规划许可证核发",
        "ZR",
        "PROMISED",
        20,
        5,
        "WORKING",
        1,
        False,
        "《中华人民共和国城乡规划法》第三十七条、第三十八条",
        "建设项目已取得用地批准文件。",
        "建设用地规划许可证",
        "F",
        (
            DemoMaterial("建设用地规划许可申请表", "ORIGINAL", 1, True),
            DemoMaterial("国有土地使用权出让合同", "COPY", 1, True),
        ),
    ),
    DemoItem(
        "11370100MB2857022R4000114003",
        "建设项目用地预审与选址意见书核发",
        "ZR",
        "REPORTED",
        20,
        15,
        "WORKING",
        1,
        False,
        "《中华人民共和国土地管理法实施条例》第二十四条；《中华人民共和国城乡规划法》第三十六条",
        "需由省级自然资源主管部门审批的建设项目用地。",
        "建设项目用地预审与选址意见书",
        "F",
        (
            DemoMaterial("建设项目用地预审与选址申请表", "ORIGINAL", 1, True),
            DemoMaterial("项目建设依据文件", "COPY", 1, True),
            DemoMaterial("标注项目用地范围的土地利用总体规划图", "ORIGINAL", 1, True),
        ),
    ),
    # 住房和城乡建设局 (lane F)
    DemoItem(
        "11370100MB2857030L4000115001",
        "建筑工程施工许可证核发",
        "ZJ",
        "PROMISED",
        15,
        3,
        "WORKING",
        1,
        False,
        "《中华人民共和国建筑法》第八条",
        "已办理用地批准和规划许可，有满足施工需要的资金安排和施工图纸。",
        "建筑工程施工许可证",
        "F",
        (
            DemoMaterial("建筑工程施工许可申请表", "ORIGINAL", 1, True),
            DemoMaterial("建设工程规划许可证", "COPY", 1, True),
            DemoMaterial("施工合同", "COPY", 1, True),
        ),
    ),
    DemoItem(
        "11370100MB2857030L4000115002",
        "工程建设项目施工许可并联审批",
        "ZJ",
        "JOINT",
        20,
        10,
        "WORKING",
        1,
        False,
        "《国务院办公厅关于全面开展工程建设项目审批制度改革的实施意见》（国办发〔2019〕11号）",
        "社会投资建设项目在施工许可阶段的并联审批。",
        "施工许可阶段审批结果",
        "F",
        (
            DemoMaterial("并联审批申请表", "ORIGINAL", 1, True),
            DemoMaterial("施工图设计文件审查合格书", "COPY", 1, True),
            DemoMaterial("建设工程规划许可证", "COPY", 1, True),
        ),
        steps=("综合受理", "并联审批", "联合验收", "统一出件"),
    ),
    DemoItem(
        "11370100MB2857030L4000115003",
        "商品房预售许可",
        "ZJ",
        "PROMISED",
        10,
        5,
        "WORKING",
        1,
        False,
        "《中华人民共和国城市房地产管理法》第四十五条",
        "已交付全部土地使用权出让金，投入开发建设的资金达到工程建设总投资的百分之二十五以上。",
        "商品房预售许可证",
        "F",
        (
            DemoMaterial("商品房预售许可申请表", "ORIGINAL", 1, True),
            DemoMaterial("建设工程施工许可证", "COPY", 1, True),
            DemoMaterial("工程形象进度证明", "ORIGINAL", 1, True),
        ),
    ),
    DemoItem(
        "11370100MB2857030L4000115004",
        "建筑业企业资质核准",
        "ZJ",
        "REPORTED",
        20,
        15,
        "WORKING",
        1,
        False,
        "《中华人民共和国建筑法》第十三条；《建筑业企业资质管理规定》",
        "申请省级审批权限内的施工总承包资质。",
        "建筑业企业资质证书",
        "F",
        (
            DemoMaterial("建筑业企业资质申请表", "ORIGINAL", 1, True),
            LICENCE,
            DemoMaterial("企业技术负责人及注册人员证明材料", "COPY", 1, True),
        ),
    ),
    # 税务局 (lane E)
    DemoItem(
        "11370100MB2857046X4000116001",
        "增值税发票领用",
        "SW",
        "IMMEDIATE",
        1,
        0,
        "WORKING",
        0,
        True,
        "《中华人民共和国发票管理办法》第十五条",
        "已办理税务登记并完成票种核定。",
        "增值税发票",
        "E",
        (DemoMaterial("经办人身份证件", "ORIGINAL", 1, True),),
    ),
    DemoItem(
        "11370100MB2857046X4000116002",
        "纳税人信息确认（新办纳税人）",
        "SW",
        "IMMEDIATE",
        1,
        0,
        "WORKING",
        0,
        True,
        "《中华人民共和国税收征收管理法》第十五条",
        "已领取营业执照的新办纳税人。",
        "税务信息确认",
        "E",
        (LICENCE, DemoMaterial("法定代表人身份证件", "COPY", 1, True)),
    ),
    DemoItem(
        "11370100MB2857046X4000116003",
        "个人所得税综合所得汇算清缴",
        "SW",
        "IMMEDIATE",
        1,
        0,
        "WORKING",
        0,
        True,
        "《中华人民共和国个人所得税法》第十条",
        "取得综合所得需要办理汇算清缴的纳税人。",
        "汇算清缴申报回执",
        "E",
        (ID_CARD,),
    ),
    DemoItem(
        "11370100MB2857046X4000116004",
        "税务注销",
        "SW",
        "PROMISED",
        20,
        3,
        "WORKING",
        1,
        True,
        "《中华人民共和国税收征收管理法实施细则》第十五条",
        "已结清应纳税款、滞纳金、罚款，缴销发票。",
        "清税证明",
        "E",
        (DemoMaterial("清税申报表", "ORIGINAL", 1, True), LICENCE),
    ),
    # 人力资源和社会保障局 (lane D)
    DemoItem(
        "11370100MB2857054Y4000117001",
        "社会保障卡补换",
        "RS",
        "IMMEDIATE",
        5,
        0,
        "WORKING",
        1,
        True,
        "《社会保险法》第五十八条；《社会保障卡管理办法》",
        "社会保障卡遗失、损坏或信息变更。",
        "社会保障卡",
        "D",
        (ID_CARD,),
    ),
    DemoItem(
        "11370100MB2857054Y4000117002",
        "失业保险金申领",
        "RS",
        "PROMISED",
        10,
        3,
        "WORKING",
        0,
        True,
        "《中华人民共和国社会保险法》第四十五条",
        "失业前用人单位和本人已缴纳失业保险费满一年，非因本人意愿中断就业。",
        "失业保险金核定通知",
        "D",
        (ID_CARD, DemoMaterial("解除或终止劳动关系证明", "COPY", 1, True)),
    ),
    DemoItem(
        "11370100MB2857054Y4000117003",
        "职工退休申请",
        "RS",
        "PROMISED",
        20,
        10,
        "WORKING",
        1,
        True,
        "《中华人民共和国社会保险法》第十六条",
        "达到法定退休年龄且累计缴费满十五年。",
        "退休审批表",
        "D",
        (ID_CARD, DemoMaterial("职工档案", "ORIGINAL", 1, True)),
    ),
    DemoItem(
        "11370100MB2857054Y4000117004",
        "人力资源服务许可",
        "RS",
        "PROMISED",
        20,
        10,
        "WORKING",
        1,
        False,
        "《人力资源市场暂行条例》第十八条",
        "有与开展业务相适应的场所、设施和专业人员。",
        "人力资源服务许可证",
        "D",
        (
            DemoMaterial("人力资源服务许可申请表", "ORIGINAL", 1, True),
            LICENCE,
            DemoMaterial("专职工作人员资格证明", "COPY", 1, True),
        ),
    ),
    # 医疗保障局 (lane D)
    DemoItem(
        "11370100MB2857061E4000118001",
        "基本医疗保险关系转移接续",
        "YB",
        "PROMISED",
        45,
        15,
        "WORKING",
        0,
        True,
        "《基本医疗保险关系转移接续暂行办法》",
        "参保人员跨统筹地区就业或户籍迁移。",
        "参保凭证",
        "D",
        (ID_CARD, DemoMaterial("基本医疗保险参保凭证", "ORIGINAL", 1, True)),
    ),
    DemoItem(
        "11370100MB2857061E4000118002",
        "门诊慢特病待遇认定",
        "YB",
        "PROMISED",
        30,
        15,
        "WORKING",
        1,
        True,
        "《山东省医疗保障局关于规范门诊慢特病管理的通知》",
        "参保人员患有规定病种并符合认定标准。",
        "门诊慢特病待遇认定结果",
        "D",
        (ID_CARD, DemoMaterial("二级以上医院诊断证明及病历", "COPY", 1, True)),
    ),
    DemoItem(
        "11370100MB2857061E4000118003",
        "异地就医备案",
        "YB",
        "IMMEDIATE",
        1,
        0,
        "WORKING",
        0,
        True,
        "《国家医保局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》",
        "异地长期居住或临时外出就医的参保人员。",
        "异地就医备案凭证",
        "D",
        (ID_CARD,),
    ),
    # 民政局 (lane F)
    DemoItem(
        "11370100MB2857070W4000119001",
        "内地居民结婚登记",
        "MZ",
        "IMMEDIATE",
        1,
        0,
        "WORKING",
        1,
        True,
        "《中华人民共和国民法典》第一千零四十九条；《婚姻登记条例》第七条",
        "男女双方完全自愿，达到法定婚龄，均无配偶。",
        "结婚证",
        "F",
        (
            DemoMaterial("本人户口簿", "ORIGINAL", 1, True),
            ID_CARD,
            DemoMaterial("双方近期半身免冠合影照片", "ORIGINAL", 3, True),
        ),
        steps=("受理", "审查", "登记颁证"),
    ),
    DemoItem(
        "11370100MB2857070W4000119002",
        "社会团体成立登记",
        "MZ",
        "PROMISED",
        60,
        20,
        "NATURAL",
        1,
        False,
        "《社会团体登记管理条例》第九条、第十二条",
        "有50个以上个人会员或者30个以上单位会员，有规范的名称和相应的组织机构。",
        "社会团体法人登记证书",
        "F",
        (
            DemoMaterial("成立登记申请书", "ORIGINAL", 1, True),
            DemoMaterial("业务主管单位批准文件", "ORIGINAL", 1, True),
            DemoMaterial("章程草案", "ORIGINAL", 1, True),
        ),
    ),
    DemoItem(
        "11370100MB2857070W4000119003",
        "养老机构备案",
        "MZ",
        "IMMEDIATE",
        1,
        0,
        "WORKING",
        1,
        False,
        "《中华人民共和国老年人权益保障法》第四十三条；《养老机构管理办法》第九条",
        "已依法办理法人登记的养老机构。",
        "养老机构备案回执",
        "F",
        (
            DemoMaterial("养老机构备案书", "ORIGINAL", 1, True),
            DemoMaterial("养老机构法人登记证书", "COPY", 1, True),
        ),
    ),
    # 卫生健康委员会 (lane F)
    DemoItem(
        "11370100MB2857088P4000120001",
        "医疗机构执业登记",
        "WJ",
        "PROMISED",
        45,
        20,
        "NATURAL",
        1,
        False,
        "《医疗机构管理条例》第十五条",
        "有符合规定的名称、组织机构和场所，有与开展业务相适应的经费、设施、设备和专业卫生技术人员。",
        "医疗机构执业许可证",
        "F",
        (
            DemoMaterial("医疗机构执业登记申请书", "ORIGINAL", 1, True),
            DemoMaterial("医疗机构用房产权证明或使用证明", "COPY", 1, True),
            DemoMaterial("医务人员执业证书", "COPY", 1, True),
        ),
    ),
    DemoItem(
        "11370100MB2857088P4000120002",
        "公共场所卫生许可",
        "WJ",
        "PROMISED",
        20,
        5,
        "WORKING",
        1,
        True,
        "《公共场所卫生管理条例》第八条",
        "住宿、沐浴、美容美发等公共场所的卫生设施和环境符合标准。",
        "公共场所卫生许可证",
        "F",
        (
            DemoMaterial("公共场所卫生许可申请表", "ORIGINAL", 1, True),
            LICENCE,
            DemoMaterial("卫生检测或评价报告", "ORIGINAL", 1, True),
        ),
    ),
    DemoItem(
        "11370100MB2857088P4000120003",
        "放射诊疗许可",
        "WJ",
        "REPORTED",
        20,
        15,
        "WORKING",
        1,
        False,
        "《放射诊疗管理规定》第十一条",
        "开展省级审批权限的放射治疗、核医学诊疗项目。",
        "放射诊疗许可证",
        "F",
        (
            DemoMaterial("放射诊疗许可申请表", "ORIGINAL", 1, True),
            DemoMaterial("放射诊疗建设项目竣工验收合格证明", "COPY", 1, True),
        ),
    ),
    # 交通运输局 (lane F)
    DemoItem(
        "11370100MB2857096J4000121001",
        "道路货物运输经营许可",
        "JT",
        "PROMISED",
        20,
        5,
        "WORKING",
        1,
        True,
        "《中华人民共和国道路运输条例》第二十四条",
        "有与经营业务相适应并经检测合格的车辆和符合条件的驾驶人员。",
        "道路运输经营许可证",
        "F",
        (
            DemoMaterial("道路货物运输经营申请表", "ORIGINAL", 1, True),
            DemoMaterial("车辆行驶证", "COPY", 1, True),
            DemoMaterial("驾驶人员从业资格证", "COPY", 1, True),
        ),
    ),
    DemoItem(
        "11370100MB2857096J4000121002",
        "网络预约出租汽车经营许可",
        "JT",
        "JOINT",
        20,
        10,
        "WORKING",
        1,
        False,
        "《网络预约出租汽车经营服务管理暂行办法》第五条",
        "具备线上线下服务能力，由交通运输、通信、公安等部门联合审查。",
        "网络预约出租汽车经营许可证",
        "F",
        (
            DemoMaterial("网络预约出租汽车经营申请表", "ORIGINAL", 1, True),
            LICENCE,
            DemoMaterial("网络安全管理制度和安全保护技术措施文本", "ORIGINAL", 1, True),
        ),
        steps=("综合受理", "多部门联合审查", "决定", "送达"),
    ),
)

WINDOWS: tuple[DemoWindow, ...] = (
    DemoWindow("1", "综合受理1号窗口", "GENERAL", (), None),
    DemoWindow("2", "综合受理2号窗口", "GENERAL", (), None),
    DemoWindow("3", "综合受理3号窗口", "GENERAL", (), None),
    DemoWindow("4", "综合受理4号窗口", "GENERAL", (), None),
    DemoWindow("5", "综合出件窗口", "GENERAL", (), None),
    DemoWindow("6", "商事登记窗口", "DEDICATED", ("A",), "SJ"),
    DemoWindow("7", "商事登记窗口", "DEDICATED", ("A",), "SJ"),
    DemoWindow("8", "食品药品许可窗口", "DEDICATED", ("A",), "SJ"),
    DemoWindow("9", "不动产登记窗口", "DEDICATED", ("B",), "BDC"),
    DemoWindow("10", "不动产登记窗口", "DEDICATED", ("B",), "BDC"),
    DemoWindow("11", "户政窗口", "DEDICATED", ("C",), "GA"),
    DemoWindow("12", "出入境窗口", "DEDICATED", ("C",), "GA"),
    DemoWindow("13", "车管窗口", "DEDICATED", ("C",), "GA"),
    DemoWindow("14", "社保窗口", "DEDICATED", ("D",), "RS"),
    DemoWindow("15", "医保窗口", "DEDICATED", ("D",), "YB"),
    DemoWindow("16", "税务窗口", "DEDICATED", ("E",), "SW"),
    DemoWindow("17", "税务窗口", "DEDICATED", ("E",), "SW"),
    DemoWindow("18", "工程建设项目窗口", "DEDICATED", ("F",), "ZJ"),
    DemoWindow("19", "规划审批窗口", "DEDICATED", ("F",), "ZR"),
    DemoWindow("20", "社会事务窗口", "DEDICATED", ("F", "D"), "MZ"),
)

USERS: tuple[DemoUser, ...] = (
    DemoUser("director", "周建国", "ADMIN", None, "13905310001"),
    DemoUser("supervisor", "孙丽华", "SUPERVISOR", None, "13905310002"),
    DemoUser("rep_ga", "赵志刚", "CHIEF_REP", "GA", "13905310011"),
    DemoUser("rep_sj", "钱晓梅", "CHIEF_REP", "SJ", "13905310012"),
    DemoUser("rep_zr", "冯立新", "CHIEF_REP", "ZR", "13905310013"),
    DemoUser("rep_zj", "陈海涛", "CHIEF_REP", "ZJ", "13905310014"),
    DemoUser("rep_sw", "褚文静", "CHIEF_REP", "SW", "13905310015"),
    DemoUser("rep_rs", "卫国庆", "CHIEF_REP", "RS", "13905310016"),
    DemoUser("rep_yb", "蒋红霞", "CHIEF_REP", "YB", "13905310017"),
    DemoUser("rep_mz", "沈玉兰", "CHIEF_REP", "MZ", "13905310018"),
    DemoUser("rep_bdc", "韩明杰", "CHIEF_REP", "BDC", "13905310019"),
    DemoUser("rep_wj", "杨慧敏", "CHIEF_REP", "WJ", "13905310020"),
    DemoUser("rep_jt", "朱德胜", "CHIEF_REP", "JT", "13905310021"),
    DemoUser("clerk01", "秦雪梅", "CLERK", None, "15866010001"),
    DemoUser("clerk02", "尤佳琪", "CLERK", None, "15866010002"),
    DemoUser("clerk03", "许晨阳", "CLERK", None, "15866010003"),
    DemoUser("clerk04", "何静怡", "CLERK", None, "15866010004"),
    DemoUser("clerk05", "吕思远", "CLERK", None, "15866010005"),
    DemoUser("clerk06", "施雨桐", "CLERK", "SJ", "15866010006"),
    DemoUser("clerk07", "张浩然", "CLERK", "SJ", "15866010007"),
    DemoUser("clerk08", "孔令欣", "CLERK", "SJ", "15866010008"),
    DemoUser("clerk09", "曹文博", "CLERK", "BDC", "15866010009"),
    DemoUser("clerk10", "严晓琳", "CLERK", "BDC", "15866010010"),
    DemoUser("clerk11", "华子轩", "CLERK", "GA", "18653110011"),
    DemoUser("clerk12", "金诗涵", "CLERK", "GA", "18653110012"),
    DemoUser("clerk13", "魏俊杰", "CLERK", "GA", "18653110013"),
    DemoUser("clerk14", "陶梦瑶", "CLERK", "RS", "18653110014"),
    DemoUser("clerk15", "姜子豪", "CLERK", "YB", "18653110015"),
    DemoUser("clerk16", "戚晓燕", "CLERK", "SW", "18653110016"),
    DemoUser("clerk17", "谢天宇", "CLERK", "SW", "18653110017"),
    DemoUser("clerk18", "邹婉清", "CLERK", "ZJ", "18653110018"),
    DemoUser("clerk19", "喻博文", "CLERK", "ZR", "18653110019"),
    DemoUser("clerk20", "柏欣然", "CLERK", "MZ", "18653110020"),
    DemoUser("screen", "大厅叫号屏", "MONITOR", None, "13905310099"),
    DemoUser("hotline01", "林晓彤", "HOTLINE", None, "15866020001"),
)

# Joint items' co-handling departments and their own limits (working days).
JOINT_DEPARTMENTS: dict[str, tuple[tuple[str, int], ...]] = {
    # 企业开办一件事: seal engraving (public security), tax and social insurance on the same day.
    "11370100MB28570014000117003": (("GA", 1), ("SW", 1), ("RS", 1)),
    # 施工许可并联审批: planning review and the tax on the land within the construction permit's limit.
    "11370100MB2857030L4000115002": (("ZR", 7), ("SW", 5)),
    # 网约车经营许可: public security's background checks.
    "11370100MB2857096J4000121002": (("GA", 5),),
}

# Investment-project items (投资项目): refusals and denials go to the hall's liaison (否定报备).
INVESTMENT_ITEMS = frozenset(
    {
        "11370100MB2857022R4000114001",  # 建设工程规划许可证核发
        "11370100MB2857022R4000114002",  # 建设用地规划许可证核发
        "11370100MB2857022R4000114003",  # 建设项目用地预审与选址意见书核发
        "11370100MB2857030L4000115001",  # 建筑工程施工许可证核发
        "11370100MB2857030L4000115002",  # 工程建设项目施工许可并联审批
    }
)
