"""Japanese-aware retrieval for the assistant, independent of Django: the same code serves the web
process (``yakuba.assistant.search``) and ``yakuba assistant eval``. See docs/assistant.md."""
