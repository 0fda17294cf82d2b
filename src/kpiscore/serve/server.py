"""Running the app for one reviewer: uvicorn on 127.0.0.1 and a free port, the browser
opened on it, stopped cleanly by Ctrl-C (the temporary folders go with it)."""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
import webbrowser
from collections.abc import Callable

import uvicorn

from kpiscore.errors import UsageError
from kpiscore.serve.app import ServeSettings, create_app, words


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: only "localhost" is known to stay on this machine
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: a free one the system picks)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as error:
        # the error's own text adds Python's "(while attempting to bind …)"
        raise UsageError(f"{host}:{port}", os.strerror(error.errno) if error.errno else str(error)) from None


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def run(host: str = "127.0.0.1", port: int = 0, open_browser: bool = True,
        settings: ServeSettings = ServeSettings(), allow_remote: bool = False,
        say: Callable[[str], None] = print) -> None:
    """Serve until Ctrl-C. UsageError for a host off this machine (unless `allow_remote`)
    or an address that cannot be bound; InputError / ValueError from the configuration."""
    command = words()["command"]
    if not is_loopback(host) and not allow_remote:
        raise UsageError("--host", command["remote"].format(host=host))
    app = create_app(settings)
    sock = bind(host, port)
    url = url_of(sock)
    if not is_loopback(host):
        say(command["remote_warning"].format(host=host))
    say(command["url"].format(url=url))
    if open_browser:  # the socket already listens: the browser's request waits for the server
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn shuts down, then passes Ctrl-C on
        pass
    finally:
        sock.close()
    say(command["stopped"])
