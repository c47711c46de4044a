"""Background tasks shared by every app.

E-mail goes through a task so that a slow or unreachable SMTP server never holds up a page:
with the default backend the task runs at once in the request; in production a worker
(`manage.py db_worker`) sends it and retries are visible in the task results table.
"""

from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_email(subject: str, body: str, to: list[str], html_body: str = "") -> int:
    """Send one message. Safe to run twice: the worst case is a duplicate notice, never lost mail."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    return message.send()
