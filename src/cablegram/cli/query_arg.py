"""The QUERY argument of ``search``, ``graph`` and ``export``.

The query language writes NOT as a leading minus (``-has:date``,
``-tag:PREL``), which a command line parser takes for an option
(``No such option: -a``).  A :class:`QueryCommand` reads its options first and
takes every other word as part of the query: a word that starts with a single
``-`` and is not one of the command's options is a query word.  ``--`` still
ends the options (``cablegram search -- --word``), and the words of the query
may be given separately (``cablegram search -has:date tag:PTER``).
"""

from __future__ import annotations

from typing import Any

import click


def _options(command: click.Command, ctx: click.Context) -> dict[str, click.Option]:
    known: dict[str, click.Option] = {}
    for param in command.get_params(ctx):
        if isinstance(param, click.Option):
            for name in (*param.opts, *param.secondary_opts):
                known[name] = param
    return known


def query_words_last(command: click.Command, ctx: click.Context, args: list[str]) -> list[str]:
    """``args`` with the command's options (and their values) first, then ``--``
    and the remaining words, so that ``-word`` reaches QUERY as a word."""
    known = _options(command, ctx)
    options: list[str] = []
    words: list[str] = []
    rest = iter(args)
    for arg in rest:
        if arg == "--":
            words.extend(rest)
            break
        name = arg.split("=", 1)[0]
        option = known.get(name)
        if option is not None:
            options.append(arg)
            takes_value = not (option.is_flag or option.count) and "=" not in arg
            if takes_value:  # its value(s) follow, whatever they look like (--limit -5)
                options.extend(v for _, v in zip(range(max(option.nargs, 1)), rest, strict=False))
        elif arg.startswith("--"):
            options.append(arg)  # an unknown long option: click says so
        else:
            words.append(arg)
    return [*options, "--", *words] if words else options


class QueryCommand(click.Command):
    """A command whose QUERY words may start with ``-`` (see the module docstring)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, query_words_last(self, ctx, args))


def query_argument(fn: Any) -> Any:
    """QUERY: words joined by spaces (quote a query to keep it one word); none
    at all: every cable the reader may see."""
    return click.argument("query_words", metavar="[QUERY]", nargs=-1, required=False)(fn)


def joined(words: tuple[str, ...]) -> str:
    return " ".join(words)
