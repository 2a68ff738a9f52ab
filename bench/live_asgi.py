"""studio.asgi for the latency benchmark, with the per-board connection limit raised.

The protocol allows 50 connections per board in each Daphne process
(studio.live.consumers.MAX_CONNECTIONS_PER_BOARD). bench/live.py measures the fan-out of one
board to 200 clients, so its latency runs serve the unchanged application with that
limit set from BENCH_MAX_CONNECTIONS_PER_BOARD; nothing else differs. The idle-memory
and simultaneous-connect runs use studio.asgi itself and stay within the limit.
"""

import os

from studio.asgi import application  # noqa: F401  (served by Daphne; it sets Django up)

if os.environ.get("BENCH_MAX_CONNECTIONS_PER_BOARD"):
    from studio.live import consumers

    consumers.MAX_CONNECTIONS_PER_BOARD = int(os.environ["BENCH_MAX_CONNECTIONS_PER_BOARD"])
