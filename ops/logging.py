"""One JSON object per log line, with the request id of the work under way. Log calls pass
ids, never personal data (no addresses, names or texts)."""

import json
import logging
from datetime import UTC, datetime

from ops.context import request_id
from ops.watchdog import PING_TASK

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get()
        return True


class QuietPingsFilter(logging.Filter):
    """Drops Celery's received/succeeded lines of the watchdog's pings (ops.watchdog): sent every
    few seconds to every worker, they would bury the lines of the real tasks."""

    def filter(self, record: logging.LogRecord) -> bool:
        data = getattr(record, "data", None)
        return not (isinstance(data, dict) and data.get("name") == PING_TASK)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)
