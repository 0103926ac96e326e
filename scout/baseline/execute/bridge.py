"""Inside the sandbox of a setup step: the step's only way out. Listens on 127.0.0.1 of the jail's
own network namespace, hands each connection to scout's registry proxy through the unix socket
bound into the jail, and runs the step with HTTP(S)_PROXY pointing here.

Usage: python -I -S bridge.py SOCKET -- ARGV...  (scout passes this file's text with -c: the
jail need not see scout's source). Standard library only; the checks are on the proxy's side,
so a step that kills or replaces this bridge gains nothing."""

import contextlib
import os
import socket
import subprocess
import sys
import threading

_PROXY_VARS = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY")


def pump(src, dst):
    """Copy src to dst until src ends, then pass the end on."""
    with contextlib.suppress(OSError):
        while data := src.recv(65536):
            dst.sendall(data)
    for sock, how in ((dst, socket.SHUT_WR), (src, socket.SHUT_RD)):
        with contextlib.suppress(OSError):
            sock.shutdown(how)


def _relay(client, path):
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        upstream.connect(path)
    except OSError:
        client.close()
        upstream.close()
        return
    back = threading.Thread(target=pump, args=(upstream, client), daemon=True)
    back.start()
    pump(client, upstream)
    back.join()
    client.close()
    upstream.close()


def _serve(listener, path):
    while True:
        client, _ = listener.accept()
        threading.Thread(target=_relay, args=(client, path), daemon=True).start()


def main(args):
    path, sep, argv = args[0], args[1], args[2:]
    if sep != "--" or not argv:
        sys.exit("usage: bridge SOCKET -- ARGV...")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    env = {k: v for k, v in os.environ.items() if k.upper() not in ("NO_PROXY", *_PROXY_VARS)}
    for name in _PROXY_VARS:
        env[name] = env[name.lower()] = url
    threading.Thread(target=_serve, args=(listener, path), daemon=True).start()
    code = subprocess.call(argv, env=env)
    sys.exit(128 - code if code < 0 else code)  # killed by signal N: 128+N, as a shell reports it


if __name__ == "__main__":
    main(sys.argv[1:])
