"""How the audit log reads in Chinese: action codes as phrases, objects as their
kind and number, data keys as field names.

The codes stay in the entries (they are what the MAC covers and what the
filter matches); only the page and the export translate them. An action
missing from ACTION_LABELS (a new service written elsewhere) still reads in
Chinese, built from its object word and its verb, with the code beside it.
"""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    # accounts and organizations
    "user.create": _("新建账号"),
    "user.update": _("修改账号"),
    "user.roles": _("调整账号角色"),
    "user.password": _("设置账号密码"),
    "user.clue_officer": _("设置线索管理员"),
    "organization.create": _("新建单位"),
    "organization.update": _("修改单位"),
    "organization.bulk_create": _("批量新建单位"),
    "organization.export": _("导出单位名录"),
    "cadre.create": _("新建干部"),
    "cadre.update": _("修改干部"),
    "cadre.export": _("导出干部名录"),
    "department.create": _("新建承办部门"),
    # rounds
    "round.create": _("新建巡察轮次"),
    "round.advance": _("推进巡察轮次阶段"),
    "round.export": _("导出巡察轮次"),
    "team.create": _("组建巡察组"),
    "team.member_add": _("增加巡察组成员"),
    "team.member_remove": _("移出巡察组成员"),
    "round.import": _("导入巡察轮次"),
    "team.import": _("导入巡察组"),
    "team.member_import": _("导入巡察组成员"),
    "target.import": _("导入巡察对象"),
    "commitment.sign": _("签署承诺书"),
    "target.add": _("确定巡察对象"),
    "target.dates": _("调整进驻日期"),
    "target.feedback": _("向巡察对象反馈"),
    "target.export": _("导出巡察对象"),
    "worklog.create": _("填报工作日志"),
    "worklog.update": _("修改工作日志"),
    "worklog.bulk_create": _("批量生成工作日志"),
    "weekly_summary.create": _("生成工作周报"),
    "weekly_summary.export": _("导出工作周报"),
    "problem_category.create": _("新建问题类别"),
    "problem_category.change": _("修改问题类别"),
    "problem_category.delete": _("删除问题类别"),
    "problem.create": _("录入问题"),
    "problem.update": _("修改问题"),
    "problem.submit": _("问题提交组内研判"),
    "problem.team_approve": _("问题研判通过"),
    "problem.team_return": _("问题退回修改"),
    "problem.office_approve": _("问题审核通过"),
    "problem.office_return": _("问题退回巡察组"),
    "problem.feed_back": _("问题已反馈"),
    "problem.attach": _("上传问题材料"),
    "problem.download": _("下载问题材料"),
    "problem.import": _("导入问题"),
    "problem.export": _("导出问题清单"),
    # clues
    "clue.create": _("起草问题线索"),
    "clue.update": _("修改问题线索"),
    "clue.file_add": _("上传线索材料"),
    "clue.submit": _("提交问题线索"),
    "clue.return": _("退回问题线索"),
    "clue.approve": _("审批移交问题线索"),
    "clue.receive": _("签收问题线索"),
    "clue.disposition": _("报告线索处置情况"),
    "clue.close": _("线索办结"),
    "clue.reopen": _("重新打开问题线索"),
    "clue.read": _("查阅问题线索"),
    "clue.read_file": _("查阅线索材料"),
    "clue.export": _("导出线索台账"),
    # rectification
    "plan.open": _("建立整改方案"),
    "plan.sign": _("签署整改方案"),
    "plan.submit": _("报送整改方案"),
    "plan.accept": _("整改方案审核通过"),
    "plan.return": _("整改方案退回"),
    "plan.import_accept": _("导入并通过整改方案"),
    "plan.export": _("导出整改方案"),
    "item.plan_update": _("修改整改措施"),
    "item.import": _("导入整改事项"),
    "item.export": _("导出整改台账"),
    "ledger.report": _("整改台账报账"),
    "ledger.hand_in": _("整改台账交账"),
    "ledger.transfer": _("整改台账转账"),
    "ledger.check_accept": _("整改台账查账通过"),
    "ledger.check_return": _("整改台账查账退回"),
    "ledger.close": _("整改台账销账"),
    "ledger.reopen": _("回头看重新打开整改事项"),
    "evidence.add": _("上传整改佐证材料"),
    "evidence.download": _("下载整改佐证材料"),
    "follow_up.check": _("回头看检查"),
    "assessment.open": _("启动整改评估"),
    "assessment.decide": _("作出整改评估结论"),
    "survey.links": _("生成满意度测评链接"),
    "survey.answer": _("提交满意度测评"),
    "survey.close": _("结束满意度测评"),
    "accountability.record": _("登记问责情况"),
    "recommendation.issue": _("发出巡察建议"),
    "recommendation.received": _("签收巡察建议"),
    "recommendation.answered": _("答复巡察建议"),
    "recommendation.closed": _("巡察建议办结"),
    "recommendation.export": _("导出巡察建议"),
    "recommendation.import": _("导入巡察建议"),
    # on-site checklist, evaluation, archive
    "checklist.item_create": _("新增现场工作清单事项"),
    "checklist.item_active": _("启用或停用清单事项"),
    "checklist.tick": _("勾选现场工作清单"),
    "checklist.untick": _("撤销清单勾选"),
    "checklist.bulk_tick": _("批量勾选现场工作清单"),
    "checklist.download": _("下载清单佐证材料"),
    "evaluation.weights": _("设定考评权重"),
    "evaluation.team_remark": _("填写巡察组考评意见"),
    "evaluation.district_remark": _("填写区县考评意见"),
    "evaluation.export": _("导出量化考评"),
    "archive.request": _("申请生成归档包"),
    "archive.build": _("生成归档包"),
    "archive.download": _("下载归档包"),
    # shared machinery
    "import.upload": _("上传导入文件"),
    "report.request": _("申请生成文书"),
    "report.download": _("下载文书"),
    "report.command": _("命令行生成文书"),
    "audit.export": _("导出审计日志"),
    "audit.verify": _("校验审计日志"),
    "demo.seed": _("生成演示数据"),
}

# For actions not in the table: the object word and the verb.
OBJECT_WORDS = {
    "user": _("账号"),
    "organization": _("单位"),
    "cadre": _("干部"),
    "department": _("承办部门"),
    "round": _("巡察轮次"),
    "team": _("巡察组"),
    "target": _("巡察对象"),
    "worklog": _("工作日志"),
    "weekly_summary": _("工作周报"),
    "problem": _("问题"),
    "problem_category": _("问题类别"),
    "clue": _("问题线索"),
    "plan": _("整改方案"),
    "item": _("整改事项"),
    "ledger": _("整改台账"),
    "evidence": _("佐证材料"),
    "assessment": _("整改评估"),
    "survey": _("满意度测评"),
    "recommendation": _("巡察建议"),
    "import": _("导入"),
    "report": _("文书"),
    "audit": _("审计日志"),
    "otp": _("双因素认证"),
    "session": _("登录"),
}
VERBS = {
    "create": _("新建"),
    "update": _("修改"),
    "change": _("修改"),
    "delete": _("删除"),
    "export": _("导出"),
    "import": _("导入"),
    "login": _("登录"),
    "logout": _("退出"),
    "reset": _("重置"),
    "approve": _("批准"),
    "reject": _("驳回"),
    "grant": _("授予"),
    "revoke": _("撤销"),
    "lock": _("锁定"),
    "unlock": _("解锁"),
    "password": _("设置密码"),
    "read": _("查阅"),
    "download": _("下载"),
}

# Keys that services put in ``data`` and that are not model fields.
DATA_KEY_LABELS = {
    "from": _("原状态"),
    "to": _("新状态"),
    "before": _("修改前"),
    "after": _("修改后"),
    "changed": _("修改的字段"),
    "withheld": _("内容不记入日志"),
    "reason": _("理由"),
    "note": _("说明"),
    "name": _("文件名"),
    "file": _("文件"),
    "filters": _("筛选条件"),
    "rows": _("行数"),
    "count": _("数量"),
    "numbers": _("编号"),
    "entry": _("台账记录"),
    "evidence": _("佐证材料"),
    "attachment": _("附件"),
    "sha256": _("SHA-256"),
    "size": _("大小（字节）"),
    "version": _("版本"),
    "kind": _("类别"),
    "kinds": _("巡察类型"),
    "params": _("参数"),
    "totals": _("结果"),
    "problems": _("问题"),
    "items_added": _("新增事项"),
    "fields": _("字段"),
    "enabled": _("启用"),
    "usable": _("可用密码"),
    "link": _("测评链接"),
    "q": _("关键词"),
}


def action_label(action: str) -> str:
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    noun, _sep, verb = action.partition(".")
    if noun in OBJECT_WORDS and verb in VERBS:
        # One sentence with both words, so each language orders them itself
        # (问题线索导出 / "Export problem clues"), never two words glued together.
        return gettext("%(object)s%(verb)s") % {
            "object": OBJECT_WORDS[noun],
            "verb": VERBS[verb],
        }
    if noun in OBJECT_WORDS:
        return str(OBJECT_WORDS[noun])
    return action


def model_for(object_type: str):
    try:
        return apps.get_model(object_type) if "." in object_type else None
    except (LookupError, ValueError):
        return None


def object_kind(object_type: str) -> str:
    model = model_for(object_type)
    return str(model._meta.verbose_name) if model else object_type


def key_label(model, key: str) -> str:
    if key in DATA_KEY_LABELS:
        return str(DATA_KEY_LABELS[key])
    if model is not None:
        try:
            return str(model._meta.get_field(key).verbose_name)
        except FieldDoesNotExist:
            pass
    return key


def _value(model, key: str, value) -> str:
    """A status code as its label where the model's ``status`` field knows it."""
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, list):
        return "、".join(_value(model, key, v) for v in value) or "—"
    if value is None or value == "":
        return "—"
    if model is not None and key in ("from", "to", "status", "state"):
        for name in (key, "status", "state"):
            try:
                choices = dict(model._meta.get_field(name).flatchoices)
            except FieldDoesNotExist:
                continue
            if value in choices:
                return str(choices[value])
    return str(value)


def describe_data(object_type: str, data: dict) -> list[tuple[str, str]]:
    """The entry's data as (label, text) pairs for a person: no raw dicts."""
    model = model_for(object_type)
    lines = []
    for key, value in (data or {}).items():
        label = key_label(model, key)
        if key in ("changed", "withheld", "fields") and isinstance(value, list):
            text = "、".join(key_label(model, name) for name in value)
        elif isinstance(value, dict):
            text = "；".join(
                f"{key_label(model, k)}：{_value(model, k, v)}" for k, v in value.items()
            )
        else:
            text = _value(model, key, value)
        lines.append((label, text or "—"))
    return lines
