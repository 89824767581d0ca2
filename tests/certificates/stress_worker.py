"""A kiosk terminal process for test_wrong_person (started with multiprocessing's "spawn", so it
sets Django up itself against the test database)."""

import os
import random
import subprocess


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yakuba.settings")
    import django

    django.setup()


def terminal(args: tuple[int, str, str, str, int, float]) -> list[str]:
    """One store terminal: card in, certificate, print; a print that times out is left to the
    watchdog. Returns every problem seen (empty when all is well)."""
    from django.db import connections
    from django.utils import timezone

    from tests.certificates.helpers import flat, insert_card, open_hours
    from yakuba.certificates import services
    from yakuba.certificates.documents import Options
    from yakuba.certificates.models import Issuance

    index, serial, holder, holder_name, count, timeout_share = args
    services.local_now = open_hours
    name = f"T{index:03d}"
    rng = random.Random(index)
    problems: list[str] = []
    previous_timed_out: str | None = None
    try:
        for n in range(count):
            session = insert_card(terminal=name, serial=serial)
            if session.atena_no != holder:
                problems.append(f"{name}: session for {session.atena_no}, card holder {holder}")
            if previous_timed_out:
                # The next applicant at this terminal must never receive the timed-out document.
                try:
                    services.kiosk_pdf(token=session.token, terminal=name, number=previous_timed_out)
                    problems.append(f"{name}: timed-out {previous_timed_out} handed to a later session")
                except services.CertificateError:
                    pass
                previous_timed_out = None
            issuance = services.kiosk_issue(
                token=session.token,
                terminal=name,
                type_code="juminhyo",
                scope="self",
                options=Options(),
                idempotency_key=f"{name}-{n}",
            )
            if issuance.atena_nos != [holder] or issuance.subject_atena_no != holder:
                problems.append(f"{name}: {issuance.number} names {issuance.atena_nos}, card holder {holder}")
            pdf = services.kiosk_pdf(token=session.token, terminal=name, number=issuance.number)
            if n % 50 == 0:  # read the printed words of a sample of the documents too
                result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
                if flat(holder_name) not in flat(result.stdout.decode()):
                    problems.append(f"{name}: {issuance.number} does not show {holder_name}")
            if rng.random() < timeout_share:
                # The printer never answers: the watchdog voids the job once its deadline has passed.
                Issuance.objects.filter(number=issuance.number).update(print_deadline=timezone.now())
                services.void_unprinted()
                previous_timed_out = issuance.number
            else:
                services.kiosk_printed(token=session.token, terminal=name, number=issuance.number, ok=True)
            services.kiosk_end(token=session.token, terminal=name)
    finally:
        connections.close_all()
    return problems
