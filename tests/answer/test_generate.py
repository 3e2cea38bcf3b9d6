"""Optional generative answers (indexer/generate.py): used when checked, extractive otherwise.

No network: a fake OpenAI-compatible endpoint (``httpx.MockTransport``) stands behind the HTTP
client, except for one test that times out against a slow server on localhost. The index is
conftest's hash-embedder ``api_index``; the question retrieves the fixture pack's public
library report, whose sentences the fake replies paraphrase.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import pytest

from indexer.answer import generate
from indexer.answer.ask import ask
from indexer.common.settings import Settings
from indexer.common.text import Idf

QUESTION = "when will library opening hours be extended on Saturdays?"
URL = "http://llm.test/v1"
KEY = "sk-test-secret-4f1c9e0b"


class FakeEndpoint:
    """An OpenAI-compatible chat-completions endpoint: records requests, answers with ``reply``."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.reply: str | None = None  # the content of the first choice
        self.respond = None  # or a function request -> httpx.Response (or raising)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.respond is not None:
            return self.respond(request)
        return httpx.Response(200, json={"choices": [{"index": 0, "message": {"role": "assistant",
                                                                             "content": self.reply}}]})

    @property
    def body(self) -> dict:
        return json.loads(self.requests[-1].content)


@pytest.fixture
def endpoint(monkeypatch) -> FakeEndpoint:
    fake = FakeEndpoint()
    monkeypatch.setattr(generate, "_client", lambda s: httpx.Client(transport=httpx.MockTransport(fake.handler),
                                                                     timeout=s.llm_timeout))
    return fake


def on(**kw) -> Settings:
    return Settings(abstain_threshold=0, llm_url=URL, **kw)


@pytest.fixture
def extractive(api_index) -> dict:
    """The answer with generation off; its citations are the passages the model is shown."""
    out = ask(api_index, QUESTION, settings=Settings(abstain_threshold=0))
    assert out["answered"] and out["citations"]
    return out


def cite(out: dict, words: str) -> int:
    """The 1-based number of the first citation whose text holds ``words``."""
    return next(n for n, c in enumerate(out["citations"], start=1) if words in c["text"])


# ---------------------------------------------------------------------------- used when supported

def test_supported_reply_is_the_answer(api_index, endpoint, extractive):
    n = cite(extractive, "extended on Saturdays")
    f = cite(extractive, "funded from the existing budget")
    endpoint.reply = (f"From April, libraries will open for longer on Saturdays [{n}]. "
                      f"The Saturday change is paid for from the existing budget [{f}].")
    out = ask(api_index, QUESTION, settings=on())
    assert out["answer"] == (f"From April, libraries will open for longer on Saturdays. [{n}] "
                             f"The Saturday change is paid for from the existing budget. [{f}]")
    assert out["citations"] == extractive["citations"] and out["answered"] is True
    assert {"question", "answered", "answer", "citations", "timeline"} <= set(out)  # the contract only grows


def test_request_carries_numbered_passages_and_bounds(api_index, endpoint, extractive):
    endpoint.reply = "The library opening hours will be extended on Saturdays from April [1]."
    ask(api_index, QUESTION, settings=on(llm_model="qwen2.5-3b"))
    (req,) = endpoint.requests
    assert req.method == "POST" and str(req.url) == f"{URL}/chat/completions"
    body = endpoint.body
    assert body["model"] == "qwen2.5-3b" and body["temperature"] == 0
    assert 0 < body["max_tokens"] <= 1000
    system, user = body["messages"]
    assert system["role"] == "system" and "ONLY" in system["content"] and "[1]" in system["content"]
    for n, c in enumerate(extractive["citations"], start=1):
        assert f"[{n}] {c['citation']['text']}\n" in user["content"]
    assert QUESTION in user["content"]


def test_marker_after_the_full_stop_stays_with_its_sentence(api_index, endpoint, extractive):
    n = cite(extractive, "extended on Saturdays")
    endpoint.reply = f"Library opening hours will be extended on Saturdays from April. [{n}]"
    out = ask(api_index, QUESTION, settings=on())
    assert out["answer"] == f"Library opening hours will be extended on Saturdays from April. [{n}]"


# ---------------------------------------------------------------------------- sentences dropped

def test_sentence_its_passage_does_not_support_is_dropped(api_index, endpoint, extractive):
    n = cite(extractive, "extended on Saturdays")
    endpoint.reply = (f"Library opening hours will be extended on Saturdays from April [{n}]. "
                      f"The council will close three swimming pools to pay for new bus lanes [{n}]. "
                      f"The library will close its swimming pools and sell the bus depot in April [{n}].")
    out = ask(api_index, QUESTION, settings=on())
    assert out["answer"] == f"Library opening hours will be extended on Saturdays from April. [{n}]"


def test_sentence_without_a_marker_is_dropped(api_index, endpoint, extractive):
    n = cite(extractive, "extended on Saturdays")
    endpoint.reply = ("Libraries matter to residents. "
                      f"Library opening hours will be extended on Saturdays from April [{n}].")
    out = ask(api_index, QUESTION, settings=on())
    assert out["answer"] == f"Library opening hours will be extended on Saturdays from April. [{n}]"


def test_out_of_range_marker_is_dropped(api_index, endpoint, extractive):
    n = cite(extractive, "extended on Saturdays")
    k = len(extractive["citations"])
    endpoint.reply = (f"Library opening hours will be extended on Saturdays from April [{n}]. "
                      f"The Saturday change is funded from the existing budget [{k + 1}]. "
                      f"Saturday opening hours are extended from April [0].")
    out = ask(api_index, QUESTION, settings=on())
    assert out["answer"] == f"Library opening hours will be extended on Saturdays from April. [{n}]"


def test_number_not_in_the_cited_passage_is_dropped(api_index, endpoint, extractive):
    f = cite(extractive, "funded from the existing budget")
    endpoint.reply = (f"Opening hours at 40 branch libraries stay as they are on weekdays [{f}]. "
                      f"Opening hours at branch libraries stay as they are on weekdays [{f}].")
    out = ask(api_index, QUESTION, settings=on())
    assert out["answer"] == f"Opening hours at branch libraries stay as they are on weekdays. [{f}]"


# ---------------------------------------------------------------------------- fallbacks

def test_nothing_supported_falls_back_to_extractive(api_index, endpoint, extractive, caplog):
    endpoint.reply = "The council will close three swimming pools to pay for new bus lanes [1]. No idea [2]."
    with caplog.at_level(logging.WARNING, logger="indexer.answer.generate"):
        out = ask(api_index, QUESTION, settings=on())
    assert out == extractive
    assert "extractive" in caplog.text


def _raise(exc):
    def respond(request):
        raise exc("boom: secret internals", request=request)
    return respond


@pytest.mark.parametrize("respond", [
    _raise(httpx.ReadTimeout),
    _raise(httpx.ConnectError),
    lambda r: httpx.Response(500, text="internal error: secret internals"),
    lambda r: httpx.Response(401, json={"error": "bad key"}),
    lambda r: httpx.Response(200, text="<html>secret internals</html>"),
    lambda r: httpx.Response(200, json={"error": {"message": "secret internals"}}),
    lambda r: httpx.Response(200, json={"choices": []}),
    lambda r: httpx.Response(200, json={"choices": [{"message": {"content": None}}]}),
    lambda r: httpx.Response(200, json={"choices": [{"message": {"content": "  <think>hmm</think> "}}]}),
    lambda r: httpx.Response(200, json=["not", "an", "object"]),
    _raise(lambda *a, **k: RuntimeError("secret internals")),
], ids=["timeout", "connect", "500", "401", "not-json", "no-choices", "empty-choices", "null-content",
        "only-thinking", "json-list",
        "unexpected"])
def test_failures_fall_back_to_extractive_and_log(api_index, endpoint, extractive, caplog, respond):
    endpoint.respond = respond
    with caplog.at_level(logging.INFO):
        out = ask(api_index, QUESTION, settings=on())
    assert len(endpoint.requests) == 1
    assert out == extractive
    assert any(r.levelno == logging.WARNING and r.name == "indexer.answer.generate" for r in caplog.records)
    assert "secret internals" not in json.dumps(out) and "secret internals" not in caplog.text


def test_slow_server_times_out_to_extractive(api_index, extractive):
    """A real HTTP client against a real (local) server that answers too late."""
    class Slow(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            time.sleep(3)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *a):
            pass

    server = HTTPServer(("127.0.0.1", 0), Slow)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings = Settings(abstain_threshold=0, llm_url=f"http://127.0.0.1:{server.server_port}/v1/",
                            llm_timeout=0.3)
        start = time.monotonic()
        out = ask(api_index, QUESTION, settings=settings)
        assert time.monotonic() - start < 2.5
        assert out == extractive
    finally:
        server.shutdown()
        server.server_close()


def test_refusal_falls_back_to_extractive(api_index, endpoint, extractive):
    endpoint.reply = "The passages do not answer this."
    assert ask(api_index, QUESTION, settings=on()) == extractive


# ---------------------------------------------------------------------------- off by default

def test_off_by_default_makes_no_request(api_index, endpoint, extractive, monkeypatch):
    monkeypatch.delenv("COUNCIL_LLM_URL", raising=False)
    assert Settings().llm_url is None
    endpoint.reply = "Library opening hours will be extended on Saturdays from April [1]."
    for settings in (Settings(abstain_threshold=0), Settings(abstain_threshold=0, llm_url=""), None):
        ask(api_index, QUESTION, settings=settings)
    assert endpoint.requests == []


def test_generative_answer_is_off_without_a_url(api_index, endpoint):
    from indexer.retrieve.search import search

    results = search(api_index, QUESTION, 5)
    assert generate.generative_answer(QUESTION, results, Settings(), IDF) is None
    assert generate.generative_answer(QUESTION, results, None, IDF) is None
    assert endpoint.requests == []


def test_not_asked_when_the_system_abstains(api_index, endpoint):
    out = ask(api_index, "what did the board decide about the tram extension?",
              settings=Settings(abstain_threshold=2.0, llm_url=URL))
    assert out["answered"] is False and endpoint.requests == []


def test_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("COUNCIL_LLM_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setenv("COUNCIL_LLM_MODEL", "llama3.2")
    monkeypatch.setenv("COUNCIL_LLM_API_KEY", KEY)
    monkeypatch.setenv("COUNCIL_LLM_TIMEOUT", "5")
    s = Settings()
    assert (s.llm_url, s.llm_model, s.llm_timeout) == ("http://127.0.0.1:11434/v1", "llama3.2", 5.0)
    assert s.llm_api_key.get_secret_value() == KEY


# ---------------------------------------------------------------------------- the key

def test_api_key_is_a_bearer_header_and_never_printed(api_index, endpoint, caplog):
    settings = on(llm_api_key=KEY)
    assert KEY not in repr(settings) and KEY not in str(settings) and KEY not in settings.model_dump_json()
    endpoint.reply = "Library opening hours will be extended on Saturdays from April [1]. Unsupported aside."
    with caplog.at_level(logging.DEBUG):
        ask(api_index, QUESTION, settings=settings)
        endpoint.respond = lambda r: httpx.Response(401, json={"error": "bad key"})
        out = ask(api_index, QUESTION, settings=settings)
    assert [r.headers["authorization"] for r in endpoint.requests] == [f"Bearer {KEY}"] * 2
    assert KEY not in caplog.text and KEY not in json.dumps(out)


def test_no_key_no_authorization_header(api_index, endpoint):
    endpoint.reply = "Library opening hours will be extended on Saturdays from April [1]."
    ask(api_index, QUESTION, settings=on())
    assert "authorization" not in endpoint.requests[0].headers


# ---------------------------------------------------------------------------- check_reply alone

PASSAGES = ["The number of social workers has increased each year to 328 (310 FTE) as at September 2019.",
            "Library opening hours will be extended on Saturdays from April."]
IDF = Idf(PASSAGES + ["The board noted the report.", "Social care budgets were discussed."])


@pytest.mark.parametrize("reply, kept", [
    ("Social workers rose to 328 by September 2019 [1].", [("Social workers rose to 328 by September 2019.", [1])]),
    ("Social workers rose to 329 by September 2019 [1].", []),  # the figure is not in the passage
    ("Social workers rose to 328 by September 2019 [2].", []),  # the wrong passage
    ("Social workers rose to 328 [1, 2].", []),  # a marker riding on a passage that shares none of its words
    ("Saturday library hours grow from April [2] and social workers rose to 328 [1].",
     [("Saturday library hours grow from April and social workers rose to 328.", [2, 1])]),
    ("Social workers rose to 328 by September 2019.", []),
    # shares "social workers" with [1], but not what it claims (idf-weighted share 0.17)
    ("Social workers went on strike over pay cuts [1].", []),
])
def test_check_reply(reply, kept):
    assert generate.check_reply(reply, PASSAGES, IDF)[0] == kept
