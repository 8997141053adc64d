"""The 领取单's one download: the sealed field credentials are opened and the
sheet deleted in the same transaction, so the clear values exist at the
office only in the response to that one request (see fieldwork/credentials.py)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from fieldwork.credentials import FieldCredential, open_credentials
from fieldwork.models import HandoutSheet
from xuncha.audit.services import log_action


@sensitive_variables("credentials", "sheet")
@transaction.atomic
def handout_claim(*, sheet: HandoutSheet, user) -> list[FieldCredential]:
    """The sheet's credentials, taken once. Call it inside the transaction that
    also renders the document, so a failed rendering keeps the sheet."""
    if sheet.issued_to_id != user.pk:
        raise ValidationError(_("领取单只能由导出人本人下载。"))
    try:
        credentials = open_credentials(str(sheet.package.package_id), sheet.sealed)
    except ValueError as error:
        raise ValidationError(_("%(error)s请重新导出数据包。") % {"error": error}) from None
    # The claim: whoever deletes the row has it; a second request finds nothing.
    deleted, _by_model = HandoutSheet.objects.filter(pk=sheet.pk).delete()
    if not deleted:
        raise ValidationError(
            _("领取单已被下载，不能再次下载；如需新的现场账号，请重新导出数据包。")
        )
    log_action(
        user,
        "fieldwork.handout_download",
        sheet.package,
        {
            "team": sheet.package.team_id,
            "package": str(sheet.package.package_id),
            "people": [c.username for c in credentials],
        },
    )
    return credentials
