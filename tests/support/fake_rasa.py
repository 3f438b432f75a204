"""The fake Rasa of the tests: Rasa's REST channel and /status on a real loopback socket.

``POST /webhooks/rest/webhook`` records the message and answers, after ``delay_s``, what
``responder(body)`` returns (default: an echo, so a test sees what Rasa received); a
responder that raises ``RasaCrash`` makes it answer HTTP 500, as a Rasa that failed.
``GET /status`` names ``model_file``, so the gateway's /health sees a loaded model.

    rasa = FakeRasa(responder=lambda body: [], model_file="current.tar.gz").start()
    ...  # point the gateway at rasa.url
    rasa.stop()
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, List
from urllib.parse import urlparse

from tests.support.loopback import JSONHandler, LoopbackServer

Responder = Callable[[Dict[str, Any]], List[Dict[str, Any]]]
WEBHOOK = "/webhooks/rest/webhook"


class RasaCrash(Exception):
    """Raised by a responder: the fake Rasa answers HTTP 500 to that message."""


def echo_responder(body: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Default fake-bot answer: repeats the message, so a test sees what Rasa received."""
    return [{"recipient_id": body["sender"], "text": f"收到：{body['message']}"}]


class FakeRasa(LoopbackServer):
    """Rasa's REST channel: records messages; answers after ``delay_s`` with ``responder``."""

    def __init__(self, responder: Responder = echo_responder, delay_s: float = 0.0,
                 model_file: str = "fake.tar.gz") -> None:
        super().__init__(_RasaHandler)
        self.messages: List[Dict[str, Any]] = []
        self.delay_s = delay_s
        self.responder = responder
        self.model_file = model_file

    def texts(self) -> List[str]:
        with self.lock:
            return [message["message"] for message in self.messages]


class _RasaHandler(JSONHandler):
    def do_GET(self) -> None:
        fake: FakeRasa = self.server.owner
        if urlparse(self.path).path != "/status":
            self._reply({"error": "not found"}, 404)
            return
        self._reply({"model_file": fake.model_file})

    def do_POST(self) -> None:
        fake: FakeRasa = self.server.owner
        if urlparse(self.path).path != WEBHOOK:
            self._reply({"error": "not found"}, 404)
            return
        body = self._json_body()
        with fake.lock:
            fake.messages.append(body)
        time.sleep(fake.delay_s)
        try:
            self._reply(fake.responder(body))
        except RasaCrash as crash:
            self._reply({"error": str(crash) or "boom"}, 500)
