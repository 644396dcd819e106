import pytest
from django.core.management import call_command

from tags.models import Region
from tags.regions import load_regions

from .factories import ReportFactory, region

pytestmark = pytest.mark.django_db


def test_the_loader_builds_the_whole_m49_tree_and_the_groupings():
    kinds = {kind: Region.objects.filter(kind=kind).count() for kind in Region.Kind.values}
    assert kinds == {
        "world": 1,
        "region": 5,
        "subregion": 17,
        "intermediate": 8,
        "country": 250,
        "group": 5,
    }
    assert set(Region.objects.groups().values_list("slug", flat=True)) == {
        "mena",
        "sahel",
        "caucasus",
        "western-balkans",
        "indo-pacific",
    }


def test_running_the_loader_again_changes_nothing():
    result = load_regions()
    assert (result.created, result.updated) == (0, 0)
    assert Region.objects.count() == 286


def test_the_command_reports_what_it_did(capsys):
    call_command("load_regions")
    assert "0 created, 0 updated" in capsys.readouterr().out


def test_countries_carry_codes_common_names_and_their_place_in_the_tree():
    russia = region("RU")
    assert (russia.name, russia.official_name) == ("Russia", "Russian Federation")
    assert (russia.iso3, russia.m49, russia.slug) == ("RUS", "643", "russia")
    assert [a.name for a in russia.ancestors()] == ["World", "Europe", "Eastern Europe"]
    kosovo = region("XK")
    assert kosovo.m49 == "" and kosovo.parent.name == "Southern Europe"
    assert region("AQ").parent.slug == "world"
    assert region("NG").parent.name == "Western Africa"  # an intermediate region


def test_the_example_report_rolls_up_to_every_region_above_its_countries():
    report = ReportFactory(primary_region=region("RU"), regions=[region("KP"), region("UA")])
    elsewhere = ReportFactory(primary_region=region("BR"))
    Report = report.__class__

    for ref in ["RU", "KP", "UA", "eastern-europe", "eastern-asia", "europe", "asia"]:
        assert list(Report.objects.in_region(region(ref))) == [report], ref
    assert sorted(Report.objects.in_region(region("world")), key=lambda r: r.pk) == [
        report,
        elsewhere,
    ]
    for ref in ["western-europe", "africa", "americas", "caucasus"]:
        assert report not in report.__class__.objects.in_region(region(ref)), ref


def test_a_report_appears_once_in_a_region_even_when_tagged_with_several_countries_in_it():
    report = ReportFactory(primary_region=region("RU"), regions=[region("UA"), region("PL")])
    assert list(report.__class__.objects.in_region(region("europe"))) == [report]


def test_a_grouping_holds_the_reports_of_its_member_countries():
    sudan = ReportFactory(primary_region=region("SD"))
    mali = ReportFactory(primary_region=region("ML"))
    direct = ReportFactory(primary_region=region("sahel"))
    kenya = ReportFactory(primary_region=region("KE"))
    in_sahel = set(sudan.__class__.objects.in_region(region("sahel")))
    assert in_sahel == {sudan, mali, direct}
    assert kenya not in in_sahel
