"""The rules every office starts with: the pairings published practice uses
(subsidies × cadres' enterprises, registrations × personal-matters reports,
relief × the deceased, owners and cadres, payroll × payroll and the deceased).
Loaded by the app's migration; an office adds its own through the rule page."""

COMPANY_ROLES = ["法定代表人", "股东", "高管"]

SHIPPED_RULES = [
    {
        "code": "subsidy-cadre-enterprise",
        "name": "奖补资金 × 干部及亲属关联企业",
        "description": (
            "获得奖补资金的企业，其法定代表人、股东或高管是干部本人或其亲属："
            "可能存在违规向关联企业发放奖补资金、利益输送或违规经商办企业。"
        ),
        "left_kind": "payments",
        "key": "enterprise",
        "via_kind": "enterprises",
        "via_key": "person",
        "right_kind": "cadres",
        "mode": "match",
        "params": {"via_roles": COMPANY_ROLES},
    },
    {
        "code": "enterprise-undeclared",
        "name": "企业登记 × 个人有关事项报告（瞒报漏报）",
        "description": (
            "干部本人或其配偶、子女在企业登记中任法定代表人、股东或高管，"
            "个人有关事项报告中却没有申报该企业：可能存在瞒报漏报个人有关事项、违规经商办企业。"
        ),
        "left_kind": "enterprises",
        "key": "person",
        "via_kind": "",
        "via_key": "",
        "right_kind": "personal_reports",
        "mode": "undeclared",
        "params": {"left_roles": COMPANY_ROLES},
    },
    {
        "code": "relief-deceased",
        "name": "低保救助 × 死亡人员",
        "description": "死亡之后仍在领取低保或救助金：可能存在冒领、骗取或未及时停发。",
        "left_kind": "relief",
        "key": "person",
        "via_kind": "",
        "via_key": "",
        "right_kind": "deceased",
        "mode": "match",
        "params": {"left_after_right": True},
    },
    {
        "code": "relief-assets",
        "name": "低保救助 × 车辆房产",
        "description": "低保或救助对象名下有车辆或房产：可能不符合保障条件，存在审核把关不严。",
        "left_kind": "relief",
        "key": "person",
        "via_kind": "",
        "via_key": "",
        "right_kind": "assets",
        "mode": "match",
        "params": {},
    },
    {
        "code": "relief-cadres",
        "name": "低保救助 × 干部及亲属（优亲厚友）",
        "description": "干部本人或其亲属领取低保或救助：可能存在优亲厚友、违规办理。",
        "left_kind": "relief",
        "key": "person",
        "via_kind": "",
        "via_key": "",
        "right_kind": "cadres",
        "mode": "match",
        "params": {},
    },
    {
        "code": "payroll-multiple",
        "name": "工资 × 工资（一人多岗）",
        "description": "同一人同时在两个单位领取工资：可能存在一人多岗、吃空饷。",
        "left_kind": "payroll",
        "key": "person",
        "via_kind": "",
        "via_key": "",
        "right_kind": "payroll",
        "mode": "match",
        "params": {"different_unit": True},
    },
    {
        "code": "payroll-deceased",
        "name": "工资 × 死亡人员（吃空饷）",
        "description": "死亡之后仍在发放工资：可能存在吃空饷、冒领工资。",
        "left_kind": "payroll",
        "key": "person",
        "via_kind": "",
        "via_key": "",
        "right_kind": "deceased",
        "mode": "match",
        "params": {"left_after_right": True},
    },
]
