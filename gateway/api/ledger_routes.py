"""Operators' ledger routes."""

from __future__ import annotations

from aiohttp import web

from gateway.api.appkeys import SERVICES
from gateway.api.http import reply
from gateway.api.routing import Route, roles
from gateway.api.schemas import list_of
from gateway.usecases import ledger
from gateway.usecases.schemas import STR


async def get_account(request: web.Request) -> web.Response:
    return reply(await ledger.account(request.app[SERVICES], request.match_info["id"]))


async def list_accounts(request: web.Request) -> web.Response:
    prefix = request.query.get("prefix", "")
    return reply({"accounts": await ledger.balances(request.app[SERVICES].ledger, prefix)})


ROUTES: list[Route] = [
    Route(
        "GET",
        "/v1/ledger/accounts",
        list_accounts,
        "Ledger accounts and balances, optionally by id prefix (operators)",
        roles=roles("operator"),
        tag="ledger",
        query=[{"name": "prefix", "in": "query", "required": False, "schema": STR}],
        response=list_of("accounts", ledger.BALANCE_SCHEMA),
    ),
    Route(
        "GET",
        "/v1/ledger/accounts/{id}",
        get_account,
        "One ledger account: balances and recent transfers (operators)",
        roles=roles("operator"),
        tag="ledger",
        response=ledger.ACCOUNT_SCHEMA,
        errors=(404,),
    ),
]
