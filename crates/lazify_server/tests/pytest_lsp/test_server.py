"""Request/response tests of `lazify server` with pytest-lsp's client, over stdio, against the real binary.

Fixes are checked by applying the returned edits to the test's copy of the text and comparing with what the
command line (`lazify - --stdin-filename PATH`) makes of the same text, or with the one-statement change a
quick fix promises.
"""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidRequest, JsonRpcMethodNotFound
from pytest_lsp import LanguageClient, client_capabilities

from support import (
    SAMPLE,
    TIMEOUT,
    apply,
    bindings,
    change_document,
    cli_fixed,
    code_actions,
    configure,
    edits_for,
    full_range,
    initialize,
    open_document,
    position,
    published,
    range_of,
    shutdown,
    slice_of,
    whole,
)

FIX_ALL = "source.fixAll.lazify"


def quickfixes(actions: list[types.CodeAction]) -> list[types.CodeAction]:
    return [a for a in actions if a.kind == types.CodeActionKind.QuickFix]


async def test_initialize_announces_code_actions_and_incremental_sync(client: LanguageClient, project):
    result = await initialize(client, project)
    assert result.server_info is not None
    assert result.server_info.name == "lazify"
    assert result.server_info.version
    capabilities = result.capabilities
    provider = capabilities.code_action_provider
    assert isinstance(provider, types.CodeActionOptions), provider
    assert list(provider.code_action_kinds) == ["quickfix", FIX_ALL]
    assert provider.resolve_provider is False
    sync = capabilities.text_document_sync
    assert isinstance(sync, types.TextDocumentSyncOptions), sync
    assert sync.open_close is True
    assert sync.change == types.TextDocumentSyncKind.Incremental
    # A client that offers no encodings gets UTF-16, the protocol's default.
    assert capabilities.position_encoding == types.PositionEncodingKind.Utf16
    # Hover explains an import's verdict (issue 17); nothing else is claimed: no completion or formatting.
    assert capabilities.hover_provider is True
    assert capabilities.completion_provider is None
    assert capabilities.document_formatting_provider is None


@pytest.mark.parametrize(
    ("offered", "expected"),
    [
        (["utf-32", "utf-8", "utf-16"], "utf-32"),
        (["utf-8", "utf-16"], "utf-8"),
        (["utf-16"], "utf-16"),
    ],
)
async def test_initialize_negotiates_the_clients_preferred_encoding(client: LanguageClient, offered, expected):
    capabilities = types.ClientCapabilities(general=types.GeneralClientCapabilities(position_encodings=offered))
    result = await initialize(client, capabilities=capabilities)
    assert result.capabilities.position_encoding == expected


# Non-ASCII text before the imports, on an import's line and inside a module name.
UNICODE = '"""Ünïcödé 𝄞."""\nclef = "𝄞"; import numpy\nimport café\n\n\ndef f():\n    return numpy.zeros(1), café.x\n'


@pytest.mark.parametrize(
    ("encoding", "numpy_column"),
    # `clef = "𝄞"; import ` is 22 bytes, 20 UTF-16 units and 19 code points.
    [("utf-8", 22), ("utf-16", 20), ("utf-32", 19)],
)
async def test_positions_follow_the_negotiated_encoding(client: LanguageClient, project, encoding, numpy_column):
    capabilities = types.ClientCapabilities(general=types.GeneralClientCapabilities(position_encodings=[encoding]))
    result = await initialize(client, project, capabilities=capabilities)
    assert result.capabilities.position_encoding == encoding
    uri = project.uri("uni.py")
    diagnostics = (await open_document(client, uri, UNICODE)).diagnostics
    assert [slice_of(UNICODE, d.range, encoding) for d in diagnostics] == ["numpy", "café"]
    assert diagnostics[0].range.start.character == numpy_column

    fix_all = await code_actions(client, uri, full_range(UNICODE), only=[FIX_ALL])
    fixed = apply(UNICODE, edits_for(fix_all[0].edit, uri), encoding)
    assert fixed == cli_fixed(project.path("uni.py"), UNICODE)
    assert "; lazy import numpy\nlazy import café\n" in fixed

    at_cafe = await code_actions(client, uri, range_of(UNICODE, "café", encoding), only=["quickfix"])
    one = apply(UNICODE, edits_for(at_cafe[0].edit, uri), encoding)
    assert one == UNICODE.replace("\nimport café", "\nlazy import café")


async def test_open_publishes_one_diagnostic_per_deferrable_name(client: LanguageClient, project):
    await initialize(client, project)
    uri = project.uri("app/report.py")
    params = await open_document(client, uri, SAMPLE)
    assert params.version == 1
    assert bindings(params) == ["json", "np", "get", "post"]
    assert [slice_of(SAMPLE, d.range) for d in params.diagnostics] == ["json", "numpy as np", "get", "post"]
    for d in params.diagnostics:
        assert d.code == "LZF001"
        assert d.source == "lazify"
        # `information` by default (issue 17).
        assert d.severity == types.DiagnosticSeverity.Information
    messages = [d.message for d in params.diagnostics]
    # Worded once, in the engine: the command line's report says the same.
    assert messages[0] == "Make `import json` lazy (used only in deferred code)"
    assert messages[1] == "Make `import numpy as np` lazy (used only in deferred code)"
    assert all(d.data["decision"]["style"] == "lazy" for d in params.diagnostics)
    assert all("`from requests import " in m for m in messages[2:]), messages
    # `os` is used at import time: no diagnostic anywhere on its line.
    assert all(d.range.start.line != 1 for d in params.diagnostics)

    mark = len(client.published)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert list((await published(client, uri, mark)).diagnostics) == []


async def test_quick_fix_makes_one_import_lazy_with_a_minimal_edit(client: LanguageClient, project):
    await initialize(client, project)
    uri = project.uri("report.py")
    await open_document(client, uri, SAMPLE)
    actions = await code_actions(client, uri, range_of(SAMPLE, "json"))
    fixes = quickfixes(actions)
    # Named as ruff names its fixes: tool, code, then the fix title the finding carries.
    assert [a.title for a in fixes] == ["lazify (LZF001): Make `json` lazy", "Keep this import eager"]
    make_lazy = fixes[0]
    assert make_lazy.is_preferred is True
    assert [d.data["binding"] for d in make_lazy.diagnostics] == ["json"]
    # One zero-width insertion of the keyword at the start of the statement, nothing else.
    edits = edits_for(make_lazy.edit, uri)
    assert len(edits) == 1, edits
    (edit,) = edits
    assert edit.new_text == "lazy "
    assert edit.range.start == edit.range.end == types.Position(line=2, character=0)
    text = apply(SAMPLE, edits)
    assert text == SAMPLE.replace("\nimport json\n", "\nlazy import json\n")
    assert "lazy import json" in text
    # The whole-file fix is offered at the same place, after the quick fixes.
    assert [a.kind for a in actions if a not in fixes] == [FIX_ALL]

    # The editor applies the edit and sends the new text: `json` has no diagnostic any more.
    params = await change_document(client, uri, 2, [whole(text)])
    assert bindings(params) == ["np", "get", "post"]


async def test_keep_action_appends_the_pragma_and_silences_the_statement(client: LanguageClient, project):
    await initialize(client, project)
    uri = project.uri("report.py")
    await open_document(client, uri, SAMPLE)
    fixes = quickfixes(await code_actions(client, uri, range_of(SAMPLE, "post")))
    assert [a.title for a in fixes] == [
        "lazify (LZF001): Make `from requests import get, post` lazy",
        "Keep this import eager",
    ]
    keep = fixes[1]
    # One action for the statement, linked to the diagnostics of both of its names.
    assert sorted(d.data["binding"] for d in keep.diagnostics) == ["get", "post"]
    edits = edits_for(keep.edit, uri)
    assert len(edits) == 1 and edits[0].range.start == edits[0].range.end, edits
    text = apply(SAMPLE, edits)
    assert text == SAMPLE.replace("get, post\n", "get, post  # lazify: keep\n")
    params = await change_document(client, uri, 2, [whole(text)])
    assert bindings(params) == ["json", "np"]


@pytest.mark.parametrize("only", [[FIX_ALL], ["source.fixAll"], ["source"]])
async def test_fix_all_gives_the_command_lines_text(client: LanguageClient, project, only):
    await initialize(client, project)
    on_disk = "import os\nprint(os.sep)\n"
    path = project.write("report.py", on_disk)
    uri = project.uri("report.py")
    await open_document(client, uri, SAMPLE)
    actions = await code_actions(client, uri, full_range(SAMPLE), only=only)
    assert [(a.title, a.kind) for a in actions] == [("Fix all deferrable imports (lazify)", FIX_ALL)]
    edits = edits_for(actions[0].edit, uri)
    # Three statements become lazy: three insertions of the keyword.
    assert [(e.new_text, e.range.start == e.range.end, e.range.start.character) for e in edits] == [
        ("lazy ", True, 0)
    ] * 3
    fixed = apply(SAMPLE, edits)
    assert fixed == cli_fixed(path, SAMPLE)
    assert "\nlazy import json\nlazy import numpy as np\nlazy from requests import get, post\n" in fixed
    assert "\nimport os\n" in fixed
    # The server analysed the buffer, not the file, and wrote nothing.
    assert path.read_text() == on_disk


async def test_asking_for_quick_fixes_only_gives_no_source_action(client: LanguageClient, project):
    await initialize(client, project)
    uri = project.uri("report.py")
    await open_document(client, uri, SAMPLE)
    actions = await code_actions(client, uri, full_range(SAMPLE), only=["quickfix"])
    assert actions and all(a.kind == types.CodeActionKind.QuickFix for a in actions), actions
    assert await code_actions(client, uri, full_range(SAMPLE), only=["refactor"]) == []


async def test_full_and_incremental_changes_update_the_diagnostics(client: LanguageClient, project):
    await initialize(client, project)
    uri = project.uri("report.py")
    text = SAMPLE
    await open_document(client, uri, text)

    # Incremental: insert a module-level use of `json`; it is now needed at import time and stays eager.
    inserted = 'SCHEMA = json.loads("{}")\n'
    at = position(text, text.index("\n\n\ndef load") + 1)
    change = types.TextDocumentContentChangePartial(range=types.Range(start=at, end=at), text=inserted)
    text = apply(text, [types.TextEdit(range=change.range, new_text=inserted)])
    params = await change_document(client, uri, 2, [change])
    assert params.version == 2
    assert bindings(params) == ["np", "get", "post"]

    # Three partial changes in one notification, each relative to the previous one's result: delete the
    # inserted line, then rename `post` to `put` at the call and at the import.
    changes = []
    for old, new in [(inserted, ""), ("post(url)", "put(url)"), ("get, post", "get, put")]:
        change = types.TextDocumentContentChangePartial(range=range_of(text, old), text=new)
        text = apply(text, [types.TextEdit(range=change.range, new_text=new)])
        changes.append(change)
    assert text == SAMPLE.replace("post", "put")
    params = await change_document(client, uri, 3, changes)
    assert bindings(params) == ["json", "np", "get", "put"]

    # The server's buffer is the client's: the whole-file fix applies to the client's copy and gives what
    # the command line makes of that copy.
    actions = await code_actions(client, uri, full_range(text), only=[FIX_ALL])
    fixed = apply(text, edits_for(actions[0].edit, uri))
    assert fixed == cli_fixed(project.path("report.py"), text)

    # A full change replaces everything: back to the sample, back to its four diagnostics.
    params = await change_document(client, uri, 4, [whole(SAMPLE)])
    assert bindings(params) == ["json", "np", "get", "post"]


async def test_did_change_configuration_switches_to_style_local(client: LanguageClient, project):
    await initialize(client, project)
    uri = project.uri("report.py")
    await open_document(client, uri, SAMPLE)

    params = await configure(client, uri, {"lazify": {"style": "local", "severity": "warning"}})
    assert bindings(params) == ["json", "np", "get", "post"]
    for d in params.diagnostics:
        assert d.severity == types.DiagnosticSeverity.Warning
        assert d.message.startswith("Move `") and d.message.endswith("into the functions that use it (used only in deferred code)"), d.message
        assert d.data["decision"]["style"] == "local"
    fixes = quickfixes(await code_actions(client, uri, range_of(SAMPLE, "json")))
    # `json` and `numpy` go into the same function, one insertion for both: one fix, whose title names both;
    # `requests` goes elsewhere and stays a fix of its own.
    assert fixes[0].title == (
        "lazify (LZF001): Move `import json`, `import numpy as np` into the functions that use them"
    )
    assert sorted(d.data["binding"] for d in fixes[0].diagnostics) == ["json", "np"]
    one = apply(SAMPLE, edits_for(fixes[0].edit, uri))
    assert "\nimport json\n" not in one and "    import json\n" in one, one
    assert "\nfrom requests import get, post\n" in one, one

    fix_all = await code_actions(client, uri, full_range(SAMPLE), only=[FIX_ALL])
    fixed = apply(SAMPLE, edits_for(fix_all[0].edit, uri))
    assert fixed == cli_fixed(project.path("report.py"), SAMPLE, "--style", "local")
    assert "lazy " not in fixed

    # A new configuration replaces the old one: the style comes from `requires-python` again.
    params = await configure(client, uri, {"keep": ["numpy"]})
    assert bindings(params) == ["json", "get", "post"]
    assert all(
        d.severity == types.DiagnosticSeverity.Information and d.data["decision"]["style"] == "lazy"
        for d in params.diagnostics
    )

    # A bad value is shown to the user and ignored; the other keys still apply.
    params = await configure(client, uri, {"lazify": {"style": "eager", "keep": ["requests"]}})
    assert bindings(params) == ["json", "np"]
    shown = [m.message for m in client.messages]
    assert any("unknown style `eager`" in m for m in shown), shown


async def test_initialization_options_apply_from_the_start(client: LanguageClient, bare_project):
    # No settings files: without options the style would be `lazy-modules` (no target version known).
    await initialize(
        client,
        bare_project,
        options={"targetVersion": "py315", "keep": ["requests"], "severity": "hint"},
    )
    uri = bare_project.uri("script.py")
    params = await open_document(client, uri, SAMPLE)
    assert bindings(params) == ["json", "np"]
    for d in params.diagnostics:
        assert d.severity == types.DiagnosticSeverity.Hint
        assert d.data["decision"]["style"] == "lazy", d.data


async def test_without_options_or_settings_files_the_style_is_lazy_modules(client: LanguageClient, bare_project):
    await initialize(client, bare_project)
    uri = bare_project.uri("script.py")
    params = await open_document(client, uri, SAMPLE)
    assert bindings(params) == ["json", "np", "get", "post"]
    assert all(d.data["decision"]["style"] == "lazy-modules" for d in params.diagnostics), params.diagnostics
    fixes = quickfixes(await code_actions(client, uri, range_of(SAMPLE, "numpy")))
    # The imports share the one list: its quick fix covers them all and its title says so.
    assert fixes[0].title == "lazify (LZF001): Add `json`, `numpy`, `requests` to `__lazy_modules__`"
    assert sorted(d.data["binding"] for d in fixes[0].diagnostics) == ["get", "json", "np", "post"]


async def test_a_syntax_error_gets_no_fixes_and_other_files_are_still_served(client: LanguageClient, project):
    await initialize(client, project)
    broken_uri = project.uri("broken.py")
    broken = "import numpy\n\ndef f(:\n    return numpy\n"
    params = await open_document(client, broken_uri, broken)
    assert list(params.diagnostics) == []
    assert await code_actions(client, broken_uri, full_range(broken)) == []
    assert await code_actions(client, broken_uri, range_of(broken, "numpy")) == []

    good_uri = project.uri("good.py")
    assert bindings(await open_document(client, good_uri, SAMPLE)) == ["json", "np", "get", "post"]

    # Repairing the buffer brings the diagnostic back.
    params = await change_document(client, broken_uri, 2, [whole(broken.replace("def f(:", "def f():"))])
    assert bindings(params) == ["numpy"]


@pytest.mark.parametrize(
    ("client_spec", "versioned"),
    [("visual-studio-code@v1.65.2", True), ("neovim@v0.10.0", False)],
)
async def test_real_clients_capabilities(client: LanguageClient, project, client_spec, versioned):
    """The capabilities pytest-lsp recorded from real editors: VS Code takes versioned `documentChanges`,
    Neovim plain `changes`; both get UTF-16."""
    result = await initialize(client, project, capabilities=client_capabilities(client_spec))
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf16
    uri = project.uri("report.py")
    await open_document(client, uri, SAMPLE)
    await change_document(client, uri, 7, [whole(SAMPLE)])
    actions = await code_actions(client, uri, full_range(SAMPLE), only=[FIX_ALL])
    edit = actions[0].edit
    if versioned:
        assert edit.changes is None
        assert [(dc.text_document.uri, dc.text_document.version) for dc in edit.document_changes] == [(uri, 7)]
    else:
        assert edit.document_changes is None and list(edit.changes) == [uri]
    assert "lazy import json" in apply(SAMPLE, edits_for(edit, uri))
    # A client that can register file watchers dynamically is asked for one on Python files and the project
    # settings (VS Code's recorded capabilities say it can; Neovim's 0.6 ones say it cannot).
    watched = client_capabilities(client_spec).workspace.did_change_watched_files
    if watched is not None and watched.dynamic_registration:
        methods = [r.method for r in client.registrations]
        assert methods == [types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
        globs = [w["globPattern"] for w in client.registrations[0].register_options["watchers"]]
        assert any(g.endswith(".py") for g in globs) and any("pyproject.toml" in g for g in globs)
    else:
        assert client.registrations == []


async def test_unknown_requests_get_method_not_found(client: LanguageClient, project):
    await initialize(client, project)
    params = types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=project.uri("x.py")),
        position=types.Position(line=0, character=0),
    )
    with pytest.raises(JsonRpcMethodNotFound):
        await asyncio.wait_for(client.text_document_definition_async(params), TIMEOUT)


async def test_hover_explains_the_verdict(client: LanguageClient, project):
    await initialize(client, project)
    uri = project.uri("app/report.py")
    await open_document(client, uri, SAMPLE)

    async def hover(line: int, character: int):
        params = types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
        )
        return await asyncio.wait_for(client.text_document_hover_async(params), TIMEOUT)

    # `import json` (line 3) is rewritten; `import os` (line 2) is kept, with the proof's place linked.
    rewritten = await hover(2, 8)
    assert rewritten.contents.kind == types.MarkupKind.Markdown
    assert rewritten.contents.value.startswith("**lazify** `LZF001`: `import json` is rewritten (style `lazy`)")
    assert rewritten.range == types.Range(types.Position(2, 7), types.Position(2, 11))
    kept = await hover(1, 8)
    assert kept.contents.value.startswith("**lazify** `keep::preloaded`: `import os` stays eager"), kept.contents.value
    assert f"({uri}#L2,8)" in kept.contents.value
    # Not on an import: no hover.
    assert await hover(6, 2) is None


async def test_shutdown_refuses_requests_and_exit_ends_the_process_cleanly(client: LanguageClient, project):
    await initialize(client, project)
    uri = project.uri("report.py")
    await open_document(client, uri, SAMPLE)
    assert await asyncio.wait_for(client.shutdown_async(None), TIMEOUT) is None
    with pytest.raises(JsonRpcInvalidRequest):
        await asyncio.wait_for(code_actions(client, uri, full_range(SAMPLE)), TIMEOUT)
    client.lazify_done = True
    client.exit(None)
    assert await asyncio.wait_for(client._server.wait(), TIMEOUT) == 0


async def test_exit_without_shutdown_is_exit_status_1(client: LanguageClient, project):
    await initialize(client, project)
    client.lazify_done = True
    client.exit(None)
    assert await asyncio.wait_for(client._server.wait(), TIMEOUT) == 1


async def test_shutdown_session_after_work(client: LanguageClient, project):
    """pytest-lsp's own `shutdown_session` (`shutdown`, then `exit`, then wait) ends with status 0."""
    await initialize(client, project)
    await open_document(client, project.uri("report.py"), SAMPLE)
    assert await shutdown(client) == 0
