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


def test_autobahns_debug_texts_are_made_only_when_shown():
    """Autobahn's per-read and per-open debug arguments are put off, and still render the
    same text when a debug line is shown."""
    from autobahn import util
    from autobahn.twisted import websocket as autobahn_twisted
    from autobahn.websocket import protocol as autobahn_protocol

    daphne_tuning.apply()
    calls: list[object] = []

    def counting(value: object) -> str:
        calls.append(value)
        return util.hlval(value)

    lazy_hlval = daphne_tuning.lazy(counting)
    deferred = lazy_hlval(42)
    assert calls == []  # nothing built yet
    assert f"{deferred}" == str(deferred) == util.hlval(42)
    assert calls == [42, 42]
    for module in (autobahn_protocol, autobahn_twisted):
        assert str(module.hltype(test_autobahns_debug_texts_are_made_only_when_shown)) == (
            util.hltype(test_autobahns_debug_texts_are_made_only_when_shown)
        )
        assert str(module.hlval("peer")) == util.hlval("peer")
        assert not isinstance(module.hlval("peer"), str)
    assert str(autobahn_protocol.pformat({"a": 1})) == "{'a': 1}"
