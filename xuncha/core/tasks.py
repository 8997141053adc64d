from celery import shared_task


@shared_task(name="xuncha.core.tasks.ping")
def ping(payload: str = "") -> dict:
    """Round trip through broker, worker and result backend (health checks, CI)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"pong": payload, "database": connection.vendor}
