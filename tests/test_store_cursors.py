"""The reader keeps a few cursors with the query macros ready (analytics/store/reader.py,
``Store._borrow``): shared by every session's thread, so tested with threads, across a
swap of the file, and after a failed query."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from analytics.store import Store, write_dataset
from analytics.store import reader
from tests.hand_dataset import hand_tables


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "hand.duckdb"
    write_dataset(hand_tables(), path, source="hand")
    return path


def townships(store, allowed=()):
    return list(store.query("townships", allowed=allowed)["township_code"])


def test_threads_querying_at_once_each_get_their_own_answer(db):
    store = Store(db)
    everyone = townships(store)
    assert len(everyone) >= 2
    # each thread asks for a different township: a cursor lent to two threads at once, or
    # a result read from another's cursor, would give a thread someone else's rows
    asks = [(everyone[i % len(everyone)],) for i in range(400)]
    start = threading.Barrier(8)

    def ask(i):
        if i < 8:  # the first eight start together
            start.wait(timeout=30)
        return asks[i], townships(store, asks[i])

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(ask, range(len(asks))))
    assert all(got == list(allowed) for allowed, got in answers)
    assert 1 <= len(store._spare) <= reader.SPARE_CURSORS
    assert store.queries_run == 1 + len(asks)


def test_a_replaced_file_is_read_on_the_next_query_and_old_cursors_are_closed(db):
    store = Store(db)
    before = townships(store)
    kept = list(store._spare)
    assert kept  # the cursor of the first query is kept for the next
    tables = hand_tables()
    tables["townships"] = tables["townships"].iloc[:1]
    keep = set(tables["townships"]["township_code"])
    tables["villages"] = tables["villages"][tables["villages"]["township_code"].isin(keep)]
    villages = set(tables["villages"]["village_code"])
    for name in ("village_years", "households", "village_support"):
        if name in tables and "village_code" in tables[name]:
            tables[name] = tables[name][tables[name]["village_code"].isin(villages)]
    ids = set(tables["households"]["household_id"])
    for name in ("household_years", "household_measures"):
        tables[name] = tables[name][tables[name]["household_id"].isin(ids)]
    write_dataset(tables, db, source="hand, one township")
    after = townships(store)
    assert after == before[:1] != before
    for cursor in kept:  # closed with the old file's connection, never lent again
        assert cursor not in store._spare
        with pytest.raises(Exception, match="(?i)closed"):
            cursor.execute("SELECT 1")


def test_a_cursor_whose_query_failed_is_not_lent_again(db, monkeypatch):
    store = Store(db)
    townships(store)
    assert len(store._spare) == 1
    monkeypatch.setattr(reader, "read_query",
                        lambda name: "SELECT viewer_may_see($allowed, 'x') FROM no_such_table")
    with pytest.raises(Exception, match="no_such_table"):
        store.query("townships")
    assert store._spare == []
    monkeypatch.undo()
    assert townships(store)  # a new cursor, with the macros
    assert len(store._spare) == 1


def test_spare_cursors_are_closed_with_the_store(db):
    store = Store(db)
    townships(store)
    kept = list(store._spare)
    store.close()
    assert store._spare == []
    with pytest.raises(Exception, match="(?i)closed"):
        kept[0].execute("SELECT 1")
