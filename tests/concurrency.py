"""Running functions at the same moment in threads, for race tests on PostgreSQL."""

import threading

from django.db import connection


def race(functions):
    """Start every function at once (a barrier) and return [("ok", value) | ("error", exc)] in order.
    Each thread closes its own database connection."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = ("ok", fn())
        except Exception as exc:
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results
