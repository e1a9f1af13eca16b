"""Fixtures for the pytest-lsp tests of `lazify server`.

`client` is pytest-lsp's client connected over stdio to `$LAZIFY_BIN server`, not yet initialized (each test
chooses its capabilities and options). After the test it sends `shutdown` and `exit` unless the test did, and
checks that the server then exits with status 0.
"""

from __future__ import annotations

import pathlib

import pytest
import pytest_lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from support import LAZIFY_BIN, PY315, Project, make_client, shutdown


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[LAZIFY_BIN, "server"], client_factory=make_client))
async def client(lsp_client: LanguageClient):
    yield
    if not lsp_client.lazify_done and lsp_client.capabilities is not None:
        assert await shutdown(lsp_client) == 0, "the server's exit status after shutdown and exit"


@pytest.fixture
def project(tmp_path: pathlib.Path) -> Project:
    """A project whose `pyproject.toml` says `requires-python = ">=3.15"` (so the style is `lazy`)."""
    project = Project(tmp_path)
    project.write("pyproject.toml", PY315)
    return project


@pytest.fixture
def bare_project(tmp_path: pathlib.Path) -> Project:
    """A project without settings files (no target version known)."""
    return Project(tmp_path)
