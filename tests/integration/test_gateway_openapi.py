"""/openapi.json lists every route the router serves, and nothing else."""

import re


async def test_openapi_matches_router(gateway) -> None:
    resp = await gateway.client.get("/openapi.json")
    assert resp.status == 200
    doc = await resp.json()
    documented = {(method.upper(), path) for path, ops in doc["paths"].items() for method in ops}
    served = set()
    for route in gateway.client.server.app.router.routes():
        if route.method in ("HEAD", "*"):
            continue
        info = route.resource.get_info()
        path = info.get("formatter") or info.get("path")
        if path is None:
            continue
        served.add((route.method, path))
    assert documented == served
    for path, ops in doc["paths"].items():
        for op in ops.values():
            assert set(re.findall(r"{(\w+)}", path)) <= {
                p["name"] for p in op["parameters"] if p["in"] == "path"
            }
