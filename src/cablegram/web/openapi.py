"""The OpenAPI document, with ``cable.schema.json`` embedded as the ``Cable`` schema.

The API serves cables in the project's one JSON form; rather than restating
it as Python models, the document carries the schema file itself (its
``$defs`` moved to ``components/schemas`` so every ``$ref`` resolves).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from cablegram.lexicon import data_path

CABLE_REF = {"$ref": "#/components/schemas/Cable"}


def _cable_schemas() -> dict[str, Any]:
    schema = json.loads(Path(data_path("cable.schema.json")).read_text(encoding="utf-8"))
    defs = schema.pop("$defs", {})
    schema.pop("$schema", None)
    schema.pop("$id", None)
    text = json.dumps({"Cable": schema, **{f"Cable_{k}": v for k, v in defs.items()}})
    for name in defs:
        text = text.replace(f'"#/$defs/{name}"', f'"#/components/schemas/Cable_{name}"')
    return json.loads(text)  # type: ignore[no-any-return]


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(
                title=app.title, version=app.version, summary=app.summary,
                description=app.description, routes=app.routes,
            )  # fmt: skip
            doc.setdefault("components", {}).setdefault("schemas", {}).update(_cable_schemas())
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
