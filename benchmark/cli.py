"""The ``arabench`` command line: a thin dispatcher over library functions.

Each subcommand lives in ``benchmark/commands/<name>.py`` and is imported only
when it runs, so ``arabench validate`` never imports torch. A module defines
``HELP`` (one line), ``add_arguments(parser)`` and ``main(args) -> int``.

Exit statuses: 0 success; 1 the command ran and found problems (validation
errors, a named model failed); 2 bad usage or bad input (a ``BenchmarkError``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from arabench.annotations.errors import BenchmarkError

#: Subcommand name -> module path. Order is the order of ``arabench --help``.
COMMANDS: dict[str, str] = {
    "run": "arabench.benchmark.commands.run",
    "predict": "arabench.benchmark.commands.predict",
    "score": "arabench.benchmark.commands.score",
    "compare": "arabench.benchmark.commands.compare",
    "leaderboard": "arabench.benchmark.commands.leaderboard",
    "models": "arabench.benchmark.commands.models",
    "validate": "arabench.benchmark.commands.validate",
    "convert": "arabench.benchmark.commands.convert",
    "labeling-config": "arabench.benchmark.commands.labeling_config",
    "stats": "arabench.benchmark.commands.stats",
    "agree": "arabench.benchmark.commands.agree",
    "adjudicate": "arabench.benchmark.commands.adjudicate",
    "manifest": "arabench.benchmark.commands.manifest",
    "robustness": "arabench.benchmark.commands.robustness",
}

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def _build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    from arabench.benchmark.version import __version__

    parser = argparse.ArgumentParser(
        prog="arabench",
        description="Evaluation benchmark for Arabic named-entity recognition.",
    )
    parser.add_argument("--version", action="version", version=f"arabench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    at = next((i for i, a in enumerate(argv) if not a.startswith("-")), len(argv))
    wanted = argv[at] if at < len(argv) else None
    # The list of commands with their help lines is printed only by the top-level help and usage errors:
    # reading the lines imports every command's module, so only then.
    listed = wanted not in COMMANDS or any(a in ("-h", "--help") for a in argv[:at])
    for name, module_path in COMMANDS.items():
        if name == wanted:
            module = importlib.import_module(module_path)
            cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
            module.add_arguments(cmd)
            cmd.set_defaults(_main=module.main)
        else:
            sub.add_parser(name, help=_help_line(module_path) if listed else None, add_help=False)
    return parser


def _help_line(module_path: str) -> str:
    try:
        return importlib.import_module(module_path).HELP
    except ImportError:
        return "(not available)"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``arabench`` command line and return its exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _build_parser(argv)
    args = parser.parse_args(argv)
    handler = getattr(args, "_main", None)
    if handler is None:
        parser.print_help()
        return EXIT_USAGE if argv else EXIT_OK
    from arabench.benchmark.escape import TerminalWriter, terminal

    # Data printed by a command (ids, types, reasons, answers) never reaches the terminal raw.
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = TerminalWriter(stdout), TerminalWriter(stderr, carriage_returns=True)
    try:
        return int(handler(args))
    except BenchmarkError as exc:
        print(f"arabench {args.command}: error: {terminal(exc, newlines=True)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"arabench {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``arabench stats | head``): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stdout.fileno())
        return EXIT_OK
    finally:
        sys.stdout, sys.stderr = stdout, stderr


if __name__ == "__main__":
    sys.exit(main())
