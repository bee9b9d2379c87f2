#!/usr/bin/env python3
"""Serve DIR over HTTP on 127.0.0.1, sending file bodies with sendfile(2).

Usage: serve_sendfile.py DIR PORTFILE [LOGFILE]

The stock `python3 -m http.server` copies every body through Python in
64 KiB read()/write() pairs, which costs CPU on the same 2 cores the client
needs. Here SimpleHTTPRequestHandler's copyfile() is replaced by
socket.sendfile(), so the kernel moves the bytes from the page cache to the
socket and the server stays out of the measurement. The server binds port 0
(the kernel picks a free port, no race) and writes the port to PORTFILE
atomically once it listens. Request logging to stderr is off; with LOGFILE,
each request's path and status are appended to it, one line each (the bundle
figure reads which files `edgeup bundle` fetched from it).
"""

import functools
import http.server
import os
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    def copyfile(self, source, outputfile):
        # Headers were already written unbuffered (wbufsize 0), so the body
        # can go straight to the socket.
        self.connection.sendfile(source)

    log = None

    def log_message(self, format, *args):  # noqa: A002 (stdlib signature)
        pass

    def log_request(self, code="-", size="-"):
        if self.log is not None:
            code = getattr(code, "value", code)
            with open(self.log, "a") as f:
                f.write(f"{self.command} {self.path} {code}\n")


def main():
    if len(sys.argv) not in (3, 4):
        sys.stderr.write(__doc__)
        sys.exit(2)
    directory, portfile = sys.argv[1], sys.argv[2]
    if len(sys.argv) == 4:
        Handler.log = sys.argv[3]
    handler = functools.partial(Handler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    tmp = f"{portfile}.tmp.{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(f"{server.server_address[1]}\n")
    os.replace(tmp, portfile)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
