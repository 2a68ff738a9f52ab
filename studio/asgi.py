"""ASGI entry point: HTTP through Django, WebSockets to consumers.

Static files are served by WhiteNoise's middleware (studio/settings.py), inside Django,
so a bare `daphne` process (the scale-out setup, the benchmarks) serves the canvas
library and our own JS, compressed, long-cached and with the same security headers as
every page. WebSockets are accepted only from the site's own origin (studio.live.origins).
Objects loaded at start-up are frozen out of garbage collection (see below).
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.sessions import SessionMiddlewareStack  # noqa: E402

from studio.live import daphne_tuning  # noqa: E402
from studio.live.origins import SameOriginValidator  # noqa: E402
from studio.live.routing import websocket_urlpatterns  # noqa: E402

daphne_tuning.apply()  # cheaper socket writes and connects under Daphne (see the module)

# What is loaded by now (Django, the catalogue, the validator's modules) lives as long as
# the process: kept out of the garbage collector's passes, which otherwise walked all of
# it in each full collection, a 40-60 ms pause in the middle of the live path every few
# seconds of edits (bench/relay.py, docs/benchmarks.md).
gc.freeze()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginValidator(SessionMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
