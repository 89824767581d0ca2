"""``yakuba bench debit``: the 口座振替 files (see bench/README.md); ``yakuba bench register`` is in
bench_register.py."""

import dataclasses
import datetime as dt
import time
from collections import defaultdict
from typing import Any

DEBIT_DB_ACCOUNTS = 2_000  # the database part: a month's run for this many demo households


def _best(fn: Any, *, budget: float, rounds: int = 3) -> float:
    """The fastest of up to ``rounds`` calls, stopping early once ``budget`` seconds are spent."""
    best = float("inf")
    spent = 0.0
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        took = time.perf_counter() - started
        best, spent = min(best, took), spent + took
        if spent >= budget:
            break
    return best


def _debit_families(fiscal_year: int, month: int, limit: int) -> list[tuple[list[str], list[str]]]:
    """(parents, children under school age) of households of the current register, read from the
    residents module's linkage extract (``residents_extract``, audited)."""
    from yakuba.core.era import PartialDate
    from yakuba.payments.childcare import age_class, calendar_month
    from yakuba.residents import interface as residents

    first, _last = calendar_month(fiscal_year, month)
    households: dict[str, list[tuple[str, str, dt.date | None]]] = defaultdict(list)
    rows = residents.residents_extract(
        actor="bench", purpose="yakuba bench debit: households with pre-school children"
    )
    for row in rows:
        born = PartialDate.from_db(row["birth_date"]).as_date() if row["birth_date"] else None
        households[row["setai_no"]].append((row["atena_no"], row["relationship"], born))
    families = []
    for members in households.values():
        parents = [no for no, rel, _b in members if rel in ("世帯主", "妻", "夫")][:2]
        children = [
            no
            for no, rel, born in members
            if rel == "子" and born is not None and born < first and age_class(born, fiscal_year) <= 5
        ]
        if parents and children:
            families.append((parents, children))
        if len(families) == limit:
            break
    return families


def _debit_db(stdout: Any, accounts: int) -> dict[str, float]:
    """``run_generate`` and ``run_import_results`` on the configured database with up to ``accounts``
    families of the demo city, inside a transaction that is rolled back: nothing stays behind (the
    audit entries written meanwhile are rolled back with it)."""
    from django.db import transaction
    from django.utils import timezone

    from yakuba.core import crypto
    from yakuba.payments import debit, zengin
    from yakuba.payments.childcare import calendar_month
    from yakuba.payments.models import BankAccount, DebitRun, Enrolment, Facility

    today = timezone.localdate()
    current = today.year if today.month >= 4 else today.year - 1
    taken = set(DebitRun.objects.values_list("fiscal_year", "month"))
    # A month whose assessment year (the current or the previous 課税年度) the tax demo has loaded.
    candidates = [(current, m) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)] + [
        (current + 1, m) for m in (4, 5, 6, 7, 8)
    ]
    free = [c for c in candidates if c not in taken]
    if not free:
        raise RuntimeError("every month of this fiscal year already has a run: nothing to measure")
    fiscal_year, month = free[0]
    families = _debit_families(fiscal_year, month, accounts)
    if len(families) < 10:
        raise RuntimeError(
            "too few households with pre-school children: load the demo city first (yakuba demo)"
        )
    enrolled = set(Enrolment.objects.filter(ends_on__isnull=True).values_list("child_atena_no", flat=True))
    first, last = calendar_month(fiscal_year, month)
    next_first = last + dt.timedelta(days=1)
    figures: dict[str, float] = {}
    with transaction.atomic():
        try:
            facility, _created = Facility.objects.get_or_create(code="BENCH", defaults={"name": "bench"})
            number = crypto.encrypt("1234567")
            now = timezone.now()
            rows = BankAccount.objects.bulk_create(
                [
                    BankAccount(
                        payer_atena_no=parents[0],
                        customer_number=f"9{i:019d}",
                        bank_code="0001",
                        bank_name_kana="ﾐｽﾞﾎ",
                        branch_code="001",
                        branch_name_kana="ﾄｳｷﾖｳ",
                        account_type="1",
                        account_number_enc=number,
                        account_last3="567",
                        holder_kana="ﾍﾞﾝﾁ ﾀﾛｳ",
                        mandate_on=first,
                        created_at=now,
                    )
                    for i, (parents, _children) in enumerate(families)
                ],
                batch_size=1000,
            )
            Enrolment.objects.bulk_create(
                [
                    Enrolment(
                        child_atena_no=child,
                        parent_atena_nos=parents,
                        facility=facility,
                        starts_on=first,
                        account=account,
                        created_at=now,
                    )
                    for account, (parents, children) in zip(rows, families, strict=True)
                    for child in children
                    if child not in enrolled
                ],
                batch_size=1000,
            )
            started = time.perf_counter()
            run = debit.run_generate(
                actor="bench",
                fiscal_year=fiscal_year,
                month=month,
                debit_date=next_first - dt.timedelta(days=5),
            )
            figures["db_generate_s"] = time.perf_counter() - started
            request = zengin.parse_file(bytes(run.request_file))
            answered = [
                dataclasses.replace(r, result_code="1" if i % 10 == 3 else "2" if i % 50 == 7 else "0")
                for i, r in enumerate(request.records)
            ]
            data = zengin.build_file(request.header, answered, result=True)
            started = time.perf_counter()
            debit.run_import_results(actor="bench", run_id=run.pk, data=data)
            figures["db_import_s"] = time.perf_counter() - started
            figures["db_accounts"] = float(len(families))
            figures["db_records"] = float(run.records)
            figures["db_left_out"] = float(len(run.notes))
        finally:
            transaction.set_rollback(True)
    return figures


def _debit_import_at_scale(records: int) -> float:
    """``run_import_results`` of a ``records``-record result file on the configured database: the run,
    its items and accounts are made directly (as ``run_generate`` would leave them) inside a
    transaction that is rolled back. Returns seconds."""
    from django.db import transaction
    from django.utils import timezone

    from yakuba.core import crypto
    from yakuba.payments import debit, zengin
    from yakuba.payments.models import BankAccount, DebitItem, DebitRun

    header = zengin.Header("1234567890", "ﾍﾞﾝﾁ", "0626", "0001", "ﾐｽﾞﾎ", "001", "ﾄｳｷﾖｳ", "1", "1234567")
    asked = [
        # day-care sized amounts (the synthetic ones go up to the field's ten digits)
        dataclasses.replace(r, customer_number=f"8{i:019d}", amount=1_000 + i % 60_000)
        for i, r in enumerate(zengin.synthetic_records(records, seed=3))
    ]
    request = zengin.build_file(header, asked)
    answered = zengin.build_file(
        header,
        [dataclasses.replace(r, result_code="1" if i % 10 == 3 else "0") for i, r in enumerate(asked)],
        result=True,
    )
    now = timezone.now()
    number = crypto.encrypt("1234567")
    with transaction.atomic():
        try:
            taken = set(DebitRun.objects.values_list("fiscal_year", "month"))
            year = next(y for y in range(2090, 2200) if (y, 1) not in taken)
            run = DebitRun.objects.create(
                fiscal_year=year,
                month=1,
                debit_date=dt.date(year + 1, 6, 26),
                request_file=request,
                request_sha256="bench",
                records=records,
                total=sum(r.amount for r in asked),
                created_by="bench",
                created_at=now,
            )
            accounts = BankAccount.objects.bulk_create(
                [
                    BankAccount(
                        payer_atena_no="0000000000",
                        customer_number=r.customer_number,
                        bank_code=r.bank_code,
                        bank_name_kana=r.bank_name,
                        branch_code=r.branch_code,
                        branch_name_kana=r.branch_name,
                        account_type=r.account_type,
                        account_number_enc=number,
                        account_last3=r.account_number[-3:],
                        holder_kana=r.account_holder,
                        mandate_on=now.date(),
                        created_at=now,
                    )
                    for r in asked
                ],
                batch_size=2000,
            )
            DebitItem.objects.bulk_create(
                [
                    DebitItem(run=run, account=a, customer_number=r.customer_number, amount=r.amount)
                    for a, r in zip(accounts, asked, strict=True)
                ],
                batch_size=2000,
            )
            started = time.perf_counter()
            debit.run_import_results(actor="bench", run_id=run.pk, data=answered)
            return time.perf_counter() - started
        finally:
            transaction.set_rollback(True)


def bench_debit(*, stdout: Any, seconds: float = 10.0, records: int = 100_000) -> dict[str, float]:
    """口座振替 files: ``zengin.build_file`` of ``records`` synthetic records and ``parse_file`` of a
    result file of as many (pure Python, no database), then, on a database holding the demo city,
    ``run_generate`` and ``run_import_results`` for up to 2,000 accounts inside a rolled-back
    transaction. Prints a table; returns the figures in seconds."""
    from django.db import connections

    from yakuba.payments import zengin

    header = zengin.Header("1234567890", "ﾍﾞﾝﾁ", "0626", "0001", "ﾐｽﾞﾎ", "001", "ﾄｳｷﾖｳ", "1", "1234567")
    request = zengin.synthetic_records(records, seed=1)
    answered = zengin.build_file(header, zengin.synthetic_records(records, seed=2, result=True), result=True)
    budget = max(seconds / 4, 0.1)
    figures: dict[str, float] = {
        "records": float(records),
        "generate_s": round(_best(lambda: zengin.build_file(header, request), budget=budget), 3),
        "import_s": round(_best(lambda: zengin.parse_file(answered, expect_result=True), budget=budget), 3),
        "file_mb": round(len(answered) / 1_000_000, 1),
    }
    figures["db_import_scale_s"] = round(_debit_import_at_scale(records), 3)
    db_note = ""
    try:
        db = _debit_db(stdout, DEBIT_DB_ACCOUNTS)
    except RuntimeError as exc:
        db_note = str(exc)
    else:
        figures.update({k: round(v, 3) for k, v in db.items()})
    vendor = connections["default"].vendor
    stdout.write(
        f"口座振替 (全銀協) files: {records:,} records ({figures['file_mb']} MB); runs on {vendor}\n"
    )
    stdout.write(f"{'figure':<44}{'value':>10}  target\n{'-' * 70}\n")
    rows: list[tuple[str, object, str]] = [
        (f"build_file, {records:,} records (s)", figures["generate_s"], "< 2"),
        (f"parse_file of a result file, {records:,} (s)", figures["import_s"], "< 5"),
        (f"run_import_results, {records:,} records (s)", figures["db_import_scale_s"], "< 5"),
    ]
    if "db_generate_s" in figures:
        n = int(figures["db_accounts"])
        rows += [
            (f"run_generate with fees, {n:,} demo accounts (s)", figures["db_generate_s"], ""),
            (
                f"run_import_results, {int(figures['db_records']):,} records (s)",
                figures["db_import_s"],
                "< 5",
            ),
        ]
    for label, value, target in rows:
        stdout.write(f"{label:<44}{value:>10}  {target}\n")
    if db_note:
        stdout.write(f"database path not measured: {db_note}\n")
    return figures
