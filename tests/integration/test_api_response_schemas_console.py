"""Every documented answer of the officers' console against a real one
(tests/api_schemas_support): each page signed out (to the login page), the sign-in refused and
accepted, every page and form of a held case, a KYC review and an error case, the exports and
the stylesheet, and the sign-out."""

from __future__ import annotations

from tests.api_schemas_support import Recorder, check, reported_error
from tests.console_support import CSRF, PASSWORD, hold
from tests.integration.console.conftest import officers  # noqa: F401
from tests.kyc_gateway_support import ID_DOCUMENTS


async def _work(gateway) -> dict[str, str]:
    """A held case, a KYC review for an officer (no provider here) and an error case."""
    _, case_id = await hold(gateway)
    await gateway.customer(external_id="kyc")
    review = (await gateway.customer(external_id="kyc", **ID_DOCUMENTS))["review"]
    return {"case": case_id, "review": review["id"], "error": await reported_error(gateway)}


async def test_the_console_answers_as_documented(gateway, officers) -> None:  # noqa: F811
    doc = await (await gateway.client.get("/openapi.json")).json()
    rec = Recorder(gateway.client, doc)
    ids = await _work(gateway)
    pages = [
        "/console/cases",
        f"/console/cases/{ids['case']}",
        "/console/kyc",
        f"/console/kyc/{ids['review']}",
        "/console/error-cases",
        f"/console/error-cases/{ids['error']}",
        "/console/audit",
        "/console/exports/decisions.csv",
        f"/console/cases/{ids['case']}/sar.json",
    ]
    for page in pages:
        await rec.call("GET", page, role=None, status=303)
    await rec.call("GET", "/console/", role=None, status=303)
    for password, status in (("not the password", 200), (PASSWORD, 303)):
        form = await rec.call("GET", "/console/login", role=None)
        login = {"username": "supervisor", "password": password}
        login["csrf_token"] = CSRF.search(form).group(1)
        await rec.call("POST", "/console/login", role=None, status=status, data=login)
    for page in pages:
        await rec.call("GET", page, role=None, status=200)
    await rec.call("GET", "/console/static/console.css", role=None)
    token = CSRF.search(await rec.call("GET", "/console/cases", role=None)).group(1)
    forms = [
        (f"/console/cases/{ids['case']}/claim", {}),
        (f"/console/cases/{ids['case']}/decisions", {"decision": "reject", "reason": "SDN"}),
        (f"/console/kyc/{ids['review']}/decisions", {"decision": "approve", "reason": "match"}),
        (f"/console/error-cases/{ids['error']}/actions", {"action": "acknowledge"}),
        ("/console/logout", {}),
    ]
    for path, form in forms:
        await rec.call("POST", path, role=None, status=303, data={**form, "csrf_token": token})
    check(rec, "console")
