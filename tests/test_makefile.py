"""Every `council` command the Makefile runs is one the CLI accepts (`make eval` once called an
option that did not exist)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import main

REPO = Path(__file__).resolve().parent.parent
MAKEFILE = (REPO / "Makefile").read_text()
VARS = dict(re.findall(r"^(\w+)\s*\?=\s*(\S+)", MAKEFILE, re.M))
COMMANDS = [line for line in re.findall(r"\$\(BIN\)/council ([^;\n]+)", MAKEFILE)]


def test_the_makefile_runs_council():
    assert {c.split()[0] for c in COMMANDS} >= {"index", "serve", "eval"}


@pytest.mark.parametrize("command", COMMANDS)
def test_makefile_council_command_parses(command):
    args = shlex.split(re.sub(r"\$\((\w+)\)", lambda m: VARS[m[1]], command))
    result = CliRunner().invoke(main, [*args, "--help"])  # --help: parse every option, run nothing
    assert result.exit_code == 0, result.output
