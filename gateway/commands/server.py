"""remit serve, remit demo, remit db upgrade."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from multiprocessing.connection import wait
from typing import TYPE_CHECKING, Any

from gateway.commands.common import settings_from
from gateway.config import Settings

if TYPE_CHECKING:
    from aiohttp import web

# prometheus_client's multiprocess mode (see gateway.metrics): set for the children only.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
METRICS_DIR_PREFIX = "remit-metrics-"
_METRICS_DIR = re.compile(re.escape(METRICS_DIR_PREFIX) + r"(\d+)-\w+")
_WRITER = re.compile(r"_(\d+)\.db$")
PR_SET_NAME = 15  # prctl(2)


def cmd_serve(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if args.processes:
        settings = replace(settings, processes=args.processes)
    if settings.processes < 1:
        print("remit serve: --processes must be at least 1", file=sys.stderr)
        return 2
    if settings.pipeline_processes < 0:
        print("remit serve: REMIT_PIPELINE_PROCESSES must be 0 or more", file=sys.stderr)
        return 2
    problem = _config_problem(settings)
    if problem:
        print(f"remit serve: {problem}", file=sys.stderr)
        return 2
    if settings.processes == 1 and (args.no_workers or not settings.pipeline_processes):
        serve_process(settings, run_workers=not args.no_workers, run_singletons=True)
        return 0
    return serve_processes(settings, run_workers=not args.no_workers)


def _config_problem(settings: Settings) -> str | None:
    """What in the configuration would stop the gateway, said before anything starts: a corridor
    the ledger cannot settle, an unknown rates mode, PostgreSQL without personal-data keys, a
    chain it cannot reach as configured. Where the keys come from is said here, once, at start."""
    from corridors.config import CorridorConfigError, load_corridors
    from fx.rates import MODES
    from gateway.usecases.database import MissingDataKeys, data_keys
    from ledger_adapter.chart import SETTLEABLE

    try:
        ring = data_keys(settings.database_url)
    except MissingDataKeys as exc:
        return str(exc)
    encrypted = "encrypted" if ring.encrypt else "NOT encrypted (REMIT_DATA_ENCRYPTION=off)"
    print(
        f"remit serve: personal data {encrypted}; keys from {ring.source} "
        f"(newest {ring.current} of {len(ring.key_ids)})",
        file=sys.stderr,
    )

    if settings.event_loop not in EVENT_LOOPS:
        return f"REMIT_EVENT_LOOP must be uvloop or asyncio, not {settings.event_loop!r}"
    if settings.rates_mode not in MODES:
        return f"REMIT_RATES_MODE must be one of {', '.join(MODES)}, not {settings.rates_mode!r}"
    try:
        load_corridors(settings.corridors_file, settleable=SETTLEABLE)
    except CorridorConfigError as exc:
        return str(exc)
    return chain_problem(settings)


EVENT_LOOPS = ("uvloop", "asyncio")


def new_event_loop(settings: Settings) -> asyncio.AbstractEventLoop:
    """A new event loop of the configured kind (Settings.event_loop)."""
    if settings.event_loop == "uvloop":
        import uvloop

        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def run_on_loop(settings: Settings, main: Awaitable[Any]) -> Any:
    """asyncio.run(main) on a loop of the configured kind."""
    with asyncio.Runner(loop_factory=lambda: new_event_loop(settings)) as runner:
        return runner.run(main)


def chain_problem(settings: Settings) -> str | None:
    """An unknown REMIT_CHAIN, or a JSON-RPC chain without its URL or key."""
    if settings.chain not in ("embedded", "rpc", "off"):
        return f"REMIT_CHAIN must be embedded, rpc or off, not {settings.chain!r}"
    if settings.chain == "rpc" and not settings.chain_rpc_url:
        return "REMIT_CHAIN=rpc needs REMIT_CHAIN_RPC_URL"
    if settings.chain == "rpc" and not settings.chain_key:
        return "the JSON-RPC chain needs the issuer key in REMIT_CHAIN_KEY (never stored)"
    return None


def serve_process(
    settings: Settings,
    *,
    run_workers: bool,
    run_singletons: bool,
    run_chain: bool = True,
    migrate: bool = True,
    supervised: bool = False,
    name: str | None = None,
) -> None:
    """One gateway process: HTTP, pipeline workers and (if asked) the singletons."""
    from aiohttp import web

    from gateway.app import create_app
    from gateway.logs import configure_logging

    configure_logging(settings.log_level, settings.json_logs)
    if name:
        name_process(name)
    if supervised:
        _stop_with_parent()
    web.run_app(
        create_app(
            settings,
            run_workers=run_workers,
            run_singletons=run_singletons,
            run_chain=run_chain,
            freeze_heap=True,
            migrate=migrate,
        ),
        host=settings.host,
        port=settings.port,
        reuse_port=settings.processes > 1,
        print=lambda msg: print(msg, file=sys.stderr),
        loop=new_event_loop(settings),
    )


def pipeline_process(
    settings: Settings, *, run_singletons: bool, run_chain: bool = True, name: str | None = None
) -> None:
    """A process that runs the pipeline and no HTTP, niced (see Settings.pipeline_processes)."""
    from gateway.app import create_app
    from gateway.logs import configure_logging

    configure_logging(settings.log_level, settings.json_logs)
    if name:
        name_process(name)
    _stop_with_parent()
    os.nice(settings.pipeline_nice)
    app = create_app(
        settings,
        run_singletons=run_singletons,
        run_chain=run_chain,
        freeze_heap=True,
        migrate=False,
    )
    run_on_loop(settings, _run_without_http(app))


def chain_process(settings: Settings, *, name: str | None = None) -> None:
    """The chain's owner alone (see gateway.chain.own_chain), niced like the pipeline: its
    work waits for a settlement window anyway, HTTP answers first."""
    from gateway.chain import own_chain
    from gateway.logs import configure_logging

    configure_logging(settings.log_level, settings.json_logs)
    if name:
        name_process(name)
    _stop_with_parent()
    os.nice(settings.pipeline_nice)
    run_on_loop(settings, _until_signalled(lambda stop: own_chain(settings, stop)))


async def _run_without_http(app: web.Application) -> None:
    """The app's startup and cleanup without a listening socket; SIGINT or SIGTERM stops it
    as it stops a serving process (in-flight steps finish or release their lease)."""
    from aiohttp import web

    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()

    async def until(stop: asyncio.Event) -> None:
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    await _until_signalled(until)


async def _until_signalled(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run `main(stop)`; SIGINT or SIGTERM sets `stop`."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await main(stop)


def name_process(name: str) -> None:
    """The process's name in ps, top and /proc/PID/comm (Linux; elsewhere nothing), so an
    operator, and the benchmark, tell the children apart."""
    import ctypes
    import ctypes.util

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_NAME, name.encode()[:15] + b"\0", 0, 0, 0)


def serve_processes(settings: Settings, *, run_workers: bool) -> int:
    """Several gateway processes on one port, and any pipeline processes; this one only
    supervises them.

    The schema is upgraded once, here, before any child starts. Workers claim remittances by
    lease, so processes never advance the same remittance; every pipeline process runs them,
    and the first `worker_processes` serve processes (by default all, or none when there are
    pipeline processes). The first pipeline process, or the first serve process when there is
    none, alone runs the webhook dispatcher and the bot notifier. With the chain on, one more
    process owns it (`remit-chain`, the settler alone). SIGINT or SIGTERM stops every
    child gracefully; a child that dies stops the others too, so a process manager sees the
    failure.

    A scrape of /metrics reaches any one child, so the children share their counters and
    histograms through files (see gateway.metrics) and each scrape sums every process's.
    """
    from prometheus_client.multiprocess import mark_process_dead

    from gateway.usecases.database import upgrade

    upgrade(settings.database_url)
    ctx = multiprocessing.get_context("spawn")
    from gateway.chain import enabled as chain_enabled

    pipelines = settings.pipeline_processes if run_workers else 0
    own_chain = run_workers and chain_enabled(settings)
    with_workers = settings.worker_processes
    if with_workers is None:  # all, unless pipeline processes take the work
        with_workers = 0 if pipelines else settings.processes
    serving = [
        (
            serve_process,
            f"remit-serve-{i}",
            {
                "run_workers": run_workers and i < with_workers,
                "run_singletons": i == 0 and not pipelines,
                "run_chain": False,
                "migrate": False,
                "supervised": True,
            },
        )
        for i in range(settings.processes)
    ]
    piping = [
        (pipeline_process, f"remit-pipe-{i}", {"run_singletons": i == 0, "run_chain": False})
        for i in range(pipelines)
    ]
    chain = [(chain_process, "remit-chain", {})] if own_chain else []
    children = [
        ctx.Process(target=target, args=(settings,), kwargs={**kwargs, "name": name}, name=name)
        for target, name, kwargs in serving + piping + chain
    ]
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        _interrupt(children)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    with _metrics_dir() as metrics_dir:
        for child in children:
            child.start()
        wait([child.sentinel for child in children])  # the first to end, for whatever reason
        if not stopping:  # a child died on its own: take the rest down
            _interrupt(children)
        for child in children:
            child.join()
            mark_process_dead(child.pid, metrics_dir)
    codes = [child.exitcode or 0 for child in children]
    return 0 if stopping and not any(codes) else max(1, *codes)


@contextlib.contextmanager
def _metrics_dir() -> Iterator[str]:
    """A fresh private directory for the children's metric files, named in the environment that
    spawned children start with (so before they import prometheus_client); removed afterwards.
    Never an earlier run's directory: its files would add that run's counts to this one's."""
    sweep_stale_metrics_dirs(tempfile.gettempdir())
    path = tempfile.mkdtemp(prefix=f"{METRICS_DIR_PREFIX}{os.getpid()}-")
    previous = os.environ.get(MULTIPROC_ENV)
    os.environ[MULTIPROC_ENV] = path
    try:
        yield path
    finally:
        if previous is None:
            del os.environ[MULTIPROC_ENV]
        else:
            os.environ[MULTIPROC_ENV] = previous
        shutil.rmtree(path, ignore_errors=True)


def sweep_stale_metrics_dirs(parent: str) -> list[str]:
    """Remove metric directories that a killed supervisor left behind (SIGKILL skips its
    cleanup). One is stale when its supervisor (named in it) and every process that wrote a
    file in it (`{kind}_{pid}.db`) are gone; returns the directories removed."""
    removed = []
    for entry in os.scandir(parent):
        match = _METRICS_DIR.fullmatch(entry.name)
        if match is None or not entry.is_dir(follow_symlinks=False):
            continue
        writers = {int(m.group(1)) for f in os.listdir(entry.path) if (m := _WRITER.search(f))}
        if not any(_running(pid) for pid in {int(match.group(1)), *writers}):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.path)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _stop_with_parent() -> None:
    """A gateway whose supervisor died (even by SIGKILL) stops gracefully, not serve on alone."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=watch, name="supervisor-watch", daemon=True).start()


def _interrupt(children: list[multiprocessing.process.BaseProcess]) -> None:
    """SIGINT: aiohttp's graceful stop (in-flight steps finish or stay resumable)."""
    for child in children:
        if child.is_alive() and child.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGINT)


def cmd_demo(args: argparse.Namespace) -> int:
    from gateway.demo import run_demo

    settings = Settings.from_env()
    return run_on_loop(settings, run_demo(settings, args.partner))


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from gateway.usecases.database import upgrade

    upgrade(Settings.from_env().database_url, args.revision)
    print(f"database upgraded to {args.revision}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="run the HTTP API and pipeline workers")
    serve.add_argument("--host", help="listen address (REMIT_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="listen port (REMIT_PORT, default 8080)")
    serve.add_argument(
        "--processes",
        type=int,
        help="gateway processes sharing the port (REMIT_PROCESSES, default 1)",
    )
    serve.add_argument("--no-workers", action="store_true", help="serve HTTP only")
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser(
        "demo", help="send one remittance end to end (100 USD to the Philippines by default)"
    )
    demo.add_argument(
        "--partner",
        choices=["iso20022", "mojaloop", "remit"],  # gateway.demo.ROUTES (not imported for --help)
        default="remit",
        help="the payout partner's protocol: remit (our JSON API, a PH wallet), iso20022 "
        "(pacs.008/002 to a euro IBAN) or mojaloop (FSPIOP v2.0 to a Kenyan mobile wallet)",
    )
    demo.set_defaults(func=cmd_demo)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db", required=True)
    up = db.add_parser("upgrade", help="apply Alembic migrations (REMIT_DATABASE_URL)")
    up.add_argument("revision", nargs="?", default="heads")
    up.set_defaults(func=cmd_db_upgrade)
