"""What a console left open for a whole shift must not accumulate or wedge on (issue 22, bench/soak.py)."""

from __future__ import annotations

import asyncio

from tests.conftest import ADMIN


async def test_a_write_cancelled_at_any_point_leaves_the_store_writable(store):
    """A worker or poll task cancelled mid-write (the feed runner cancels its tasks when the lease lapses)
    once left its BEGIN running on the connection's thread: every later write of that store then failed
    with "cannot start a transaction within a transaction" for the rest of the shift."""
    failures = []
    for yields in range(40):  # cancel after 0, 1, 2 ... turns of the loop: before, during and after BEGIN
        task = asyncio.create_task(store.watch.add_log_entry(ADMIN, f"cancelled {yields}"))
        for _ in range(yields):
            await asyncio.sleep(0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        try:
            await store.watch.add_log_entry(ADMIN, f"after {yields}")
        except Exception as error:  # noqa: BLE001 - collected, so the test names every point that broke
            failures.append((yields, str(error)))
            await store.database.connection.execute("ROLLBACK")
    assert failures == []
    assert not store.database.connection.in_transaction


async def test_switching_panes_all_shift_leaves_no_removed_widget_alive(db_path):
    """Textual's Footer rebuilt its keys at every pane switch and its data binding kept every key ever
    shown alive (bench/soak.py: +270 FooterKey widgets a minute). Ours draws one line; nothing that a
    pane switch removes may stay in memory."""
    import gc

    from textual.widget import Widget

    from tests.pilot import demo_app, until, watch_floor

    app = await demo_app(db_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await watch_floor(pilot, app)
        for key in "2345123451234512345":
            await pilot.press(key)
            await pilot.pause(0.05)  # past the footer's settle delay: one redraw per switch

        def detached() -> int:
            gc.collect()
            return sum(1 for o in gc.get_objects() if isinstance(o, Widget) and not o.is_attached)

        assert await until(pilot, lambda: detached() == 0, timeout=5), f"{detached()} removed widgets still alive"
