"""码上巡察 on the target's page (a rounds template): the link to its reports
and the two posters, shown to those who may have them. A template tag keeps
rounds free of any import of this app."""

from django import template
from django.urls import reverse

from intake.models import Report
from intake.selectors import sees_target_reports
from intake.services import stay_open
from rectification.models import Assessment
from rounds.access import office_manages

register = template.Library()


@register.inclusion_tag("intake/_target_links.html", takes_context=True)
def intake_links(context, target):
    user = context["request"].user
    if not sees_target_reports(user, target):
        return {"show": False}
    assessment = (
        Assessment.objects.filter(target=target).only("survey_open", "questionnaire").first()
    )
    return {
        "show": True,
        "target": target,
        "reports_url": reverse("intake:report_list") + f"?target={target.pk}",
        "counted": Report.objects.filter(target=target).counted().count(),
        "waiting": Report.objects.filter(target=target, state=Report.State.NEW).count(),
        "stay_open": stay_open(target),
        "survey_poster": (
            office_manages(user, target.round.office)
            and assessment is not None
            and assessment.questionnaire_id is not None
            and assessment.survey_open
        ),
        "csrf_token": context.get("csrf_token"),
    }
