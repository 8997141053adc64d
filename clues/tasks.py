from celery import shared_task

from clues.services.reminders import send_due_reminders


@shared_task(name="clues.tasks.send_clue_reminders")
def send_clue_reminders() -> int:
    """Daily. Safe under two workers, a retry or a second beat: each (clue,
    level) row can be inserted once, and only its inserter notifies."""
    return send_due_reminders()
