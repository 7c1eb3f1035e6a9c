"""The verification provider over HTTP: `POST {base}/verifications`, signed like partners'
requests (corridors.signing: HMAC-SHA256 over timestamp and body), our review id as the
idempotency key, retried with backoff on network errors and 5xx (corridors.signed_post). The
result comes back later as a signed webhook (gateway.verification.results)."""

from __future__ import annotations

from typing import Any

from compliance.kyc import VerificationRequest
from corridors.signed_post import SignedPoster, Transient


class VerificationProviderError(Exception):
    """The provider did not take the submission."""


class HttpVerificationProvider(SignedPoster):
    def __init__(self, name: str, *args: Any, **kwargs: Any) -> None:
        self.name = name
        super().__init__(*args, **kwargs)

    async def submit(self, request: VerificationRequest) -> None:
        doc = {
            "review_id": request.review_id,
            "customer_id": request.customer_id,
            "tier": request.tier,
            "fields": dict(request.fields),
        }
        try:
            status, _ = await self.post_retried(
                "/verifications", doc, request.review_id, sort_keys=True
            )
        except Transient as exc:
            raise VerificationProviderError(str(exc)) from exc
        if status >= 400:
            raise VerificationProviderError(f"http_{status}")
