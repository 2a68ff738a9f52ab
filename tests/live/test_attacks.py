"""Attacks from outside (issue 13), with hand-written HTTP and WebSocket clients against a
running Daphne: each item that got through before is a test that must now fail to get
through, and the probes that held are kept as regression tests.

One server (SQLite, in-memory layer) serves the module; tests that need other settings
(behind HTTPS, DEBUG on) start their own. The same attacks on two processes over
PostgreSQL and Redis are in test_attacks_scale_out.py.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.conftest import DESIGNS
from tests.live.client import Browser, LiveClient, run
from tests.servers import free_port, migrate, server_env, start_daphne, stop, wait_for_port

DESIGN = json.loads((DESIGNS / "video_recommendation.json").read_text())


# --- a server and clients ------------------------------------------------------------------


def serve(
    tmp_path_factory: Any,
    name: str,
    extra: dict[str, str] | None = None,
    application: str = "studio.asgi:application",
) -> Iterator[Any]:
    workdir = tmp_path_factory.mktemp(name)
    env = server_env(sqlite_path=workdir / "db.sqlite3", extra=extra)
    migrate(env)
    port = free_port()
    log = workdir / "daphne.log"
    proc = start_daphne(port, env, log_path=log, application=application)
    try:
        wait_for_port(port, proc=proc)
        yield f"http://127.0.0.1:{port}", log
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from serve(tmp_path_factory, "attacks")


def fetch(
    browser: Browser,
    path: str,
    *,
    method: str = "GET",
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any, bytes]:
    """(status, headers, body) of a request made with the browser's cookies; never raises
    for an HTTP error status."""
    request = urllib.request.Request(
        browser.base + path, data=data, method=method, headers=headers or {}
    )
    try:
        with browser.opener.open(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def cookie(browser: Browser, name: str) -> str | None:
    return next((c.value for c in browser.jar if c.name == name), None)


def post_form(browser: Browser, path: str, fields: dict[str, str] | None = None) -> int:
    """A POST the way the page's htmx makes it (CSRF token from the cookie)."""
    fetch(browser, "/")  # sets csrftoken
    token = cookie(browser, "csrftoken") or ""
    body = urllib.parse.urlencode(fields or {}).encode()
    status, _, _ = fetch(
        browser,
        path,
        method="POST",
        data=body,
        headers={
            "X-CSRFToken": token,
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": browser.base + "/",
        },
    )
    return status


def create(base: str, design: dict[str, Any] | None = None) -> tuple[Browser, dict[str, Any]]:
    owner = Browser(base)
    return owner, owner.create_board(design or DESIGN)


def joined(base: str, created: dict[str, Any], role: str) -> Browser:
    browser = Browser(base)
    browser.open_link(created["links"][role])
    return browser


async def connect(browser: Browser, public_id: str) -> LiveClient:
    client = await browser.connect(public_id)
    await client.next("welcome")
    return client


async def send_raw(client: LiveClient, text: str) -> None:
    await client.socket.send(text)


async def still_open(client: LiveClient) -> bool:
    await client.send({"type": "ping", "t": 1})
    return (await client.next("pong"))["t"] == 1


async def closed_with(client: LiveClient, timeout: float = 10) -> int | None:
    """The close code once the server closes the socket (None if it stays open)."""
    try:
        async with asyncio.timeout(timeout):
            while True:
                await client.socket.recv()
    except ConnectionClosed as exc:
        return exc.rcvd.code if exc.rcvd else None
    except TimeoutError:
        return None


def op_frame(op: dict[str, Any], cid: str = "c1") -> dict[str, Any]:
    return {"type": "op", "cid": cid, "base": 0, "op": op}


# --- 1. size blow-up through props ---------------------------------------------------------


def test_nested_props_are_refused_and_the_board_cannot_be_blown_up(server):
    base, _ = server
    owner, created = create(base)
    candidate = joined(base, created, "candidate")
    before = len(owner.get(f"/api/boards/{created['id']}"))
    nested = "x"
    for _ in range(900):
        nested = {"a": nested}
    sent = 0

    async def attack() -> list[dict[str, Any]]:
        client = await connect(candidate, created["id"])
        errors = []
        for n in range(20):
            node = {"id": f"blow{n}", "type": "cache", "props": {"junk": nested}}
            text = json.dumps(op_frame({"op": "add_node", "node": node}, f"b{n}"))
            nonlocal sent
            sent += len(text)
            await send_raw(client, text)
            errors.append(await client.next("error"))
        # A flat unknown prop is still kept, as a short string.
        flat = {"id": "flat", "type": "cache", "props": {"owner": "risk team"}}
        await client.send(op_frame({"op": "add_node", "node": flat}, "ok"))
        await client.next("ack")
        await client.close()
        return errors

    errors = run(attack())
    assert all("only as text" in e["message"] for e in errors)
    after = owner.get(f"/api/boards/{created['id']}")
    ratio = len(after) / sent
    print(f"blow-up: sent {sent} bytes, board answers {len(after)} bytes ({ratio:.3f}x)")
    assert len(after) < before + 500 and ratio < 0.1
    stored = json.loads(after)
    assert next(n for n in stored["nodes"] if n["id"] == "flat")["props"] == {"owner": "risk team"}
    # The export imports back.
    status, _, body = fetch(
        owner,
        "/api/boards",
        method="POST",
        data=after,
        headers={"Content-Type": "application/json"},
    )
    assert status == 201, body


def test_import_refuses_nested_props_and_oversized_components(server):
    base, _ = server
    owner = Browser(base)
    design = json.loads(json.dumps(DESIGN))
    design["nodes"][0]["props"] = {"junk": {"a": {"b": [1, 2, 3]}}}
    status, _, body = fetch(
        owner,
        "/api/boards",
        method="POST",
        data=json.dumps(design).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert status == 400 and "only as text" in json.loads(body)["error"]
    design = json.loads(json.dumps(DESIGN))
    store = next(n for n in design["nodes"] if n["type"] == "feature_store")
    store["props"] = {"features": ["f" * 200] * 150}  # each item valid, 30 KB in all
    status, _, body = fetch(
        owner,
        "/api/boards",
        method="POST",
        data=json.dumps(design).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert status == 400 and "a component may take at most" in json.loads(body)["error"]


# --- 2. rotating a link removes those who joined with it -----------------------------------


def test_rotating_a_link_revokes_sessions_and_sockets_that_joined_with_it(server):
    base, _ = server
    owner, created = create(base)
    public_id = created["id"]
    candidate = joined(base, created, "candidate")
    viewer = joined(base, created, "viewer")
    assert fetch(candidate, f"/b/{public_id}/")[0] == 200

    async def scenario() -> None:
        owner.open_link(created["links"]["interviewer"])
        mine = await connect(owner, public_id)
        theirs = await connect(candidate, public_id)
        watching = await connect(viewer, public_id)
        assert post_form(owner, f"/b/{public_id}/links/candidate") == 200
        assert await closed_with(theirs) == 4403
        assert await still_open(mine) and await still_open(watching)
        # Its edits are not accepted on a new socket either: it is refused at once.
        with pytest.raises((InvalidStatus, ConnectionClosed)):
            again = await candidate.connect(public_id)
            await again.next("welcome")
        # The interviewer who rotated their own link keeps the role and the socket.
        assert post_form(owner, f"/b/{public_id}/links/interviewer") == 200
        assert await still_open(mine)
        await mine.close()
        await watching.close()

    run(scenario())
    assert fetch(candidate, f"/b/{public_id}/")[0] == 404
    assert fetch(candidate, f"/api/boards/{public_id}")[0] == 404
    assert fetch(viewer, f"/b/{public_id}/")[0] == 200
    assert fetch(owner, f"/b/{public_id}/")[0] == 200
    # The old link itself is dead for a new browser.
    fresh = Browser(base)
    status, _, _ = fetch(fresh, created["links"]["candidate"].split(base, 1)[1])
    assert status == 404


def test_rotation_needs_the_csrf_token_and_the_interviewer(server):
    base, _ = server
    _, created = create(base)
    candidate = joined(base, created, "candidate")
    assert post_form(candidate, f"/b/{created['id']}/links/viewer") == 404
    interviewer = joined(base, created, "interviewer")
    status, _, _ = fetch(interviewer, f"/b/{created['id']}/links/viewer", method="POST")
    assert status == 403  # no CSRF token


# --- 3. role tokens in the access log ------------------------------------------------------


def test_role_tokens_never_reach_the_log(tmp_path_factory):
    for base, log in serve(
        tmp_path_factory, "logs", extra={"DJANGO_LOG_LEVEL": "INFO"}
    ):  # a fresh server: its whole log is ours
        _, created = create(base)
        joined(base, created, "candidate")
        fetch(Browser(base), f"/join/{created['id']}/not-a-real-token/")
        text = log.read_text()
        token = created["links"]["candidate"].rstrip("/").rsplit("/", 1)[1]
        assert f"/join/{created['id']}/[token]/" in text
        assert token not in text and "not-a-real-token" not in text


# --- 4. session fixation -------------------------------------------------------------------


def test_a_link_that_grants_a_role_cycles_the_session_key(server):
    base, _ = server
    _, created = create(base)
    _, other = create(base)
    browser = joined(base, other, "viewer")  # a session that existed before the link
    planted = cookie(browser, "sessionid")
    assert planted
    browser.open_link(created["links"]["interviewer"])
    assert cookie(browser, "sessionid") not in (None, planted)
    # Whoever knew the old key (planted it) gains nothing.
    attacker = Browser(base)
    attacker.jar.set_cookie(_cookie_like(browser, "sessionid", planted))
    assert fetch(attacker, f"/b/{created['id']}/")[0] == 404
    assert fetch(browser, f"/b/{created['id']}/")[0] == 200


def _cookie_like(browser: Browser, name: str, value: str):
    template = next(c for c in browser.jar if c.name == name)
    import copy

    planted = copy.copy(template)
    planted.value = value
    return planted


# --- 5. entity-like ids --------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["&x;", "&#0;", "&#x1;", "&bogus;"])
def test_entity_like_ids_are_refused_everywhere_and_svg_export_keeps_working(server, bad):
    base, _ = server
    owner, created = create(base)
    candidate = joined(base, created, "candidate")

    async def attack() -> dict[str, Any]:
        client = await connect(candidate, created["id"])
        await client.send(op_frame({"op": "add_node", "node": {"id": bad, "type": "cache"}}))
        error = await client.next("error")
        await client.close()
        return error

    assert "not a valid id" in run(attack())["message"]
    design = json.loads(json.dumps(DESIGN))
    design["nodes"].append({"id": bad, "type": "cache"})
    status, _, body = fetch(
        owner,
        "/api/boards",
        method="POST",
        data=json.dumps(design).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert status == 400 and "not a valid id" in json.loads(body)["error"]
    status, headers, svg = fetch(owner, f"/b/{created['id']}/export.svg")
    assert status == 200 and svg.lstrip().startswith((b"<?xml", b"<svg"))


# --- 6, 7, 8. frames that crash, smuggle or poison -----------------------------------------


def frames_attack(base: str) -> None:
    """Lone surrogates, NUL, junk fields and non-finite numbers; shared with the
    PostgreSQL + Redis test (test_attacks_scale_out.py)."""
    owner, created = create(base)
    public_id = created["id"]
    candidate = joined(base, created, "candidate")
    viewer = joined(base, created, "viewer")
    move = {"op": "move_node", "id": "rank", "x": 5, "y": 6}
    op = json.dumps(move)

    async def attack() -> None:
        client = await connect(candidate, public_id)
        watcher = await connect(viewer, public_id)
        poisoned = [
            '{"type": "op", "cid": "\\ud800", "op": ' + op + "}",
            '{"type": "op", "cid": "a\\u0000b", "op": ' + op + "}",
            '{"type": "op", "cid": "c", "ignored": "\\u0000", "op": ' + op + "}",
            '{"type": "op", "cid": "c", "op": {"op": "move_node", "id": "rank", "x": 1, '
            '"y": 2, "junk": "\\udfff"}}',
            '{"type": "cursor", "x": NaN, "y": 1}',
            '{"type": "cursor", "x": 1e999, "y": 1}',
            '{"type": "viewport", "box": {"x": 0, "y": Infinity, "zoom": 1}}',
            '{"type": "viewport", "box": {"x": 0, "y": 0, "zoom": -Infinity}}',
        ]
        for text in poisoned:
            await send_raw(client, text)
            error = await client.next("error")
            assert error["code"] == "refused", text
        assert await still_open(client)
        # Unknown keys in an operation are dropped before it is applied, logged or sent.
        junk = "j" * 60_000
        await client.send(op_frame({**move, "junk": junk}, "smuggle") | {"extra": "x"})
        ack = await client.next("ack")
        seen = await watcher.next("op")
        assert seen["op"] == move and "junk" not in json.dumps(seen)
        await watcher.send({"type": "sync", "since": ack["revision"] - 1})
        logged = await watcher.next("ops")
        assert [item["op"] for item in logged["ops"]] == [move]
        # No non-finite number reached the viewer: every frame it got is strict JSON.
        await client.send({"type": "cursor", "x": 3, "y": 4})
        await watcher.next("cursor")
        for frame in watcher.frames:
            json.dumps(frame, allow_nan=False)
        await client.close()
        await watcher.close()

    run(attack())
    stored = owner.get(f"/api/boards/{public_id}")
    assert b"junk" not in stored


def test_frames_with_bad_text_junk_fields_or_nan_are_refused_and_not_stored(server):
    frames_attack(server[0])


# --- 9. origins ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    ["http://127.0.0.1:9999", "https://127.0.0.1", "http://evil.example", "null", "ws://x"],
)
def test_only_the_sites_own_origin_may_open_a_socket(server, origin):
    base, _ = server
    _, created = create(base)
    candidate = joined(base, created, "candidate")

    async def attempt(origin: str) -> None:
        from websockets.asyncio.client import connect as ws_connect

        url = base.replace("http://", "ws://") + f"/ws/boards/{created['id']}/"
        socket = await ws_connect(
            url, origin=origin, additional_headers={"Cookie": candidate.cookie_header()}
        )
        await socket.close()

    with pytest.raises(InvalidStatus) as refused:
        run(attempt(origin))
    assert refused.value.response.status_code == 403
    run(attempt(base))  # the page's own origin still connects


# --- 10. behind HTTPS ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def https_server(tmp_path_factory):
    yield from serve(
        tmp_path_factory,
        "https",
        extra={
            "DJANGO_PROXY_SSL_HEADER": "X-Forwarded-Proto",
            "DJANGO_HTTPS": "1",
            "DJANGO_SSL_REDIRECT": "0",
        },
    )


def test_behind_a_tls_proxy_links_are_https_and_hsts_is_sent(https_server):
    base, _ = https_server
    browser = Browser(base)
    status, headers, body = fetch(
        browser,
        "/api/boards",
        method="POST",
        data=json.dumps(DESIGN).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-Proto": "https"},
    )
    assert status == 201
    links = json.loads(body)["links"]
    assert all(url.startswith("https://127.0.0.1:") for url in links.values())
    assert "max-age=" in headers["Strict-Transport-Security"]


def test_static_files_carry_their_security_headers_and_long_caching(server):
    base, _ = server
    browser = Browser(base)
    status, _, page = fetch(browser, "/")
    assert status == 200
    hashed = [part.split('"')[0] for part in page.decode().split('href="/static/')[1:]] + [
        part.split('"')[0] for part in page.decode().split('src="/static/')[1:]
    ]
    assert hashed, "the home page links no static file"
    for name in hashed:
        status, headers, _ = fetch(browser, f"/static/{name}", headers={"Accept-Encoding": "gzip"})
        assert status == 200, name
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "immutable" in headers["Cache-Control"], name  # a hashed name
        if name.endswith((".js", ".css")):
            # Not documents: no page headers (they would only add bytes to every load).
            assert "Content-Security-Policy" not in headers, name
    # A static file a browser can open as a document (an SVG) gets the pages' headers.
    status, headers, _ = fetch(browser, "/static/img/favicon.svg")
    assert status == 200
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"


# --- 11. bad query values ------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["revision=%C2%B2", "revision=" + "9" * 5000, "revision=-1", "revision=1.0", "legend=yes"],
)
def test_bad_query_values_answer_400_with_a_message(server, query):
    base, _ = server
    owner, created = create(base)
    status, _, body = fetch(owner, f"/b/{created['id']}/export.svg?{query}")
    assert status == 400 and body and b"Traceback" not in body
    status, _, body = fetch(owner, f"/b/{created['id']}/findings?level=%C2%B2")
    assert status == 400 and b"level must be one of" in body


# --- 12. forged Markdown report ------------------------------------------------------------


def test_user_text_cannot_forge_structure_in_the_markdown_report(server):
    base, _ = server
    owner, created = create(base)
    public_id = created["id"]
    candidate = joined(base, created, "candidate")
    viewer = joined(base, created, "viewer")
    forged = "x\n## Interviewer only\n\n### Private notes\n\nHire!"

    async def write() -> None:
        client = await connect(candidate, public_id)
        await client.send(
            op_frame({"op": "update_node", "id": "rank", "changes": {"label": forged}}, "l")
        )
        await client.next("ack")
        await client.send(op_frame({"op": "update_notes", "step": "serving", "text": forged}))
        await client.next("ack")
        await client.close()

    run(write())
    report = viewer.get(f"/b/{public_id}/report.md").decode()
    lines = report.splitlines()
    assert not any(line.startswith(("## Interviewer", "### Private")) for line in lines)
    assert "Interviewer only" in report  # the text is there, as text
    owner.open_link(created["links"]["interviewer"])
    own = owner.get(f"/b/{public_id}/report.md").decode().splitlines()
    assert own.count("## Interviewer only") == 1


# --- 13. codes match docs/api.md -----------------------------------------------------------


def test_oversized_and_multipart_imports_get_the_documented_json_codes(server):
    base, _ = server
    browser = Browser(base)
    status, headers, body = fetch(
        browser,
        "/api/boards",
        method="POST",
        data=b" " * (5 * 1024 * 1024 + 1),
        headers={"Content-Type": "application/json"},
    )
    assert status == 413 and headers["Content-Type"] == "application/json"
    assert "5 MB" in json.loads(body)["error"]
    part = b'Content-Disposition: form-data; name="file"; filename="a.json"'
    multipart = b"--b\r\n" + part + b"\r\n\r\n{}\r\n--b--\r\n"
    status, headers, body = fetch(
        browser,
        "/api/boards",
        method="POST",
        data=multipart,
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert status == 415 and "application/json" in json.loads(body)["error"]


# --- 14. rate limits slow an honest client, they do not close it ---------------------------


def test_a_fast_honest_client_is_slowed_not_disconnected(tmp_path_factory):
    # A server whose edit rate is 0.5 a second: nearly every edit below is rate-limited,
    # far more than ABUSE_LIMIT (200) in a row, which used to close the socket (4408).
    for base, _ in serve(
        tmp_path_factory, "strict", application="tests.live.strict_limits_asgi:application"
    ):
        _, created = create(base)
        candidate = joined(base, created, "candidate")
        acks, limited = run(flood(candidate, created["id"], 300))
        assert limited >= 290 and acks >= 5


async def flood(candidate: Browser, public_id: str, count: int) -> tuple[int, int]:
    client = await connect(candidate, public_id)
    for n in range(count):
        op = {"op": "move_node", "id": "rank", "x": n, "y": n}
        await client.send(op_frame(op, f"m{n}"))
    acks = limited = 0
    while acks + limited < count:
        frame = json.loads(await asyncio.wait_for(client.socket.recv(), 20))
        if frame["type"] == "ack":
            acks += 1
        elif frame["type"] == "error":
            assert frame["code"] == "rate_limited", frame
            limited += 1
    assert await still_open(client)
    await client.close()
    return acks, limited


def test_invalid_frames_still_close_an_abusive_client(server):
    base, _ = server
    _, created = create(base)
    candidate = joined(base, created, "candidate")

    async def abuse() -> int | None:
        client = await connect(candidate, created["id"])
        for _ in range(250):
            await send_raw(client, "{not json")
        return await closed_with(client, timeout=20)

    assert run(abuse()) == 4408


# --- development 404 -----------------------------------------------------------------------


def test_the_development_server_shows_the_friendly_404(tmp_path_factory):
    for base, _ in serve(tmp_path_factory, "debug", extra={"DJANGO_DEBUG": "1"}):
        _, created = create(base)
        stranger = Browser(base)
        for path in (f"/b/{created['id']}/", "/no/such/page", "/b/nope/export.svg"):
            status, _, body = fetch(stranger, path)
            assert status == 404
            assert b"Nothing here" in body and b"send them a link" in body
            assert b"URLconf" not in body and b"urlpatterns" not in body
