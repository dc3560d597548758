"""What FAPI401 knows about background tasks and heavy work, by qualified name.

The call lists are ``fnmatch`` patterns (case-sensitive, ``*`` crosses dots) on the
qualified name of a callee, as the project index records it: ``smtplib.SMTP``,
``smtplib.SMTP.sendmail``, ``httpx.AsyncClient.post``.  They are the defaults of the
rule's ``heavy-calls`` / ``cheap-calls`` options and are listed in its documentation.
"""

from __future__ import annotations

import re

BACKGROUND_TASKS_CLASSES = frozenset(
    {
        "fastapi.BackgroundTasks",
        "fastapi.background.BackgroundTasks",
        "starlette.background.BackgroundTasks",
    }
)

BACKGROUND_TASK_CLASSES = frozenset({"starlette.background.BackgroundTask"})

ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})

PARTIALS = frozenset({"functools.partial"})

# Sleeps are heavy only with a literal delay of at least LONG_SLEEP_SECONDS.
SLEEP_CALLS = frozenset({"time.sleep", "asyncio.sleep", "anyio.sleep", "trio.sleep"})
LONG_SLEEP_SECONDS = 1.0

# Libraries whose every call is I/O or heavy CPU work, and a few single functions.
HEAVY_CALLS: tuple[str, ...] = (
    # Network I/O: HTTP clients.
    "requests.*",
    "httpx.*",
    "aiohttp.*",
    "urllib.request.*",
    "urllib3.*",
    "http.client.*",
    # Mail.
    "smtplib.*",
    "aiosmtplib.*",
    "fastapi_mail.*",
    "emails.*",
    "sendgrid.*",
    # Cloud SDKs.
    "boto3.*",
    "botocore.*",
    "aioboto3.*",
    "aiobotocore.*",
    "google.cloud.*",
    "azure.*",
    "firebase_admin.*",
    # LLM clients.
    "openai.*",
    "anthropic.*",
    "litellm.*",
    "cohere.*",
    "mistralai.*",
    "google.generativeai.*",
    "google.genai.*",
    # Messaging and payment SDKs.
    "slack_sdk.*",
    "twilio.*",
    "stripe.*",
    # Subprocesses.
    "subprocess.*",
    "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell",
    "anyio.run_process",
    "anyio.open_process",
    "os.system",
    "os.popen",
    "os.spawn*",
    # Report and file generation.
    "pandas.*",
    "openpyxl.*",
    "xlsxwriter.*",
    "reportlab.*",
    "weasyprint.*",
    "PIL.*",
    "matplotlib.*",
    "fpdf.*",
    "pdfkit.*",
    "xhtml2pdf.*",
)

# Known cheap callables: an unresolved task matching one is never flagged by name.
CHEAP_CALLS: tuple[str, ...] = (
    "builtins.*",
    "logging.*",
    "structlog.*",
    "loguru.*",
    "warnings.*",
    "os.remove",
    "os.unlink",
    "os.rmdir",
    "shutil.rmtree",
    "pathlib.Path.unlink",
)

# Names that betray heavy work, for a task defined outside the project.  Matched
# against the last part of its qualified name, lowercased.
HEAVY_NAME_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("send_*mail*", re.compile(r"^send_.*mail")),
    ("*report*", re.compile(r"report")),
    ("*webhook*", re.compile(r"webhook")),
    ("*notify*", re.compile(r"notify")),
    ("*export*", re.compile(r"export")),
    # "async" is not "sync".
    ("*sync*", re.compile(r"(?<!a)sync")),
)

# The task queues FAPI401's fix can move work to (its `task-queue` option).
TASK_QUEUES = ("arq", "celery")
