"""Real servers for the tests, each on a free port of 127.0.0.1 and stopped afterwards: an SMTP
server (aiosmtpd) that keeps what it receives, a chat-webhook server that records the calls, and
a private Dovecot (IMAP) with its own configuration in a temporary folder."""

import grp
import json
import os
import pwd
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from imapclient import IMAPClient

DOVECOT = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- SMTP ----------------------------------------------------------------------------------------


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: object  # email.message.EmailMessage

    def __getitem__(self, header):
        value = self.message[header]
        return None if value is None else str(value).strip()

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()


class _Handler:
    def __init__(self, server: "SmtpServer") -> None:
        self.server = server

    async def handle_DATA(self, smtp_server, session, envelope):
        parsed = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        with self.server.lock:
            self.server.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), parsed)
            )
        return "250 OK"


@dataclass
class SmtpServer:
    port: int = 0
    received: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    controller: object = None

    def start(self) -> "SmtpServer":
        self.port = self.port or free_port()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]

    def settings(self) -> dict:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_TIMEOUT": 5,
        }


# --- chat webhooks -------------------------------------------------------------------------------


@dataclass
class Call:
    path: str
    query: dict
    body: dict


class WebhookServer:
    """Answers like WeCom and DingTalk ({"errcode": 0}) and Slack ("ok"); records each call."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.answer_errcode = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                parts = urlsplit(self.path)
                server.calls.append(Call(parts.path, parse_qs(parts.query), body))
                if parts.path.startswith("/slack"):
                    payload, kind = b"ok", "text/plain"
                else:
                    answer = {"errcode": server.answer_errcode, "errmsg": "ok"}
                    payload, kind = json.dumps(answer).encode(), "application/json"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> "WebhookServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


# --- Dovecot -------------------------------------------------------------------------------------

DOVECOT_CONF = """\
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{base}/mail/%u
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 1
first_valid_gid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


class Dovecot:
    """A private Dovecot: its own config, users file and maildirs in `base`, one IMAP port."""

    user = "support@example.com"
    password = "imap-pass"

    def __init__(self, base: Path) -> None:
        # `base` must be reachable by Dovecot's unprivileged processes: a folder of /tmp itself.
        self.base = base
        self.port = free_port()
        self.process = None

    def start(self) -> "Dovecot":
        for folder in ("run", "state", "mail"):
            (self.base / folder).mkdir(parents=True, exist_ok=True)
        # Dovecot never gives mail access to root: as root (CI), the mail belongs to the
        # package's own unprivileged user.
        account = pwd.getpwnam("dovecot") if os.getuid() == 0 else pwd.getpwuid(os.getuid())
        group = grp.getgrgid(account.pw_gid)
        if os.getuid() == 0:
            os.chown(self.base / "mail", account.pw_uid, account.pw_gid)
            self.base.chmod(0o755)  # Dovecot's auth process reads the users file
        (self.base / "users").write_text(f"{self.user}:{{PLAIN}}{self.password}\n")
        config = self.base / "dovecot.conf"
        config.write_text(
            DOVECOT_CONF.format(
                base=self.base,
                port=self.port,
                uid=account.pw_uid,
                gid=account.pw_gid,
                user=account.pw_name,
                group=group.gr_name,
            )
        )
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                time.sleep(0.1)
        log_file = self.base / "dovecot.log"
        log = log_file.read_text() if log_file.exists() else ""
        self.stop()
        raise RuntimeError(f"Dovecot did not start: {log[-2000:]}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None

    @property
    def url(self) -> str:
        return f"imap://{self.user.replace('@', '%40')}:{self.password}@127.0.0.1:{self.port}/INBOX"

    def client(self):
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(self.user, self.password)
        return client

    def deliver(self, *messages: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            for raw in messages:
                client.append(folder, raw)
        finally:
            client.logout()
