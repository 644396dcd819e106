"""Bring existing authors within the rules the next migration makes the database keep.

- A blank name is filled in (slugs were made ASCII, lower case and distinct by 0005, text cleaned by 0007).
- A photo without alt text gets "Photo of <name>".
- A short bio over 600 characters is cut at a word, with an ellipsis; when the long bio is
  empty, the whole text goes there, so that nothing is lost.

What was changed is printed, so that editors can look at it.
"""

from django.db import migrations
from django.utils.html import escape

SHORT_BIO_MAX_LENGTH = 600


def report(message):
    print(f"\n  {message}", end="")  # noqa: T201 - shown by migrate, as its own lines are


def shortened(text, length):
    """``text`` cut at the last word that fits in ``length`` characters with an ellipsis."""
    cut = text[: length - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"


def tidy(apps, schema_editor):
    Author = apps.get_model("authors", "Author")
    for author in Author.objects.order_by("pk"):
        changed = []
        if not author.name.strip():
            author.name = author.slug or f"Author {author.pk}"
            changed.append("name")
        if author.photo and not author.photo_alt.strip():
            author.photo_alt = f"Photo of {author.name}"[:250]
            changed.append("photo_alt")
        if len(author.short_bio) > SHORT_BIO_MAX_LENGTH:
            if not author.bio.strip():
                author.bio = f"<p>{escape(author.short_bio)}</p>"
                changed.append("bio")
            author.short_bio = shortened(author.short_bio, SHORT_BIO_MAX_LENGTH)
            changed.append("short_bio")
        if changed:
            author.save(update_fields=changed)
            report(f"author {author.name} ({author.slug}): {', '.join(changed)} tidied.")


class Migration(migrations.Migration):
    dependencies = [
        ("authors", "0007_normalise_stored_text"),
    ]

    operations = [migrations.RunPython(tidy, migrations.RunPython.noop)]
