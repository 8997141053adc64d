from celery import shared_task

from rectification.services.reminders import send_due_reminders


@shared_task(name="rectification.tasks.send_deadline_reminders")
def send_deadline_reminders() -> int:
    """Daily. Each (item, colour) reminder row is inserted once; only its inserter notifies."""
    return send_due_reminders()
