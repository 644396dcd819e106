"""Bring existing authors within the rules the next migration makes the database keep.

- A blank name or slug is filled in; a slug that differs from another only in letter case gets
  a number ("ada-2"), and the old one redirects to it.
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


def free_slug(model, slug, taken):
    """``slug``, or it with the first number that makes it differ from every one in ``taken``
    (lowercased slugs) whatever the letter case."""
    max_length = model._meta.get_field("slug").max_length
    number = 1
    candidate = slug
    while candidate.lower() in taken:
        number += 1
        suffix = f"-{number}"
        candidate = slug[: max_length - len(suffix)] + suffix
    return candidate


def shortened(text, length):
    """``text`` cut at the last word that fits in ``length`` characters with an ellipsis."""
    cut = text[: length - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"


def tidy(apps, schema_editor):
    Author = apps.get_model("authors", "Author")
    AuthorSlugHistory = apps.get_model("authors", "AuthorSlugHistory")
    authors = list(Author.objects.order_by("pk"))
    taken = {author.slug.lower() for author in authors}
    first = set()
    for author in authors:
        changed = []
        if not author.name.strip():
            author.name = author.slug or f"Author {author.pk}"
            changed.append("name")
        if not author.slug:
            author.slug = free_slug(Author, f"author-{author.pk}", taken)
            taken.add(author.slug.lower())
            changed.append("slug")
        elif author.slug.lower() in first:
            old = author.slug
            author.slug = free_slug(Author, old, taken)
            taken.add(author.slug.lower())
            AuthorSlugHistory.objects.update_or_create(slug=old, defaults={"author": author})
            changed.append("slug")
        first.add(author.slug.lower())
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
        ("authors", "0004_orcid_message"),
    ]

    operations = [migrations.RunPython(tidy, migrations.RunPython.noop)]
