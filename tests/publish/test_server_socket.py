"""The listening socket of ``kg serve``: connections without Nagle's delay.

A response is two writes (headers, then body); with Nagle's algorithm the body waits for the
client's delayed ACK, ~40 ms per request on a kept-alive connection. The accepted connections
inherit ``TCP_NODELAY`` from the listening socket.
"""

from __future__ import annotations

import socket

from kg.publish.server import bind


def test_accepted_connections_send_without_nagles_delay() -> None:
    listener = bind("127.0.0.1", 0)
    try:
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        client = socket.create_connection(listener.getsockname()[:2], timeout=5)
        try:
            listener.setblocking(True)
            listener.settimeout(5)
            conn, _ = listener.accept()
            with conn:
                assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        finally:
            client.close()
    finally:
        listener.close()
