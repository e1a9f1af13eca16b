-- End-to-end check of `lazify server` with Neovim's own LSP client (written for Neovim 0.7.2, Debian 12's
-- package; newer versions keep these APIs). Driven by crates/lazify_server/tests/nvim.rs, which passes:
--   LAZIFY_SERVER_CMD   the server command, as a JSON list
--   LAZIFY_FILE         the Python file to open (inside a project with settings)
--   LAZIFY_OUT          a directory for the results: transcript.txt, after_quickfix.py, after_fix_all.py
-- Steps: open the file, attach the server, wait for diagnostics, apply the quick fix at the first
-- diagnostic, wait for the re-published diagnostics, run `source.fixAll.lazify`, wait again, write the buffer
-- after each step, then shut the server down. Any failure exits with status 1 and says why.

local out_dir = os.getenv('LAZIFY_OUT')
local transcript = {}

local function log(fmt, ...)
  local line = string.format(fmt, ...)
  table.insert(transcript, line)
end

local function write(name, text)
  local f = assert(io.open(out_dir .. '/' .. name, 'w'))
  f:write(text)
  f:close()
end

local function finish(ok, why)
  if not ok then
    log('FAILED: %s', why)
  end
  write('transcript.txt', table.concat(transcript, '\n') .. '\n')
  if ok then
    vim.cmd('qa!')
  else
    vim.cmd('cquit 1')
  end
end

local function buffer_text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n') .. '\n'
end

local function run()
  log('neovim %s', tostring(vim.version().major .. '.' .. vim.version().minor .. '.' .. vim.version().patch))
  local cmd = vim.fn.json_decode(os.getenv('LAZIFY_SERVER_CMD'))
  local file = os.getenv('LAZIFY_FILE')
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()

  local published = 0
  local last = nil
  local handlers = {
    ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
      published = published + 1
      last = result
      vim.lsp.handlers['textDocument/publishDiagnostics'](err, result, ctx, config)
    end,
  }
  local client_id = vim.lsp.start_client({
    name = 'lazify',
    cmd = cmd,
    root_dir = vim.fn.fnamemodify(file, ':h'),
    handlers = handlers,
    flags = { debounce_text_changes = 0 },
  })
  if not client_id then
    return finish(false, 'start_client returned nil')
  end
  vim.lsp.buf_attach_client(bufnr, client_id)

  -- Waits for diagnostics of the buffer's current version (one edit can send several didChange).
  local function wait_publish(count, what)
    local settled = function()
      return published >= count and last.version == vim.lsp.util.buf_versions[bufnr]
    end
    if not vim.wait(20000, settled, 20) then
      finish(false, 'timed out waiting for diagnostics ' .. what)
      return false
    end
    local items = last.diagnostics
    log('publishDiagnostics %s (version %s): %d diagnostic(s)', what, tostring(last.version), #items)
    for _, d in ipairs(items) do
      log('  %d:%d-%d:%d %s %s', d.range.start.line, d.range.start.character, d.range['end'].line,
        d.range['end'].character, tostring(d.code), d.message)
    end
    return true
  end

  if not wait_publish(1, 'after didOpen') then return end
  local client = vim.lsp.get_client_by_id(client_id)
  local encoding = client.offset_encoding or 'utf-16'
  log('server %s, position encoding %s', client.server_capabilities and 'initialized' or '?', encoding)
  if #last.diagnostics == 0 then
    return finish(false, 'no diagnostics for a file with deferrable imports')
  end

  -- The quick fix for the first diagnostic, found at its position.
  local first = last.diagnostics[1]
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = first.range,
    context = { diagnostics = { first }, only = { 'quickfix' } },
  }
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, 20000)
  local actions = (responses and responses[client_id] and responses[client_id].result) or {}
  for _, a in ipairs(actions) do
    log('codeAction: %s [%s]', a.title, a.kind)
  end
  if #actions == 0 then
    return finish(false, 'no quick fix at the first diagnostic')
  end
  vim.lsp.util.apply_workspace_edit(actions[1].edit, encoding)
  log('applied: %s', actions[1].title)
  write('after_quickfix.py', buffer_text(bufnr))
  if not wait_publish(2, 'after the quick fix') then return end

  -- The whole-file fix.
  params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = 0, character = 0 }, ['end'] = { line = 0, character = 0 } },
    context = { diagnostics = {}, only = { 'source.fixAll' } },
  }
  responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, 20000)
  actions = (responses and responses[client_id] and responses[client_id].result) or {}
  if #actions ~= 1 or actions[1].kind ~= 'source.fixAll.lazify' then
    return finish(false, 'expected one source.fixAll.lazify action, got ' .. #actions)
  end
  vim.lsp.util.apply_workspace_edit(actions[1].edit, encoding)
  log('applied: %s', actions[1].title)
  write('after_fix_all.py', buffer_text(bufnr))
  if not wait_publish(3, 'after source.fixAll.lazify') then return end

  client.stop()
  local stopped = vim.wait(10000, function() return client.is_stopped() end, 20)
  log('server stopped: %s', tostring(stopped))
  finish(true)
end

local ok, err = pcall(run)
if not ok then
  finish(false, 'error: ' .. tostring(err))
end
