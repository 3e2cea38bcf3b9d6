"""One Settings object, built once at startup and passed in (never read at import time).

Every field can be set with an environment variable ``COUNCIL_<NAME>``; each is documented
in the README's settings table (a test checks that).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COUNCIL_", extra="ignore")

    index_dir: Path = Field(Path("data/index"), description="Directory holding the index.")
    corpus_root: Path | None = Field(
        None, description="Folder that source paths are relative to; source downloads never leave it."
    )
    model: str = Field("all-MiniLM-L6-v2", description="Embedding model: all-MiniLM-L6-v2, multilingual-e5-small or hash-32.")
    vector_index: Literal["flat", "hnsw", "ivf"] = Field(
        "flat", description="FAISS index kind: exact inner product (flat) or approximate (hnsw, ivf)."
    )
    ray_address: str | None = Field(
        None, description="`council index` embeds new passages on this Ray cluster (ray://host:10001 or host:6379; "
                          "`local` starts a Ray on this machine). Needs the `cluster` extra. Unset: embeds in-process.")
    ray_workers: int | None = Field(
        None, description="Ray embedding workers (each loads the model once); unset: one per CPU of the cluster.")
    chunk_words: int = Field(180, description="Largest chunk, in words (the model reads 256 tokens).")
    chunk_overlap_words: int = Field(20, description="Words repeated between pieces of a long item.")
    fusion: Literal["rrf", "weighted"] = Field(
        "weighted", description="How dense and BM25 rankings are fused (weighted: sum of min-max normalised scores).")
    rrf_k: int = Field(60, description="The k constant of reciprocal rank fusion.")
    dense_weight: float = Field(0.7, description="Weight of the dense ranking in fusion (BM25 has 1; chosen by `council eval`).")
    bm25_weight: float = Field(1.0, description="Weight of the BM25 ranking in fusion.")
    candidates: int = Field(100, description="How many results each retriever passes to fusion.")
    title_boost: float = Field(0.0, description="Extra fused score when query words match the item title.")
    minute_boost: float = Field(0.5, description="Extra fused score when the query names the item's minute number.")
    date_boost: float = Field(0.3, description="Extra fused score when the query names the meeting's month or year.")
    sentence_boost: float = Field(
        0.7, description="Extra fused score, times the idf-weighted share of the query's words found in one sentence of "
                         "the passage, for the best 15 candidates (0 turns it off; chosen by `council eval`).")
    acronyms: int = Field(
        1, ge=0, le=2, description="Add the other form of an abbreviation the papers define (DfE / Department for Education) to the "
                       "query: 0 off, 1 for BM25, 2 for BM25 and the embedder (chosen by `council eval`).")
    decision_boost: float = Field(
        0.4, description="Extra fused score for candidates holding a RESOLVED block when the query asks what was "
                         "resolved, decided, agreed, recommended or asked for.")
    recency_boost: float = Field(
        0.4, description="Extra fused score, rising with the meeting date, when the query says last, latest, most "
                         "recent, current, now or still.")
    attendance_boost: float = Field(
        0.6, description="Extra fused score for the minutes' list of who was present when the query asks who came, "
                         "attended, spoke or took part.")
    abstain_threshold: float = Field(
        0.36, description="Below this cosine of the best passage, or of the best sentence it would quote (plus word-coverage, "
                          "year and answer-type checks), /ask abstains; "
                          "0 or less turns abstention off.")
    host: str = Field("127.0.0.1", description="Address `council serve` listens on.")
    port: int = Field(8000, description="Port `council serve` listens on.")
    member_token: str | None = Field(
        None, description="Token that members and officers present to see restricted (Part B) papers."
    )
    max_request_bytes: int = Field(1_000_000, description="Largest request body the API accepts.")
    ask_rate_limit: str = Field(
        "20/minute", description="Questions (POST /ask and the form's ask mode) one client may send, such as "
                                 "20/minute or 100/hour; over it the answer is 429 with Retry-After. Empty: no limit.")
    behind_proxy: bool = Field(
        False, description="A trusted reverse proxy sets X-Forwarded-For and X-Forwarded-Proto: the rate limit "
                           "counts the forwarded client, and the member cookie is Secure when the proxy spoke HTTPS.")
    llm_url: str | None = Field(
        None, description="Base URL of an OpenAI-compatible chat-completions endpoint (such as "
                          "http://127.0.0.1:8080/v1); when set, /ask also asks it for a generative answer, "
                          "checked against the passages. Unset: extractive answers only, no HTTP call.")
    llm_model: str = Field("default", description="Model name sent to the chat-completions endpoint.")
    llm_api_key: SecretStr | None = Field(
        None, description="API key for the chat-completions endpoint, sent as a Bearer token (never printed).")
    llm_timeout: float = Field(
        20.0, description="Seconds to wait for the chat-completions endpoint before keeping the extractive answer.")
