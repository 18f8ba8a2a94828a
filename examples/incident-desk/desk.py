"""incident-desk: a tiny stand-in for a team's own incident system (the tutorial's example).

    DESK_LISTEN=127.0.0.1:8080 POLICE_ICT=127.0.0.1:8474 python3 desk.py

POST /incidents {"caller": "...", "kind": "..."} registers an incident and answers 201
{"status": "accepted", "id": N, "checked": true|false}. It asks police ICT about the caller
first (GET /api/caller/<caller>, 300 ms budget); when police ICT does not answer, it still
accepts the incident, unchecked - unless DESK_STRICT=1, the coupled design that answers 503.
GET /health answers 200. Standard library only, so it runs wherever Python 3 does.
"""

from __future__ import annotations

import itertools
import json
import os
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOOKUP_TIMEOUT = 0.3
STRICT = os.environ.get("DESK_STRICT") == "1"
POLICE_ICT = os.environ.get("POLICE_ICT", "")
NUMBERS = itertools.count(1)


def caller_known(caller: str) -> bool:
    """Ask police ICT; False when it cannot answer in time."""
    if not POLICE_ICT:
        return False
    url = f"http://{POLICE_ICT}/api/caller/{caller}"
    try:
        with urllib.request.urlopen(url, timeout=LOOKUP_TIMEOUT) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


class Desk(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path == "/health":
            self.answer(200, {"ok": True})
        else:
            self.answer(404, {"error": "not found"})

    def do_POST(self) -> None:
        if self.path != "/incidents":
            self.answer(404, {"error": "not found"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            incident = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self.answer(400, {"error": "not JSON"})
            return
        checked = caller_known(str(incident.get("caller", "unknown")))
        if STRICT and not checked:
            self.answer(503, {"status": "refused", "reason": "police ICT did not answer"})
            return
        self.answer(201, {"status": "accepted", "id": next(NUMBERS), "checked": checked})

    def answer(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per request would drown the log the harness keeps


def main() -> None:
    host, _, port = os.environ.get("DESK_LISTEN", "127.0.0.1:8080").rpartition(":")
    server = ThreadingHTTPServer((host, int(port)), Desk)
    server.daemon_threads = True
    print(f"incident-desk listening on {host}:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
