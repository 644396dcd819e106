import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from authors.models import Author
from reports.demo.loader import EXAMPLE, parse_example
from reports.models import Report

ROOT = Path(__file__).resolve().parent.parent


def test_the_example_report_is_read_as_key_points_body_and_profile_line():
    example = parse_example()
    assert example["profile"].startswith("Founder and Director of diethnos.")
    assert len(example["key_points"]) == 5
    assert example["key_points"][0].startswith("NATO Secretary General Mark Rutte confirms")
    assert example["body"].startswith("<p>On October 28, 2024, NATO Secretary General")
    assert "Founder and Director" not in example["body"]


@pytest.mark.django_db
def test_the_demo_loader_is_idempotent_and_loads_the_example_report():
    call_command("load_demo")
    counts = (Report.objects.count(), Author.objects.count())
    assert counts[0] >= 31 and counts[1] == 5
    call_command("load_demo")
    assert (Report.objects.count(), Author.objects.count()) == counts

    kursk = Report.objects.get(slug=EXAMPLE["slug"])
    assert kursk.is_public
    assert kursk.situation_as_of.isoformat() == "2024-10-28"
    assert kursk.key_points.count() == 5
    assert kursk.primary_region.iso2 == "RU"
    assert set(kursk.regions.values_list("iso2", flat=True)) == {"KP", "UA"}
    nikolas = kursk.authors.get()
    assert nikolas.role_line == "Founder and Director of diethnos"
    assert nikolas.short_bio.startswith("Founder and Director of diethnos. Nikolas")

    statuses = set(Report.objects.values_list("status", flat=True))
    assert {"published", "draft", "in_review", "withdrawn"} <= statuses
    assert Report.objects.published().count() >= 25
    for report in Report.objects.published():
        assert not report.publication_problems(), report.slug


@pytest.mark.django_db
def test_ensure_editor_creates_the_account_once_and_prints_a_generated_password(capsys):
    from django.contrib.auth import get_user_model

    call_command("ensure_editor")
    first = capsys.readouterr().out
    assert "password:" in first
    call_command("ensure_editor")
    assert "already exists" in capsys.readouterr().out
    user = get_user_model().objects.get(username="editor")
    assert user.is_staff and user.groups.filter(name="Editors").exists()


def _manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_settings_pass_the_deployment_check():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="a-production-key-that-is-long-and-random-" + "x" * 30,
        DJANGO_ALLOWED_HOSTS="news.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mail_goes_through_smtp_once_a_mail_server_is_named():
    show = ("shell", "-c", "from django.conf import settings; print(settings.EMAIL_BACKEND)")
    development = _manage(*show, DJANGO_DEBUG="1")
    assert development.stdout.strip().endswith("console.EmailBackend")
    production = _manage(
        *show,
        DJANGO_DEBUG="1",
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="1",
    )
    assert production.stdout.strip().endswith("django.core.mail.backends.smtp.EmailBackend")
