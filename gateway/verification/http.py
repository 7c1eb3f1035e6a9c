"""The verification provider over HTTP: `POST {base}/verifications`, signed like partners'
requests (corridors.signing: HMAC-SHA256 over timestamp and body), our review id as the
idempotency key, retried with backoff on network errors and 5xx. The result comes back later
as a signed webhook (gateway.verification.results)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import aiohttp
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from compliance.kyc import VerificationRequest
from corridors.signing import signature_headers


class VerificationProviderError(Exception):
    """The provider did not take the submission."""


class _Transient(Exception):
    pass


class HttpVerificationProvider:
    def __init__(
        self,
        name: str,
        base_url: str,
        secret: bytes,
        session: aiohttp.ClientSession,
        timeout_s: float = 10,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = name
        self._base = base_url.rstrip("/")
        self._secret = secret
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._clock = clock

    async def submit(self, request: VerificationRequest) -> None:
        doc = {
            "review_id": request.review_id,
            "customer_id": request.customer_id,
            "tier": request.tier,
            "fields": dict(request.fields),
        }
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(3),
                wait=wait_exponential(multiplier=0.2, max=2),
                retry=retry_if_exception_type(_Transient),
                reraise=True,
            ):
                with attempt:
                    await self._post(doc, request.review_id)
        except _Transient as exc:
            raise VerificationProviderError(str(exc)) from exc

    async def _post(self, doc: dict, key: str) -> None:
        body = json.dumps(doc, sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": key,
            **signature_headers(self._secret, body, self._clock()),
        }
        try:
            async with self._session.post(
                f"{self._base}/verifications", data=body, headers=headers, timeout=self._timeout
            ) as resp:
                await resp.read()
                if resp.status >= 500:
                    raise _Transient(f"http_{resp.status}")
                if resp.status >= 400:
                    raise VerificationProviderError(f"http_{resp.status}")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise _Transient(type(exc).__name__) from exc
