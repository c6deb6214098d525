"""A webhook receiver on 127.0.0.1 that checks each message's signature with the Standard Webhooks
library (not the portal's code), and answers as a test tells it to."""

import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    payload: dict | None  # the verified message, None when the signature did not verify
    error: str = ""


@dataclass
class Receiver:
    secret: str = "whsec_" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # the endpoint's, once known
    # Each request pops the next answer (status, body, seconds to wait first); the last one stays.
    answers: list[tuple[int, bytes, float]] = field(default_factory=lambda: [(200, b"thanks", 0.0)])
    received: list[Received] = field(default_factory=list)
    url: str = ""

    def answer(self) -> tuple[int, bytes, float]:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    @property
    def verified(self) -> list[dict]:
        return [item.payload for item in self.received if item.payload is not None]


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {name.lower(): value for name, value in self.headers.items()}
            try:
                payload, error = Webhook(receiver.secret).verify(body, headers), ""
            except WebhookVerificationError as failure:
                payload, error = None, str(failure)
            receiver.received.append(Received(headers=headers, body=body, payload=payload, error=error))
            status, answer, wait = receiver.answer()
            time.sleep(wait)
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", f"{receiver.url}elsewhere")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    return Handler


class running:
    """``with running(receiver):`` serves it on a free port of 127.0.0.1 (``receiver.url``), over
    TLS when given a server context."""

    def __init__(self, receiver: Receiver, tls: ssl.SSLContext | None = None) -> None:
        self.receiver = receiver
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        receiver.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}/hooks/"

    def __enter__(self) -> Receiver:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.receiver

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def message(received: Received) -> dict:
    return json.loads(received.body)
