"""``yakuba assistant <subcommand>``: the assistant on the command line.

yakuba assistant eval --dataset DIR [--json] [--vectors FILE]
    index DIR/corpus.json on its own, run DIR/queries.json, score against DIR/qrels.json
yakuba assistant sync [--source ID]
    fetch the sources (sitemaps, URL lists, folders) and update changed pages
yakuba assistant ask QUESTION [--lang ja|easy|en] [--json]
    ask as a resident would, from the command line
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yakuba.assistant.retrieval.evaluate import METRICS, evaluate, load
from yakuba.assistant.retrieval.index import WordVectorEmbedder

LABELS = {
    "hit@1": "Hit@1",
    "hit@3": "Hit@3",
    "hit@10": "Hit@10",
    "ndcg@10": "nDCG@10",
    "mrr@10": "MRR@10",
    "recall@10": "Recall@10",
    "abstain_rate": "abstention rate",
    "p50_ms": "p50 latency (ms)",
    "p95_ms": "p95 latency (ms)",
}


class Command(BaseCommand):
    help = "The assistant: evaluate retrieval on a dataset, sync sources, or ask a question."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        ev = sub.add_parser("eval", help="retrieval metrics on a corpus/queries/qrels dataset")
        ev.add_argument("--dataset", required=True, help="folder with corpus.json, queries.json, qrels.json")
        ev.add_argument("--json", action="store_true", help="print one JSON object")
        ev.add_argument("--vectors", default="", help="word2vec text file to fuse word vectors (optional)")
        sync = sub.add_parser("sync", help="fetch the sources and update changed pages")
        sync.add_argument("--source", type=int, default=None, help="only this source (its id)")
        ask = sub.add_parser("ask", help="ask a question as a resident would")
        ask.add_argument("question")
        ask.add_argument("--lang", default="ja", choices=["ja", "easy", "en"])
        ask.add_argument("--json", action="store_true")
        purge = sub.add_parser("purge", help="delete conversations older than --days")
        purge.add_argument("--days", type=int, default=365)

    def handle(self, *args: Any, **options: Any) -> None:
        handlers = {"eval": self._eval, "sync": self._sync, "ask": self._ask, "purge": self._purge}
        handlers[options["subcommand"]](options)

    def _eval(self, options: dict[str, Any]) -> None:
        directory = Path(options["dataset"])
        missing = [n for n in ("corpus.json", "queries.json", "qrels.json") if not (directory / n).is_file()]
        if missing:
            raise CommandError(f"{directory} に {', '.join(missing)} がありません。")
        try:
            corpus, queries, qrels = load(directory)
        except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(f"データセットを読めませんでした: {exc}") from None
        if not all(isinstance(x, dict) for x in (corpus, queries, qrels)):
            raise CommandError(
                "corpus.json、queries.json、qrels.json はどれもJSONオブジェクトにしてください。"
            )
        embedder = WordVectorEmbedder(options["vectors"]) if options["vectors"] else None
        metrics, build = evaluate(
            {str(k): str(v) for k, v in corpus.items()},
            {str(k): str(v) for k, v in queries.items()},
            qrels,
            embedder=embedder,
        )
        if options["json"]:
            self.stdout.write(json.dumps({k: round(metrics[k], 4) for k in METRICS}))
            return
        self.stdout.write(
            f"{int(build['documents'])} documents indexed in {build['build_s']:.2f} s, "
            f"{int(build['queries'])} queries"
        )
        width = max(len(v) for v in LABELS.values())
        for key in METRICS:
            value = metrics[key]
            shown = f"{value:.2f}" if key.endswith("_ms") else f"{value:.3f}"
            self.stdout.write(f"{LABELS[key]:<{width}}  {shown:>8}")

    def _sync(self, options: dict[str, Any]) -> None:
        from yakuba.assistant.ingest import sync_all

        results = sync_all(source_id=options["source"])
        if not results:
            raise CommandError("同期する情報源がありません（有効な情報源を登録してください）。")
        for source, result in results:
            self.stdout.write(f"{source.name}: {result.summary()}")

    def _ask(self, options: dict[str, Any]) -> None:
        from yakuba.assistant.answer import compose

        result = compose(options["question"], lang=options["lang"])
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(result.text)
        for c in result.citations:
            self.stdout.write(f"[{c.number}] {c.title} {c.url}")
        if result.contact:
            self.stdout.write(f"問い合わせ先: {result.contact.name} {result.contact.phone}")

    def _purge(self, options: dict[str, Any]) -> None:
        from datetime import timedelta

        from django.utils import timezone

        from yakuba.assistant.models import Conversation

        days = options["days"]
        if days < 1:
            raise CommandError("--days は1以上にしてください。")
        cutoff = timezone.now() - timedelta(days=days)
        _deleted, by_model = Conversation.objects.filter(started_at__lt=cutoff).delete()
        exchanges = by_model.get("assistant.Exchange", 0)
        conversations = by_model.get("assistant.Conversation", 0)
        self.stdout.write(
            f"{conversations} conversations and {exchanges} exchanges older than {days} days deleted"
        )
