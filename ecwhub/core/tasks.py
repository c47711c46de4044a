"""Background tasks shared by every app.

Notifications are queued in the outbox (``ecwhub.core.outbox.notify``); this task is the prompt
path that sends one right after the transaction that queued it commits. With the default backend
it runs at once in the same process; in production a worker (``manage.py db_worker``) runs it.
``manage.py deliver_outbox`` is the path that never misses: it sends whatever a task did not.
"""

from django_tasks import task

from .outbox import deliver_message


@task()
def deliver_notification(message_id: str) -> str:
    """Send one outbox message if it is still due. Safe to run twice: a message is claimed before
    it is sent and a sent message is never claimed again."""
    return str(deliver_message(message_id=message_id))
