"""Security headers on every response; a content security policy on the pages.

The pages load only their own stylesheet and script (no inline script, no
CDN), so the policy can forbid everything else.  A response that sets its own
policy keeps it (``/docs``, whose Swagger UI needs one inline script: apidocs.py).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                extra = list(ALWAYS)
                if not any(name.lower() == b"content-security-policy" for name, _ in headers):
                    extra.append((b"content-security-policy", PAGE_POLICY.encode()))
                message["headers"] = [*headers, *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
