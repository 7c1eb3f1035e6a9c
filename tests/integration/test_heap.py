"""A serving process leaves what it keeps for life out of garbage collections (gateway.heap):
a full collection over the sanctions index paused every request for over 100 ms."""

from __future__ import annotations

import gc

from gateway.heap import freeze_long_lived, is_frozen


async def test_a_serving_app_freezes_its_heap_once_started(
    migrated_database_url, aiohttp_client, screener, unfrozen
) -> None:
    from gateway.app import create_app
    from gateway.config import Settings

    settings = Settings(database_url=migrated_database_url)
    app = create_app(settings, run_workers=False, screener=screener, migrate=False)
    await aiohttp_client(app)
    assert not is_frozen()  # the default, for processes (like tests) that build many apps

    app = create_app(
        settings, run_workers=False, screener=screener, migrate=False, freeze_heap=True
    )
    await aiohttp_client(app)
    assert gc.get_freeze_count() >= screener.entry_count  # the index among what was frozen


async def test_a_swapped_sanctions_list_is_frozen_too_in_a_frozen_process(
    gateway, sanctions_dir, tmp_path, unfrozen
) -> None:
    from gateway.usecases import sanctions

    lines = (sanctions_dir / "sdn.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    trailer = [line for line in lines[-2:] if "\x1a" in line]  # the file's end-of-list mark
    (tmp_path / "sdn.csv").write_text("".join(lines[:300] + trailer), encoding="utf-8")
    await sanctions.load_files(gateway.svc.engine, [tmp_path / "sdn.csv"], gateway.clock())
    freeze_long_lived()
    before = gc.get_freeze_count()
    assert await sanctions.refresh(gateway.svc) is True
    assert gc.get_freeze_count() > before
