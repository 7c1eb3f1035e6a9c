"""Outgoing webhooks: remittance events to the sending apps, signed like partner callbacks."""
