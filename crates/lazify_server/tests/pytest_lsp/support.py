"""Helpers for the pytest-lsp tests of `lazify server`: the client factory, a temporary project, requests
and notifications that wait for the diagnostics they cause, and an independent implementation of LSP
positions that applies the server's edits as an editor does (so a wrong encoding shows up as a wrong text).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import pathlib
import subprocess
from typing import Any

import pytest
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

LAZIFY_BIN = os.environ.get("LAZIFY_BIN")
if not LAZIFY_BIN or not pathlib.Path(LAZIFY_BIN).is_file():
    raise pytest.UsageError(
        f"LAZIFY_BIN must name the lazify binary (got {LAZIFY_BIN!r}); "
        "run these tests through `cargo test -p lazify_server --test pytest_lsp`"
    )

TIMEOUT = 20.0

# A module whose imports get different verdicts: `os` is used at import time (kept); `json`, `numpy` and the
# two names from `requests` are used only inside functions. Same as the in-process tests (tests/e2e).
SAMPLE = '''"""Reports."""
import os
import json
import numpy as np
from requests import get, post

DEBUG = os.environ.get("DEBUG")


def load(path):
    return json.loads(path), np.zeros(3)


def fetch(url):
    return get(url), post(url)
'''

PY315 = '[project]\nname = "demo"\nrequires-python = ">=3.15"\n'


def _record_diagnostics(client: LanguageClient, params: types.PublishDiagnosticsParams):
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)


def _record_registration(client: LanguageClient, params: types.RegistrationParams):
    """Accepts `client/registerCapability` as VS Code does, and keeps what the server asked for."""
    client.registrations.extend(params.registrations)
    return None


def make_client() -> LanguageClient:
    """pytest-lsp's client, which also keeps every `publishDiagnostics` (with its version) in order, and every
    registration the server asks for."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []
    client.registrations = []
    # Set once `exit` is sent (by `shutdown` or by the test), so that the fixture does not send it again.
    client.lazify_done = False
    features = {
        **DEFAULT_CLIENT_FEATURES,
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _record_diagnostics,
        types.CLIENT_REGISTER_CAPABILITY: _record_registration,
    }
    register_lsp_features(client, features)
    return client


async def shutdown(client: LanguageClient) -> int | None:
    """Sends `shutdown` then `exit` (pytest-lsp's `shutdown_session`); returns the server's exit status."""
    client.lazify_done = True
    await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
    return client._server.returncode if client._server else None


class Project:
    """A temporary project directory."""

    def __init__(self, root: pathlib.Path):
        self.root = root

    def write(self, relative: str, text: str) -> pathlib.Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def path(self, relative: str) -> pathlib.Path:
        return self.root / relative

    def uri(self, relative: str) -> str:
        return (self.root / relative).as_uri()


async def initialize(
    client: LanguageClient,
    project: Project | None = None,
    capabilities: types.ClientCapabilities | None = None,
    options: Any = None,
) -> types.InitializeResult:
    params = types.InitializeParams(
        process_id=None,
        capabilities=capabilities or types.ClientCapabilities(),
        root_uri=project.root.as_uri() if project else None,
        initialization_options=options,
    )
    return await asyncio.wait_for(client.initialize_session(params), TIMEOUT)


async def published(
    client: LanguageClient, uri: str, after: int, version: int | None = None
) -> types.PublishDiagnosticsParams:
    """The first `publishDiagnostics` for `uri` (and `version`, if given) among those received after the
    first `after` ones."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while True:
        for params in client.published[after:]:
            if params.uri == uri and (version is None or params.version == version):
                return params
        if loop.time() > deadline:
            seen = [(p.uri, p.version) for p in client.published[after:]]
            raise AssertionError(f"no publishDiagnostics for {uri} version {version}; got {seen}")
        await asyncio.sleep(0.01)


async def open_document(client: LanguageClient, uri: str, text: str) -> types.PublishDiagnosticsParams:
    """`didOpen` at version 1; returns the diagnostics published for it."""
    mark = len(client.published)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        )
    )
    return await published(client, uri, mark, version=1)


async def change_document(
    client: LanguageClient, uri: str, version: int, changes: list[Any]
) -> types.PublishDiagnosticsParams:
    """`didChange` with `changes` (whole-document text or partial events); returns the new diagnostics."""
    mark = len(client.published)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=changes,
        )
    )
    return await published(client, uri, mark, version=version)


def whole(text: str) -> types.TextDocumentContentChangeWholeDocument:
    return types.TextDocumentContentChangeWholeDocument(text=text)


async def configure(client: LanguageClient, uri: str, settings: Any) -> types.PublishDiagnosticsParams:
    """`workspace/didChangeConfiguration`; returns the diagnostics republished for `uri`."""
    mark = len(client.published)
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=settings))
    return await published(client, uri, mark)


async def code_actions(
    client: LanguageClient,
    uri: str,
    range_: types.Range,
    only: list[str] | None = None,
    diagnostics: list[types.Diagnostic] | None = None,
) -> list[types.CodeAction]:
    result = await asyncio.wait_for(
        client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=range_,
                context=types.CodeActionContext(diagnostics=diagnostics or [], only=only),
            )
        ),
        TIMEOUT,
    )
    result = result or []
    assert all(isinstance(a, types.CodeAction) for a in result), result
    return result


def bindings(params: types.PublishDiagnosticsParams) -> list[str]:
    """The names the diagnostics are about, from their `data`."""
    return [d.data["binding"] for d in params.diagnostics]


def edits_for(edit: types.WorkspaceEdit, uri: str) -> list[types.TextEdit]:
    """The text edits of `uri` in a workspace edit, from `changes` or from `documentChanges`."""
    if edit.document_changes is not None:
        assert edit.changes is None, edit
        return [e for dc in edit.document_changes if dc.text_document.uri == uri for e in dc.edits]
    assert edit.changes is not None, edit
    return list(edit.changes.get(uri, []))


# LSP positions, computed here independently of the server.


def _units(ch: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(ch.encode("utf-8"))
    if encoding == "utf-16":
        return len(ch.encode("utf-16-le")) // 2
    assert encoding == "utf-32", encoding
    return 1


def offset(text: str, position: types.Position, encoding: str = "utf-16") -> int:
    """The string index of an LSP position; fails on a line past the end or a column inside a character."""
    start = 0
    for _ in range(position.line):
        newline = text.find("\n", start)
        assert newline != -1, f"line {position.line} is past the end of the text"
        start = newline + 1
    end = text.find("\n", start)
    end = len(text) if end == -1 else end
    units = 0
    index = start
    while units < position.character:
        assert index < end, f"column {position.character} is past the end of line {position.line}"
        units += _units(text[index], encoding)
        index += 1
    assert units == position.character, f"column {position.character} splits a character"
    return index


def position(text: str, index: int, encoding: str = "utf-16") -> types.Position:
    line = text.count("\n", 0, index)
    line_start = text.rfind("\n", 0, index) + 1
    return types.Position(line=line, character=sum(_units(c, encoding) for c in text[line_start:index]))


def range_of(text: str, needle: str, encoding: str = "utf-16", start: int = 0) -> types.Range:
    index = text.index(needle, start)
    return types.Range(start=position(text, index, encoding), end=position(text, index + len(needle), encoding))


def slice_of(text: str, range_: types.Range, encoding: str = "utf-16") -> str:
    return text[offset(text, range_.start, encoding) : offset(text, range_.end, encoding)]


def apply(text: str, edits: list[types.TextEdit], encoding: str = "utf-16") -> str:
    """Applies LSP text edits as an editor does: all positions refer to the original text; none overlap."""
    spans = sorted(
        (offset(text, e.range.start, encoding), offset(text, e.range.end, encoding), e.new_text) for e in edits
    )
    for (_, end, _), (start, _, _) in itertools.pairwise(spans):
        assert end <= start, f"overlapping edits: {edits}"
    for start, end, new in reversed(spans):
        text = text[:start] + new + text[end:]
    return text


def full_range(text: str) -> types.Range:
    return types.Range(start=types.Position(line=0, character=0), end=position(text, len(text)))


def cli_fixed(path: pathlib.Path, text: str, *args: str) -> str:
    """What the command line makes of `text` as the file `path` (stdin mode): the reference for fixes."""
    out = subprocess.run(
        [LAZIFY_BIN, *args, "--stdin-filename", str(path), "-"],
        input=text.encode(),
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert out.returncode == 0, out.stderr.decode()
    return out.stdout.decode()
