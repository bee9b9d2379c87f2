#!/usr/bin/env python3
"""A forward HTTP proxy for the sandbox tests, on 127.0.0.1 only.

Usage: proxy.py PORTFILE LOGFILE [USER:PASSWORD]

Forwards absolute-URI GET requests (as apt and edgeup send them through a
proxy) to loopback targets only, logs "METHOD URL" per request to LOGFILE,
writes the port it listens on to PORTFILE and serves until killed. With
USER:PASSWORD it answers 407 to requests without those Basic credentials.
"""
import base64
import http.server
import sys
import urllib.parse
import urllib.request

PORTFILE, LOGFILE = sys.argv[1], sys.argv[2]
CREDENTIALS = sys.argv[3] if len(sys.argv) > 3 else None


class Proxy(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the stdlib's naming)
        with open(LOGFILE, "a", encoding="utf-8") as log:
            log.write(f"{self.command} {self.path}\n")
        if CREDENTIALS:
            expected = "Basic " + base64.b64encode(CREDENTIALS.encode()).decode()
            if self.headers.get("Proxy-Authorization") != expected:
                self.send_response(407)
                self.send_header("Proxy-Authenticate", 'Basic realm="sandbox"')
                self.end_headers()
                return
        url = urllib.parse.urlsplit(self.path)
        if url.hostname not in ("127.0.0.1", "localhost"):
            self.send_error(403, "the sandbox proxy forwards to loopback only")
            return
        try:
            with urllib.request.urlopen(self.path, timeout=30) as upstream:
                body = upstream.read()
                self.send_response(upstream.status)
                for key in ("Content-Type", "Last-Modified"):
                    if upstream.headers.get(key):
                        self.send_header(key, upstream.headers[key])
        except urllib.error.HTTPError as error:
            body = error.read()
            self.send_response(error.code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
with open(PORTFILE, "w", encoding="utf-8") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
