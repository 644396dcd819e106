"""The read API's OpenAPI document is valid OpenAPI 3.1, and every response, error and
example matches it."""

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from openapi_spec_validator.versions import consts, get_spec_version

from reports import workflow
from reports.models import UpdateNote

from .factories import ReportFactory, TopicFactory, UpdateNoteFactory, image_upload, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def matches(document, path, method, status, data):
    """Validate ``data`` against the schema the document gives for this response."""
    schema = document["paths"][path][method]["responses"][str(status)]["content"]
    schema = schema["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": document["components"]})
    errors = sorted(validator.iter_errors(data), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    assert get_spec_version(document) == consts.OPENAPIV31
    validate(document)
    assert set(document["paths"]) == {
        "/api/v1/reports/",
        "/api/v1/reports/{slug}/",
        "/api/v1/regions/",
        "/api/v1/regions/{slug}/",
        "/api/v1/topics/",
        "/api/v1/authors/",
        "/api/v1/corrections/",
    }


def test_a_listed_report_is_published_or_withdrawn_by_its_status(document):
    schemas = document["components"]["schemas"]
    item = schemas["ReportPage"]["properties"]["results"]["items"]
    assert item["discriminator"] == {
        "propertyName": "status",
        "mapping": {
            "published": "#/components/schemas/ReportOut",
            "withdrawn": "#/components/schemas/WithdrawnReportOut",
        },
    }
    assert [ref["$ref"] for ref in item["oneOf"]] == list(item["discriminator"]["mapping"].values())
    withdrawn = schemas["WithdrawnReportOut"]["properties"]
    assert not {"body_html", "key_points", "sources", "updates", "corrections"} & set(withdrawn)
    assert "modified_at" in withdrawn


def test_every_example_in_the_document_matches_its_schema(document):
    components = document["components"]
    checked = 0
    for name, schema in components["schemas"].items():
        for example in schema.get("examples", []):
            validator = Draft202012Validator(
                {"$ref": f"#/components/schemas/{name}", "components": components}
            )
            errors = list(validator.iter_errors(example))
            assert not errors, (name, errors[0].message)
            checked += 1
    assert checked >= 5


def test_every_response_matches_the_document(client, document, settings):
    topic = TopicFactory(name="Energy")
    report = ReportFactory(
        slug="full",
        topics=[topic],
        regions=[region("RU")],
        sources=["A source"],
        hero_image=image_upload(size=(900, 500)),
        hero_alt="A map",
        hero_caption="The front",
        hero_credit="diethnos",
    )
    UpdateNoteFactory(report=report, kind=UpdateNote.Kind.CORRECTION)
    UpdateNoteFactory(report=report, kind=UpdateNote.Kind.UPDATE)
    gone = ReportFactory(slug="gone")
    workflow.withdraw(gone, reason="Unverified.")
    ReportFactory.create_batch(2)
    responses = [
        ("/api/v1/reports/", "/api/v1/reports/?limit=2"),
        ("/api/v1/reports/", "/api/v1/reports/?limit=50"),
        ("/api/v1/reports/", "/api/v1/reports/?region=europe&topic=energy&q=situation"),
        ("/api/v1/reports/{slug}/", "/api/v1/reports/full/"),
        ("/api/v1/reports/{slug}/", "/api/v1/reports/gone/"),
        ("/api/v1/regions/", "/api/v1/regions/"),
        ("/api/v1/regions/{slug}/", "/api/v1/regions/europe/"),
        ("/api/v1/regions/{slug}/", "/api/v1/regions/ukraine/"),
        ("/api/v1/topics/", "/api/v1/topics/"),
        ("/api/v1/authors/", "/api/v1/authors/"),
        ("/api/v1/corrections/", "/api/v1/corrections/"),
        ("/api/v1/reports/", "/api/v1/reports/?region=atlantis"),
        ("/api/v1/reports/{slug}/", "/api/v1/reports/nothing/"),
        ("/api/v1/regions/{slug}/", "/api/v1/regions/atlantis/"),
        ("/api/v1/corrections/", "/api/v1/corrections/?limit=nine"),
    ]
    for path, url in responses:
        response = client.get(url)
        matches(document, path, "get", response.status_code, response.json())
    listed = client.get("/api/v1/reports/?limit=50").json()["results"]
    assert {item["status"] for item in listed} == {"published", "withdrawn"}
    hero = client.get("/api/v1/reports/full/").json()["hero_image"]
    assert hero["alt"] == "A map"
    assert {r["type"] for r in hero["renditions"]} == {"image/webp", "image/jpeg"}
