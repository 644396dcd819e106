"""One date format everywhere on the site: "28 October 2024", in a <time> element."""

import datetime
import re
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone
from lxml import html

from reports.models import Source

from .factories import (
    AuthorFactory,
    ContributorFactory,
    ReportFactory,
    TopicFactory,
    UpdateNoteFactory,
    region,
)

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
SHOWN = re.compile(rf"^(\d{{1,2}}) ({MONTHS}) (\d{{4}})(, \d{{2}}:\d{{2}})?$")


def render(value, precision=None):
    argument = f':"{precision}"' if precision else ""
    template = Template("{% load dates %}{{ value|time_tag" + argument + " }}")
    return template.render(Context({"value": value}))


class TestTheDateFilter:
    def test_a_date_is_shown_as_day_month_year_with_its_iso_date(self):
        shown = render(datetime.date(2024, 10, 28))
        assert shown == '<time datetime="2024-10-28">28 October 2024</time>'

    def test_a_day_of_the_month_has_no_leading_zero(self):
        assert ">3 November 2025<" in render(datetime.date(2025, 11, 3))

    def test_a_moment_is_shown_on_its_day_in_the_sites_time_zone(self, settings):
        settings.TIME_ZONE = "Europe/Athens"
        moment = datetime.datetime(2024, 10, 28, 23, 30, tzinfo=datetime.UTC)
        shown = render(moment)
        assert shown == '<time datetime="2024-10-29T01:30:00+02:00">29 October 2024</time>'
        athens = zoneinfo.ZoneInfo("Europe/Athens")
        assert datetime.datetime.fromisoformat(shown.split('"')[1]) == moment.astimezone(athens)

    def test_the_time_of_day_follows_the_date_where_it_matters(self):
        moment = datetime.datetime(2024, 10, 28, 9, 5, tzinfo=datetime.UTC)
        assert ">28 October 2024, 09:05</time>" in render(moment, "minute")
        assert ">28 October 2024</time>" in render(datetime.date(2024, 10, 28), "minute")

    @pytest.mark.parametrize("value", [None, ""])
    def test_no_date_shows_nothing(self, value):
        assert render(value) == ""

    def test_the_text_is_escaped_and_the_element_is_not(self):
        assert render(datetime.date(2024, 1, 2)).startswith("<time ")

    def test_an_unknown_precision_is_an_error_of_the_template(self):
        with pytest.raises(ValueError, match="day.*minute"):
            render(datetime.date(2024, 1, 2), "second")


def times(response, within="//main"):
    """Every <time> element of a page (``within`` an element): (its text, its datetime)."""
    assert response.status_code == 200
    [part] = html.fromstring(response.content).xpath(within)
    return [
        (" ".join(time.text_content().split()), time.get("datetime")) for time in part.iter("time")
    ]


def assert_one_format(found, url):
    assert found, f"no dates on {url}"
    for text, machine in found:
        shown = SHOWN.match(text)
        assert shown, f"{text!r} on {url}"
        day, month, year, clock = shown.groups()
        stated = datetime.datetime.fromisoformat(machine)
        assert (stated.day, stated.strftime("%B"), stated.year) == (int(day), month, int(year))
        if clock:
            assert stated.strftime(", %H:%M") == clock


@pytest.mark.django_db
def test_every_page_type_shows_dates_in_the_one_format(client):
    author, topic = AuthorFactory(), TopicFactory(name="Diplomacy")
    report = ReportFactory(
        authors=[author],
        topics=[topic],
        primary_region=region("UA"),
        situation_as_of=datetime.date(2024, 10, 28),
    )
    UpdateNoteFactory(report=report, noted_at=timezone.now() + datetime.timedelta(days=1))
    Source.objects.create(report=report, title="Press point", date=datetime.date(2024, 10, 28))
    for number in range(9):  # enough for the front page's sections by region
        ReportFactory(publish_at=timezone.now() - datetime.timedelta(days=number + 2))
    pages = [
        "/",
        "/reports/",
        report.get_absolute_url(),
        "/regions/europe/",
        topic.get_absolute_url(),
        author.get_absolute_url(),
        "/search/?region=ukraine",
    ]
    for url in pages:
        assert_one_format(times(client.get(url)), url)
    shown = times(client.get(report.get_absolute_url()), within="//article")
    report_dates = [text for text, _ in shown]
    # Published, updated and situation dates, the note's and the source's.
    assert len(report_dates) == 5 and report_dates.count("28 October 2024") == 2

    user = ContributorFactory()
    author.user = user
    author.save()
    client.force_login(user)
    assert_one_format(times(client.get("/accounts/reports/")), "/accounts/reports/")


def test_every_template_shows_dates_through_the_filter():
    """No template formats a date for readers by itself (machine formats aside)."""
    from django.conf import settings

    templates = settings.TEMPLATES[0]["DIRS"][0]
    machine = {"'c'", '"c"', "'Y-m-d'", '"Y-m-d"', '"Y-m-d\\TH:i:s\\Z"'}
    for path in templates.rglob("*.html"):
        for argument in re.findall(r"\|date:(\S+?)(?:\s|\}\})", path.read_text()):
            assert argument in machine, f"{path}: |date:{argument}"
