"""Messaging bots (Telegram, WhatsApp): one conversation engine, thin platform adapters."""
