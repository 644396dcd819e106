"""A report's version: one more on every save, whatever writes it, and a save based on an older
version refused, so that no save silently undoes another (the desk's side is in
test_two_editors.py)."""

import pytest
import reversion
from django.core import serializers
from django.core.management import call_command
from reversion.models import Version

from reports import workflow
from reports.models import Report, ReportOvertaken

from .factories import ReportFactory

pytestmark = pytest.mark.django_db


def stored(report):
    return Report.objects.get(pk=report.pk)


def test_a_report_saved_from_an_older_version_is_refused_and_the_newer_save_kept():
    report = ReportFactory(title="Talks in Doha", summary="Both delegations attended.")
    first, second = stored(report), stored(report)
    first.title = "Talks resume in Doha"
    first.save()
    second.summary = "Only one delegation attended."
    with pytest.raises(ReportOvertaken) as refusal:
        second.save()
    assert (refusal.value.report_id, refusal.value.expected, refusal.value.stored) == (
        report.pk,
        1,
        2,
    )
    report = stored(report)
    assert (report.title, report.summary, report.version) == (
        "Talks resume in Doha",
        "Both delegations attended.",
        2,
    )


def test_a_save_is_checked_against_the_version_it_names():
    report = ReportFactory()
    report.save(expected_version=1)
    assert stored(report).version == 2
    with pytest.raises(ReportOvertaken):
        stored(report).save(expected_version=1)
    assert stored(report).version == 2


def test_of_two_claims_on_the_same_version_exactly_one_gets_through():
    report = ReportFactory()
    assert Report.objects.claim_version(report.pk, 1) == 2
    with pytest.raises(ReportOvertaken):
        Report.objects.claim_version(report.pk, 1)
    assert Report.objects.claim_version(report.pk) == 3  # no expectation: just counted
    with pytest.raises(Report.DoesNotExist):
        Report.objects.claim_version(report.pk + 1000, 1)


def test_saving_named_fields_counts_as_a_save_and_is_checked_too():
    report = ReportFactory(featured=False)
    outdated = stored(report)
    report.featured = True
    report.save(update_fields=["featured"])
    assert (stored(report).featured, stored(report).version) == (True, 2)
    outdated.featured = False
    with pytest.raises(ReportOvertaken):
        outdated.save(update_fields=["featured"])
    assert stored(report).featured is True


@pytest.mark.parametrize(
    ("transition", "status"),
    [
        ("publish", Report.Status.DRAFT),
        ("submit_for_review", Report.Status.DRAFT),
        ("unpublish", Report.Status.PUBLISHED),
        ("withdraw", Report.Status.PUBLISHED),
    ],
)
def test_a_transition_called_on_a_report_loaded_before_another_save_is_refused(transition, status):
    report = ReportFactory(title="Talks in Doha", status=status)
    outdated = stored(report)
    current = stored(report)
    current.title = "Talks resume in Doha"
    current.save()
    extra = {"reason": "The figures were wrong."} if transition == "withdraw" else {}
    with pytest.raises(ReportOvertaken):
        getattr(workflow, transition)(outdated, **extra)
    report = stored(report)
    assert (report.title, report.status, report.version) == ("Talks resume in Doha", status, 2)


def test_restoring_an_older_version_in_code_counts_as_a_save_and_never_winds_the_counter_back():
    report = ReportFactory(title="First headline")
    with reversion.create_revision():
        report.save()  # 2, kept in History
    report.title = "Second headline"
    with reversion.create_revision():
        report.save()  # 3
    oldest = Version.objects.get_for_object(report).order_by("pk").first()
    assert oldest.field_dict["version"] == 2

    oldest.revision.revert()
    report = stored(report)
    assert (report.title, report.version) == ("First headline", 4)


def test_loading_a_fixture_over_a_stored_report_counts_as_a_save(tmp_path):
    report = ReportFactory(title="First headline")
    fixture = tmp_path / "report.json"
    fixture.write_text(serializers.serialize("json", [report]))
    report.title = "Second headline"
    report.save()

    call_command("loaddata", str(fixture), verbosity=0)
    report = stored(report)
    assert (report.title, report.version) == ("First headline", 3)


def test_a_report_put_back_after_deletion_keeps_the_version_it_was_kept_with():
    report = ReportFactory(title="Deleted draft")
    report.title = "Deleted draft, edited"
    with reversion.create_revision():
        report.save()  # 2
    latest = Version.objects.get_for_object(report).get()
    pk = report.pk
    report.delete()

    latest.revision.revert()
    report = Report.objects.get(pk=pk)
    assert (report.title, report.version) == ("Deleted draft, edited", 2)
