"""The changes to how Daphne listens and opens sockets (studio.live.daphne_tuning)."""

from __future__ import annotations

from daphne import cli

from studio.live import daphne_tuning


def test_daphne_listens_with_a_long_backlog_unless_told_otherwise():
    daphne_tuning.apply()  # studio.asgi did already; idempotent
    built = cli.build_endpoint_description_strings(host="127.0.0.1", port=8000, unix_socket="/s")
    assert built == [
        f"tcp:port=8000:interface=127.0.0.1:backlog={daphne_tuning.LISTEN_BACKLOG}",
        "unix:/s",
    ]
    given = "tcp:port=8000:interface=0.0.0.0:backlog=64"
    assert daphne_tuning.with_listen_backlog(given) == given
