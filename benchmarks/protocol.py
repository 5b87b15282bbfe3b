"""Simulated learners: a Streamlit session driven over its own websocket, with no browser.

A `Learner` speaks the protocol of Streamlit 1.67 the way its browser client does, so a
benchmark can open many sessions at once and time what the server sends, without a
browser rendering on the same cores:

- the websocket is ``/_stcore/stream``; its subprotocol header carries
  ``["streamlit", "PLACEHOLDER_AUTH_TOKEN"]`` (the browser's token when there is no login);
- each frame is one binary protobuf: a ``BackMsg`` up, a ``ForwardMsg`` down;
- nothing runs until a ``BackMsg(rerun_script=ClientState(...))``: the first one names
  the page by its URL path (``page_name``), later ones by the hash the server's
  ``navigation`` message gave for the page it ran;
- a button press is ``WidgetState(id=<the button's id>, trigger_value=True)``, sent once;
- ``st.fragment(run_every=...)`` asks the client (``auto_rerun``) to request the
  fragment's runs on a timer, until ``stop_auto_rerun`` or the next full run;
- elements of 10 kB or more are "cacheable": the client keeps them by hash and lists the
  hashes in every rerun request, and the server then sends only a ``ref_hash``. A
  learner does the same, so it causes the traffic a browser would;
- an exception in the script arrives as an ``exception`` element: a learner counts it
  as an error, like a failed connection, an unexpected close or a wait that times out.

Every wait is bounded in time, every timer in count, and only loopback addresses are
accepted. `health_latencies` polls the health endpoint the same way a load balancer does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

#: What Streamlit's browser client sends as its token when the app has no login.
PLACEHOLDER_AUTH_TOKEN = "PLACEHOLDER_AUTH_TOKEN"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
#: No timer of a learner fires more often than this, whatever the app asks for.
MAX_TIMER_TICKS = 10_000
_FINISHED = ForwardMsg.ScriptFinishedStatus


def loopback_url(url: str) -> tuple[str, int]:
    """The host and port of ``url`` (``http://127.0.0.1:PORT``), refusing any other host.

    Raises
    ------
    ValueError
        If the URL does not point at this machine.
    """
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS or parts.port is None:
        raise ValueError(
            f"a learner only connects to this machine (http://127.0.0.1:PORT), not {url}"
        )
    return parts.hostname, parts.port


@dataclass(frozen=True)
class Arrival:
    """One element the server drew, as a learner received it.

    Attributes
    ----------
    at : float
        ``time.monotonic()`` when its message arrived.
    kind : str
        The element's type, as named in Streamlit's ``Element`` protobuf (``plotly_chart``,
        ``button``, ``exception``...).
    element_id : str
        The element's id (``$$ID-<hash>-<key>`` for keyed elements), or ``""``.
    """

    at: float
    kind: str
    element_id: str


def _element_id(element: Element) -> str:
    kind = element.WhichOneof("type")
    return getattr(getattr(element, kind), "id", "") if kind else ""


class Learner:
    """One simulated browser session on a Streamlit server of this machine.

    Use it as an async context manager, then `open` a page, `press` its buttons and
    `wait_for` what should appear::

        async with Learner(server.url, query_string="seed=7") as learner:
            await learner.open("logistic_regression")
            clicked = await learner.press("logreg_train")
            done = await learner.wait_for(lambda a: a.element_id.endswith("-final"), clicked)

    Parameters
    ----------
    url : str
        The server, ``http://127.0.0.1:PORT``.
    query_string : str, default ""
        The page's query string, without ``?`` (the app's task lives there).
    timeout : float, default 60
        The longest any single wait of this learner lasts, in seconds.

    Attributes
    ----------
    arrivals : list of Arrival
        Every element received, in order.
    errors : list of str
        What went wrong, one line each; a learner that worked has none.
    connected_at : float
        ``time.monotonic()`` when the websocket was open.
    bytes_received : int
        The size of every frame the server sent.
    references : int
        Messages the server sent as a reference to one this learner had cached.
    received : dict of str to int
        How many messages of each kind arrived (``delta``, ``script_finished``...).
    """

    def __init__(self, url: str, *, query_string: str = "", timeout: float = 60.0):
        host, port = loopback_url(url)
        self.stream_url = f"ws://{host}:{port}/_stcore/stream"
        self.query_string = query_string
        self.timeout = timeout
        self.arrivals: list[Arrival] = []
        self.errors: list[str] = []
        self.connected_at = 0.0
        self.bytes_received = 0
        self.references = 0
        self.received: dict[str, int] = {}
        self._socket = None
        self._reader: asyncio.Task | None = None
        self._changed = asyncio.Condition()
        self._page_script_hash = ""
        self._full_runs_finished = 0
        self._cache: dict[str, tuple[ForwardMsg, int, str]] = {}  # hash -> (msg, run, fragment)
        self._runs_counted = 0
        self._max_cached_message_age = 2
        self._timers: dict[str, tuple[float, asyncio.Task]] = {}  # fragment id -> timer
        self._closing = False
        self._socket_closed = False
        self._labels: dict[str, str] = {}  # button id -> label

    async def __aenter__(self) -> Learner:
        await self.connect()
        return self

    async def __aexit__(self, *exception) -> None:
        await self.close()

    async def connect(self) -> None:
        """Open the websocket (no script runs yet)."""
        try:
            self._socket = await asyncio.wait_for(
                connect(
                    self.stream_url,
                    subprotocols=["streamlit", PLACEHOLDER_AUTH_TOKEN],
                    max_size=None,
                    compression=None,
                    open_timeout=self.timeout,
                ),
                self.timeout,
            )
        except (OSError, TimeoutError, ConnectionClosed) as error:
            self._fail(f"could not connect to {self.stream_url}: {error!r}")
            raise
        self.connected_at = time.monotonic()
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        """Cancel the timers and close the websocket, as a closed browser tab does."""
        self._closing = True
        for _, timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        if self._socket is not None:
            await self._socket.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    # -- what a learner does -------------------------------------------------------

    async def open(self, page: str = "") -> float:
        """Run the app on ``page`` (its URL path; ``""`` for the default page).

        Returns
        -------
        float
            ``time.monotonic()`` when the run finished.
        """
        return await self._run(page_name=page)

    async def press(self, key: str) -> float:
        """Press the button whose key (or label, if no key matches) is ``key``.

        Returns
        -------
        float
            ``time.monotonic()`` just before the press was sent: the start of what it
            causes (wait for that with `wait_for`).
        """
        button = self._find_button(key)
        pressed_at = time.monotonic()
        await self._send_rerun(widget_states=[WidgetState(id=button, trigger_value=True)])
        return pressed_at

    async def wait_for(self, predicate: Callable[[Arrival], bool], since: float) -> float:
        """Wait until an element that satisfies ``predicate`` arrived after ``since``.

        Returns
        -------
        float
            ``time.monotonic()`` when it arrived.

        Raises
        ------
        TimeoutError
            If none arrives within the learner's timeout (recorded as an error too).
        """

        def found() -> float | None:
            return next(
                (a.at for a in self.arrivals if a.at >= since and predicate(a)),
                None,
            )

        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: found() is not None or self._closed()),
                    self.timeout,
                )
            except TimeoutError:
                self._fail(f"nothing expected arrived within {self.timeout:g} s ({self._seen()})")
                raise
        arrived = found()
        if arrived is None:
            raise ConnectionError(self.errors[-1] if self.errors else "the websocket closed")
        return arrived

    # -- the protocol ---------------------------------------------------------------

    async def _run(self, page_name: str = "") -> float:
        async with self._changed:
            finished_before = self._full_runs_finished
        await self._send_rerun(page_name=page_name)
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(
                        lambda: self._full_runs_finished > finished_before or self._closed()
                    ),
                    self.timeout,
                )
            except TimeoutError:
                self._fail(
                    f"the page did not finish running within {self.timeout:g} s ({self._seen()})"
                )
                raise
        if self._full_runs_finished == finished_before:
            raise ConnectionError(self.errors[-1] if self.errors else "the websocket closed")
        return time.monotonic()

    async def _send_rerun(
        self, *, page_name: str = "", widget_states=(), fragment_id: str = ""
    ) -> None:
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query_string
        if self._page_script_hash:
            state.page_script_hash = self._page_script_hash
        else:
            state.page_name = page_name
        state.widget_states.widgets.extend(widget_states)
        if fragment_id:
            state.fragment_id = fragment_id
            state.is_auto_rerun = True
        state.cached_message_hashes.extend(self._cache)
        try:
            await self._socket.send(message.SerializeToString())
        except ConnectionClosed as error:
            self._fail(f"the websocket closed before a request could be sent: {error!r}")
            raise

    def _find_button(self, key: str) -> str:
        buttons = [a.element_id for a in self.arrivals if a.kind == "button"]
        matching = [b for b in buttons if b.endswith(f"-{key}")] or [
            b for b in buttons if self._labels.get(b) == key
        ]
        if not matching:
            raise LookupError(f"no button {key!r} on the page (buttons: {buttons})")
        return matching[-1]

    async def _read(self) -> None:
        try:
            async for frame in self._socket:
                self.bytes_received += len(frame)
                message = ForwardMsg()
                message.ParseFromString(frame)
                async with self._changed:
                    self._receive(message, time.monotonic())
                    self._changed.notify_all()
        except ConnectionClosed as error:
            if not self._closing:
                self._fail(f"the server closed the websocket: {error!r}")
        finally:
            async with self._changed:
                self._socket_closed = True
                self._changed.notify_all()

    def _closed(self) -> bool:
        return self._socket_closed

    def _receive(self, message: ForwardMsg, at: float) -> None:
        kind = message.WhichOneof("type")
        self.received[kind] = self.received.get(kind, 0) + 1
        if kind == "ref_hash":
            cached = self._cache.get(message.ref_hash)
            if cached is None:
                self._fail(f"the server referred to a message never received ({message.ref_hash})")
                return
            original, _, fragment = cached
            self.references += 1
            self._cache[message.ref_hash] = (original, self._runs_counted, fragment)
            message, kind = original, original.WhichOneof("type")
        elif message.metadata.cacheable and message.hash:
            fragment = message.delta.fragment_id if kind == "delta" else ""
            self._cache[message.hash] = (message, self._runs_counted, fragment)

        if kind == "new_session":
            self._max_cached_message_age = message.new_session.config.max_cached_message_age
            if not message.metadata.run.fragment_ids:  # a full run ends every timer
                for _, timer in self._timers.values():
                    timer.cancel()
                self._timers.clear()
        elif kind == "navigation":
            self._page_script_hash = message.navigation.page_script_hash
        elif kind == "page_not_found":
            self._fail(f"page not found: {message.page_not_found.page_name!r}")
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            element_kind = element.WhichOneof("type") or ""
            arrival = Arrival(at, element_kind, _element_id(element))
            self.arrivals.append(arrival)
            if element_kind == "button":
                self._labels[arrival.element_id] = element.button.label
            elif element_kind == "exception":
                exception = element.exception
                self._fail(f"the script raised {exception.type}: {exception.message}")
        elif kind == "script_finished":
            status = message.script_finished
            if status == _FINISHED.FINISHED_WITH_COMPILE_ERROR:
                self._fail("the script did not compile")
            if status != _FINISHED.FINISHED_EARLY_FOR_RERUN:
                self._age_cache(list(message.metadata.run.fragment_ids))
            if status in (_FINISHED.FINISHED_SUCCESSFULLY, _FINISHED.FINISHED_WITH_COMPILE_ERROR):
                self._full_runs_finished += 1
        elif kind == "auto_rerun":
            self._start_timer(message.auto_rerun.fragment_id, message.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fragment_id in message.stop_auto_rerun.fragment_ids:
                self._stop_timer(fragment_id)

    def _age_cache(self, fragment_ids: list[str]) -> None:
        # As the browser does: after each run, forget what was not used for a few runs
        # (after a fragment's run, only that fragment's messages age).
        self._runs_counted += 1
        for key, (_, last_used, fragment) in list(self._cache.items()):
            if fragment_ids and fragment not in fragment_ids:
                continue
            if self._runs_counted - last_used > self._max_cached_message_age:
                del self._cache[key]

    def _start_timer(self, fragment_id: str, interval: float) -> None:
        if not fragment_id or interval <= 0:
            return
        if fragment_id in self._timers and self._timers[fragment_id][0] == interval:
            return
        self._stop_timer(fragment_id)

        async def tick() -> None:
            for _ in range(MAX_TIMER_TICKS):
                await asyncio.sleep(interval)
                try:
                    await self._send_rerun(fragment_id=fragment_id)
                except ConnectionClosed:
                    return

        self._timers[fragment_id] = (interval, asyncio.create_task(tick()))

    def _stop_timer(self, fragment_id: str) -> None:
        timer = self._timers.pop(fragment_id, None)
        if timer is not None:
            timer[1].cancel()

    def _fail(self, error: str) -> None:
        self.errors.append(error)

    def _seen(self) -> str:
        """What arrived so far, for an error message: message kinds and their counts."""
        kinds = ", ".join(f"{kind} {count}" for kind, count in self.received.items())
        return f"received: {kinds or 'nothing'}; fragment timers: {len(self._timers)}"


async def health_latencies(
    url: str, stop: asyncio.Event, *, interval: float = 0.1, max_polls: int = 10_000
) -> tuple[list[float], int]:
    """Poll ``/_stcore/health`` until ``stop`` is set, as a load balancer would.

    Parameters
    ----------
    url : str
        The server, ``http://127.0.0.1:PORT``.
    stop : asyncio.Event
        Set it to end the polling.
    interval : float, default 0.1
        Seconds between the end of one answer and the next request.
    max_polls : int, default 10000
        The most requests sent, whatever happens.

    Returns
    -------
    latencies : list of float
        Seconds from each request to its full answer, for the answers that said ``ok``.
    failures : int
        Requests that failed or did not answer ``ok`` within 10 s.
    """
    host, port = loopback_url(url)
    request = f"GET /_stcore/health HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n"
    latencies, failures = [], 0
    for _ in range(max_polls):
        if stop.is_set():
            break
        started = time.monotonic()
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
            writer.write(request.encode())
            answer = await asyncio.wait_for(reader.read(), 10)
            writer.close()
        except (OSError, TimeoutError):
            failures += 1
        else:
            status, _, body = answer.partition(b"\r\n\r\n")
            if status.split(b" ")[1:2] == [b"200"] and body.strip() == b"ok":
                latencies.append(time.monotonic() - started)
            else:
                failures += 1
        try:
            await asyncio.wait_for(stop.wait(), interval)
        except TimeoutError:
            pass
    return latencies, failures
