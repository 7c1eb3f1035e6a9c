"""The conversation both platforms share, one module per reason to change: the states and
their allowed moves (states), a turn's messages (turn), onboarding, the KYC tier (kyc), the
draft walk (draft) with its destination, recipient fields and quote and confirm, travel-rule
answers (travel), error reports (report), taps, commands, and dispatch (the Engine). It speaks
through the i18n catalogues and acts only through the same use cases the HTTP API uses.
Adapters translate platform updates into `Incoming` and `Reply` back into platform messages.

Kept free of imports: the pushed-button modules (requote, cancel_offer) build on `turn` while
`taps` and `commands` build on them."""
