"""Authors' former slugs become redirects from their old addresses, kept with every other
moved address; and slugs outside ASCII are transliterated, their old addresses redirected."""

from django.db import migrations

from diethnos.redirects import record_moves, reslug_rows

# The addresses of an author's pages, as the routes stood then.
ADDRESSES = ["/authors/{}/", "/authors/{}/feed/"]


def move_slug_history(apps, schema_editor):
    History = apps.get_model("authors", "AuthorSlugHistory")
    Redirect = apps.get_model("diethnos", "Redirect")
    # Only active authors' former slugs redirected: an inactive author's pages are not found.
    former = History.objects.filter(author__is_active=True).values_list("slug", "author__slug")
    record_moves(
        [(path.format(old), path.format(current)) for old, current in former for path in ADDRESSES],
        Redirect.objects,
    )


def ascii_slugs(apps, schema_editor):
    Author = apps.get_model("authors", "Author")
    reslug_rows(Author, "name", ADDRESSES, apps.get_model("diethnos", "Redirect").objects)


class Migration(migrations.Migration):
    dependencies = [
        ("authors", "0004_orcid_message"),
        ("diethnos", "0001_redirects"),
    ]

    operations = [
        migrations.RunPython(move_slug_history, migrations.RunPython.noop),
        migrations.RunPython(ascii_slugs, migrations.RunPython.noop),
    ]
