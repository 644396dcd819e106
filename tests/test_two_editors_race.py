"""Two editors saving the same report at the same moment, for real: two threads, each with its
own browser session and its own database connection, released together by a barrier.

PostgreSQL only. The in-memory SQLite database the tests use locks whole tables between
connections and fails a second writer at once instead of letting it wait, so a race there ends
in an error rather than in a decision. On SQLite the same conditional UPDATE decides races; that
is proven deterministically in test_two_editors.py
(test_a_save_that_races_past_the_check_is_refused_by_the_conditional_update).
"""

import threading
from functools import partial

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from reports.models import Report, ReportOvertaken, ReportQuerySet

from .admin_forms import form_on_page
from .factories import EditorFactory, ReportFactory

PAIRS = 20
REFUSAL = "Someone else saved this report while you were editing it"
LIST = reverse("admin:reports_report_changelist")

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs a database that lets writers wait"
    ),
    # Threads see only what is committed; the session's content is put back afterwards.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def editor(username):
    client = Client()
    client.force_login(EditorFactory(username=username))
    return client


def at_once(*actions):
    """Run ``actions`` each in a thread of its own, released together; return their results
    (or the exception each raised), in order."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            results[index] = action()
        except Exception as error:  # reported by the test, not lost in the thread
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def refused_at_save(monkeypatch):
    """The saves the conditional UPDATE refused, having got past the form's check."""
    refused = []
    claim_version = ReportQuerySet.claim_version

    def counting(self, pk, expected=None):
        try:
            return claim_version(self, pk, expected)
        except ReportOvertaken:
            refused.append(pk)
            raise

    monkeypatch.setattr(ReportQuerySet, "claim_version", counting)
    return refused


def drafts(count):
    return [
        ReportFactory(
            title=f"Report {n}",
            summary="Original summary.",
            status=Report.Status.DRAFT,
            publish_at=None,
            primary_region=None,
        )
        for n in range(count)
    ]


def test_of_two_editors_saving_at_the_same_moment_exactly_one_is_accepted_and_no_edit_is_lost(
    record_property, refused_at_save
):
    alice, bob = editor("alice"), editor("bob")
    lost = 0
    for n, report in enumerate(drafts(PAIRS)):
        url = reverse("admin:reports_report_change", args=[report.pk])
        alices, bobs = form_on_page(alice.get(url)), form_on_page(bob.get(url))
        alices["title"] = [f"Alice's headline {n}"]
        bobs["summary"] = [f"Bob's summary {n}"]

        alices_answer, bobs_answer = at_once(
            partial(alice.post, url, alices), partial(bob.post, url, bobs)
        )
        answers = [alices_answer, bobs_answer]
        assert not [a for a in answers if isinstance(a, Exception)], answers
        assert sorted(a.status_code for a in answers) == [200, 302], n
        assert REFUSAL in next(a for a in answers if a.status_code == 200).content.decode()
        report.refresh_from_db()
        alices_kept = report.title == f"Alice's headline {n}"
        bobs_kept = report.summary == f"Bob's summary {n}"
        lost += (alices_answer.status_code == 302) != alices_kept
        lost += (bobs_answer.status_code == 302) != bobs_kept

    record_property("pairs", PAIRS)
    record_property("lost_edits", lost)
    record_property("refused_by_the_conditional_update", len(refused_at_save))
    assert lost == 0


def test_a_save_and_a_list_action_at_the_same_moment_both_keep_their_change(record_property):
    alice, bob = editor("alice"), editor("bob")
    lost = 0
    for n, report in enumerate(drafts(PAIRS)):
        url = reverse("admin:reports_report_change", args=[report.pk])
        alices = form_on_page(alice.get(url))
        alices["title"] = [f"Alice's headline {n}"]
        action = {"action": "send_for_review", "_selected_action": [report.pk]}

        alices_answer, bobs_answer = at_once(
            partial(alice.post, url, alices), partial(bob.post, LIST, action)
        )
        assert not isinstance(alices_answer, Exception), alices_answer
        assert not isinstance(bobs_answer, Exception), bobs_answer
        report.refresh_from_db()
        # Alice is refused only if the action came first; the action is never undone.
        if alices_answer.status_code == 200:
            assert REFUSAL in alices_answer.content.decode()
        lost += (alices_answer.status_code == 302) != (report.title == f"Alice's headline {n}")
        lost += report.status != Report.Status.IN_REVIEW

    record_property("pairs", PAIRS)
    record_property("lost_edits", lost)
    assert lost == 0
