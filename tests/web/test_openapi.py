"""The OpenAPI document is valid and describes every API route."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from cablegram.lexicon import data_path

API_ROUTES = {
    "/api/search": {"get"},
    "/api/cables/{cable_id}": {"get"},
    "/api/cables/{cable_id}/raw": {"get"},
    "/api/cables/{cable_id}/copies": {"get"},
    "/api/cables/{cable_id}/refs": {"get"},
    "/api/cables/{cable_id}/cited-by": {"get"},
    "/api/cables/{cable_id}/thread": {"get"},
    "/api/cables/{cable_id}/declass": {"get", "post"},
    "/api/graph": {"get"},
    "/api/stats": {"get"},
    "/api/export": {"get"},
    "/api/ingest": {"post"},
    "/api/tags": {"get"},
    "/api/me": {"get"},
    "/api/login": {"post"},
    "/api/logout": {"post"},
    "/api/users": {"get", "post"},
    "/api/users/{name}": {"patch", "delete"},
    "/api/declass/due": {"get"},
    "/api/declass/report": {"get"},
    "/api/audit": {"get"},
    # the network (web/drafting.py)
    "/api/drafts": {"get", "post"},
    "/api/drafts/check": {"post"},
    "/api/drafts/{draft_id}": {"get", "put"},
    "/api/drafts/{draft_id}/submit": {"post"},
    "/api/drafts/{draft_id}/withdraw": {"post"},
    "/api/drafts/{draft_id}/clear": {"post"},
    "/api/drafts/{draft_id}/return": {"post"},
    "/api/drafts/{draft_id}/release": {"get", "post"},
    "/api/cables/{cable_id}/reply": {"post"},
    "/api/cables/{cable_id}/repeat": {"post"},
    "/api/cables/{cable_id}/correct": {"post"},
    # delivery (web/inbox.py)
    "/api/network/inbox": {"get"},
    "/api/network/overdue": {"get"},
    "/api/network/deliveries/{delivery_id}/ack": {"post"},
    "/api/network/deliveries/{delivery_id}/action": {"post"},
    "/api/network/status": {"get"},
    "/api/network/replay": {"get"},
    "/api/network/replay.png": {"get"},
    "/api/network/relays/{relay}/{state}": {"post"},
    "/api/network/relays/{relay}/links/{ri}/{state}": {"post"},
}


def test_openapi_document_validates(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    validate(doc)  # raises on any violation of the OpenAPI 3.1 specification
    assert doc["openapi"].startswith("3.1")


def test_every_api_route_is_documented_and_no_page_is(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {p: set(ops) for p, ops in paths.items()} == API_ROUTES


def test_errors_are_documented(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    search = paths["/api/search"]["get"]["responses"]
    assert search["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
    assert {"404", "422"} <= paths["/api/cables/{cable_id}"]["get"]["responses"].keys()
    assert "413" in paths["/api/ingest"]["post"]["responses"]


def test_cable_schema_is_embedded_and_matches_served_cables(client: TestClient) -> None:
    """The document's Cable schema, resolved, is the project's cable.schema.json."""
    doc = client.get("/openapi.json").json()
    cable = doc["paths"]["/api/cables/{cable_id}"]["get"]["responses"]["200"]
    assert cable["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Cable"}
    original = json.loads(Path(data_path("cable.schema.json")).read_text())
    embedded = doc["components"]["schemas"]["Cable"]
    assert embedded["required"] == original["required"]
    assert embedded["properties"].keys() == original["properties"].keys()
    # Validate a served cable against the embedded schema, with $refs resolved in the document.
    schema = {"$ref": "#/components/schemas/Cable", "components": doc["components"]}
    jsonschema.validate(client.get("/api/cables/06ALMATY1703").json(), schema)
