"""``council search`` keeps listing passages (the API groups them into items), each result with its
ids, item-page url and citation object."""

from __future__ import annotations

import json

from click.testing import CliRunner

from indexer.cli import main


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_search_json_lists_passages_with_citation_objects(api_index_dir):
    r = _run("search", "social worker retention", "-k", "4", "--index-dir", api_index_dir, "--model", "hash-32",
             "--json")
    assert r.exit_code == 0, r.output
    body = json.loads(r.output)
    assert set(body) == {"query", "results"} and len(body["results"]) == 4
    for res in body["results"]:
        assert res["url"] == f"/view/items/{res['item_id']}?highlight={res['id']}"
        assert res["citation"]["text"].startswith(res["committee"] + ", ")


def test_search_text_prints_the_citation_line(api_index_dir):
    r = _run("search", "social worker retention", "-k", "2", "--index-dir", api_index_dir, "--model", "hash-32")
    assert r.exit_code == 0, r.output
    assert r.output.startswith("[1] Education and Children's Services Scrutiny Board (2), ")
    assert "{'text'" not in r.output
