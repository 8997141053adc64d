"""Evidence files: checked by content, size-limited, never placed by their
name, kept in every version with a checksum, served only through the
permission-checked view; a refused or interrupted upload stores nothing."""

import errno
import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.urls import reverse

from rectification import services
from rectification.models import Evidence, Item, LedgerEntry
from tests.files import minimal_pdf
from tests.rect_fixtures import URLS, fresh, pdf_file, png_file, set_item, world
from xuncha.audit.models import AuditEntry
from xuncha.ops import storage as storage_module

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLS)]


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def w(media):
    return world()


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


class RawNameUpload(SimpleUploadedFile):
    """An upload as a custom upload handler could pass it on: the client's
    name untouched (Django's own parser already cuts it to the last part)."""

    def _set_name(self, name):
        self._name = name

    name = property(UploadedFile._get_name, _set_name)


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
HTML_AS_GIF = b"GIF89a<html><body><script>alert('x')</script></body></html>"

REFUSED = [
    (lambda: SimpleUploadedFile("整改报告.pdf", EXE), "类型不在允许范围内"),
    (lambda: SimpleUploadedFile("现场照片.gif", HTML_AS_GIF), "不是有效的图片"),
    (lambda: SimpleUploadedFile("照片.pdf", png_file().read()), "扩展名与内容不符"),
    (lambda: RawNameUpload("../../etc/passwd.pdf", b"%PDF-1.4 x"), "含有路径字符"),
    (lambda: SimpleUploadedFile("空文件.pdf", b""), "文件是空的"),
]


@pytest.mark.parametrize(
    ("make", "says"), REFUSED, ids=["exe", "html-gif", "png-pdf", "path", "empty"]
)
def test_bad_file_is_refused_in_chinese_and_nothing_is_stored(w, media, make, says):
    item = w.item
    with pytest.raises(ValidationError) as refused:
        services.ledger_report(
            item=item,
            user=w.contact,
            expected_version=0,
            progress=10,
            note="附件",
            files=[pdf_file("好文件.pdf"), make()],  # one good file does not get through alone
        )
    assert says in refused.value.messages[0]
    assert not Evidence.objects.exists()
    assert not LedgerEntry.objects.filter(item=item).exists()
    assert fresh(item).version == 0
    assert stored_files(media) == []


def test_oversized_file_is_refused(w, media, settings):
    settings.UPLOAD_MAX_MB = 1
    big = SimpleUploadedFile("大文件.pdf", b"%PDF-1.4\n" + b"0" * (1536 * 1024))
    with pytest.raises(ValidationError) as refused:
        services.ledger_hand_in(
            item=w.item, user=w.contact, expected_version=0, note="完成", files=[big]
        )
    assert refused.value.messages == ["文件「大文件.pdf」超过 1 MB 的上限（1.5 MB）。"]
    assert not Evidence.objects.exists()
    assert fresh(w.item).state == Item.State.IN_PROGRESS
    assert stored_files(media) == []


def post_files(client, item, files, action="report"):
    data = {"version": item.version, "progress": 20, "note": "上传材料", "files": files}
    return client.post(reverse("rectification:item_action", args=[item.pk, action]), data)


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("整改报告.pdf", EXE, "类型不在允许范围内"),
        ("照片.gif", HTML_AS_GIF, "不是有效的图片"),
    ],
)
def test_bad_file_through_the_page_says_why(w, media, client, name, content, says):
    client.force_login(w.contact)
    response = post_files(client, w.item, [SimpleUploadedFile(name, content)])
    assert response.status_code == 200
    page = response.content.decode()
    assert says in page and "均未保存" in page
    assert not Evidence.objects.exists() and stored_files(media) == []


def test_oversized_file_through_the_page(w, media, client, settings):
    settings.UPLOAD_MAX_MB = 1
    client.force_login(w.contact)
    big = SimpleUploadedFile("大文件.pdf", b"%PDF-1.4\n" + b"0" * (1536 * 1024))
    page = post_files(client, w.item, [big]).content.decode()
    assert "超过 1 MB 的上限" in page
    assert not Evidence.objects.exists() and stored_files(media) == []


def test_path_in_a_posted_name_never_chooses_where_the_file_goes(w, media, client):
    """Django's parser keeps only the last part of a posted name; the file is
    then stored under a random name inside MEDIA_ROOT."""
    boundary = "XunchaBoundary"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="version"\r\n\r\n0\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="progress"\r\n\r\n10\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="note"\r\n\r\nnote\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="files"; filename="../../etc/passwd.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + minimal_pdf(b"body")
        + b"\r\n"
        + f"--{boundary}--\r\n".encode()
    )
    client.force_login(w.contact)
    response = client.generic(
        "POST",
        reverse("rectification:item_action", args=[w.item.pk, "report"]),
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.original_name == "passwd.pdf"
    stored = Path(evidence.file.path).resolve()
    assert stored.is_relative_to(media.resolve() / "evidence")
    assert "passwd" not in stored.name and stored.suffix == ".pdf"
    assert stored_files(media) == [stored]


def test_versions_and_checksums_are_kept(w, media):
    item = w.item
    first, second = b"first version", b"second, corrected version"
    services.ledger_report(
        item=item,
        user=w.contact,
        expected_version=0,
        progress=50,
        note="第一版",
        files=[pdf_file("整改报告.pdf", first), png_file()],
    )
    services.ledger_hand_in(
        item=item,
        user=w.contact,
        expected_version=1,
        note="修订版",
        files=[pdf_file("整改报告.pdf", second)],
    )
    reports = Evidence.objects.filter(item=item, original_name="整改报告.pdf").order_by("version")
    assert [e.version for e in reports] == [1, 2]
    for evidence, body in zip(reports, (first, second), strict=True):
        content = minimal_pdf(body)
        assert evidence.sha256 == hashlib.sha256(content).hexdigest()
        assert evidence.size == len(content)
        assert evidence.content_type == "application/pdf"
        with evidence.file.open("rb") as handle:
            assert handle.read() == content
    assert reports[0].file.name != reports[1].file.name
    assert Evidence.objects.get(original_name="现场照片.png").content_type == "image/png"
    assert len(stored_files(media)) == 3
    assert AuditEntry.objects.filter(action="evidence.add").count() == 3


def test_many_files_in_one_post(w, media, client):
    client.force_login(w.contact)
    response = post_files(client, w.item, [pdf_file("一.pdf"), pdf_file("二.pdf"), png_file()])
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(item=w.item)
    assert sorted(entry.evidence.values_list("original_name", flat=True)) == [
        "一.pdf",
        "二.pdf",
        "现场照片.png",
    ]


def disk_full_on_the_second_file(monkeypatch) -> list[int]:
    """The disk fills up while the second file is flushed to it."""
    real_fsync = storage_module.os.fsync
    calls = []

    def fsync(descriptor):
        calls.append(descriptor)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(descriptor)

    monkeypatch.setattr(storage_module.os, "fsync", fsync)
    return calls


def test_interrupted_storage_leaves_nothing_half_stored(w, media, monkeypatch):
    calls = disk_full_on_the_second_file(monkeypatch)
    with pytest.raises(OSError):
        services.ledger_report(
            item=w.item,
            user=w.contact,
            expected_version=0,
            progress=10,
            note="x",
            files=[pdf_file("一.pdf"), pdf_file("二.pdf")],
        )
    assert len(calls) == 2
    assert not Evidence.objects.exists()
    assert not LedgerEntry.objects.exists()
    assert stored_files(media) == []  # no partial file either


def test_a_full_disk_through_the_page_says_try_again_and_keeps_nothing(
    w, media, client, monkeypatch
):
    disk_full_on_the_second_file(monkeypatch)
    client.force_login(w.contact)
    response = post_files(client, w.item, [pdf_file("一.pdf"), pdf_file("二.pdf")])

    assert response.status_code == 503
    assert "本次提交未保存" in response.content.decode()
    assert "请稍后重试" in response.content.decode()
    assert not Evidence.objects.exists()
    assert not LedgerEntry.objects.exists()
    assert fresh(w.item).state == Item.State.IN_PROGRESS
    assert stored_files(media) == []


# --- Serving ---------------------------------------------------------------------


@pytest.fixture
def evidence(w):
    services.ledger_report(
        item=w.item,
        user=w.contact,
        expected_version=0,
        progress=10,
        note="x",
        files=[pdf_file("整改报告.pdf", b"one")],
    )
    services.ledger_report(
        item=w.item,
        user=w.contact,
        expected_version=1,
        progress=20,
        note="y",
        files=[pdf_file("整改报告.pdf", b"two")],
    )
    return Evidence.objects.order_by("version").last()


def download(client, evidence):
    """Get the file, read to the end: the test client then closes it."""
    response = client.get(evidence.get_absolute_url())
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, body


def test_download_is_an_attachment_not_cached_not_sniffed_and_logged(w, client, evidence):
    client.force_login(w.contact)
    response, body = download(client, evidence)
    assert response.status_code == 200
    assert body == minimal_pdf(b"two")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "%E7%AC%AC2%E7%89%88" in disposition  # 第2版
    entry = AuditEntry.objects.filter(action="evidence.download").get()
    assert (entry.actor, entry.object_id, entry.data) == (
        w.contact,
        str(w.item.pk),
        {"evidence": evidence.pk},
    )


def test_office_and_leadership_may_download(w, client, evidence):
    for user in (w.office_user, w.leadership):
        client.force_login(user)
        assert download(client, evidence)[0].status_code == 200


@pytest.mark.parametrize("who", ["other_contact", "discipline", "other_dept"])
def test_evidence_of_another_unit_is_404(w, client, evidence, who):
    client.force_login(getattr(w, who))
    assert client.get(evidence.get_absolute_url()).status_code == 404
    assert not AuditEntry.objects.filter(action="evidence.download").exists()


def test_evidence_under_another_items_url_is_404(w, client, evidence):
    client.force_login(w.contact)
    wrong = reverse("rectification:evidence_file", args=[w.items[1].pk, evidence.pk])
    assert client.get(wrong).status_code == 404
    # The other unit's contact, under their own item's URL, still gets nothing.
    client.force_login(w.other_contact)
    wrong = reverse("rectification:evidence_file", args=[w.other_item.pk, evidence.pk])
    assert client.get(wrong).status_code == 404


def test_receiving_department_downloads_once_the_item_is_theirs(w, client, evidence):
    client.force_login(w.other_dept)
    assert client.get(evidence.get_absolute_url()).status_code == 404
    set_item(w.item, state=Item.State.TRANSFERRED, transferred_to=w.department)
    assert download(client, evidence)[0].status_code == 200


def test_anonymous_download_goes_to_login(w, client, evidence):
    response = client.get(evidence.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_missing_file_is_404_not_500(w, client, evidence):
    evidence.file.delete(save=False)
    client.force_login(w.contact)
    assert client.get(evidence.get_absolute_url()).status_code == 404
