"""Sign-in throttling: failures counted per key (a user name, a client address), and a
key locked after too many.

After ``max_failures`` failures in a row, each further failure locks the key for
``lock_base_s × 2^(failures − max_failures)`` seconds, at most ``lock_max_s``
(config ``[signin]``); a success clears the key, and a key whose last failure is older
than ``lock_max_s`` starts again from zero (an office's typos do not add up over days). Unknown user names are counted like
known ones, so a lock says nothing about whether an account exists. Shared by every
session of the server process (one lock guards the counters); a restart forgets them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Record:
    failures: int = 0
    locked_until: float = 0.0
    last_failure: float = 0.0


class Throttle:
    """Failure counters and locks, keyed by any hashable (for example ``("user", name)``).

    ``clock`` returns seconds (``time.monotonic`` by default; a test passes its own)."""

    def __init__(self, max_failures: int, lock_base_s: float, lock_max_s: float,
                 clock: Callable[[], float] = time.monotonic):
        self.max_failures = int(max_failures)
        self.lock_base_s = float(lock_base_s)
        self.lock_max_s = float(lock_max_s)
        self.clock = clock
        self._records: dict = {}
        self._lock = threading.Lock()

    def wait_s(self, *keys) -> float:
        """Seconds until every one of ``keys`` may try again (0 when none is locked)."""
        now = self.clock()
        with self._lock:
            return max([r.locked_until - now for k in keys if (r := self._records.get(k))] + [0.0])

    def failures(self, key) -> int:
        """Failures counted against ``key`` (0 when cleared or never failed)."""
        with self._lock:
            record = self._records.get(key)
            return record.failures if record else 0

    def failed(self, *keys) -> float:
        """Count one failure against each of ``keys``; returns the resulting wait (s)."""
        now = self.clock()
        with self._lock:
            for key in keys:
                record = self._records.setdefault(key, _Record())
                if now - record.last_failure > self.lock_max_s:
                    record.failures = 0
                record.failures += 1
                record.last_failure = now
                over = record.failures - self.max_failures
                if over >= 0:
                    lock = min(self.lock_base_s * 2 ** over, self.lock_max_s)
                    record.locked_until = max(record.locked_until, now + lock)
        return self.wait_s(*keys)

    def succeeded(self, *keys) -> None:
        """Clear ``keys`` (a correct password for that name, from that client)."""
        with self._lock:
            for key in keys:
                self._records.pop(key, None)
