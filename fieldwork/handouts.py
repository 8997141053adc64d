"""The 领取单 (hand-out sheet) as a PDF: one A4 page per member with their field
password and authenticator (the QR drawn offline with segno), to be printed
and handed to each member in person. Rendered only in the one download."""

from django.utils import timezone

from fieldwork.credentials import FieldCredential
from fieldwork.models import FieldPackage
from xuncha.reports.pdf import qr_data_uri, render_pdf


def handout_pdf(*, package: FieldPackage, credentials: list[FieldCredential], reader) -> bytes:
    team = package.team
    label = f"{team.name}{timezone.localtime(package.created_at):%m%d%H%M}"
    sheets = [
        {"credential": c, "qr": qr_data_uri(c.otpauth_url(label), scale=6), "account": label}
        for c in credentials
    ]
    return render_pdf(
        "fieldwork/pdf/handout.html",
        {
            "package": package,
            "team": team,
            "sheets": sheets,
            "made_at": timezone.localtime(package.created_at),
        },
        reader=reader,
    )
