"""``cablegram serve``: the web pages and the HTTP API over an archive (uvicorn)."""

from __future__ import annotations

import os
import sys

import click

from cablegram.cli import main
from cablegram.cli.archive_cmds import archive_option


def _is_server_url(target: str) -> bool:
    # Imported here: the archive is not loaded for commands that do not use it.
    from cablegram.archive.store import is_server_url

    return is_server_url(target)


ANONYMOUS_HELP = (
    "What readers who have not signed in see: 'public' (the public reader of the "
    "access rules), 'published' (every cable, no administration: for a corpus that "
    "is already public, such as a leak or a declassified release) or 'owner' (full "
    "access; for a server only you can reach)."
)


def web_available() -> bool:
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        return False
    return True


def run_server(
    archive_file: str, *, host: str, port: int, workers: int = 1, anonymous: str = "public",
    forwarded_allow_ips: str | None = None,
) -> None:  # fmt: skip
    """Serve ``archive_file`` until interrupted.  Worker processes build the app
    from the environment (``cablegram.web.app:app_from_env``) and open their own
    connections; they share one session secret so a sign-in holds across them.

    ``X-Forwarded-For``/``-Proto`` are believed only from ``forwarded_allow_ips``
    (a reverse proxy's addresses); by default from no one, so a client cannot
    choose the address the sign-in limit counts by sending the header itself."""
    import uvicorn

    if forwarded_allow_ips:
        os.environ["CABLEGRAM_WEB_PROXY"] = "1"  # cookies Secure: the proxy speaks HTTPS
    else:
        os.environ.pop("CABLEGRAM_WEB_PROXY", None)

    os.environ["CABLEGRAM_ARCHIVE"] = (
        archive_file if _is_server_url(archive_file) else os.path.abspath(archive_file)
    )
    os.environ["CABLEGRAM_WEB_ANONYMOUS"] = anonymous
    import secrets  # here: every command starts faster without it

    os.environ.setdefault("CABLEGRAM_WEB_SECRET", secrets.token_hex(32))
    shown = f"[{host}]" if ":" in host else host
    click.echo(
        f"cablegram: serving {archive_file} at http://{shown}:{port}/ "
        f"(API: /reference; anonymous readers: {anonymous}; {workers} worker"
        f"{'' if workers == 1 else 's'}) — Ctrl-C to stop",
        err=True,
    )
    uvicorn.run(
        "cablegram.web.app:app_from_env", factory=True, host=host, port=port,
        workers=workers, log_level="warning", server_header=False,
        proxy_headers=bool(forwarded_allow_ips), forwarded_allow_ips=forwarded_allow_ips or "",
    )  # fmt: skip


host_option = click.option("--host", default="127.0.0.1", show_default=True, help="Interface.")
port_option = click.option("--port", default=8000, show_default=True, help="TCP port.")


@main.command("serve")
@archive_option
@host_option
@port_option
@click.option("--workers", default=1, show_default=True, help="Server processes.")
@click.option(
    "--anonymous", type=click.Choice(["public", "published", "owner"]), default="public", show_default=True,
    help=ANONYMOUS_HELP,
)  # fmt: skip
@click.option(
    "--forwarded-allow-ips", default=None, metavar="IPS",
    help="Addresses of reverse proxies (comma-separated, or '*') whose X-Forwarded-For "
    "and X-Forwarded-Proto headers are believed; by default nobody's.  Session cookies "
    "are then marked Secure.",
)  # fmt: skip
def serve_cmd(
    archive_file: str, host: str, port: int, workers: int, anonymous: str,
    forwarded_allow_ips: str | None,
) -> None:  # fmt: skip
    """Serve the web pages and the HTTP API over an archive."""
    if not web_available():
        click.echo("cablegram: serve needs the web extra: pip install 'cablegram[web]'", err=True)
        sys.exit(1)
    if workers < 1:
        raise click.BadParameter("at least 1", param_hint="--workers")
    from cablegram.archive import Archive, ArchiveNotFound
    from cablegram.model import CablegramError

    try:  # a file of another layout fails here, with advice, not in every worker
        Archive(archive_file, create=False).close()
    except ArchiveNotFound:
        click.echo(
            f"cablegram: {archive_file}: no such archive "
            "(build one with 'cablegram ingest' or 'cablegram demo')",
            err=True,
        )
        sys.exit(1)
    except (CablegramError, RuntimeError, OSError) as error:
        click.echo(f"cablegram: {error}", err=True)
        sys.exit(1)
    run_server(
        archive_file, host=host, port=port, workers=workers, anonymous=anonymous,
        forwarded_allow_ips=forwarded_allow_ips,
    )  # fmt: skip
