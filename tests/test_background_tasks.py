"""E-mail goes through the task queue: a request never waits on the mail server, nothing is
lost while the worker is stopped, and a mail server that is down is tried again later."""

import signal
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from authors.password_reset import send_password_reset
from diethnos.mail import RETRY_DELAYS
from reports.models import Report

from .factories import AuthorFactory, ContributorFactory, EditorFactory, ReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def database_tasks(settings):
    """Tasks stored in the database, as in production, until a worker runs them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    settings.EMAIL_TIMEOUT = 5


def run_worker():
    """`manage.py db_worker --batch`: run every task that is due, then stop.

    It runs in this process, inside the test's transaction, which the worker must not close
    between tasks as it would a connection of its own."""
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def queued():
    return list(DBTaskResult.objects.order_by("enqueued_at"))


def invite_from_the_desk(client):
    author = AuthorFactory(name="Amara Okafor", email="amara@example.org")
    client.force_login(EditorFactory())
    return client.post(
        reverse("admin:authors_author_changelist"),
        {"action": "send_invitation", "_selected_action": [author.pk]},
    )


def ask_for_a_password_reset(client):
    ContributorFactory(email="amara@example.org")
    return client.post(reverse("password_reset"), {"email": "amara@example.org"})


def send_a_draft_for_review(client):
    EditorFactory(email="desk@example.org")
    contributor = ContributorFactory(email="amara@example.org")
    draft = ReportFactory(
        status=Report.Status.DRAFT, publish_at=None, authors=[AuthorFactory(user=contributor)]
    )
    client.force_login(contributor)
    return client.post(
        reverse("admin:reports_report_changelist"),
        {"action": "send_for_review", "_selected_action": [draft.pk]},
    )


@pytest.mark.parametrize(
    ("action", "task_name", "recipient"),
    [
        (invite_from_the_desk, "send_invitation", "amara@example.org"),
        (ask_for_a_password_reset, "send_password_reset", "amara@example.org"),
        (send_a_draft_for_review, "send_review_request", "desk@example.org"),
    ],
)
def test_mail_waits_in_the_database_while_no_worker_runs_and_goes_when_one_does(
    client, django_capture_on_commit_callbacks, action, task_name, recipient
):
    with django_capture_on_commit_callbacks(execute=True):
        response = action(client)
    assert response.status_code == 302
    assert mail.outbox == []
    (task,) = queued()
    assert task.status == TaskResultStatus.READY
    assert task.task_path.endswith(f".{task_name}")

    run_worker()

    assert [message.to for message in mail.outbox] == [[recipient]]
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.return_value == "sent 1 of 1"


def test_the_queue_holds_what_to_look_up_and_no_link_to_sign_in_with(
    client, django_capture_on_commit_callbacks
):
    # Invitation and reset links are made by the worker when it sends them, so none waits
    # in the database (or in its backups).
    with django_capture_on_commit_callbacks(execute=True):
        invite_from_the_desk(client)
        ask_for_a_password_reset(client)
    stored = [str(task.args_kwargs) for task in queued()]
    assert len(stored) == 2
    assert not any("/accounts/" in args for args in stored)
    run_worker()
    assert all("/accounts/" in message.body for message in mail.outbox)


def test_a_mail_server_that_is_down_is_tried_again_later_until_it_answers(
    settings, mail_server_down, caplog
):
    ContributorFactory(email="amara@example.org")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        send_password_reset.enqueue("amara@example.org")
        run_worker()
        assert "Could not send the e-mail of send_password_reset (attempt 1)" in caplog.text
        first = DBTaskResult.objects.get(args_kwargs__kwargs={})
        retry = DBTaskResult.objects.get(args_kwargs__kwargs={"attempt": 2})
        assert first.status == TaskResultStatus.SUCCESSFUL
        assert retry.status == TaskResultStatus.READY
        assert retry.run_after == start + RETRY_DELAYS[0]

        # Not before its time...
        run_worker()
        retry.refresh_from_db()
        assert retry.status == TaskResultStatus.READY

        # ...and once the mail server answers again, the e-mail goes.
        clock.shift(RETRY_DELAYS[0] + timedelta(seconds=1))
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        run_worker()
    retry.refresh_from_db()
    assert retry.status == TaskResultStatus.SUCCESSFUL
    assert [message.to for message in mail.outbox] == [["amara@example.org"]]


def test_after_the_last_attempt_the_failure_is_recorded_and_logged(mail_server_down, caplog):
    ContributorFactory(email="amara@example.org")
    last = len(RETRY_DELAYS) + 1
    send_password_reset.enqueue("amara@example.org", attempt=last)
    run_worker()
    (task,) = queued()
    assert task.status == TaskResultStatus.FAILED
    assert "ConnectionRefusedError" in task.traceback
    assert f"(attempt {last}, the last)" in caplog.text
    # The desk lists it, with its traceback, for whoever runs the site.
    assert task.task_name == "send_password_reset"


def test_a_failed_task_shows_in_the_editors_desk_for_superusers(client, mail_server_down):
    from django.contrib.auth import get_user_model

    send_password_reset.enqueue("amara@example.org", attempt=len(RETRY_DELAYS) + 1)
    ContributorFactory(email="amara@example.org")
    run_worker()
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org"))
    response = client.get(
        reverse("admin:django_tasks_database_dbtaskresult_changelist") + "?status__exact=FAILED"
    )
    assert response.status_code == 200
    assert "send_password_reset" in response.content.decode()


def test_mail_about_something_gone_since_it_was_queued_is_not_sent(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_a_draft_for_review(client)
    Report.objects.all().delete()
    run_worker()
    (task,) = queued()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert mail.outbox == []


# -- password reset: the same answer, after the same work, for any address -------------------


def reset_request(client, address):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("password_reset"), {"email": address})
    return response, [query["sql"] for query in queries.captured_queries]


def test_a_reset_request_does_the_same_work_for_known_and_unknown_addresses(client):
    ContributorFactory(email="amara@example.org")
    known, known_sql = reset_request(client, "amara@example.org")
    unknown, unknown_sql = reset_request(client, "nobody@example.org")

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(known_sql) == len(unknown_sql)
    assert [sql.split()[:3] for sql in known_sql] == [sql.split()[:3] for sql in unknown_sql]
    # The request looks no account up: it queues one task with the address, whatever it is.
    assert not any("auth_user" in sql for sql in known_sql + unknown_sql)
    tasks = queued()
    assert [task.args_kwargs["args"] for task in tasks] == [
        ["amara@example.org"],
        ["nobody@example.org"],
    ]
    assert mail.outbox == []

    run_worker()
    assert [message.to for message in mail.outbox] == [["amara@example.org"]]
