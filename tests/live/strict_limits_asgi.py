"""The studio's ASGI application with a tight edit rate (0.5 a second, bursts of 5), so a
test can make a client hit the rate limit hundreds of times in a row on any machine."""

from studio.asgi import application  # noqa: F401 - served by Daphne
from studio.live import ratelimit

ratelimit.OPS_PER_SECOND = 0.5
ratelimit.OPS_BURST = 5
