"""A signed JSON POST to a partner-like service: the body signed with corridors.signing's
headers, the caller's id as the idempotency key, retried with backoff on network errors and 5xx
(the service does the thing once however often it is asked). Pay-in partners' refunds and
returns and the verification provider's submissions are sent this way."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from corridors.signing import signature_headers


class Transient(Exception):
    """Worth retrying with the same idempotency key: the network failed (`status` None) or the
    service answered 5xx (`status`)."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        self.status = status
        super().__init__(reason)


class SignedPoster:
    """POSTs signed JSON to `{base_url}{path}`."""

    def __init__(
        self,
        base_url: str,
        secret: bytes,
        session: aiohttp.ClientSession,
        timeout_s: float = 10,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._secret = secret
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._clock = clock

    async def post(
        self, path: str, doc: dict[str, Any], key: str, *, sort_keys: bool = False
    ) -> tuple[int, bytes]:
        """One attempt: (status, body) of an answer below 500; Transient otherwise."""
        body = json.dumps(doc, sort_keys=sort_keys).encode()
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": key,
            **signature_headers(self._secret, body, self._clock()),
        }
        try:
            async with self._session.post(
                f"{self._base}{path}", data=body, headers=headers, timeout=self._timeout
            ) as resp:
                payload = await resp.read()
                if resp.status >= 500:
                    raise Transient(f"http_{resp.status}", resp.status)
                return resp.status, payload
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise Transient(type(exc).__name__) from exc

    async def post_retried(
        self, path: str, doc: dict[str, Any], key: str, *, sort_keys: bool = False
    ) -> tuple[int, bytes]:
        """Up to three attempts with exponential backoff; the last Transient once spent."""
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(3),
            wait=wait_exponential(multiplier=0.2, max=2),
            retry=retry_if_exception_type(Transient),
            reraise=True,
        ):
            with attempt:
                return await self.post(path, doc, key, sort_keys=sort_keys)
        raise AssertionError("unreachable")  # pragma: no cover - tenacity reraises
