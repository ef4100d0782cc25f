"""An SMTP server (aiosmtpd) that accepts every message and appends one JSON line per message
and recipient to a log file: arrival time, recipient, Message-ID, the SLA alert and ticket it is
about. A process of its own, so that the fault campaign can stop it and hang it (SIGSTOP).

    python bench/smtp_sink.py PORT LOGFILE
"""

import json
import signal
import sys
import threading
import time
from email.parser import BytesHeaderParser

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, path: str) -> None:
        self.log = open(path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 (process-long)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        headers = BytesHeaderParser().parsebytes(envelope.original_content)
        arrived = time.time()
        with self.lock:
            for recipient in envelope.rcpt_tos:
                line = {
                    "t": arrived,
                    "to": recipient,
                    "message_id": headers.get("Message-ID", ""),
                    "alert": headers.get("X-SLA-Alert", ""),
                    "ticket": headers.get("X-Support-Ticket", ""),
                    "auto": headers.get("Auto-Submitted", ""),
                }
                self.log.write(json.dumps(line) + "\n")
        return "250 OK"


def main() -> None:
    port, path = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Recorder(path), hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
