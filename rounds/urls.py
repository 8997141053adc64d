from django.urls import path

from rounds.views import export, problems, rounds, targets, team_reports, teams, worklogs

app_name = "rounds"
urlpatterns = [
    # Rounds and their stages
    path("", rounds.round_list, name="round_list"),
    path("new/", rounds.round_create, name="round_create"),
    path("<int:pk>/", rounds.round_detail, name="round_detail"),
    path("<int:pk>/advance/", rounds.round_advance, name="round_advance"),
    path("<int:pk>/teams/new/", teams.team_create, name="team_create"),
    path("<int:pk>/report-due/", team_reports.round_report_due, name="round_report_due"),
    # Teams: members, commitments, targets, work logs
    path("teams/<int:pk>/", teams.team_detail, name="team_detail"),
    path("teams/<int:pk>/members/add/", teams.team_add_member, name="team_add_member"),
    path(
        "teams/<int:pk>/members/<int:membership_pk>/remove/",
        teams.team_remove_member,
        name="team_remove_member",
    ),
    path("teams/<int:pk>/commitments/", teams.commitments, name="commitments"),
    path("teams/<int:pk>/commitments/sign/", teams.commitment_sign, name="commitment_sign"),
    path("teams/<int:pk>/targets/add/", targets.target_add, name="target_add"),
    path("teams/<int:pk>/logs/", worklogs.worklog_list, name="worklog_list"),
    path("teams/<int:pk>/logs/new/", worklogs.worklog_form, name="worklog_form"),
    # Targets
    path("targets/", targets.target_list, name="target_list"),
    path("targets/<int:pk>/", targets.target_detail, name="target_detail"),
    path("targets/<int:pk>/dates/", targets.target_dates, name="target_dates"),
    path("targets/<int:pk>/feedback/", targets.target_feedback, name="target_feedback"),
    path("targets/<int:pk>/problems/new/", problems.problem_create, name="problem_create"),
    path("targets/<int:pk>/report/", team_reports.team_report_submit, name="team_report_submit"),
    path(
        "targets/<int:pk>/report/<int:report_pk>/",
        team_reports.team_report_file,
        name="team_report_file",
    ),
    # Weekly summaries
    path("weekly/", worklogs.weekly_summary_list, name="weekly_summary_list"),
    path("weekly/run/", worklogs.weekly_summary_run, name="weekly_summary_run"),
    path("weekly/<int:pk>/", worklogs.weekly_summary_detail, name="weekly_summary_detail"),
    # Problems
    path("problems/", problems.problem_list, name="problem_list"),
    path("problems/export.xlsx", export.problem_export, name="problem_export"),
    path("export.xlsx", export.round_export, name="round_export"),
    path("targets/export.xlsx", export.target_export, name="target_export"),
    path("weekly/export.xlsx", export.weekly_summary_export, name="weekly_summary_export"),
    path("problems/<int:pk>/", problems.problem_detail, name="problem_detail"),
    path("problems/<int:pk>/edit/", problems.problem_edit, name="problem_edit"),
    path("problems/<int:pk>/transition/", problems.problem_transition, name="problem_transition"),
    path("problems/<int:pk>/files/", problems.problem_attach, name="problem_attach"),
    path(
        "problems/<int:pk>/files/<int:file_pk>/",
        problems.problem_attachment,
        name="problem_attachment",
    ),
]
