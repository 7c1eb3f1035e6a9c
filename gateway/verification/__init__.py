"""The identity-verification provider behind compliance.kyc's port: the HTTP adapter (signed
submissions), the signed webhook results it answers with, and a simulator of a provider."""

from __future__ import annotations

import aiohttp

from compliance.kyc import VerificationProvider
from gateway.config import Settings
from gateway.verification.http import HttpVerificationProvider


def configured(settings: Settings, session: aiohttp.ClientSession) -> VerificationProvider | None:
    """The provider the settings name; None without a URL (officers review every upgrade)."""
    if not settings.kyc_provider_url:
        return None
    if not settings.kyc_provider_secret:
        raise ValueError("REMIT_KYC_PROVIDER_URL is set but REMIT_KYC_PROVIDER_SECRET is not")
    refusal = settings.outbound.url_refusal(settings.kyc_provider_url)
    if refusal:  # the session enforces the rule at connect time too
        raise ValueError(f"REMIT_KYC_PROVIDER_URL: {refusal}")
    return HttpVerificationProvider(
        settings.kyc_provider_name,
        settings.kyc_provider_url,
        settings.kyc_provider_secret,
        session,
        timeout_s=settings.partner_timeout_s,
    )
