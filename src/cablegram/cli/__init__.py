"""The ``cablegram`` command line: a thin shell over the library.

Each command module registers its commands on :data:`main`; commands parse
arguments, call one library function and print.  No business logic here.
"""

from __future__ import annotations

import click

from cablegram import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cablegram")
def main() -> None:
    """Read, write, check, archive and serve diplomatic cables."""


# Command modules register themselves on import.
from cablegram.cli import (  # noqa: E402
    access_cmds,  # noqa: F401
    archive_cmds,  # noqa: F401
    copy_cmds,  # noqa: F401
    delivery_cmds,  # noqa: F401
    directory_cmds,  # noqa: F401
    draft_cmds,  # noqa: F401
    format_cmds,  # noqa: F401
    network_cmds,  # noqa: F401
    web_cmds,  # noqa: F401
)
