"""remit audit verify: walk the compliance audit chain and check its anchor."""

from __future__ import annotations

import argparse
import json
import sys

from gateway.commands.common import run, with_engine


def cmd_verify(args: argparse.Namespace) -> int:
    from gateway.config import Settings
    from gateway.usecases import audit_trail

    key = Settings.from_env().audit_hmac_key
    count, finding = run(with_engine(audit_trail.verify, key))
    if finding is not None:
        print(f"audit chain BROKEN at {finding}", file=sys.stderr)
        print(json.dumps({"ok": False, "first_bad_entry": finding.seq, "problem": str(finding)}))
        return 1
    anchored = "HMAC-anchored" if key else "anchor not keyed (set REMIT_AUDIT_HMAC_KEY)"
    print(json.dumps({"ok": True, "entries": count, "anchor": anchored}))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    audit = sub.add_parser("audit", help="compliance audit trail").add_subparsers(
        dest="audit", required=True
    )
    verify = audit.add_parser("verify", help="exit 1 and name the first bad entry if tampered")
    verify.set_defaults(func=cmd_verify)
