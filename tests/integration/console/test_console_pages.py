"""The console over HTTP: sign-in, sessions, CSRF on every form, pages that show the evidence."""

from __future__ import annotations

from gateway.storage.tables_compliance import case_decisions
from tests.console_support import CSRF, PASSWORD, count, hold, sign_in


async def test_sign_in_needs_csrf_and_the_right_password(gateway, officers) -> None:
    client = gateway.client
    assert (await client.get("/console/cases", allow_redirects=False)).status == 303
    no_token = await client.post(
        "/console/login", data={"username": "analyst", "password": PASSWORD}
    )
    assert no_token.status == 403
    wrong = await sign_in(client, "analyst", "not the password")
    assert wrong.status == 200 and "Wrong username or password" in await wrong.text()
    assert "remit_session" not in {c.key for c in client.session.cookie_jar}
    ok = await sign_in(client, "analyst")
    assert ok.status == 303
    cookie = ok.cookies["remit_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert (await client.get("/console/cases")).status == 200


async def test_decision_form_requires_the_session_csrf_token(gateway, officers) -> None:
    _, case_id = await hold(gateway)
    client = gateway.client
    assert (await sign_in(client, "supervisor")).status == 303
    page = await client.get(f"/console/cases/{case_id}")
    html = await page.text()
    assert "Vladimir Vladimirovich Putin" in html and "Sanctions hits" in html
    token = CSRF.search(html).group(1)
    form = {"decision": "reject", "reason": "confirmed SDN match"}
    for bad in ({}, {"csrf_token": "forged"}):
        resp = await client.post(f"/console/cases/{case_id}/decisions", data={**form, **bad})
        assert resp.status == 403
    assert await count(gateway, case_decisions) == 0
    no_reason = await client.post(
        f"/console/cases/{case_id}/decisions",
        data={"decision": "reject", "reason": "", "csrf_token": token},
    )
    assert "A reason is required" in await no_reason.text()
    assert await count(gateway, case_decisions) == 0
    done = await client.post(
        f"/console/cases/{case_id}/decisions",
        data={**form, "csrf_token": token},
        allow_redirects=False,
    )
    assert done.status == 303
    assert await count(gateway, case_decisions) == 1
    exported = await client.get("/console/exports/decisions.csv")
    assert exported.status == 200 and "confirmed SDN match" in await exported.text()
    sar = await (await client.get(f"/console/cases/{case_id}/sar.json")).json()
    assert sar["case"]["id"] == case_id and sar["status"] == "draft"
    audit = await client.get("/console/audit")
    assert "Chain verified" in await audit.text()
    # Signing out ends the session server-side: the old cookie no longer works.
    assert (await client.post("/console/logout", data={"csrf_token": token})).status == 200
    assert (await client.get("/console/cases", allow_redirects=False)).status == 303


async def test_analyst_cannot_open_the_audit_page(gateway, officers) -> None:
    assert (await sign_in(gateway.client, "analyst")).status == 303
    assert (await gateway.client.get("/console/audit")).status == 403


async def test_a_nul_in_a_console_form_is_refused_and_nothing_is_decided(gateway, officers) -> None:
    _, case_id = await hold(gateway)
    client = gateway.client
    assert (await sign_in(client, "supervisor")).status == 303
    token = CSRF.search(await (await client.get(f"/console/cases/{case_id}")).text()).group(1)
    resp = await client.post(
        f"/console/cases/{case_id}/decisions",
        data={"decision": "reject", "reason": "match\x00", "csrf_token": token},
    )
    page = await resp.text()
    assert resp.status == 422 and resp.content_type == "text/html"
    assert "<code>reason</code>" in page  # a page naming the field, not problem JSON
    assert await count(gateway, case_decisions) == 0


async def test_repeated_wrong_passwords_lock_the_username_for_a_while(
    gateway, officers, clock
) -> None:
    from gateway.usecases.officers import SIGN_IN_LIMIT, SIGN_IN_LOCKOUT

    client = gateway.client
    for _ in range(SIGN_IN_LIMIT - 1):
        assert (await sign_in(client, "analyst", "wrong")).status == 200
    assert (await sign_in(client, "analyst")).status == 303  # success resets the count
    for _ in range(SIGN_IN_LIMIT):
        assert (await sign_in(client, "analyst", "wrong")).status in (200, 429)
    locked = await sign_in(client, "analyst")  # even the right password, while locked
    assert locked.status == 429 and "Too many failed sign-ins" in await locked.text()
    # a name no officer has locks the same way: a lockout does not reveal which names exist
    for _ in range(SIGN_IN_LIMIT):
        await sign_in(client, "nobody", "wrong")
    assert (await sign_in(client, "nobody", "wrong")).status == 429
    clock.advance(seconds=SIGN_IN_LOCKOUT.total_seconds())
    assert (await sign_in(client, "analyst")).status == 303
