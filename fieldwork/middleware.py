"""The field edition answers only the team's own pages.

Everything else (the office's pages, the dashboard, clues, rectification, the
admin) is a 404, as if the laptop's copy had no such page: the laptop holds
one team's data for one round, and nothing of the office's work. The home
page sends to the team's page.
"""

from django.http import Http404
from django.shortcuts import redirect

# By view name, so that a new URL is closed until it is listed here.
FIELD_VIEWS = frozenset(
    {
        "healthz",
        "set_language",
        "accounts:login",
        "accounts:logout",
        "accounts:profile",
        "accounts:password_change",
        "twofactor:verify",
        "twofactor:recovery",
        "core:todo",
        "core:todo_badge",
        "notifications:notification_list",
        "notifications:notification_mark_read",
        "rounds:team_detail",
        "rounds:commitments",
        "rounds:commitment_sign",
        "rounds:worklog_list",
        "rounds:worklog_form",
        "rounds:target_list",
        "rounds:target_detail",
        "rounds:problem_list",
        "rounds:problem_create",
        "rounds:problem_detail",
        "rounds:problem_edit",
        "rounds:problem_transition",
        "rounds:problem_attachment",
        # Clue drafts: made on the laptop, they come back as drafts.
        "clues:clue_list",
        "clues:clue_create",
        "clues:clue_detail",
        "clues:clue_edit",
        "fieldwork:field_home",
        "fieldwork:team_records",
        "fieldwork:record_list",
        "fieldwork:record_create",
        "fieldwork:record_detail",
        "fieldwork:record_edit",
        "fieldwork:record_attach",
        "fieldwork:record_file",
    }
)


# Not here, because the return package does not carry them: problem attachments
# (files go on the records instead), a clue's files and its handover steps.


class FieldModeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        name = match.view_name if match else ""
        if name == "core:home":
            return redirect("fieldwork:field_home")
        if name in FIELD_VIEWS or request.path.startswith("/static/"):
            return None
        raise Http404
