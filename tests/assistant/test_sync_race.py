"""Two syncs of one source at once (the nightly cron and a 「今すぐ同期」 click) do not race on the same
pages: one runs, the other is refused with a Japanese message, and no page or passage is lost or
doubled. Proven on PostgreSQL (SQLite serialises writers)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.concurrency import race
from yakuba.assistant.demo import DEMO_SITE
from yakuba.assistant.ingest import sync_source
from yakuba.assistant.models import Page, Passage, Source


@pytest.fixture
def folder_source(db):
    return Source.objects.create(
        name="デモ", kind=Source.Kind.FOLDER, location=str(DEMO_SITE), base_url="/city/"
    )


@pytest.mark.django_db(transaction=True)
def test_two_syncs_at_once_one_runs_and_nothing_is_doubled(postgres_only, folder_source):
    results = race([lambda: sync_source(Source.objects.get(pk=folder_source.pk)) for _ in range(2)])
    assert [kind for kind, _value in results] == ["ok", "ok"]
    summaries = sorted((r.added, [m for _where, m in r.failed]) for _kind, r in results)
    assert summaries == [(0, ["この情報源はいま同期中です。終わってからもう一度試してください。"]), (19, [])]
    assert Page.objects.count() == 19
    positions = list(Passage.objects.values_list("page_id", "position"))
    assert len(positions) == len(set(positions))
    assert Source.objects.get(pk=folder_source.pk).sync_started_at is None


def test_a_sync_left_running_by_a_dead_process_does_not_block_forever(folder_source):
    Source.objects.filter(pk=folder_source.pk).update(
        sync_started_at=timezone.now() - dt.timedelta(minutes=5)
    )
    refused = sync_source(Source.objects.get(pk=folder_source.pk))
    assert refused.added == 0 and refused.failed
    Source.objects.filter(pk=folder_source.pk).update(sync_started_at=timezone.now() - dt.timedelta(hours=3))
    assert sync_source(Source.objects.get(pk=folder_source.pk)).added == 19
