"""Command line: ``python -m rnnviz COMMAND`` for each name in COMMANDS. Never imports Qt.

Each subcommand lives in its own module exposing ``add_parser(subparsers)`` and ``run(args)``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from rnnviz.cli.common import UsageError, fail
from rnnviz.engine.factory import NotForThisModel

COMMANDS = ("analyze", "inspect", "eval", "convert", "train", "generate", "memory", "neurons")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rnnviz", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"rnnviz.cli.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"rnnviz.cli.{name}":
                raise
            continue
        p = module.add_parser(sub)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args))
    except (UsageError, NotForThisModel) as e:  # a feature this kind of model lacks: one line
        return fail(str(e))
    except KeyboardInterrupt:
        return fail("interrupted")


if __name__ == "__main__":
    sys.exit(main())
