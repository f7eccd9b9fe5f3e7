"""Every command of a click group, by its full name ("user set"), as click
itself finds them (``list_commands`` / ``get_command``): the ``cablegram``
group imports its command modules only when a command is asked for, so its
``commands`` dict holds only those imported so far."""

from __future__ import annotations

from collections.abc import Iterator

import click


def command_paths(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"{prefix}{name} is listed but cannot be loaded"
        if isinstance(command, click.Group):
            yield from command_paths(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command
