"""The rule-table mechanism every workflow uses (xuncha/core/workflow.py)."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xuncha.core.workflow import Rule, Workflow, actions_for, allowed, check


def _is_boss(user, obj) -> bool:
    return user == "boss"


def _has_title(obj):
    return None if obj.title else "尚未填写标题。"


def _two_reasons(obj):
    return ["缺少附件。", "缺少签名。"] if obj.bare else []


FLOW = Workflow(
    "demo",
    (
        Rule(
            "sign",
            "签字",
            ("draft",),
            _is_boss,
            "负责人",
            ("boss",),
            (_has_title, _two_reasons),
            "signed",
        ),
        Rule(
            "submit",
            "报送",
            ("signed",),
            lambda u, o: u == "clerk",
            "联络人",
            ("clerk",),
            target="sent",
        ),
    ),
)


def doc(status="draft", title="方案", bare=False):
    return SimpleNamespace(status=status, title=title, bare=bare)


def test_check_passes_and_returns_the_row():
    assert check(FLOW, "boss", doc(), "sign").target == "signed"


def test_wrong_state_is_refused_in_chinese_naming_the_state():
    with pytest.raises(ValidationError) as error:
        check(FLOW, "boss", doc(status="signed"), "sign")
    assert "不能签字" in str(error.value) and "signed" in str(error.value)


def test_wrong_person_is_permission_denied_naming_who_may():
    with pytest.raises(PermissionDenied, match="须由负责人操作"):
        check(FLOW, "clerk", doc(), "sign")


def test_every_blocking_reason_is_given_at_once():
    with pytest.raises(ValidationError) as error:
        check(FLOW, "boss", doc(title="", bare=True), "sign")
    assert error.value.messages == ["尚未填写标题。", "缺少附件。", "缺少签名。"]


def test_actions_for_lists_only_this_users_actions_in_this_state_with_reasons():
    assert actions_for(FLOW, "clerk", doc()) == {}
    offered = actions_for(FLOW, "boss", doc(title=""))
    assert list(offered) == ["sign"]
    assert offered["sign"].allowed is False
    assert offered["sign"].reasons == ["尚未填写标题。"]
    assert actions_for(FLOW, "boss", doc())["sign"].allowed is True
    assert allowed(FLOW, "boss", doc(), "sign") and not allowed(FLOW, "clerk", doc(), "sign")


def test_waiting_states_name_what_waits_on_a_role():
    assert FLOW.waiting_states(["boss"]) == {"draft": ["sign"]}
    assert FLOW.waiting_states(["clerk", "boss"]) == {"draft": ["sign"], "signed": ["submit"]}


LOOK_BACK = Workflow(
    "look_back",
    (
        Rule(
            "reopen",
            "回头看",
            ("closed",),
            _is_boss,
            "负责人",
            refusal="事项{state}，不能回头看。",
            who_first=True,
            denial="只有负责人可以回头看。",
        ),
    ),
)


def test_who_first_denial_and_a_refusal_that_places_the_state():
    with pytest.raises(PermissionDenied, match="只有负责人可以回头看"):
        check(LOOK_BACK, "clerk", doc(status="draft"), "reopen")  # who before what
    with pytest.raises(ValidationError) as error:
        check(LOOK_BACK, "boss", doc(status="draft"), "reopen")
    assert error.value.messages == ["事项draft，不能回头看。"]
