"""The compliance officers' web console at /console/: server-rendered (aiohttp-jinja2), cookie
sessions with CSRF tokens, no JavaScript build step."""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

HERE = Path(__file__).parent
CONSOLE_JINJA = web.AppKey("console_jinja", jinja2.Environment)


def setup_console(app: web.Application) -> None:
    """Give the app the console's template environment (its routes are in the route table)."""
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        app_key=CONSOLE_JINJA,
    )
    env.filters["pretty"] = _pretty


def _pretty(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)
