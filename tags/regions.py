"""Loading the UN M49 tree and the editorial groupings.

The country data is OCHA's "Countries & Territories Taxonomy" (MIT licence), shipped in
``tags/fixtures/countries-m49.csv``.
"""

import csv
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from diethnos.slugs import slug_for

from .models import Region

FIXTURES = Path(__file__).resolve().parent / "fixtures"
COUNTRIES_CSV = FIXTURES / "countries-m49.csv"
SLUG_LENGTH = Region._meta.get_field("slug").max_length
GROUPINGS_JSON = FIXTURES / "groupings.json"

# The names readers and headlines use, where OCHA's preferred term is a formal one.
COMMON_NAMES = {
    "BO": "Bolivia",
    "FM": "Micronesia (Federated States)",
    "GB": "United Kingdom",
    "IR": "Iran",
    "KP": "North Korea",
    "KR": "South Korea",
    "LA": "Laos",
    "MD": "Moldova",
    "PS": "Palestine",
    "RU": "Russia",
    "SY": "Syria",
    "TW": "Taiwan",
    "TZ": "Tanzania",
    "US": "United States",
    "VE": "Venezuela",
    "VN": "Vietnam",
}


@dataclass
class LoadResult:
    created: int
    updated: int


def _upsert(lookup, defaults, counts):
    region, created = Region.objects.get_or_create(**lookup, defaults=defaults)
    if created:
        counts.created += 1
        return region
    changed = [name for name, value in defaults.items() if getattr(region, name) != value]
    if changed:
        for name in changed:
            setattr(region, name, defaults[name])
        region.save()
        counts.updated += 1
    return region


@transaction.atomic
def load_regions(csv_path=COUNTRIES_CSV, groupings_path=GROUPINGS_JSON):
    """Create or update World, regions, sub-regions, intermediate regions, countries and
    groupings. Safe to run again: it matches on M49 and ISO codes and changes only what differs.
    """
    counts = LoadResult(0, 0)
    world = _upsert(
        {"m49": "001", "kind": Region.Kind.WORLD},
        {"name": "World", "slug": "world", "parent_id": None},
        counts,
    )
    with open(csv_path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    areas = {}

    def area(code, name, kind, parent):
        if not code:
            return parent
        if code not in areas:
            areas[code] = _upsert(
                {"m49": code.zfill(3), "kind": kind},
                {"name": name, "slug": slug_for(name, SLUG_LENGTH), "parent_id": parent.pk},
                counts,
            )
        return areas[code]

    for row in rows:
        parent = area(row["region_code"], row["region_name"], Region.Kind.REGION, world)
        parent = area(row["subregion_code"], row["subregion_name"], Region.Kind.SUBREGION, parent)
        area(row["intermediate_code"], row["intermediate_name"], Region.Kind.INTERMEDIATE, parent)

    taken = {area.slug for area in areas.values()} | {"world"}
    for row in rows:
        parent = areas.get(row["intermediate_code"] or row["subregion_code"] or row["region_code"])
        official = row["name"]
        name = COMMON_NAMES.get(row["iso2"], official)
        slug = slug_for(name, SLUG_LENGTH)
        if slug in taken:
            slug = slug_for(f"{name} {row['iso3']}", SLUG_LENGTH)
        taken.add(slug)
        _upsert(
            {"iso2": row["iso2"]},
            {
                "name": name,
                "official_name": official if official != name else "",
                "slug": slug,
                "kind": Region.Kind.COUNTRY,
                "parent_id": (parent or world).pk,
                "iso3": row["iso3"],
                "m49": row["m49"].zfill(3) if row["m49"] else "",
                "latitude": _decimal(row["latitude"]),
                "longitude": _decimal(row["longitude"]),
            },
            counts,
        )

    load_groupings(groupings_path, counts)
    return counts


def load_groupings(path=GROUPINGS_JSON, counts=None):
    """Create the starting editorial groupings; members editors have changed are kept."""
    counts = counts or LoadResult(0, 0)
    for item in json.loads(Path(path).read_text(encoding="utf-8")):
        group, created = Region.objects.get_or_create(
            slug=item["slug"],
            defaults={
                "name": item["name"],
                "kind": Region.Kind.GROUP,
                "description": item.get("description", ""),
            },
        )
        if created:
            counts.created += 1
            group.members.set(Region.objects.countries().filter(iso2__in=item["members"]))
    return counts


def _decimal(value):
    return Decimal(value).quantize(Decimal("0.000001")) if value else None
