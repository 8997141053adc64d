"""Writes for rectification. Views, tasks, imports and the demo seed all call these."""

from rectification.services.assessment import (
    accountability_record,
    assessment_decide,
    assessment_open,
    survey_answer,
    survey_close,
    survey_links_create,
)
from rectification.services.ledger import (
    ConcurrentActionError,
    allowed_actions,
    follow_up_check,
    ledger_check,
    ledger_close,
    ledger_hand_in,
    ledger_report,
    ledger_transfer,
)
from rectification.services.plans import (
    item_plan_update,
    plan_missing,
    plan_open,
    plan_review,
    plan_sign,
    plan_submit,
)
from rectification.services.questionnaires import (
    aspect_add,
    aspect_remove,
    assessment_use_questionnaire,
    public_link,
    question_add,
    question_remove,
    questionnaire_create,
    survey_respond,
)
from rectification.services.recommendations import recommendation_issue, recommendation_step
from rectification.services.reminders import send_due_reminders

__all__ = [
    "ConcurrentActionError",
    "accountability_record",
    "allowed_actions",
    "aspect_add",
    "aspect_remove",
    "assessment_decide",
    "assessment_open",
    "assessment_use_questionnaire",
    "follow_up_check",
    "item_plan_update",
    "ledger_check",
    "ledger_close",
    "ledger_hand_in",
    "ledger_report",
    "ledger_transfer",
    "plan_missing",
    "plan_open",
    "plan_review",
    "plan_sign",
    "plan_submit",
    "public_link",
    "question_add",
    "question_remove",
    "questionnaire_create",
    "recommendation_issue",
    "recommendation_step",
    "send_due_reminders",
    "survey_answer",
    "survey_close",
    "survey_links_create",
    "survey_respond",
]
