"""HTTP/1.1 spoken by hand over a loopback socket, for tests that send what no client library would:
broken framing, unknown methods, bodies that stall or stop. Every call is bounded in time."""
from __future__ import annotations

import socket
import struct
import time
from dataclasses import dataclass, field


@dataclass
class RawReply:
    """What came back on one connection: the first response (if any) and whether the server then
    closed the connection."""

    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    closed: bool = False
    seconds: float = 0.0

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def summary(self) -> str:
        if self.status is None:
            return "no response" + (", closed" if self.closed else ", left open")
        length = self.header("content-length")
        framing = f"{len(self.body)} body bytes" + (f" of Content-Length {length}" if length is not None else ", no length")
        return f"{self.status}, {framing}, {'closed' if self.closed else 'kept open'}"


def connect(port: int, timeout: float = 10) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def read_reply(sock: socket.socket, *, head_request: bool = False, timeout: float = 10,
               close_wait: float = 3.0) -> RawReply:
    """Reads one response (framed by Content-Length; no body for HEAD), then waits up to `close_wait`
    seconds for the server to close the connection."""
    started = time.monotonic()
    sock.settimeout(timeout)
    data = b""
    closed = False
    while b"\r\n\r\n" not in data:
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, ConnectionResetError):
            chunk = b""
        if not chunk:
            return RawReply(status=None, closed=True, seconds=time.monotonic() - started)
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = 0 if head_request else int(headers.get("content-length", "0"))
    body = rest
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            closed = True
            break
        body += chunk
    seconds = time.monotonic() - started
    if not closed:
        closed = wait_for_close(sock, close_wait)
    return RawReply(status=status, headers=headers, body=body, closed=closed, seconds=seconds)


def wait_for_close(sock: socket.socket, seconds: float) -> bool:
    """True when the server closes within `seconds` (bytes after the response are read and dropped)."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            if not sock.recv(65536):
                return True
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
    return False


def exchange(port: int, request: bytes, *, head_request: bool = False, timeout: float = 10,
             close_wait: float = 3.0) -> RawReply:
    """Sends `request` as it is on a new connection and reads the answer."""
    with connect(port, timeout) as sock:
        sock.sendall(request)
        return read_reply(sock, head_request=head_request, timeout=timeout, close_wait=close_wait)


def close_mid_body(port: int, head: bytes, part: bytes) -> RawReply:
    """Sends a head and part of its body, then ends its side of the connection (FIN) and reads on."""
    with connect(port) as sock:
        sock.sendall(head + part)
        time.sleep(0.2)
        sock.shutdown(socket.SHUT_WR)
        return read_reply(sock, timeout=5)


def reset_mid_body(port: int, head: bytes, part: bytes) -> RawReply:
    """Sends a head and part of its body, then resets the connection (RST): nothing can be read after."""
    sock = connect(port)
    sock.sendall(head + part)
    time.sleep(0.2)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    return RawReply(status=None, closed=True)


def stall_mid_body(port: int, head: bytes, part: bytes, timeout: float) -> RawReply:
    """Sends a head and part of its body, then nothing: the server's time limit must answer."""
    with connect(port, timeout) as sock:
        sock.sendall(head + part)
        return read_reply(sock, timeout=timeout)
