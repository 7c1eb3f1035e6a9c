"""`remit`: the operator's command line. Each area registers its own subcommands; commands
only parse arguments and call into the gateway."""

from __future__ import annotations

import argparse

from gateway.commands import (
    audit,
    chain,
    keys,
    ledger,
    officers,
    partners,
    payins,
    privacy,
    rates,
    reconcile,
    sanctions,
    server,
)

# One module per area; each has register(subparsers).
AREAS = [
    server,
    keys,
    partners,
    ledger,
    chain,
    sanctions,
    rates,
    payins,
    officers,
    audit,
    reconcile,
    privacy,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="remit", description="Cross-border remittance gateway: server, demo and operations."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for area in AREAS:
        area.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
