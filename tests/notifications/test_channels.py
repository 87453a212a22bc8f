"""The SMS backends, including the HTTP provider adapter against a local server (never the network)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from notifications.channels import ChannelError, ConsoleSMSBackend, FileSMSBackend, HTTPSMSBackend


class Provider(BaseHTTPRequestHandler):
    """A fake SMS provider: records each request and answers with the status the test chose."""

    answer = 202
    received: list[dict] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Provider.received.append({"headers": dict(self.headers), "json": json.loads(body), "path": self.path})
        self.send_response(Provider.answer)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "msg-1"}')

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture
def provider(settings):
    server = HTTPServer(("127.0.0.1", 0), Provider)
    # shutdown() waits for the serving loop's next poll: half a second by default, at every test's end.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    Provider.answer, Provider.received = 202, []
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{server.server_port}/v1/sms"
    settings.SMS_HTTP_API_KEY = "test-key"
    settings.SMS_HTTP_TIMEOUT = 5
    settings.SMS_SENDER = "SAV"
    yield Provider
    server.shutdown()
    server.server_close()


def test_the_http_adapter_posts_json_with_the_api_key(provider):
    HTTPSMSBackend().send(to="+33639980001", text="Votre ordinateur est prêt.")
    [request] = provider.received
    assert request["path"] == "/v1/sms"
    assert request["json"] == {"to": "+33639980001", "text": "Votre ordinateur est prêt.", "sender": "SAV"}
    assert request["headers"]["Authorization"] == "Bearer test-key"
    assert request["headers"]["Content-Type"] == "application/json"


@pytest.mark.parametrize("status", [400, 429, 500, 503])
def test_the_http_adapter_turns_a_refusal_into_a_channel_error(provider, status):
    provider.answer = status
    with pytest.raises(ChannelError, match=str(status)):
        HTTPSMSBackend().send(to="+33639980001", text="x")


def test_the_http_adapter_turns_an_unreachable_provider_into_a_channel_error(settings):
    settings.SMS_HTTP_URL = "http://127.0.0.1:9/v1/sms"  # nothing listens on the discard port
    settings.SMS_HTTP_TIMEOUT = 2
    with pytest.raises(ChannelError, match="sms http"):
        HTTPSMSBackend().send(to="+33639980001", text="x")


def test_the_http_adapter_refuses_a_url_that_is_not_http(settings):
    settings.SMS_HTTP_URL = "file:///etc/passwd"
    with pytest.raises(ChannelError, match="not an http"):
        HTTPSMSBackend().send(to="+33639980001", text="x")


def test_the_file_backend_appends_one_json_line_per_message(settings, tmp_path):
    settings.SMS_FILE_PATH = str(tmp_path / "sms" / "outbox.log")
    FileSMSBackend().send(to="+33639980001", text="Premier")
    FileSMSBackend().send(to="+33639980002", text="Deuxième")
    lines = [json.loads(line) for line in (tmp_path / "sms" / "outbox.log").read_text().splitlines()]
    assert [(line["to"], line["text"]) for line in lines] == [("+33639980001", "Premier"), ("+33639980002", "Deuxième")]


def test_the_console_backend_prints_the_message(capsys):
    ConsoleSMSBackend().send(to="+33639980001", text="Bonjour")
    assert capsys.readouterr().out == "SMS to +33639980001: Bonjour\n"
