"""The interactive API page, ``/docs``: Swagger UI served from the server itself.

FastAPI's own page loads Swagger UI from a CDN, so it stays blank on a machine
without internet access.  Here the script, stylesheet and icon are vendored
in ``static/swagger-ui/`` (version and licence in its README.md) and the page
carries a content security policy that allows the server's own origin and,
by its hash, the one inline script that starts Swagger UI — nothing else.
ReDoc is not offered (``redoc_url=None``): ``/reference`` is the static page.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

ASSETS = "/static/swagger-ui"
PATH = "/docs"
# The way back to the site, above Swagger UI (styled by static/apidocs.css).
SITE_BAR = (
    '<nav class="site-bar" aria-label="Site"><a class="brand" href="/">'
    '<img src="/static/favicon.svg" alt="" width="20" height="20"> cablegram</a>'
    '<a href="/">Search</a><a href="/overview">Overview</a>'
    '<a href="/reference">API reference</a></nav>'
)


def _inline_script_hash(html: str) -> str:
    """The CSP source (``'sha256-…'``) of the page's only inline script."""
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    if len(scripts) != 1:  # FastAPI changed its page: the policy must be rethought
        raise RuntimeError(f"expected one inline script in the Swagger UI page, found {scripts}")
    digest = hashlib.sha256(scripts[0].encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def docs_page(openapi_url: str, title: str) -> tuple[str, str]:
    """The Swagger UI page over ``openapi_url``, and the policy that lets it run."""
    page = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=title,
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
        # Swagger UI would otherwise send the document to validator.swagger.io.
        swagger_ui_parameters={"validatorUrl": None},
    )
    html = bytes(page.body).decode("utf-8")
    html = html.replace("</head>", '<link rel="stylesheet" href="/static/apidocs.css">\n</head>', 1)
    html = html.replace("<body>", f"<body>\n{SITE_BAR}", 1)
    policy = (
        f"default-src 'none'; script-src 'self' {_inline_script_hash(html)}; "
        "style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    )
    return html, policy


def install(app: FastAPI) -> None:
    """Serve ``/docs`` (the app must be created with ``docs_url=None``)."""
    html, policy = docs_page(app.openapi_url or "/openapi.json", f"{app.title} — API")

    @app.get(PATH, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(html, headers={"content-security-policy": policy})
