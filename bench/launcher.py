"""A preloaded gateway launcher: imports the gateway and loads the sanctions lists once, then
forks a fresh gateway process (`remit serve` with the same settings) on every `start`. Crash
tests kill those processes with SIGKILL and start new ones in milliseconds, instead of paying
the import and list-loading time (tens of seconds on a loaded machine) on every restart.

Run as `python -m bench.launcher [LIST-FILE...]` from the repository root (no files: the
shipped snapshot, as `remit serve` loads it). Protocol, one line each way, on stdin/stdout:
    -> ready                      (once, when preloaded)
    <- start [NAME=VALUE...] -> pid N  (a new gateway process; settings from REMIT_* variables,
                                        these set for it alone)
    <- wait N       -> exit N S   (reap process N; S is its exit status, negative for a signal)
    <- quit
"""

from __future__ import annotations

import os
import sys
import traceback


def serve(screener) -> None:
    """The child: exactly what `remit serve` does, with the preloaded lists."""
    from aiohttp import web

    from gateway.app import create_app
    from gateway.commands.server import new_event_loop
    from gateway.config import Settings
    from gateway.logs import configure_logging

    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.json_logs)
    web.run_app(
        create_app(settings, screener=screener),
        host=settings.host,
        port=settings.port,
        print=None,
        loop=new_event_loop(settings),
    )


def main() -> None:
    import gateway.app  # noqa: F401  (preload)
    from compliance.sanctions import Screener

    files = sys.argv[1:]
    screener = Screener.from_files(files) if files else Screener.from_snapshot()
    print("ready", flush=True)
    for line in sys.stdin:
        command, *args = line.split()
        if command == "start":
            pid = os.fork()
            if pid == 0:
                code = 0
                os.environ.update(a.split("=", 1) for a in args)
                try:
                    serve(screener)
                except BaseException:
                    traceback.print_exc()
                    code = 1
                os._exit(code)
            print(f"pid {pid}", flush=True)
        elif command == "wait":
            pid = int(args[0])
            _, status = os.waitpid(pid, 0)
            code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
            print(f"exit {pid} {code}", flush=True)
        elif command == "quit":
            return


if __name__ == "__main__":
    main()
