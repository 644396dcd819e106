"""schema.org descriptions of regions and topics, for the structured data of reports."""

from diethnos.site import absolute_url


def place(region):
    """A country (with its ISO 3166-1 codes) or a wider region (with its UN M49 code)."""
    data = {"@type": "Place", "name": region.name, "url": absolute_url(region.get_absolute_url())}
    if region.kind == region.Kind.COUNTRY and region.iso2:
        data["@type"] = "Country"
        codes = {"ISO 3166-1 alpha-2": region.iso2, "ISO 3166-1 alpha-3": region.iso3}
        data["identifier"] = [
            {"@type": "PropertyValue", "propertyID": scheme, "value": code}
            for scheme, code in codes.items()
            if code
        ]
        data["address"] = {"@type": "PostalAddress", "addressCountry": region.iso2}
    elif region.m49:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "UN M49", "value": region.m49}
    if region.latitude is not None and region.longitude is not None:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(region.latitude),
            "longitude": float(region.longitude),
        }
    return data


def subject(topic):
    return {"@type": "Thing", "name": topic.name, "url": absolute_url(topic.get_absolute_url())}
