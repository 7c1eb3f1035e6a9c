"""Corridors and payout partners: corridor config (TOML), recipient validation, HMAC signing,
the payout HTTP client with retries and a circuit breaker, and the partner simulator.

May import fx (money) only; never gateway.
"""
