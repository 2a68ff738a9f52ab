"""ASGI entry point: HTTP through Django (static files included), WebSockets to consumers.

Static files are served by Django's ASGIStaticFilesHandler so that a bare `daphne`
process (the scale-out setup, the benchmarks) serves the canvas library and our own JS
without a separate web server.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from channels.sessions import SessionMiddlewareStack  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from studio.live import daphne_tuning  # noqa: E402
from studio.live.routing import websocket_urlpatterns  # noqa: E402

daphne_tuning.apply()  # cheaper socket writes and connects under Daphne (see the module)

application = ProtocolTypeRouter(
    {
        "http": ASGIStaticFilesHandler(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(
            SessionMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
