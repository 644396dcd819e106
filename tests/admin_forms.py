"""Building the POST an editor's browser sends from the report form in the admin."""

INLINES = {
    "key_points": ["text", "position"],
    "report_authors": ["author", "position"],
    "sources": ["title", "publisher", "url", "date", "position"],
    "update_notes": ["kind", "noted_at", "text"],
}


def report_form_data(report=None, *, key_points=(), authors=(), sources=(), **fields):
    """Form data for the admin's add or change page.

    ``key_points`` are texts, ``authors`` are Author objects, ``sources`` are titles. On a change
    page the existing inline rows are sent back as they are (with their ids), followed by the
    given new rows.
    """
    data = {
        "title": "Drone strikes on the Black Sea coast",
        "slug": "drone-strikes-on-the-black-sea-coast",
        "kind": "sitrep",
        "summary": "Overnight strikes hit ports on both sides.",
        "body": "<p>On November 3, 2025, drones struck the port.</p>",
        "situation_as_of": "2025-11-03",
        "primary_region": "",
        "regions": [],
        "topics": [],
        "status": "draft",
        "publish_at_0": "",
        "publish_at_1": "",
        "hero_alt": "",
        "hero_caption": "",
        "hero_credit": "",
        "seo_title": "",
        "seo_description": "",
        "version_seen": report.version if report else "",
    }
    if report is not None:
        data.update(
            title=report.title,
            slug=report.slug,
            kind=report.kind,
            summary=report.summary,
            body=report.body,
            situation_as_of=report.situation_as_of.isoformat() if report.situation_as_of else "",
            primary_region=report.primary_region_id or "",
            regions=[r.pk for r in report.regions.all()],
            topics=[t.pk for t in report.topics.all()],
            status=report.status,
        )
    data.update(fields)

    rows = {"key_points": [], "report_authors": [], "sources": [], "update_notes": []}
    if report is not None:
        rows["key_points"] = [
            {"id": p.pk, "text": p.text, "position": p.position} for p in report.key_points.all()
        ]
        rows["report_authors"] = [
            {"id": a.pk, "author": a.author_id, "position": a.position}
            for a in report.report_authors.all()
        ]
        rows["sources"] = [
            {"id": s.pk, "title": s.title, "url": s.url, "position": s.position}
            for s in report.sources.all()
        ]
    initial = {name: len(items) for name, items in rows.items()}
    rows["key_points"] += [{"text": text, "position": i} for i, text in enumerate(key_points)]
    rows["report_authors"] += [{"author": a.pk, "position": i} for i, a in enumerate(authors)]
    rows["sources"] += [{"title": t, "position": i} for i, t in enumerate(sources)]

    for prefix, items in rows.items():
        data[f"{prefix}-TOTAL_FORMS"] = len(items)
        data[f"{prefix}-INITIAL_FORMS"] = initial[prefix]
        data[f"{prefix}-MIN_NUM_FORMS"] = 0
        data[f"{prefix}-MAX_NUM_FORMS"] = 1000
        for i, item in enumerate(items):
            for name in INLINES[prefix]:
                data[f"{prefix}-{i}-{name}"] = item.get(name, "")
            if "id" in item:
                data[f"{prefix}-{i}-id"] = item["id"]
                data[f"{prefix}-{i}-report"] = report.pk
    return data


def form_on_page(response, form_id="report_form"):
    """The data a browser sends when the form ``form_id`` on the page ``response`` is submitted
    as it stands: {name: [values]}, empty inline template rows left out."""
    from lxml import html

    assert response.status_code == 200, response.status_code
    form = html.fromstring(response.content.decode()).get_element_by_id(form_id)
    data = {}
    for name, value in form.form_values():
        if "__prefix__" in name:
            continue
        if value.startswith("\n") and form.xpath(f'.//textarea[@name="{name}"]'):
            value = value[1:]  # a browser drops the newline that opens a textarea
        data.setdefault(name, []).append(value)
    return data


def desk_row(report):
    """The row the editors' desk edits for ``report``: its working draft once it has been
    published or withdrawn (made now if it has none), else the report itself."""
    from reports import workflow

    return workflow.working_draft(report) if report.edited_through_draft else report
