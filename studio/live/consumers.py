"""The live board: one WebSocket consumer per connection, one channel group per board.

Frames are JSON objects with a "type"; docs/protocol.md lists every one with an example.
Edits arrive as operations and are ordered one of two ways (studio/live/engine.py): in
memory, broadcast at once and acknowledged to the sender after a group commit (one
process, the default); or under the board's row lock, committed, acknowledged, then
broadcast (several processes). When the findings changed, a `report` frame follows the
operation in memory ordering, so the validator never holds an edit up; in database ordering
they travel inside the `op` (studio.live.reports). Under Daphne a
frame is handled as soon as it is read (`_frame_read`, studio/live/eager.py), and
broadcasts go through the event loop's `studio.live.fanout.Hub`, which writes to this
process's connections directly.
The role comes from the HTTP session (set by a role link), never from the URL.
Each client frame is parsed and checked by `frames.parse` (studio/live/frames.py: one
typed description of every frame), `ratelimit.Limits` holds the connection to its limits,
and the role is checked against its link's current generation (studio.access).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections import deque
from collections.abc import Iterable
from typing import Any

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import close_old_connections

from components.operations import OperationError
from components.report import findings_unchanged
from studio.access import role_on
from studio.interview import ended_event, timer_state
from studio.live import admission, eager, frames, presence
from studio.live.broadcast import event as make_event
from studio.live.broadcast import group_name
from studio.live.engine import BoardState, engine
from studio.live.fanout import hub
from studio.live.ratelimit import OPS_PER_SECOND, Limits
from studio.live.reports import changed_report, report_at
from studio.live.wire import DirectSocket, frame_of, text_frame
from studio.models import EDITING_ROLES, Board
from studio.services import BoardEnded, apply, link_generation, operations_since
from studio.sessions import board_grant, display_name

logger = logging.getLogger(__name__)

MAX_CONNECTIONS_PER_BOARD = 50
# Seconds between an edit's broadcast and running the validator for its findings. The op
# frames are handed to the kernel when written, but reach the other connections only once
# it gets a CPU to deliver them; a validator run straight away took that CPU, and the
# slowest deliveries of renames at 10 clients (p99) were 2.4-2.6x the bare relay's instead
# of 1.75-1.85x (bench/relay.py; docs/benchmarks.md). A pause without blocking
# (`sleep(0)`) did not help. The findings come 1 ms later, unnoticed; an edit that cannot
# change them (a move) does not wait.
REPORT_PAUSE = 0.001


def _record_end_revision(pk: int, revision: int, seq: int) -> None:
    """Record the revision the end numbered `seq` came at, if the board is still ended by
    that end (not reopened, nor ended again since: a late write must not change a later
    end's revision)."""
    fields = ("id", "public_id", "ended_at", "ended_revision", "ended_changes")
    board = Board.objects.only(*fields).get(pk=pk)
    if board.ended_at is not None and board.ended_changes == seq:
        board.ended_revision = revision
        board.save(update_fields=["ended_revision"])  # save(): admission forgets the board


class BoardConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.public_id: str = self.scope["url_route"]["kwargs"]["public_id"]
        admitted = await self._admission()
        self.group = group_name(self.public_id)
        if isinstance(admitted, int):
            # Accepted first so the browser learns why (4403: no access or a replaced link;
            # 4404: no such board) and stops retrying; a refused handshake reads as 1006,
            # a network failure, and a page that was offline while its link was replaced
            # would retry for ever.
            await self.accept()
            await self.close(code=admitted)
            return
        self.role, self.generation, name, person, timer, ended, hidden = admitted
        # The interviewer may keep the findings from candidates and viewers (see
        # _hides_findings); heard again from `findings.visibility`.
        self.findings_hidden: bool = hidden
        # The interview's end as this connection last heard it: `board.ended`'s state and
        # number (see _heard_end).
        self.ended, self.ended_seq = ended["ended"], ended["seq"]
        self.hub = hub(self.channel_layer)
        # Counted before the wait for the other processes' counts, so that connects racing
        # in this process see each other: a refused one leaves again.
        me = presence.join(self.public_id, self.channel_name, self.role, name, person)
        self._listed = True
        here = presence.count(self.public_id)
        if (
            here > MAX_CONNECTIONS_PER_BOARD
            or here + await self.hub.others(self.public_id) > MAX_CONNECTIONS_PER_BOARD
        ):
            self._forget()
            await self.accept()
            await self._send(
                {
                    "type": "error",
                    "code": "board_full",
                    "message": f"This board already has {MAX_CONNECTIONS_PER_BOARD} "
                    "connections; try again later.",
                }
            )
            await self.close(code=4429)
            return
        self.limits = Limits()
        self.me = me
        # Own edits applied in memory and waiting for their commit, in order (revision,
        # commit, cid, op text), and the other people's operations that must wait behind
        # them (see _op_in_memory).
        self.own: deque[tuple[int, asyncio.Future[None], Any, str]] = deque()
        self.held: list[tuple[int, str]] = []
        self.delivering: asyncio.Task[None] | None = None
        self.state: BoardState | None = None
        # Frames read from the socket and not handled yet, and whether they are being
        # handled (one at a time, in order: see _frame_read).
        self.inbox: deque[str | bytes] = deque()
        self.reading: asyncio.Task[None] | bool = False
        if settings.LIVE_ORDERING == "memory":
            try:
                self.state = await engine().state(self.public_id)
            except Board.DoesNotExist:
                self._forget()
                await self.close(code=4404)
                return
            # The board kept in memory may not have heard an end (or a reopen) that came
            # while none of its connections was here.
            await self._settle_end()
        await self.hub.set_count(self.public_id, presence.count(self.public_id))
        await self.accept()
        self.direct = DirectSocket.of(self.base_send)  # see studio/live/wire.py
        welcome = {
            "type": "welcome",
            "you": self.me,
            "role": self.role,
            "epoch": self._epoch(),
            "ended": self.ended,
            "ended_seq": self.ended_seq,
            "findings_hidden": self._hides_findings(),
        }
        if self.role == "interviewer":
            welcome["timer"] = timer  # the countdown is the interviewer's alone
        await self._send(welcome)
        # Board frames only after the welcome (a socket gets nothing before it is
        # accepted); what is broadcast meanwhile, the client's first `sync` returns.
        for group in [self.group] + (
            [group_name(self.public_id, True)] if self.role == "interviewer" else []
        ):
            await self.hub.join(group, self)
        joined = {"type": "presence.joined", "by": self.me["id"], "participant": self.me}
        try:  # batched with the joins that follow closely (studio.live.fanout.Hub.announce)
            await self.hub.announce(self.group, self, make_event(joined, self.channel_name))
        except Exception:  # any layer failure must not drop the connection
            logger.warning("presence of board %s not announced", self.public_id, exc_info=True)
        # Who is here in this process, straight from its registry: listed after joining
        # the group, so anyone who joins later is heard through its presence.joined.
        # (Asking each of them to answer through the channel layer cost n² messages
        # when many connect at once.) Each participant's frame is encoded once, and all
        # of them go out in one write.
        await self._send_texts(presence.here_frames(self.public_id, but=self.channel_name))
        early = self.direct.take_frames(self._frame_read) if self.direct is not None else None
        if early is not None:
            # Frames are handled from here on as they are read (studio/live/eager.py),
            # those that came during the welcome first.
            self.inbox.extend(early)
            if self.inbox:
                self._read_inbox()
        await self._changed_meanwhile()

    async def disconnect(self, code: int) -> None:
        me = getattr(self, "me", None)
        self._forget()
        if me is not None:
            await self._broadcast({"type": "presence.left", "by": me["id"], "participant": me})

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._forget()

    def _forget(self) -> None:
        """Take this connection off the board's lists: presence, the hub's rooms and the
        count the other processes see. Synchronous and safe to call twice, so it also
        runs for a consumer cancelled before `disconnect` (Daphne cancels an application
        that outlives its socket by 10 s): no ghost stays listed or counted."""
        delivering = getattr(self, "delivering", None)
        if delivering is not None:
            delivering.cancel()  # the commits go on; only this socket's acks are moot
        if not getattr(self, "_listed", False):
            return
        self._listed = False
        presence.leave(self.public_id, self.channel_name)
        self.hub.forget(self, self.public_id, presence.count(self.public_id))

    # --- incoming frames ------------------------------------------------------------------

    def _frame_read(self, frame: str | bytes) -> None:
        """A frame just read from Daphne's socket: handled now, in the read callback,
        unless an earlier frame is still being handled (then it waits its turn). An edit
        is thus ordered and broadcast without the hop through Daphne's queue and
        Channels' dispatch loop (studio/live/eager.py)."""
        self.inbox.append(frame)
        if not self.reading:
            self._read_inbox()

    def _read_inbox(self) -> None:
        self.reading = True
        task = eager.start(self._handle_inbox())
        if task is not None:
            self.reading = task  # the rest waits for a database trip or the layer

    async def _handle_inbox(self) -> None:
        try:
            while self.inbox:
                if not (self.direct is not None and self.direct.open):
                    self.inbox.clear()  # closing: what is left cannot be answered
                    break
                frame = self.inbox.popleft()
                if isinstance(frame, str):
                    await self.receive(text_data=frame)
                else:
                    await self.receive(bytes_data=frame)
        except Exception:  # as Channels would: log it and end the connection
            logger.exception("frame on board %s failed", self.public_id)
            self.inbox.clear()
            await self.close(code=1011)
        finally:
            self.reading = False

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if getattr(self, "me", None) is None:
            return  # a frame racing a refusal: the socket was accepted only to be closed
        try:
            frame = frames.parse(text_data if text_data is not None else (bytes_data or b""))
        except frames.FrameError as exc:
            return await self._refuse(exc.cid, str(exc))
        handler: Any = self.HANDLERS[type(frame)]
        await handler(self, frame)

    async def on_ping(self, frame: frames.Ping) -> None:
        await self._send({"type": "pong", "t": frame.t, "server_time": time.time()})

    async def on_sync(self, frame: frames.Sync) -> None:
        """Send what the client missed since its revision: operations, or a snapshot."""
        since = frame.since
        if frame.epoch is not None and frame.epoch != self._epoch():
            # The client's revisions came from another run of the board (the server
            # restarted, or a commit failed): the same number may name other edits now.
            since = 0
        if self.state is not None:
            return await self._send(
                self._findings_kept_out(self._sync_from_memory(self.state, since))
            )
        await self._send(self._findings_kept_out(await self._sync_frame(since)))

    async def on_op(self, frame: frames.Op) -> None:
        cid = frame.cid
        if self.role not in EDITING_ROLES:
            return await self._refuse(cid, "viewers cannot edit this board")
        if self.ended is not None:
            return await self._refuse_op(cid, BoardEnded())
        if not self.limits.allow_op():
            # Slowed, not held against the client: only invalid frames count toward 4408.
            return await self._refuse(
                cid,
                f"too many operations: at most {OPS_PER_SECOND} a second; slow down",
                code="rate_limited",
                invalid=False,
            )
        if self.state is not None:
            return await self._op_in_memory(self.state, frame.op, cid)
        try:
            applied, report = await self._apply(frame.op, cid)
        except OperationError as exc:
            return await self._refuse_op(cid, exc)
        except Board.DoesNotExist:
            await self._refuse(cid, "this board no longer exists")
            return await self.close(code=4404)
        self.limits.note_valid()
        await self._send({"type": "ack", "cid": cid, "revision": applied["revision"]})
        out = {"type": "op", "cid": cid, "by": self.me["id"], **applied}
        if report is not None:
            # The findings changed. Here they were computed before the broadcast anyway,
            # and inside the op one channel-layer message cannot lose half of it.
            out["report"] = report
        await self._broadcast(out)

    async def _op_in_memory(self, state: BoardState, op: Any, cid: Any) -> None:
        """Apply the edit in memory, broadcast it to the others at once, and send this
        connection its acknowledgement and the operation once the edit is committed.

        Until then, the others' later operations wait for this connection behind its own
        (`held`), so it still receives every revision in order. New findings follow the
        edit in a `report` frame (`_report_after`), REPORT_PAUSE after it: the edit is not
        held up by the validator.
        """
        try:
            applied, before, after, done = engine().submit(
                state,
                op,
                self.me["name"],
                cid if isinstance(cid, str) else "",
                can_set_level=self.role == "interviewer",
            )
        except OperationError as exc:
            return await self._refuse_op(cid, exc)
        self.limits.note_valid()
        frame = {"type": "op", "cid": cid, "by": self.me["id"], **applied.to_message()}
        event = self._ordered(make_event(frame), applied.revision)
        self.own.append((applied.revision, done, cid, event["text"]))  # before: see held
        if self.delivering is None or self.delivering.done():
            # Before the broadcast's await: a close during it must find the task to cancel.
            self.delivering = asyncio.get_running_loop().create_task(self._deliver_own())
        await self._broadcast_event(event)
        unchanged = findings_unchanged(before, after)
        if not unchanged:  # a move goes on at once: no validator
            await asyncio.sleep(REPORT_PAUSE)
        await self._report_after(cid, applied.revision, before, after, unchanged)

    async def _report_after(
        self, cid: Any, revision: int, before: Any, after: Any, unchanged: bool
    ) -> None:
        """Send everyone the findings after the edit `cid` that made `revision`, if they
        changed: to this connection at once (its view already shows the edit), to the
        others in revision order like an operation (they may still be holding it back)."""
        report = changed_report(self.public_id, revision, before, after, unchanged)
        if report is None:
            return
        frame = {"type": "report", "cid": cid, "revision": revision, "report": report}
        event = self._ordered(make_event(frame), revision)
        if not self._hides_findings():
            await self._send_text(event["text"])
        await self._broadcast_event(event)

    def _ordered(self, event: dict[str, Any], revision: int) -> dict[str, Any]:
        """`event` marked as this connection's, for `revision`: see `_passes_over`."""
        event["sender"], event["revision"] = self.channel_name, revision
        return event

    async def _broadcast_event(self, event: dict[str, Any], private: bool = False) -> None:
        """Hand an encoded board event to the hub; a failure is logged (see _broadcast)."""
        try:
            await self.hub.broadcast(group_name(self.public_id, private), event)
        except Exception:  # any layer failure must not drop the connection
            logger.warning(
                "broadcast of %s to board %s failed", event["kind"], self.public_id, exc_info=True
            )

    async def _deliver_own(self) -> None:
        """Acknowledge this connection's edits as their commits finish, in order."""
        while self.own:
            revision, done, cid, text = self.own[0]
            try:
                await done
            except Exception:  # noqa: BLE001 - not durable: start again from the database
                engine().forget(self.public_id)
                self.own.clear()
                self.held.clear()
                await self._send(
                    {
                        "type": "error",
                        "code": "not_saved",
                        "message": "The server could not save the latest edits; "
                        "reconnecting to send them again.",
                    }
                )
                await self.close(code=1011)
                return
            self.own.popleft()
            await self._send_text(frames.encode({"type": "ack", "cid": cid, "revision": revision}))
            await self._send_text(text)
            await self._release_held()

    async def _release_held(self) -> None:
        """Send the others' operations that no longer wait behind one of ours."""
        limit = self.own[0][0] if self.own else None
        while self.held and (limit is None or self.held[0][0] < limit):
            await self._send_text(self.held.pop(0)[1])

    def _epoch(self) -> str:
        """Names the run of the board the revisions come from (see on_sync)."""
        return self.state.epoch if self.state is not None else "db"

    def _sync_from_memory(self, state: BoardState, since: int) -> dict[str, Any]:
        report = report_at(self.public_id, state.revision, state.document)
        ops = state.since(since) if 0 < since <= state.revision else None
        if ops is None:
            return {
                "type": "snapshot",
                "revision": state.revision,
                "board": state.document.to_dict(),
                "report": report,
            }
        return {
            "type": "ops",
            "revision": state.revision,
            "ops": [a.to_message() for a in ops],
            "report": report,
        }

    async def on_cursor(self, frame: frames.Cursor) -> None:
        if self.limits.allow_cursor():
            await self._broadcast(
                {"type": "cursor", "by": self.me["id"], "x": frame.x, "y": frame.y}
            )

    async def on_select(self, frame: frames.Select) -> None:
        await self._broadcast({"type": "selection", "by": self.me["id"], "ids": frame.ids})

    async def on_viewport(self, frame: frames.Viewport) -> None:
        await self._broadcast({"type": "viewport", "by": self.me["id"], "box": frame.box})

    HANDLERS = {
        frames.Ping: on_ping,
        frames.Sync: on_sync,
        frames.Op: on_op,
        frames.Cursor: on_cursor,
        frames.Select: on_select,
        frames.Viewport: on_viewport,
    }

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Run the handler of an ASGI or channel-layer message.

        Channels' AsyncConsumer.dispatch first awaits aclose_old_connections(), a hop to
        the single thread that runs every database call, for each message: each frame
        broadcast to N connections waited N times behind the board's commits. Every
        database access here goes through database_sync_to_async, which closes stale
        connections itself before and after, so the hop is skipped (performance only).
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # --- board events (handed over by the hub, studio.live.fanout) --------------------------------

    def take_now(self, event: dict[str, Any]) -> bool:
        """Deliver `event` now, without waiting, if all it needs is a write to this
        connection's socket (or nothing); False when it needs `board_event`. The hub
        tries this first for each connection: a broadcast is then one plain loop."""
        if event["kind"] in ("links.revoked", "board.ended", "findings.visibility"):
            return False
        if self._answers(event) or (self._hides_findings() and event["kind"] in ("op", "report")):
            return False
        if self._passes_over(event):
            return True
        direct = self.direct
        return direct is not None and direct.write(frame_of(event))

    @staticmethod
    def _answers(event: dict[str, Any]) -> bool:
        """Whether `event` is a join from another process, which each connection here
        answers with its own presence (`board_event`)."""
        return bool(
            event["kind"] == "presence.joined" and event.get("reply_to") and event.get("origin")
        )

    def _passes_over(self, event: dict[str, Any]) -> bool:
        """True when `event` is not for this connection's socket now: its own cursor,
        selection, view or join; its own edit or findings (sent with the acknowledgement
        or already); or another's edit that must wait behind its own uncommitted ones
        (kept in `held`, see _op_in_memory)."""
        kind = event["kind"]
        if kind in ("cursor", "selection", "viewport", "presence.joined"):
            return bool(event["by"] == self.me["id"])
        if kind in ("op", "report") and "sender" in event:
            if event["sender"] == self.channel_name:
                return True
            own = getattr(self, "own", None)
            if own and event["revision"] > own[0][0]:
                self.held.append((event["revision"], event["text"]))
                return True
        return False

    async def board_event(self, event: dict[str, Any]) -> None:
        """Forward a frame another connection broadcast; answer joins with our presence.
        Also the handler of the direct channel-layer message `presence.here`."""
        kind = event["kind"]
        if kind == "links.revoked":
            return await self._links_revoked(json.loads(event["text"]))
        if kind == "findings.visibility":
            # Read from the board, not the frame: two interviewers may hide and show
            # within a moment and their frames arrive in either order; each frame is a
            # cue to read, and the last read is the stored setting.
            hidden = await self._findings_hidden_now()
            self._findings_visibility(hidden)
            text = frames.encode({"type": "findings.visibility", "hidden": hidden})
            event = {"kind": kind, "text": text}
        if self._hides_findings() and kind in ("op", "report"):
            if kind == "report":
                return  # not for this connection, nor held back for it
            event = self._findings_kept_out_of(event)
        if kind == "board.ended" and not await self._heard_end(json.loads(event["text"])):
            return  # older than what this connection heard already: not forwarded
        if self._passes_over(event):
            return
        if not (self.direct and self.direct.write(frame_of(event))):
            await self.send(text_data=event["text"])
        # Only a connection of another process answers a join: the joiner's own consumer
        # lists this process's participants itself (see connect).
        if self._answers(event):
            here = {"type": "presence.here", "by": self.me["id"], "participant": self.me}
            try:
                await self.channel_layer.send(event["reply_to"], make_event(here))
            except Exception as exc:  # noqa: BLE001 - e.g. ChannelFull: the joiner is
                # flooded; it misses one presence.here, but this connection must live on.
                logger.warning("presence.here on board %s dropped: %r", self.public_id, exc)

    async def board_events(self, events: list[dict[str, Any]]) -> None:
        """Several joins of this process's connections at once (the hub batches them):
        one write for all of them."""
        await self._write((frame_of(e) for e in events), [e["text"] for e in events])

    def _findings_visibility(self, hidden: bool) -> None:
        """Hear that the interviewer hid (or showed) the findings. Once hidden, what waits
        in `held` behind this connection's own edits goes without them too."""
        self.findings_hidden = hidden
        if not self._hides_findings():
            return
        kept = []
        for revision, text in self.held:
            if json.loads(text).get("type") != "report":
                kept.append((revision, self._text_without_findings(text)))
        self.held[:] = kept

    async def _findings_hidden_now(self) -> bool:
        """Whether the board's findings are hidden, as stored."""
        board = await self._stored_board()
        return self.findings_hidden if board is None else bool(board.findings_hidden)

    async def _stored_board(self) -> Board | None:
        """The board's admission columns as stored (admission's memory holds the board
        when it can: it forgets it on every save), or None when it no longer exists."""
        board = admission.kept(self.public_id)
        if board is not None:
            return board
        try:
            return await database_sync_to_async(admission.board)(self.public_id)
        except Board.DoesNotExist:
            return None

    def _hides_findings(self) -> bool:
        """Whether this connection goes without the validator's findings: a candidate's or
        viewer's while the interviewer hides them (studio/interview.findings_shown_to)."""
        return self.findings_hidden and self.role != "interviewer"

    def _findings_kept_out(self, frame: dict[str, Any]) -> dict[str, Any]:
        """`frame` without its findings (`report`) when this connection goes without."""
        if self._hides_findings() and "report" in frame:
            return {key: value for key, value in frame.items() if key != "report"}
        return frame

    def _findings_kept_out_of(self, event: dict[str, Any]) -> dict[str, Any]:
        """A board event whose frame carries findings, re-encoded without them."""
        text = self._text_without_findings(event["text"])
        if text is event["text"]:
            return event
        # Not the shared frame bytes (studio/live/wire.py): those carry the findings.
        kept = {key: value for key, value in event.items() if key != "frame"}
        return {**kept, "text": text}

    def _text_without_findings(self, text: str) -> str:
        """A frame's text re-encoded without its findings, or `text` itself when it
        carries none."""
        frame = json.loads(text)
        return frames.encode(self._findings_kept_out(frame)) if "report" in frame else text

    async def _changed_meanwhile(self) -> None:
        """The interview may have ended (or reopened), or the findings been hidden (or
        shown), between admission and joining the board's group, the event sent before
        this connection could hear it: read the board again (from admission's memory when
        it holds it) and say so."""
        board = await self._stored_board()
        if board is None:
            return
        now = ended_event(board)
        if await self._heard_end(now):
            await self._send(now)
        # Likewise the interviewer's hiding (or showing) of the findings.
        if board.findings_hidden != self.findings_hidden:
            self._findings_visibility(board.findings_hidden)
            await self._send({"type": "findings.visibility", "hidden": board.findings_hidden})

    async def _heard_end(self, frame: dict[str, Any]) -> bool:
        """Take in a `board.ended` frame; False when it is not newer than the last one
        heard (its `seq`): two interviewers may end and reopen within a moment, and their
        events may arrive in either order. Then settles the board's state in memory."""
        seq = frame.get("seq", 0)
        if seq <= self.ended_seq:
            return False
        self.ended, self.ended_seq = frame.get("ended"), seq
        await self._settle_end()
        return True

    async def _settle_end(self) -> None:
        """In memory ordering, the first connection of this process to hear of an end
        stops the board's edits (the engine refuses them from now on) and records the
        revision it ended at: edits ordered between the end's commit and now are part of
        the ended board. A reopen lets edits in again. Events are numbered: the state
        keeps the newest any connection heard."""
        state = self.state
        if state is None or self.ended_seq <= state.ended_seq:
            return
        state.ended_seq = self.ended_seq
        if (state.ended is None) == (self.ended is None):
            return
        state.ended = self.ended
        if self.ended is not None and self.ended.get("revision") != state.revision:
            state.ended = {**self.ended, "revision": state.revision}
            await database_sync_to_async(_record_end_revision)(
                state.pk, state.revision, state.ended_seq
            )

    async def _links_revoked(self, notice: dict[str, Any]) -> None:
        """A link of this connection's role was rotated: a connection that joined through
        the old link is closed (4403); the person who rotated it keeps theirs."""
        if notice.get("role") != self.role or notice.get("generation") == self.generation:
            return
        if notice.get("keep") == self.me["person"]:
            self.generation = notice.get("generation", "")
            return
        await self.close(code=4403)

    # --- helpers ----------------------------------------------------------------------------

    async def _send(self, frame: dict[str, Any]) -> None:
        await self._send_text(frames.encode(frame))

    async def _send_text(self, text: str) -> None:
        await self._write(map(text_frame, (text,)), (text,))

    async def _send_texts(self, texts: list[str]) -> None:
        """Several frames to this connection in one write."""
        if texts:
            await self._write(map(text_frame, texts), texts)

    async def _write(self, frames: Iterable[bytes], texts: Iterable[str]) -> None:
        """Frames in one write to the socket (`frames`, their bytes, made only when there
        is a direct socket: studio/live/wire.py), or else `texts` sent the usual way."""
        direct = getattr(self, "direct", None)
        if direct and direct.write(b"".join(frames)):
            return
        for text in texts:
            await self.send(text_data=text)

    async def _broadcast(
        self, frame: dict[str, Any], private: bool = False, reply_to: str | None = None
    ) -> None:
        """Send `frame` to every connection on the board (or its interviewers only).

        A broadcast that fails (the channel layer's Redis is down) is logged and dropped:
        the operation is already committed and acknowledged, and clients recover what
        they missed through `sync` when they see the gap in revisions.
        """
        await self._broadcast_event(make_event(frame, reply_to), private)

    async def _refuse(
        self,
        cid: Any,
        message: str,
        code: str = "refused",
        invalid: bool = True,
        missing: tuple[str, str] | None = None,
    ) -> None:
        """An `error` frame to the sender; an invalid frame also counts toward closing
        the connection (4408, studio.live.ratelimit.ABUSE_LIMIT). `missing`: the component
        or edge the refused operation named and the board no longer holds
        (OperationError.missing), for the client to name it in words."""
        frame: dict[str, Any] = {
            "type": "error",
            "cid": cid if isinstance(cid, (str, int)) else None,
            "code": code,
            "message": message,
        }
        if missing is not None:
            frame["missing"] = {"kind": missing[0], "id": missing[1]}
        await self._send(frame)
        limits = getattr(self, "limits", None)
        if invalid and limits is not None and limits.note_invalid():
            await self.close(code=4408)

    async def _refuse_op(self, cid: Any, exc: OperationError) -> None:
        """An operation refused: after the interview ended (code "ended", not held against
        the client), or for what it is, naming what it found missing."""
        if isinstance(exc, BoardEnded):
            return await self._refuse(cid, str(exc), code="ended", invalid=False)
        return await self._refuse(cid, str(exc), missing=exc.missing)

    @database_sync_to_async
    def _admission(
        self,
    ) -> tuple[str, str, str, str, dict[str, Any], dict[str, Any], bool] | int:
        """Role (checked against its link's current generation), that generation, display
        name and person id from the session (loading it hits the DB), the board's timer
        and whether its interview has ended (interview.ended_state); or the close code
        that refuses the connection (4404: no such board, 4403: no role on it). One trip
        to the database thread per connection instead of three, and the board's few
        columns read once per process (studio.live.admission; performance only)."""
        session = self.scope.get("session")
        if session is None:
            return 4403
        person = session.get("pid") or secrets.token_hex(6)
        try:
            board = admission.board(self.public_id)
        except Board.DoesNotExist:
            # "Deleted" only to a session that had a role on it: to anyone else a board
            # that does not exist looks like one they may not open (as over HTTP).
            return 4404 if board_grant(session, self.public_id)[0] else 4403
        role = role_on(session, board)
        if session.modified:
            session.save()
        if role is None:
            return 4403
        generation, name = link_generation(board, role), display_name(session)
        return (
            role,
            generation,
            name,
            person,
            timer_state(board),
            ended_event(board),
            board.findings_hidden,
        )

    @sync_to_async(thread_sensitive=False)
    def _apply(self, op: Any, cid: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The applied operation, and the new report (None when it did not change).

        Runs on a thread of a pool, not Channels' one database thread: each board's row
        lock orders its edits, and a slow commit on one board does not hold up the others.
        """
        close_old_connections()
        applied, before, after = apply(
            self.public_id, op, self.me["name"], cid, can_set_level=self.role == "interviewer"
        )
        return applied.to_message(), changed_report(self.public_id, applied.revision, before, after)

    @database_sync_to_async
    def _sync_frame(self, since: int) -> dict[str, Any]:
        board = Board.objects.get(public_id=self.public_id)
        document = board.to_document()
        report = report_at(self.public_id, board.revision, document)
        ops = operations_since(board, since) if since <= board.revision else None
        if ops is None or since == 0:
            return {
                "type": "snapshot",
                "revision": board.revision,
                "board": document.to_dict(),
                "report": report,
            }
        return {
            "type": "ops",
            "revision": board.revision,
            "ops": [a.to_message() for a in ops],
            "report": report,
        }
