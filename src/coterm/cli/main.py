"""Entry point: the command group, shared error handling and warning display.

Data go to stdout, messages and progress to stderr. Every CotermError becomes one line and exit
status 2; an interruption exits 130 leaving no partial output; anything unexpected exits 70 with a
one-line message (the traceback only with --debug).
"""

from __future__ import annotations

import sys
import warnings

import click

from .._version import __version__

_COMMANDS = {
    "layers": ("coterm.cli.layers", "layers"),
    "show": ("coterm.cli.show", "show"),
    "units": ("coterm.cli.units", "units"),
    "compare": ("coterm.cli.compare", "compare"),
    "reconcile": ("coterm.cli.reconcile", "reconcile"),
    "scenario": ("coterm.cli.scenario", "scenario"),
    "map": ("coterm.cli.map", "map_"),
    "demo": ("coterm.cli.demo", "demo"),
    "fit": ("coterm.cli.fit", "fit"),
    "options": ("coterm.cli.rank_options", "options_cmd"),
    "mayoral": ("coterm.cli.mayoral", "mayoral_cmd"),
    "footprints": ("coterm.cli.footprints", "footprints_cmd"),
    "workbench": ("coterm.cli.workbench", "workbench"),
}


class _LazyGroup(click.Group):
    """Import a command's module only when it runs (keeps ``coterm --help`` fast)."""

    def list_commands(self, ctx):
        return list(_COMMANDS)

    def get_command(self, ctx, name):
        if name not in _COMMANDS:
            return None
        import importlib

        module, attr = _COMMANDS[name]
        return getattr(importlib.import_module(module), attr)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    click.echo(f"coterm: warning: {_message_line(message)}", err=True)


def _message_line(text) -> str:
    # imported here, not before main()'s try: report imports pandas, and a Ctrl-C during that import
    # must still end in the one-line "interrupted" message
    from ..report import message_line

    return message_line(text)


def _tolerant_streams() -> None:
    """A terminal that cannot show a character (a C locale without UTF-8) gets an escape, not a crash."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError, OSError):  # not a text stream we own (e.g. a test runner's)
            pass


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="coterm")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def cli(ctx, debug):
    """How well do the boundaries of England's public bodies line up? Coterminosity scores,
    merger scenarios and interactive maps, from a bundled catalogue of ONS boundaries (OGL v3).

    \b
    Examples:
      coterm layers --family health
      coterm compare ltla-2021 icb-2022
      coterm scenario run scenarios/icb-mergers-2026.toml
      coterm units pfa-2020 --csv
      coterm map ltla-2021 icb-2022
      coterm demo
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


_SIGNALLED: list[int] = []


def stop_on_signals() -> None:
    """Make SIGTERM and SIGHUP stop coterm as Ctrl-C does: outputs being built are removed, nothing partial is left.

    The handler raises KeyboardInterrupt in the main thread, so every atomic writer's cleanup runs;
    :func:`main` then prints one line naming the signal and exits 128 + its number.
    """
    import signal

    def handler(signum, frame):
        _SIGNALLED.append(signum)
        raise KeyboardInterrupt

    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, handler)


def _interrupted() -> None:
    import contextlib
    import signal

    if _SIGNALLED:
        name = signal.Signals(_SIGNALLED[0]).name
        with contextlib.suppress(Exception):  # after SIGHUP the terminal may be gone
            click.echo(f"coterm: stopped by {name}; no partial output was left behind", err=True)
        sys.exit(128 + _SIGNALLED[0])
    click.echo("coterm: interrupted; no partial output was left behind", err=True)
    sys.exit(130)


def main(argv=None) -> None:
    # A signal can land outside the command's own handling (after the handler is installed but before the command,
    # or while main() unwinds); it still ends in the one-line message and 128 + its number, never an escaped interrupt.
    try:
        _main(argv)
    except KeyboardInterrupt:
        _interrupted()


def _main(argv) -> None:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    warnings.showwarning = _show_warning
    stop_on_signals()
    _tolerant_streams()
    from ..errors import CotermError

    try:
        cli.main(args=argv, prog_name="coterm", standalone_mode=False)
    except click.exceptions.Abort:
        _interrupted()
    except click.ClickException as exc:
        exc.message = _message_line(exc.message)
        exc.show()
        sys.exit(exc.exit_code)
    except CotermError as exc:
        if debug:
            raise
        click.echo(f"coterm: error: {_message_line(exc)}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        _interrupted()
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # a bug: one line, traceback with --debug
        if debug:
            raise
        click.echo(f"coterm: internal error: {type(exc).__name__}: {_message_line(exc)} (run with --debug for the traceback)", err=True)
        sys.exit(70)
    sys.exit(0)
