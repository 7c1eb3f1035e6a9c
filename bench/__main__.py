"""`python -m bench`: every benchmark on this machine, one table (or `--json`, one object).

End to end (POST /v1/remittances -> paid_out) on SQLite and PostgreSQL, accept latency in a
closed-loop run and in a run paced at --rate, time to paid_out, the gateway's peak memory; the
ceilings measured in the same run (a bare aiohttp handler, pgbench); and the FX, screening and
ledger benchmarks' own output. PostgreSQL: REMIT_BENCH_DATABASE_URL names the server (default
postgresql+asyncpg://postgres@127.0.0.1:5432/test); the bench creates and drops its databases."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.e2e import Options, run_all


def fmt(value: object, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        value = f"{value:,.1f}" if value >= 10 else f"{value:.3g}"
    return f"{value}{unit}"


def goal_lines(goals: list[dict]) -> list[str]:
    """The issue's goals (#28) beside this run's figures: PASS, FAIL, or not measured."""
    width = max((len(g["goal"]) for g in goals), default=0)
    verdict = {True: "PASS", False: "FAIL", None: "not measured"}
    return [
        f"goal: {g['goal'].ljust(width)}  measured {measured(g)}  {verdict[g['passed']]}"
        for g in goals
    ]


def measured(goal: dict) -> str:
    """One figure, or a figure per run and how many met the goal."""
    value = goal["measured"]
    if not isinstance(value, list):
        return fmt(value)
    return f"{', '.join(fmt(v) for v in value)} ({goal['runs_met']} met)"


def table(report: dict) -> str:
    e2e = report["e2e"]
    kinds = list(e2e)
    rows: list[tuple[str, ...]] = [("figure", *kinds)]

    def row(label: str, get, unit: str = "") -> None:
        values = []
        for kind in kinds:
            try:
                values.append(fmt(get(e2e[kind]), unit))
            except (KeyError, TypeError):
                values.append("-")
        rows.append((label, *values))

    row("e2e remittances/s (POST -> paid_out)", lambda r: r["closed_loop"]["e2e_per_s"])
    row("accepted/s (closed loop)", lambda r: r["closed_loop"]["accepted_per_s"])
    row(
        "paid_out / accepted (closed loop)",
        lambda r: f"{r['closed_loop']['paid_out']}/{r['closed_loop']['accepted']}",
    )
    cpus = report["machine"]["cpus"] or 1
    row(
        "e2e remittances/s per core",
        lambda r: round(r["closed_loop"]["e2e_per_s"] / cpus, 1),
    )
    per = "per_remittance"
    row("SQL statements per remittance (gateway)", lambda r: r["closed_loop"][per]["statements"])
    row("commits per remittance (gateway)", lambda r: r["closed_loop"][per]["commits"])
    row(
        "  PostgreSQL transactions per remittance (pg_stat_database, reads included)",
        lambda r: r["closed_loop"][per]["pg_transactions"],
    )
    row("accept p50 ms (closed loop)", lambda r: r["closed_loop"]["accept_p50_ms"])
    row("accept p99 ms (closed loop)", lambda r: r["closed_loop"]["accept_p99_ms"])
    row("time to paid_out p50 s", lambda r: r["closed_loop"]["to_paid_out_p50_s"])
    row("time to paid_out p99 s", lambda r: r["closed_loop"]["to_paid_out_p99_s"])
    cpu = "cpu_ms_per_remittance"
    row("CPU ms per remittance, whole machine", lambda r: r["closed_loop"][cpu]["machine"])
    row("  gateway processes", lambda r: r["closed_loop"][cpu]["gateway"])
    row("    of which pipeline processes", lambda r: r["closed_loop"][cpu]["gateway_pipeline"])
    row("    of which the chain's owner", lambda r: r["closed_loop"][cpu].get("gateway_chain"))
    row("  partner simulator", lambda r: r["closed_loop"][cpu]["simulator"])
    row("  load client", lambda r: r["closed_loop"][cpu]["load_client"])
    row("  PostgreSQL and the rest", lambda r: r["closed_loop"][cpu]["postgres_and_rest"])
    row(
        f"CPU-bound ceiling on {report['machine']['cpus']} cores, /s",
        lambda r: r["closed_loop"]["cpu_bound_ceiling_per_s"],
    )
    rate = report["load"]["offered_rate_paced_run"]
    row(f"accepted/s at {rate:g}/s offered", lambda r: r["paced"]["accepted_per_s"])
    row(f"accept p50 ms at {rate:g}/s offered", lambda r: r["paced"]["accept_p50_ms"])
    row(f"accept p99 ms at {rate:g}/s offered", lambda r: r["paced"]["accept_p99_ms"])
    row(
        f"accept p99 ms at {rate:g}/s, each run",
        lambda r: " ".join(fmt(run["accept_p99_ms"]) for run in r.get("paced_runs", [])),
    )
    row(
        "errors (closed, paced)",
        lambda r: (
            f"{sum(r['closed_loop']['errors'].values())}, {sum(r['paced']['errors'].values())}"
        ),
    )
    row(
        "gateway processes (HTTP + pipeline)",
        lambda r: f"{r['processes']} + {r['pipeline_processes']}",
    )
    row("gateway peak RSS MB (all processes)", lambda r: r["gateway_peak_rss_mb"])
    row("gateway startup s", lambda r: r["startup_s"])
    width = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, width, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in width))
    load = report["load"]
    lines.insert(
        0,
        f"load: {load['process']}, {load['connections']} connections, "
        f"{load['duration_s']:g} s per run; "
        + "; ".join(f"{k}: {v['database']}" for k, v in e2e.items()),
    )
    for kind, cost in report.get("encryption_cost", {}).items():
        lines.append(
            f"personal-data encryption, {kind}: {fmt(cost['encrypted_per_s'])}/s encrypted, "
            f"{fmt(cost['plain_per_s'])}/s plain: {cost['rate_cost_pct']}% of the rate"
            + (f" (mean of {len(cost['rounds'])} rounds)" if cost.get("rounds") else "")
        )
        for n, r in enumerate(cost.get("rounds", []), 1):
            lines.append(
                f"  round {n}: {fmt(r['encrypted_per_s'])}/s encrypted, "
                f"{fmt(r['plain_per_s'])}/s plain ({r['rate_cost_pct']}%); gateway CPU ms per "
                f"remittance {r['gateway_cpu_ms'][0]} encrypted, {r['gateway_cpu_ms'][1]} plain"
            )
    for kind, cost in report.get("chain_cost", {}).items():
        lines.append(
            f"chain settlement (embedded), {kind}: {fmt(cost['chain_per_s'])}/s on chain, "
            f"{fmt(cost['no_chain_per_s'])}/s ledger only: {cost['rate_cost_pct']}% of the rate "
            "(goal: at most 15%); "
            f"{fmt(cost.get('chain_tx_per_s'))} chain transactions/s, "
            f"{fmt(cost.get('remittances_per_settle_tx'))} remittances per settle() transaction"
        )
    lines.append("")
    lines.extend(goal_lines(report.get("goals", [])))
    c = report.get("ceilings_summary", {})
    lines.append("")
    lines.append(f"ceiling: bare aiohttp handler  {fmt(c.get('aiohttp_rps'))} requests/s")
    lines.append(f"ceiling: pgbench (tpcb-like)   {fmt(c.get('pgbench_tps'))} transactions/s")
    for name, comp in report.get("components", {}).items():
        lines.append("")
        lines.append(f"== bench/{name}.py " + ("" if comp.get("ok") else f"({comp.get('error')})"))
        lines.extend(comp.get("output", []))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per load run")
    parser.add_argument("--connections", type=int, default=32, help="load client connections")
    parser.add_argument("--rate", type=float, default=200.0, help="offered rate, paced run")
    parser.add_argument("--processes", type=int, default=2, help="REMIT_PROCESSES of the gateway")
    parser.add_argument("--workers", type=int, default=1, help="REMIT_WORKERS of the gateway")
    parser.add_argument(
        "--worker-processes",
        type=int,
        help="REMIT_WORKER_PROCESSES of the gateway (default: its own, none beside pipelines)",
    )
    parser.add_argument(
        "--pipeline-processes",
        type=int,
        default=1,
        help="REMIT_PIPELINE_PROCESSES of the gateway",
    )
    parser.add_argument(
        "--sqlite-processes", type=int, default=1, help="REMIT_PROCESSES of the SQLite gateway"
    )
    parser.add_argument(
        "--sqlite-pipeline-processes",
        type=int,
        default=0,
        help="REMIT_PIPELINE_PROCESSES of the SQLite gateway",
    )
    parser.add_argument("--batch", type=int, default=64, help="REMIT_WORKER_BATCH")
    parser.add_argument("--senders", type=int, default=1500, help="senders for the closed loop")
    parser.add_argument(
        "--paced-runs", type=int, default=5, help="paced runs per database (the p99 goal: 4 of 5)"
    )
    parser.add_argument("--settle", type=float, default=120.0, help="max wait for paid_out, s")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-ceilings", action="store_true")
    parser.add_argument("--no-components", action="store_true")
    parser.add_argument(
        "--compare-encryption",
        action="store_true",
        help="run each database again with REMIT_DATA_ENCRYPTION=off (columns *-plain)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="with a comparison: run each variant N times, alternating A B B A (columns #2...)",
    )
    parser.add_argument(
        "--no-chain",
        action="store_true",
        help="every run with REMIT_CHAIN=off (e.g. to compare encryption without the chain)",
    )
    parser.add_argument(
        "--compare-chain",
        action="store_true",
        help="run each database again with REMIT_CHAIN=off, the partner paid in the ledger "
        "alone (columns *-nochain); the main run settles on the embedded chain",
    )
    args = parser.parse_args()
    opts = Options(
        duration=args.duration,
        connections=args.connections,
        rate=args.rate,
        processes=args.processes,
        workers=args.workers,
        worker_processes=args.worker_processes,
        pipeline_processes=args.pipeline_processes,
        sqlite_processes=args.sqlite_processes,
        sqlite_pipeline_processes=args.sqlite_pipeline_processes,
        batch=args.batch,
        senders=args.senders,
        paced_runs=args.paced_runs,
        settle_s=args.settle,
        compare_encryption=args.compare_encryption,
        compare_chain=args.compare_chain,
        rounds=args.rounds,
        no_chain=args.no_chain,
    )
    report = run_all(
        opts,
        sqlite=not args.no_sqlite,
        postgres=not args.no_postgres,
        ceilings=not args.no_ceilings,
        others=not args.no_components,
    )
    print(json.dumps(report, indent=2, default=str) if args.json else table(report))


if __name__ == "__main__":
    main()
