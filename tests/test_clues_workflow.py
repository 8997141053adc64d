"""Tests generated from the clue rule table (clues/workflow.py): every state ×
role × action is allowed or refused by the service as the table says, and the
clue page offers exactly the allowed ones. Plus the clue rules fixed here."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from clues import services
from clues.models import Clue, Disposition
from clues.workflow import CLUE
from tests.test_clues_pages import (
    PDF_BYTES,
    advance,
    attach,
    build_world,
    draft,
    final_disposition,
    html,
    url,
)
from xuncha.core.workflow import actions_for

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.test_clues_pages")]
S = Clue.Status


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world()


ROLES = ["member", "leader", "officer", "plain_office", "dept_user", "other_dept_user", "contact"]


def perform(action: str, clue: Clue, user):
    if action == "edit":
        return services.clue_update(clue=clue, user=user, summary="补充：另有违规收受购物卡。")
    if action == "upload":
        upload = SimpleUploadedFile("书证.pdf", PDF_BYTES, content_type="application/pdf")
        return services.clue_attach_file(clue=clue, upload=upload, kind="document", user=user)
    if action == "submit":
        return services.clue_submit(clue=clue, user=user)
    if action == "approve":
        return services.clue_approve(clue=clue, user=user)
    if action == "return":
        return services.clue_return(clue=clue, user=user, reason="请补充谈话笔录。")
    if action == "receive":
        return services.clue_receive(clue=clue, user=user)
    if action == "disposition":
        return services.disposition_report(
            clue=clue, user=user, method=Disposition.Method.TALK, note="已谈话提醒。"
        )
    if action == "close":
        return services.clue_close(clue=clue, user=user)
    if action == "reopen":
        return services.clue_reopen(clue=clue, user=user, reason="出现新情况。")
    raise AssertionError(action)


def markers(client, clue) -> set[str] | None:
    import re

    response = client.get(url("clue_detail", clue.pk))
    if response.status_code != 200:
        return None  # this person may not read the clue in this state
    return set(re.findall(r'data-action="([^"]+)"', html(response)))


@pytest.mark.parametrize("role", ROLES)
def test_clue_table_service_and_page_agree(w, role, client):
    user = getattr(w, role)
    clue = advance(w, draft(w), S.RECEIVED)  # files attached, perms granted
    final_disposition(w, clue)  # so 销号 is not blocked in 已签收
    client.force_login(user)
    for state in S.values:
        for rule in CLUE.rules:
            savepoint = transaction.savepoint()
            Clue.objects.filter(pk=clue.pk).update(status=state)
            current = Clue.objects.get(pk=clue.pk)
            offer = actions_for(CLUE, user, current).get(rule.action)
            ok = offer is not None and offer.allowed
            assert ok == (state in rule.sources and rule.who(user, current)), (role, state)
            page = markers(client, current)
            if page is not None:
                assert (rule.action in page) == ok, (role, state, rule.action, page)
            if ok:
                perform(rule.action, current, user)
                if rule.target:
                    assert Clue.objects.get(pk=clue.pk).status == rule.target
            else:
                with pytest.raises((ValidationError, PermissionDenied)):
                    perform(rule.action, current, user)
                assert Clue.objects.get(pk=clue.pk).status == state
            transaction.savepoint_rollback(savepoint)


def test_leader_cannot_sign_a_clue_with_no_material(w, client):
    """On main the leader could sign an empty handover though the page said to upload first."""
    clue = draft(w)
    client.force_login(w.leader)
    body = html(client.get(url("clue_detail", clue.pk)))
    assert 'data-action="submit"' not in body and 'data-blocked-action="submit"' in body
    assert "尚未上传线索材料" in body
    with pytest.raises(ValidationError, match="尚未上传线索材料"):
        services.clue_submit(clue=clue, user=w.leader)
    assert Clue.objects.get(pk=clue.pk).status == S.DRAFT
    attach(w, clue)
    assert 'data-action="submit"' in html(client.get(url("clue_detail", clue.pk)))
    services.clue_submit(clue=clue, user=w.leader)


def test_urgent_clue_gets_the_shorter_disposition_deadline(w, settings):
    """On main the fast track had the same 30 days as any clue."""
    settings.CLUE_DISPOSITION_DAYS, settings.CLUE_URGENT_DISPOSITION_DAYS = 30, 15
    today = timezone.localdate()
    normal = advance(w, draft(w), S.RECEIVED)
    urgent = advance(w, draft(w, person="李四", urgent=True), S.RECEIVED)
    assert normal.disposition_due == today + datetime.timedelta(days=30)
    assert urgent.disposition_due == today + datetime.timedelta(days=15)


def test_close_blocked_until_a_final_report_and_the_page_says_why(w, client):
    clue = advance(w, draft(w), S.RECEIVED)
    client.force_login(w.officer)
    body = html(client.get(url("clue_detail", clue.pk)))
    assert 'data-blocked-action="close"' in body and "尚未报告处置完毕" in body
    final_disposition(w, clue)
    assert 'data-action="close"' in html(client.get(url("clue_detail", clue.pk)))
