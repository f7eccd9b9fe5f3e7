"""The ``cablegram`` command line: a thin shell over the library.

Each command module registers its commands on :data:`main`; commands parse
arguments, call one library function and print.  No business logic here.
"""

from __future__ import annotations

import importlib

import click

from cablegram import __version__

# The command modules, by the top-level commands each defines or adds
# subcommands to ("draft" is network_cmds' group, its subcommands draft_cmds'):
# only the modules of the command being run are imported.  Importing all nine
# took 30 M instructions of every start-up (0.6 % of ``cablegram parse --json``
# over the dev corpus, more of a shell loop running it once per file).
# tests/cli/test_contract.py checks this table against what the modules register.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "access_cmds": ("audit", "declass", "policy", "user"),
    "archive_cmds": (
        "cited-by", "demo", "export", "graph", "ingest", "refs", "reindex",
        "search", "show", "stats", "synth", "thread",
    ),
    "copy_cmds": ("copy",),
    "delivery_cmds": ("ack", "action", "inbox", "network"),
    "directory_cmds": ("collective", "office", "person", "station"),
    "draft_cmds": ("clear", "draft", "release", "return"),
    "format_cmds": ("parse", "render", "validate"),
    "network_cmds": ("clock", "directory", "draft", "person", "serial"),
    "web_cmds": ("serve",),
}  # fmt: skip
_MODULES_OF: dict[str, list[str]] = {}
for _module, _names in COMMAND_MODULES.items():
    for _name in _names:
        _MODULES_OF.setdefault(_name, []).append(_module)


class _LazyGroup(click.Group):
    """A group whose commands are imported when asked for, by name."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(_MODULES_OF))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        for module in _MODULES_OF.get(cmd_name, ()):
            importlib.import_module(f"cablegram.cli.{module}")
        return self.commands.get(cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cablegram")
def main() -> None:
    """Read, write, check, archive and serve diplomatic cables."""
