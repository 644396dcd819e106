"""Two contributors on the editors' desk, and what one of them must never learn of the other's.

``build_world()`` makes a contributor (the one who looks), another contributor with a draft,
a report in review, a scheduled and a published report, a deleted draft, versions of them, an
author profile with a private e-mail address, and the rows the desk keeps about them (a
redirect, sign-in records). ``SECRETS`` are texts that only the other contributor and the
editors may read: no page the looking contributor is served may contain one.
"""

from types import SimpleNamespace

import reversion
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from reversion.models import Version

from authors.models import Author
from diethnos.models import Redirect
from reports.models import Report, UpdateNote
from tags.models import Region, Topic

from .factories import (
    AuthorFactory,
    ContributorFactory,
    EditorFactory,
    ReportFactory,
    TopicFactory,
    region,
)

# An id no row of any table has.
MISSING_ID = 987654321

SECRETS = {
    "draft headline": "Qzx ceasefire collapse expected",
    "draft slug": "qzx-ceasefire-collapse-expected",
    "draft summary": "Mediators privately expect the Qzx talks to fail",
    "draft key point": "Qzx envoys have already left the venue",
    "draft body": "Qzxbody cables seen by the desk",
    "draft source": "Qzx leaked memorandum",
    "draft note": "Qzxnote figures corrected",
    "review headline": "Qzy sanctions package in review",
    "review slug": "qzy-sanctions-package-in-review",
    "scheduled headline": "Qzw election called for spring",
    "scheduled slug": "qzw-election-called-for-spring",
    "deleted headline": "Qzv withdrawn allegations draft",
    "deleted slug": "qzv-withdrawn-allegations-draft",
    "e-mail": "qzx.private.mailbox@example.net",
    "username": "qzx-other-contributor",
}


def saved(report, **changes):
    """Save ``report`` with ``changes`` as a new version in its history; return the version."""
    for name, value in changes.items():
        setattr(report, name, value)
    with reversion.create_revision():
        report.save()
    return Version.objects.get_for_object(report).first()


def build_world():
    """The two contributors, an editor, and everything listed in the module's docstring."""
    contributor = ContributorFactory(username="looking-contributor")
    own_author = AuthorFactory(user=contributor, name="Looking Analyst", email="me@example.org")
    own_draft = ReportFactory(
        title="Own working draft",
        slug="own-working-draft",
        status=Report.Status.DRAFT,
        publish_at=None,
        authors=[own_author],
    )
    own_version = saved(own_draft)

    other = ContributorFactory(username=SECRETS["username"])
    their_author = AuthorFactory(
        user=other, name="Other Analyst", email=SECRETS["e-mail"], show_email=False
    )
    topic = TopicFactory(name="Hidden-draft topic")
    draft = ReportFactory(
        title=SECRETS["draft headline"],
        slug=SECRETS["draft slug"],
        summary=SECRETS["draft summary"],
        body=f"<p>{SECRETS['draft body']}.</p>",
        status=Report.Status.DRAFT,
        publish_at=None,
        primary_region=region("TV"),
        authors=[their_author],
        key_points=[SECRETS["draft key point"]],
        sources=[SECRETS["draft source"]],
        topics=[topic],
        regions=[region("NR")],
    )
    draft.created_by = other
    draft.save()
    UpdateNote.objects.create(
        report=draft,
        kind=UpdateNote.Kind.UPDATE,
        noted_at=timezone.now(),
        text=SECRETS["draft note"],
    )
    draft_version = saved(draft)
    saved(draft, summary=SECRETS["draft summary"] + " soon")

    in_review = ReportFactory(
        title=SECRETS["review headline"],
        slug=SECRETS["review slug"],
        status=Report.Status.IN_REVIEW,
        publish_at=None,
        authors=[their_author],
    )
    scheduled = ReportFactory(
        title=SECRETS["scheduled headline"],
        slug=SECRETS["scheduled slug"],
        publish_at=timezone.now() + timezone.timedelta(days=3),
        authors=[their_author],
    )
    published = ReportFactory(title="Their published report", authors=[their_author])

    deleted = ReportFactory(
        title=SECRETS["deleted headline"],
        slug=SECRETS["deleted slug"],
        status=Report.Status.DRAFT,
        publish_at=None,
        authors=[their_author],
    )
    saved(deleted)
    deleted_pk = deleted.pk
    deleted.delete()
    deleted_version = Version.objects.get_deleted(Report).get(object_id=str(deleted_pk))

    redirect = Redirect.objects.create(old_path="/reports/old-address/", new_path="/reports/")
    sign_in = {
        "username": SECRETS["username"],
        "ip_address": "192.0.2.7",
        "user_agent": "test",
        "path_info": "/admin/login/",
    }
    attempt = AccessAttempt.objects.create(
        **sign_in, get_data="", post_data="", failures_since_start=1
    )
    access_log = AccessLog.objects.create(**sign_in)
    failure_log = AccessFailureLog.objects.create(**sign_in)

    return SimpleNamespace(
        contributor=contributor,
        own_author=own_author,
        own_draft=own_draft,
        own_version=own_version,
        other=other,
        their_author=their_author,
        draft=draft,
        draft_version=draft_version,
        in_review=in_review,
        scheduled=scheduled,
        published=published,
        deleted_pk=deleted_pk,
        deleted_version=deleted_version,
        topic=topic,
        editor=EditorFactory(username="desk-editor"),
        # The rows of each model the contributor may not view, by model: the other
        # contributor's reports (and one deleted), their account, the Editors group, and what
        # only editors or administrators see.
        hidden={
            Report: [draft.pk, in_review.pk, scheduled.pk, published.pk, deleted_pk],
            get_user_model(): [other.pk],
            Group: [Group.objects.get(name="Editors").pk],
            Redirect: [redirect.pk],
            AccessAttempt: [attempt.pk],
            AccessLog: [access_log.pk],
            AccessFailureLog: [failure_log.pk],
        },
        # Rows the contributor may view, though not all of their fields.
        visible={
            Author: [their_author.pk],
            Topic: [topic.pk],
            Region: [region("TV").pk],
        },
    )


def leaked(text):
    """The secrets found in ``text`` (a page, a header), by name."""
    folded = text.casefold()
    return sorted(name for name, secret in SECRETS.items() if secret.casefold() in folded)
