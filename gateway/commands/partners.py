"""remit partners add | rotate-secret, remit partner-sim."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys

from gateway.commands.common import cli_operator, run, with_engine


def cmd_partners_add(args: argparse.Namespace) -> int:
    from gateway.services import utc_now
    from gateway.usecases import partners_admin

    if not args.url and not args.pull:
        print("error: a push partner needs --url (or use --pull)", file=sys.stderr)
        return 2
    refusal = run(_url_refusal(args))
    if refusal is not None:
        print(f"error: {refusal}", file=sys.stderr)
        return 2
    address, refusal = chain_address_checked(args.chain_address)
    if refusal is not None:
        print(f"error: --chain-address: {refusal}", file=sys.stderr)
        return 2
    secret = args.secret or partners_admin.new_secret()

    kinds = ("payout,pull" if args.pull else "payout") + (",payin" if args.payin else "")

    async def add(engine):
        await partners_admin.add_partner(
            engine,
            cli_operator(),
            args.id,
            utc_now(),
            name=args.name or args.id,
            base_url=args.url,
            secret=secret,
            callback_url=args.callback_url,
            kinds=kinds,
            chain_address=address,
        )

    run(with_engine(add))
    mode = "pull" if args.pull else "push"
    shown = {"id": args.id, "base_url": args.url, "mode": mode, "secret": secret}
    if address:
        shown["chain_address"] = address
    print(json.dumps(shown))
    return 0


def chain_address_checked(value: str | None) -> tuple[str | None, str | None]:
    """(checksummed address, None) or (None, why it is refused): not an EVM address, a wrong
    checksum, or an address the OFAC SDN list names (exact match on its 'Digital Currency
    Address' identifiers in the shipped snapshot)."""
    if value is None or value == "":
        return None, None
    from eth_utils import is_address, is_checksum_address, to_checksum_address

    from compliance.sanctions.addresses import listed, load_addresses

    if not is_address(value):
        return None, f"{value!r} is not an Ethereum address (0x and 40 hex digits)"
    if value != value.lower() and value != value.upper() and not is_checksum_address(value):
        return None, f"{value} has a wrong checksum (mixed case must be EIP-55)"
    addresses = load_addresses()
    if listed(value, addresses):
        kind = addresses[value.lower()]
        return None, (
            f"{value} is named on the OFAC SDN list (Digital Currency Address - {kind}); refused"
        )
    return to_checksum_address(value), None


def cmd_partners_update(args: argparse.Namespace) -> int:
    from gateway.services import utc_now
    from gateway.usecases import partners_admin

    clear = args.chain_address == "none"
    address, refusal = (None, None) if clear else chain_address_checked(args.chain_address)
    if refusal is not None:
        print(f"error: --chain-address: {refusal}", file=sys.stderr)
        return 2

    async def update(engine):
        await partners_admin.set_chain_address(engine, cli_operator(), args.id, address, utc_now())

    try:
        run(with_engine(update))
    except LookupError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 1
    print(json.dumps({"id": args.id, "chain_address": address}))
    return 0


async def _url_refusal(args: argparse.Namespace) -> str | None:
    """The partner's URLs obey the outbound rule webhooks do (REMIT_OUTBOUND_HTTP and
    REMIT_OUTBOUND_ALLOW open it for development or a private link)."""
    from corridors.outbound import Outbound
    from gateway.config import Settings

    outbound = Outbound(Settings.from_env().outbound)
    for option, url in (("--url", args.url), ("--callback-url", args.callback_url)):
        if url:
            refusal = await outbound.resolved_refusal(url)
            if refusal is not None:
                return f"{option}: {refusal}"
    return None


def cmd_partners_rotate_secret(args: argparse.Namespace) -> int:
    from gateway.services import utc_now
    from gateway.usecases import partners_admin

    secret = args.secret or partners_admin.new_secret()

    async def rotate(engine):
        await partners_admin.rotate_secret(
            engine, cli_operator(), args.id, secret, args.overlap_hours, utc_now()
        )

    try:
        run(with_engine(rotate))
    except LookupError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 1
    shown = {"id": args.id, "secret": secret, "old_secrets_valid_hours": args.overlap_hours}
    print(json.dumps(shown))
    print("Give the partner the new secret now: it is shown once.", file=sys.stderr)
    return 0


def cmd_partner_sim(args: argparse.Namespace) -> int:
    from corridors.simulator import Faults, run_simulator

    faults = Faults.from_options(args)
    if args.mode == "pull":
        if not args.gateway or not args.api_key:
            print("error: pull mode needs --gateway URL and --api-key KEY", file=sys.stderr)
            return 2
        with contextlib.suppress(KeyboardInterrupt):
            run(_run_pull(args.gateway, args.api_key, faults, args.interval))
        return 0
    with contextlib.suppress(KeyboardInterrupt):
        run(run_simulator(args.host, args.port, faults, args.secret.encode()))
    return 0


async def _run_pull(gateway: str, api_key: str, faults, interval_s: float) -> None:
    import aiohttp

    from corridors.pull_agent import PullAgent

    async with aiohttp.ClientSession() as session:
        await PullAgent(gateway, api_key, session, faults).run(interval_s)


def register(sub: argparse._SubParsersAction) -> None:
    from corridors.simulator import DEV_SECRET, Faults

    partners = sub.add_parser("partners", help="payout and pay-in partners").add_subparsers(
        dest="partners", required=True
    )
    add = partners.add_parser("add", help="register or update a partner")
    add.add_argument("id", help="partner id used by corridors (e.g. sim-ph-wallet)")
    add.add_argument("--url", help="partner API base URL (push partners)")
    add.add_argument(
        "--pull",
        action="store_true",
        help="pull mode: the partner collects payouts from GET /v1/partner/payouts",
    )
    add.add_argument(
        "--payin",
        action="store_true",
        help="also a pay-in partner: its signed callbacks to /v1/payins/callbacks/ID are accepted",
    )
    add.add_argument("--name")
    add.add_argument("--callback-url")
    add.add_argument(
        "--chain-address",
        help="where the partner is paid in coin on chain (refused if a sanctions list names it)",
    )
    add.add_argument("--secret", help="HMAC secret shared with the partner (default: generated)")
    add.set_defaults(func=cmd_partners_add)

    upd = partners.add_parser("update", help="change a registered partner's chain address")
    upd.add_argument("id", help="partner id")
    upd.add_argument(
        "--chain-address",
        required=True,
        help="the new address (refused if a sanctions list names it); 'none' removes it",
    )
    upd.set_defaults(func=cmd_partners_update)

    rotate = partners.add_parser(
        "rotate-secret",
        help="sign with a new HMAC secret; the old ones keep verifying for --overlap-hours",
    )
    rotate.add_argument("id", help="partner id")
    rotate.add_argument("--secret", help="the new secret (default: generated)")
    rotate.add_argument(
        "--overlap-hours",
        type=float,
        default=24.0,
        help="how long the old secrets still verify (default 24)",
    )
    rotate.set_defaults(func=cmd_partners_rotate_secret)

    sim = sub.add_parser(
        "partner-sim", help="run the partner simulator (our JSON API and ISO 20022)"
    )
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8081)
    sim.add_argument("--secret", default=DEV_SECRET.decode(), help="HMAC secret")
    sim.add_argument(
        "--mode", choices=("push", "pull"), default="push", help="push: serve; pull: poll us"
    )
    sim.add_argument("--gateway", help="pull mode: the gateway's base URL")
    sim.add_argument("--api-key", help="pull mode: an API key with role partner")
    sim.add_argument("--interval", type=float, default=1.0, help="pull mode: seconds per poll")
    Faults.add_arguments(sim)
    sim.set_defaults(func=cmd_partner_sim)
