"""The OpenAPI document describes what the server answers: schemathesis generates
requests from it (a bounded number per operation, the same every run) and checks
every answer against it (documented status codes and content types, bodies
matching their schemas, no 500), as the public reader and as an owner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance
from web_fixtures import bearer, copy_archive

from cablegram.web import create_app

EXAMPLES = 20  # per operation
# As an owner every route answers in full; signing out would end the token for
# the rest of the run, and an upload starts an ingest process per example.
OWNER_SKIPS = {"POST /api/logout", "POST /api/ingest"}


def _check(operation: Any, headers: dict[str, str]) -> None:
    # A query ``q`` is a string to the schema but a language to the server (its
    # grammar is no JSON Schema): a string the grammar refuses is a documented
    # 400 with the position, not a conformance failure.
    takes_query = any(p.name == "q" for p in operation.query)
    excluded = [positive_data_acceptance] if takes_query else []

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    check()


@pytest.mark.parametrize("as_owner", [False, True], ids=["public", "owner"])
def test_the_api_answers_as_its_openapi_document_says(
    archive_file: str, tmp_path: Path, as_owner: bool
) -> None:
    app = create_app(copy_archive(archive_file, tmp_path / "st.sqlite"))
    headers = bearer(TestClient(app), "chief") if as_owner else {}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if as_owner and operation.label in OWNER_SKIPS:
            continue
        try:
            _check(operation, headers)
        except (Exception, BaseExceptionGroup) as error:  # all operations, all failures
            failures.append(f"{operation.label}: {str(error)[:3000]}")
    assert not failures, "\n\n".join(failures)
