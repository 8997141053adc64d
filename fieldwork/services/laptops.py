"""清理's office side: the laptop handed back, cleared, recorded against the team."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fieldwork.models import FieldPackage, LaptopReturn
from rounds.access import require_office
from rounds.models import Team
from xuncha.audit.services import log_action


@transaction.atomic
def laptop_return_record(
    *,
    team: Team,
    laptop: str,
    returned_on: datetime.date,
    package_sha256: str = "",
    clearing_record: str = "",
    user,
) -> LaptopReturn:
    require_office(user, team.round)
    package_sha256 = package_sha256.strip().lower()
    if (
        package_sha256
        and not FieldPackage.objects.filter(team=team, sha256=package_sha256).exists()
    ):
        raise ValidationError(
            {"package_sha256": _("清理记录中的数据包校验值与本组导出过的任何数据包都不符。")}
        )
    entry = LaptopReturn(
        team=team,
        laptop=laptop.strip(),
        returned_on=returned_on,
        package_sha256=package_sha256,
        clearing_record=clearing_record,
        recorded_by=user,
    )
    entry.full_clean()
    entry.save()
    log_action(user, "fieldwork.laptop_return", entry, {"team": team.pk, "laptop": entry.laptop})
    return entry
