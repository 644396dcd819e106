"""Outgoing e-mail, sent by the task worker (Django's tasks API) and never inside a request.

A mail task is queued with what it needs to look up (ids, an address), not with the rendered
message, so that no link with a token waits in the queue. It renders its messages when it runs
and hands them to ``deliver``, which tries again later when the mail server cannot be reached.
"""

import logging
from datetime import timedelta
from smtplib import SMTPException

from django.core.mail import get_connection
from django.utils import timezone

logger = logging.getLogger(__name__)

# How long to wait before each new attempt; after the last one the task is recorded as failed.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)


def deliver(context, messages):
    """Send ``messages`` (a list of ``EmailMessage``) for the running task ``context``.

    The task must take ``context`` (``@task(takes_context=True)``) and an ``attempt`` keyword
    argument (default 1). When the mail server cannot be reached (``OSError``,
    ``SMTPException``), the same task is queued again with ``attempt + 1``, to run after the
    next delay of ``RETRY_DELAYS``, and this attempt ends quietly; after the last attempt, or
    with a task backend that cannot run tasks later, the error is logged and raised, so that
    the task is recorded as failed. Returns a line saying what happened, which the database
    backend keeps as the task's result.
    """
    if not messages:
        return "nothing to send"
    result = context.task_result
    attempt = result.kwargs.get("attempt", 1)
    try:
        sent = get_connection().send_messages(messages)
    except (OSError, SMTPException) as error:
        task = result.task
        if attempt > len(RETRY_DELAYS) or not task.get_backend().supports_defer:
            logger.error(
                "Could not send the e-mail of %s (attempt %d, the last): %s",
                task.name,
                attempt,
                error,
            )
            raise
        delay = RETRY_DELAYS[attempt - 1]
        task.using(run_after=timezone.now() + delay).enqueue(
            *result.args, **{**result.kwargs, "attempt": attempt + 1}
        )
        logger.warning(
            "Could not send the e-mail of %s (attempt %d): %s. Trying again in %s.",
            task.name,
            attempt,
            error,
            delay,
        )
        return f"mail server unreachable; attempt {attempt + 1} in {delay}"
    return f"sent {sent} of {len(messages)}"
