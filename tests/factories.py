from io import BytesIO

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from authors.models import Author
from reports.models import KeyPoint, Report, ReportAuthor, Source, UpdateNote
from tags.models import Region, Topic


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("a-long-test-password")


class EditorFactory(UserFactory):
    class Meta:
        skip_postgeneration_save = True

    is_staff = True

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        self.groups.add(Group.objects.get(name="Editors"))


class ContributorFactory(UserFactory):
    class Meta:
        skip_postgeneration_save = True

    is_staff = True

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        self.groups.add(Group.objects.get(name="Contributors"))


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Analyst {n}")
    slug = factory.Sequence(lambda n: f"analyst-{n}")
    role_line = "Senior Analyst"
    short_bio = "Covers European security and hybrid threats."


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Topic {n}")


def region(ref):
    """A region of the loaded M49 tree, by ISO alpha-2 code or slug."""
    if len(ref) == 2 and ref.isupper():
        return Region.objects.get(iso2=ref)
    return Region.objects.get(slug=ref)


class ReportFactory(factory.django.DjangoModelFactory):
    """A published report with a summary, a primary region, key points and one author."""

    class Meta:
        model = Report
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Situation report {n}")
    slug = factory.Sequence(lambda n: f"situation-report-{n}")
    summary = "What happened, and why it matters."
    body = "<p>On October 28, 2024, something happened.</p>"
    primary_region = factory.LazyFunction(lambda: region("UA"))
    status = Report.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(hours=1))

    @factory.post_generation
    def key_points(self, create, extracted, **kwargs):
        if not create:
            return
        texts = extracted if extracted is not None else ["The first takeaway."]
        KeyPoint.objects.bulk_create(
            KeyPoint(report=self, position=i, text=text) for i, text in enumerate(texts)
        )

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if not create:
            return
        authors = extracted if extracted is not None else [AuthorFactory()]
        ReportAuthor.objects.bulk_create(
            ReportAuthor(report=self, author=author, position=i) for i, author in enumerate(authors)
        )

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted:
            self.topics.set(extracted)

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted:
            self.regions.add(*extracted)

    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        if not create:
            return
        for i, title in enumerate(extracted or []):
            Source.objects.create(report=self, position=i, title=title, url="https://example.org/")


def image_upload(name="picture.jpg", size=(40, 30), image_format="JPEG", color="navy", **options):
    """An uploaded image file, as a browser sends it; ``options`` go to Pillow's save()."""
    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, image_format, **options)
    content_type = Image.MIME.get(image_format, "application/octet-stream")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


class UpdateNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UpdateNote

    report = factory.SubFactory(ReportFactory)
    kind = UpdateNote.Kind.UPDATE
    noted_at = factory.LazyFunction(timezone.now)
    text = "Casualty figures were revised."
