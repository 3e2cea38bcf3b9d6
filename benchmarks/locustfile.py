"""What one user of the site does, for benchmarks/load.py (locust, headless).

A mix of what members and officers do: searches typed into the box (the JSON API and the web
page), questions asked, and the pages they open (a meeting, the meetings list, the
recommendations list). The queries come from ``LOAD_QUERIES`` and ``LOAD_QUESTIONS`` (files of one
per line, written by load.py) so that the same mix runs against any index.
"""

from __future__ import annotations

import os
import random

from locust import HttpUser, between, task


def _lines(var: str, fallback: list[str]) -> list[str]:
    path = os.environ.get(var)
    if path and os.path.isfile(path):
        got = [line.strip() for line in open(path, encoding="utf-8") if line.strip()]
        if got:
            return got
    return fallback


QUERIES = _lines("LOAD_QUERIES", ["budget", "school places", "minutes"])
QUESTIONS = _lines("LOAD_QUESTIONS", ["what was decided about the budget?"])


class Member(HttpUser):
    wait_time = between(0.0, 0.2)

    def on_start(self) -> None:
        self.rng = random.Random(id(self))

    @task(6)
    def search_api(self) -> None:
        self.client.get("/search", params={"q": self.rng.choice(QUERIES), "k": 10}, name="/search")

    @task(3)
    def search_page(self) -> None:
        self.client.get("/", params={"q": self.rng.choice(QUERIES)}, name="/?q= (search page)")

    @task(2)
    def ask(self) -> None:
        self.client.post("/ask", json={"question": self.rng.choice(QUESTIONS)}, name="/ask")

    @task(1)
    def pages(self) -> None:
        path = self.rng.choice(["/view/meetings", "/view/recommendations", "/"])
        self.client.get(path, name="pages")
