from django.urls import path

from clues.views import actions, detail, drafting, export, ledger

app_name = "clues"

urlpatterns = [
    # The ledgers (台账) and the office's reconciliation (对账)
    path("", ledger.clue_list, name="clue_list"),
    path("export.xlsx", export.clue_export, name="clue_export"),
    path("reconciliation/", ledger.reconciliation_view, name="reconciliation"),
    # Drafting (the team)
    path("new/", drafting.clue_create, name="clue_create"),
    path("<int:pk>/edit/", drafting.clue_edit, name="clue_edit"),
    path("<int:pk>/files/", drafting.clue_file_upload, name="clue_file_upload"),
    # Reading: each an audited read
    path("<int:pk>/", detail.clue_detail, name="clue_detail"),
    path("<int:pk>/files/<int:file_pk>/", detail.clue_file, name="clue_file"),
    path("<int:pk>/print/", detail.clue_print, name="clue_print"),
    # The handover's three signatures (审批交接单), disposition and 销号
    path("<int:pk>/submit/", actions.clue_submit, name="clue_submit"),
    path("<int:pk>/approve/", actions.clue_approve, name="clue_approve"),
    path("<int:pk>/return/", actions.clue_return, name="clue_return"),
    path("<int:pk>/receive/", actions.clue_receive, name="clue_receive"),
    path("<int:pk>/disposition/", actions.clue_disposition, name="clue_disposition"),
    path("<int:pk>/close/", actions.clue_close, name="clue_close"),
    path("<int:pk>/reopen/", actions.clue_reopen, name="clue_reopen"),
]
