"""``yakuba bench kairan``: a large association's circular, on the current database.

Inside a transaction that is rolled back (nothing stays behind, the audit entries included): an
association of 1,000 households in 40 班 with about 1,500 members (half of them asked for
notifications), a circular with an attendance question sent to all (``circulars.circular_send``,
target under 2 s), 700 read receipts and 500 answers, then the officers' read-status page requested
through the Django test client as the association's chair (p50 and p95 over repeated requests, target
p95 under 100 ms) and the number of queries that page runs.
"""

import statistics
import time
from typing import Any

HOUSEHOLDS = 1_000
HAN = 40
READ = 700
ANSWERED = 500
TARGET_SEND_S = 2.0
TARGET_STATUS_P95_MS = 100.0
MIN_REQUESTS = 20
MAX_REQUESTS = 500


def _association() -> tuple[Any, Any, str]:
    """The association, its chair (signed in the real way) and the chair's device key."""
    from yakuba.kairan import members
    from yakuba.kairan.models import Association, Han, Household, Member

    association = Association.objects.create(name="ベンチ自治会")
    Han.objects.bulk_create(
        [Han(association=association, name=f"{k + 1}班", order=k + 1) for k in range(HAN)]
    )
    han = list(Han.objects.filter(association=association).order_by("order"))
    Household.objects.bulk_create(
        [
            Household(
                association=association,
                han=han[i % HAN],
                name=f"世帯{i + 1:04d}",
                paper=i % 10 < 3,  # 3 in 10 still read on paper
                paper_order=i // HAN + 1,
            )
            for i in range(HOUSEHOLDS)
        ],
        batch_size=500,
    )
    households = list(Household.objects.filter(association=association).order_by("pk"))
    _code, token = members.invitation_issue(actor="bench", household=households[0], role=Member.Role.CHAIR)
    chair, key = members.join(invitation=members.invitation_find(token=token), name="会長", label="bench")
    rows: list[Member] = []
    for i, household in enumerate(households):
        for j in range(2 if i % 2 == 0 else 1):  # 1.5 members a household
            n = len(rows)
            notified = n % 2 == 0
            rows.append(
                Member(
                    association=association,
                    household=household,
                    name=f"会員{i + 1:04d}-{j + 1}",
                    channel=Member.Channel.EMAIL if notified else Member.Channel.NONE,
                    email=f"bench{n}@example.jp" if notified else "",
                    digest=notified and n % 5 == 0,
                )
            )
    Member.objects.bulk_create(rows[1:], batch_size=500)  # the chair is household 1's first member
    return association, chair, key


def _readers_and_answers(association: Any, circular: Any) -> None:
    from django.utils import timezone

    from yakuba.kairan.models import Answer, Member, ReadReceipt

    first: dict[int, int] = {}
    for member_id, household_id in (
        Member.objects.filter(association=association).order_by("pk").values_list("pk", "household_id")
    ):
        first.setdefault(household_id, member_id)
    now = timezone.now()
    readers = list(first.items())[:READ]
    ReadReceipt.objects.bulk_create(
        [ReadReceipt(circular=circular, household_id=h, member_id=m, read_at=now) for h, m in readers],
        batch_size=500,
    )
    question = circular.questions.get()
    Answer.objects.bulk_create(
        [
            Answer(
                question=question,
                household_id=h,
                member_id=m,
                value={"attend": i % 3 != 0, "count": (i % 4 + 1) if i % 3 != 0 else 0},
                answered_at=now,
            )
            for i, (h, m) in enumerate(readers[:ANSWERED])
        ],
        batch_size=500,
    )


def bench_kairan(*, stdout: Any, seconds: float = 10.0) -> dict[str, float]:
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse

    from yakuba.kairan import circulars, members
    from yakuba.kairan.models import Member, Notification

    figures: dict[str, float] = {}
    with transaction.atomic(), override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        try:
            association, chair, key = _association()
            circular = circulars.circular_save(
                author=chair,
                title="総会のお知らせ（ごみ当番の確認）",
                body="<p>4月の総会のお知らせです。</p><p>ご出欠をお知らせください。</p>",
                due_on=None,
                han_ids=[],
            )
            circulars.question_add(
                circular=circular, actor=chair, kind="attendance", prompt="総会に出席しますか"
            )
            started = time.perf_counter()
            queued = circulars.circular_send(circular=circular, actor=chair)
            figures["send_s"] = round(time.perf_counter() - started, 3)
            figures["households"] = float(HOUSEHOLDS)
            figures["members"] = float(Member.objects.filter(association=association).count())
            figures["notifications"] = float(queued)
            if Notification.objects.filter(association=association).count() != queued:
                raise RuntimeError("circular_send queued a different number of notifications than it said")
            _readers_and_answers(association, circular)

            client = Client()
            client.cookies[members.COOKIE] = key
            url = reverse("kairan:circular_status", args=[circular.pk])
            secure = bool(getattr(settings, "SECURE_SSL_REDIRECT", False))
            first = client.get(url, secure=secure)  # warms the municipality row and the templates
            if first.status_code != 200:
                raise RuntimeError(f"the read-status page answered {first.status_code}")
            with CaptureQueriesContext(connection) as queries:
                client.get(url, secure=secure)
            figures["status_queries"] = float(len(queries.captured_queries))
            timings: list[float] = []
            deadline = time.perf_counter() + seconds
            while len(timings) < MIN_REQUESTS or (
                time.perf_counter() < deadline and len(timings) < MAX_REQUESTS
            ):
                started = time.perf_counter()
                response = client.get(url, secure=secure)
                timings.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"the read-status page answered {response.status_code}")
            started = time.perf_counter()
            rows = circulars.read_status(circular)
            figures["read_status_ms"] = round((time.perf_counter() - started) * 1000, 1)
            figures["status_rows"] = float(len(rows))
            figures["status_requests"] = float(len(timings))
            figures["status_p50_ms"] = round(statistics.median(timings), 1)
            figures["status_p95_ms"] = round(statistics.quantiles(timings, n=20)[18], 1)
        finally:
            transaction.set_rollback(True)

    stdout.write(
        f"Circulars of an association of {HOUSEHOLDS:,} households in {HAN} 班 on {connection.vendor} "
        "(rolled back)\n"
    )
    stdout.write(f"{'figure':<44}{'value':>10}  target\n{'-' * 70}\n")
    rows_out: list[tuple[str, object, str]] = [
        ("members", int(figures["members"]), ""),
        ("circular_send, notifications queued", int(figures["notifications"]), ""),
        ("circular_send (s)", figures["send_s"], f"< {TARGET_SEND_S:.0f}"),
        ("read_status service, 1,000 rows (ms)", figures["read_status_ms"], ""),
        (
            f"read-status page p50 (ms, {int(figures['status_requests'])} requests)",
            figures["status_p50_ms"],
            "",
        ),
        ("read-status page p95 (ms)", figures["status_p95_ms"], f"< {TARGET_STATUS_P95_MS:.0f}"),
        ("read-status page queries", int(figures["status_queries"]), "constant"),
    ]
    for label, value, target in rows_out:
        stdout.write(f"{label:<44}{value!s:>10}  {target}\n")
    return figures
