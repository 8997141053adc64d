"""Recusal (回避): who may not be on a team that inspects a given organization."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from xuncha.orgs.models import Cadre, Organization

# Having worked at an organization this recently is a ground for recusal.
RECENT_WORK_YEARS = 3


@dataclass(frozen=True)
class RecusalConflict:
    cadre: Cadre
    organization: Organization
    reason: str

    def __str__(self) -> str:
        return _("%(cadre)s 须回避「%(org)s」：%(reason)s") % {
            "cadre": self.cadre.name,
            "org": self.organization.name,
            "reason": self.reason,
        }


def _ancestors_and_self(organization: Organization) -> list[int]:
    ids, node, seen = [], organization, set()
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        ids.append(node.pk)
        node = node.parent
    return ids


def recusal_conflicts(cadre: Cadre, organizations: list[Organization]) -> list[RecusalConflict]:
    """Every reason the cadre may not inspect any of these organizations."""
    if not organizations:
        return []
    by_id = {org.pk: org for org in organizations}
    conflicts = []
    for org_id in _ancestors_and_self(cadre.organization):
        if org_id in by_id:
            reason = (
                _("本人在该单位工作（任职回避）")
                if org_id == cadre.organization_id
                else _("本人所在单位隶属该组织（任职回避）")
            )
            conflicts.append(RecusalConflict(cadre, by_id[org_id], reason))
    for relation in cadre.relations.filter(organization_id__in=by_id):
        conflicts.append(
            RecusalConflict(
                cadre,
                by_id[relation.organization_id],
                _("%(relation)s%(name)s在该单位工作（任职回避）")
                % {"relation": relation.get_relation_display(), "name": relation.name},
            )
        )
    since = timezone.localdate() - datetime.timedelta(days=365 * RECENT_WORK_YEARS)
    for job in cadre.work_history.filter(organization_id__in=by_id).exclude(end_date__lt=since):
        conflicts.append(
            RecusalConflict(
                cadre,
                by_id[job.organization_id],
                _("近%(years)s年曾在该单位任职（%(position)s）")
                % {"years": RECENT_WORK_YEARS, "position": job.position or _("工作")},
            )
        )
    for declaration in cadre.conflicts.filter(organization_id__in=by_id):
        conflicts.append(
            RecusalConflict(
                cadre,
                by_id[declaration.organization_id],
                _("本人申报回避：%(reason)s（公务回避）") % {"reason": declaration.reason},
            )
        )
    return conflicts
