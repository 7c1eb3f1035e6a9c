"""FX: money kernel, rate sources, firm quotes, stablecoins. Imports nothing of ours.

Modules: money (Money, currencies, rounding), rate (Rate, RateSource port), ecb / ratefile /
live (sources), chain (priority, pivot, max ages), coinrates (coins on top of fiat rates),
rates (public facade and default_rate_source), pricing (policies, quotes, gain/loss),
stablecoins (USDC, EURC, the basket coin BSKT).
"""
