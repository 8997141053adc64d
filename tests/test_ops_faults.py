"""A save that meets a lost database connection, and files stored whole."""

import pytest
from django.core.files.base import ContentFile
from django.db import OperationalError
from django.urls import reverse

from rectification.models import Evidence, LedgerEntry
from rectification.services import ledger
from tests.rect_fixtures import URLS, pdf_file, world
from xuncha.ops.storage import AtomicFileSystemStorage

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLS)]


def test_a_dropped_database_connection_says_try_again(client, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = world()

    def connection_lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    # The connection drops midway through the ledger entry's transaction.
    monkeypatch.setattr(ledger, "log_action", connection_lost)
    client.force_login(w.contact)
    response = client.post(
        reverse("rectification:item_action", args=[w.item.pk, "report"]),
        {"version": w.item.version, "progress": 20, "note": "x", "files": [pdf_file("一.pdf")]},
    )

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "数据库连接暂时中断，本次提交未保存。请稍后重试。" in response.content.decode()
    assert not LedgerEntry.objects.exists()
    assert not Evidence.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []  # the stored file removed


def test_a_stored_file_is_whole_and_never_overwrites_another(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    first = storage.save("evidence/a.pdf", ContentFile(b"%PDF-1 first"))
    second = storage.save("evidence/a.pdf", ContentFile(b"%PDF-1 second"))

    assert first != second
    assert (tmp_path / first).read_bytes() == b"%PDF-1 first"
    assert (tmp_path / second).read_bytes() == b"%PDF-1 second"
    assert sorted(p.name for p in (tmp_path / "evidence").iterdir()) == sorted(
        [first.split("/")[-1], second.split("/")[-1]]
    )  # no temporary file left behind
