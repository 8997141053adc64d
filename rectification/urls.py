from django.urls import path

from rectification.views import (
    assessment,
    evidence,
    export,
    figures,
    items,
    plans,
    questionnaires,
    recommendations,
    survey,
)

app_name = "rectification"

urlpatterns = [
    # The plan and its three lists (三单)
    path("", plans.plan_list, name="plan_list"),
    path("targets/<int:target_pk>/plan/", plans.plan_open, name="plan_open"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/sign/", plans.plan_sign, name="plan_sign"),
    path("plans/<int:pk>/submit/", plans.plan_submit, name="plan_submit"),
    path("plans/<int:pk>/review/", plans.plan_review, name="plan_review"),
    # The ledger (五账)
    path("items/", items.item_list, name="item_list"),
    path("items/export.xlsx", export.item_export, name="item_export"),
    path("plans/export.xlsx", export.plan_export, name="plan_export"),
    path("recommendations/export.xlsx", export.recommendation_export, name="recommendation_export"),
    path("overdue/", items.overdue_list, name="overdue_list"),
    path("items/<int:pk>/", items.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", plans.item_edit, name="item_edit"),
    path(
        "items/<int:pk>/evidence/<int:evidence_pk>/",
        evidence.evidence_file,
        name="evidence_file",
    ),
    path("items/<int:pk>/<slug:action>/", items.item_action, name="item_action"),
    # The assessment (一评估) and its public survey
    path("assessments/", assessment.assessment_list, name="assessment_list"),
    path(
        "targets/<int:target_pk>/assessment/",
        assessment.assessment_open,
        name="assessment_open",
    ),
    path("assessments/<int:pk>/", assessment.assessment_detail, name="assessment_detail"),
    path(
        "assessments/<int:pk>/<slug:action>/",
        assessment.assessment_action,
        name="assessment_action",
    ),
    path("survey/<slug:token>/", survey.survey_answer, name="survey_answer"),
    path("questionnaires/", questionnaires.questionnaire_list, name="questionnaire_list"),
    path(
        "questionnaires/<int:pk>/",
        questionnaires.questionnaire_detail,
        name="questionnaire_detail",
    ),
    path(
        "questionnaires/<int:pk>/<slug:action>/",
        questionnaires.questionnaire_action,
        name="questionnaire_action",
    ),
    # 巡察建议书
    path("recommendations/", recommendations.recommendation_list, name="recommendation_list"),
    path(
        "recommendations/new/",
        recommendations.recommendation_create,
        name="recommendation_create",
    ),
    path(
        "recommendations/<int:pk>/",
        recommendations.recommendation_detail,
        name="recommendation_detail",
    ),
    path(
        "recommendations/<int:pk>/step/",
        recommendations.recommendation_step,
        name="recommendation_step",
    ),
    path("figures/", figures.figures, name="figures"),
]
