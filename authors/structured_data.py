"""schema.org descriptions of authors, rendered as JSON-LD on their profile and in bylines."""

from diethnos.site import absolute_url


def person(author):
    """An author as a byline names them: who they are and where their profile is."""
    data = {"@type": "Person", "name": author.name, "url": absolute_url(author.get_absolute_url())}
    if author.role_line:
        data["jobTitle"] = author.role_line
    return data


def profile_page(author):
    """An author's page: a ProfilePage whose main entity is the person."""
    data = person(author)
    if author.short_bio:
        data["description"] = author.short_bio
    if author.photo:
        data["image"] = author.og_image_url
    links = [author.website, author.x, author.bluesky, author.linkedin, author.orcid]
    if any(links):
        data["sameAs"] = [link for link in links if link]
    return {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": data["url"],
        "dateCreated": author.created_at.isoformat(),
        "dateModified": author.updated_at.isoformat(),
        "mainEntity": data,
    }
