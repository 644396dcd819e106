"""What changed between two versions of a report, side by side, as History shows it.

``compare(old, new)`` takes two ``ReportContent`` values and gives a ``ContentDiff``: for the
headline, summary and body the words removed and added (the body read as plain words); for the
key points which were added, removed, reordered or reworded (a point counts as reworded when
at least half of it is the same); for the bylines, sources and update notes the rows added,
removed and moved; for the regions and topics those added and removed; and the other fields
that changed, old and new.
"""

import difflib
from dataclasses import dataclass, field

from authors.models import Author
from tags.models import Region, Topic

from .overtaken import _plain

# Two key points at least this alike (difflib's ratio of their words) are one point reworded.
REWORDED = 0.5

SAME, REMOVED, ADDED = "same", "removed", "added"
MOVED, REWORDED_ROW = "moved", "reworded"

OTHER_FIELDS = [
    ("slug", "Address (slug)"),
    ("kind", "Kind"),
    ("language", "Language"),
    ("situation_as_of", "Situation as of"),
    ("hero_image", "Image"),
    ("hero_alt", "Image alt text"),
    ("hero_caption", "Caption"),
    ("hero_credit", "Credit"),
    ("featured", "Featured"),
    ("seo_title", "SEO title"),
    ("seo_description", "SEO description"),
]


@dataclass
class TextDiff:
    """A text compared word by word: ``old`` and ``new`` are lists of (kind, words), kind
    being "same", or "removed" (in ``old``) or "added" (in ``new``)."""

    label: str
    old: list
    new: list

    @property
    def changed(self):
        return any(kind != SAME for kind, _ in self.old + self.new)


@dataclass
class Row:
    """One row of a list compared (a key point, an author, a source): ``kind`` is "same",
    "moved", "reworded", "added" or "removed"; ``moved`` also marks a reworded row that moved;
    ``old_position`` and ``new_position`` count from 1 (None where it is not)."""

    kind: str
    old: str = ""
    new: str = ""
    old_position: int | None = None
    new_position: int | None = None
    moved: bool = False
    words: TextDiff | None = None


@dataclass
class ListDiff:
    label: str
    rows: list = field(default_factory=list)

    @property
    def changed(self):
        return any(row.kind != SAME for row in self.rows)


@dataclass
class SetDiff:
    label: str
    kept: list
    removed: list
    added: list

    @property
    def changed(self):
        return bool(self.removed or self.added)


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class ContentDiff:
    """Every part of two versions compared, in the order the desk's form shows them."""

    headline: TextDiff
    summary: TextDiff
    key_points: ListDiff
    body: TextDiff
    bylines: ListDiff
    primary_region: FieldChange | None
    regions: SetDiff
    topics: SetDiff
    sources: ListDiff
    update_notes: ListDiff
    other_fields: list

    @property
    def sets(self):
        return [self.regions, self.topics]

    @property
    def changed(self):
        parts = [
            self.headline,
            self.summary,
            self.key_points,
            self.body,
            self.bylines,
            self.regions,
            self.topics,
            self.sources,
            self.update_notes,
        ]
        return bool(any(part.changed for part in parts) or self.primary_region or self.other_fields)


def compare(old, new):
    """``old`` and ``new`` (ReportContent) compared: a ``ContentDiff``."""
    names = _Names(old, new)
    primary = None
    old_primary = old.fields["primary_region_id"]
    new_primary = new.fields["primary_region_id"]
    if old_primary != new_primary:
        primary = FieldChange(
            "Primary region", names.region(old_primary), names.region(new_primary)
        )
    return ContentDiff(
        headline=words("Headline", old.fields["title"], new.fields["title"]),
        summary=words("Summary", old.fields["summary"], new.fields["summary"]),
        key_points=rows("Key points", old.key_points, new.key_points, rewording=True),
        body=words("Body", _plain(old.fields["body"]), _plain(new.fields["body"])),
        bylines=rows(
            "Byline",
            [names.author(pk) for pk in old.bylines],
            [names.author(pk) for pk in new.bylines],
        ),
        primary_region=primary,
        regions=_set("Other regions", old.regions, new.regions, names.region),
        topics=_set("Topics", old.topics, new.topics, names.topic),
        sources=rows(
            "Sources", [_source(row) for row in old.sources], [_source(row) for row in new.sources]
        ),
        update_notes=rows(
            "Updates and corrections",
            [_note(row) for row in old.update_notes],
            [_note(row) for row in new.update_notes],
        ),
        other_fields=[
            FieldChange(label, _shown(old.fields[name]), _shown(new.fields[name]))
            for name, label in OTHER_FIELDS
            if old.fields[name] != new.fields[name]
        ],
    )


def words(label, old, new):
    """``old`` and ``new`` (str) compared word by word: a ``TextDiff``."""
    old_words, new_words = (old or "").split(), (new or "").split()
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    old_parts, new_parts = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            old_parts.append((SAME, " ".join(old_words[i1:i2])))
            new_parts.append((SAME, " ".join(new_words[j1:j2])))
            continue
        if i2 > i1:
            old_parts.append((REMOVED, " ".join(old_words[i1:i2])))
        if j2 > j1:
            new_parts.append((ADDED, " ".join(new_words[j1:j2])))
    return TextDiff(label, old_parts, new_parts)


def rows(label, old, new, *, rewording=False):
    """Two lists of texts compared row by row: a ``ListDiff`` whose rows follow the new order,
    then the rows removed. Equal texts are the same row; with ``rewording``, a removed and an
    added text at least ``REWORDED`` alike are one row reworded. A row kept whose place among
    the others kept changed is "moved"."""
    pairs = {}  # old index -> new index
    unmatched_new = list(range(len(new)))
    for i, text in enumerate(old):
        for j in unmatched_new:
            if new[j] == text:
                pairs[i] = j
                unmatched_new.remove(j)
                break
    reworded = set()
    if rewording:
        candidates = sorted(
            (
                (difflib.SequenceMatcher(None, old[i].split(), new[j].split()).ratio(), i, j)
                for i in range(len(old))
                if i not in pairs
                for j in unmatched_new
            ),
            reverse=True,
        )
        for ratio, i, j in candidates:
            if ratio < REWORDED:
                break
            if i in pairs or j not in unmatched_new:
                continue
            pairs[i] = j
            unmatched_new.remove(j)
            reworded.add(i)
    in_order = _longest_increasing([pairs[i] for i in sorted(pairs)])
    by_new = {j: i for i, j in pairs.items()}
    result = []
    for j, text in enumerate(new):
        if j not in by_new:
            result.append(Row(ADDED, new=text, new_position=j + 1))
            continue
        i = by_new[j]
        moved = j not in in_order
        if i in reworded:
            diff = words("", old[i], text)
            result.append(Row(REWORDED_ROW, old[i], text, i + 1, j + 1, moved, diff))
        else:
            result.append(Row(MOVED if moved else SAME, old[i], text, i + 1, j + 1, moved))
    result += [
        Row(REMOVED, old=text, old_position=i + 1) for i, text in enumerate(old) if i not in pairs
    ]
    return ListDiff(label, result)


def _longest_increasing(sequence):
    """The values of a longest strictly increasing subsequence of ``sequence``, as a set."""
    if not sequence:
        return set()
    lengths, previous = [1] * len(sequence), [None] * len(sequence)
    for k in range(len(sequence)):
        for m in range(k):
            if sequence[m] < sequence[k] and lengths[m] + 1 > lengths[k]:
                lengths[k], previous[k] = lengths[m] + 1, m
    k = max(range(len(sequence)), key=lengths.__getitem__)
    kept = set()
    while k is not None:
        kept.add(sequence[k])
        k = previous[k]
    return kept


def _set(label, old, new, name):
    return SetDiff(
        label,
        kept=sorted(name(pk) for pk in old & new),
        removed=sorted(name(pk) for pk in old - new),
        added=sorted(name(pk) for pk in new - old),
    )


class _Names:
    """The names of the authors, regions and topics two contents mention, read at once."""

    def __init__(self, *contents):
        authors = {pk for content in contents for pk in content.bylines}
        regions = {pk for content in contents for pk in content.regions}
        regions |= {content.fields["primary_region_id"] for content in contents} - {None}
        topics = {pk for content in contents for pk in content.topics}
        self.authors = dict(Author.objects.filter(pk__in=authors).values_list("pk", "name"))
        self.regions = dict(Region.objects.filter(pk__in=regions).values_list("pk", "name"))
        self.topics = dict(Topic.objects.filter(pk__in=topics).values_list("pk", "name"))

    def author(self, pk):
        return self.authors.get(pk, f"author {pk} (deleted)")

    def region(self, pk):
        if pk is None:
            return ""
        return self.regions.get(pk, f"region {pk} (deleted)")

    def topic(self, pk):
        return self.topics.get(pk, f"topic {pk} (deleted)")


def _source(row):
    details = [row.publisher, row.url, row.date.isoformat() if row.date else ""]
    return " · ".join([row.title, *filter(None, details)])


def _note(row):
    return f"{row.kind.capitalize()} of {row.noted_at:%d %B %Y}: {row.text}"


def _shown(value):
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return "" if value is None else str(value)
