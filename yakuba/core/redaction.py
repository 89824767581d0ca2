"""Keep 個人番号 out of logs and error reports.

Any run of 12 digits in a log record is replaced: a 個人番号 is never needed in a log, and a false
positive (an unrelated 12-digit number) costs nothing.
"""

import logging
import re

MYNUMBER_PATTERN = re.compile(r"(?<!\d)\d{4}[ -]?\d{4}[ -]?\d{4}(?!\d)")


def redact(text: str) -> str:
    return MYNUMBER_PATTERN.sub("************", text)


class RedactMyNumberFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks carry exception messages that may echo input; keep the type, drop the text.
            exc_type = record.exc_info[0]
            record.exc_info = None
            record.exc_text = redact(f"{exc_type.__name__ if exc_type else 'Exception'} (details redacted)")
        return True
