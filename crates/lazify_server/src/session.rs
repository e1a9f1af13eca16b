//! The server's state: open documents with their latest analysis, the editor settings, and what was
//! negotiated with the client. Also the outgoing side of the connection (notifications to the client).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;
use lazify_core::{EngineError, ProjectFacts, Settings, SourceFile};
use lazify_workspace::{Resolver, Workspace};
use lsp_server::{Message, Notification};
use lsp_types::notification::{LogMessage, PublishDiagnostics, ShowMessage};
use lsp_types::{
    InitializeParams, LogMessageParams, MessageType, PublishDiagnosticsParams, ShowMessageParams,
    Uri,
};

use crate::ServerError;
use crate::analysis::{self, Analysis};
use crate::document::Document;
use crate::encoding::PositionEncoding;
use crate::settings::ClientSettings;

/// An open buffer and the engine's verdict on its current text.
#[derive(Debug)]
pub(crate) struct OpenDocument {
    /// The buffer.
    pub(crate) document: Document,
    /// The analysis of the current version.
    pub(crate) analysis: Analysis,
}

/// Everything the handlers share.
pub(crate) struct Session {
    sender: Sender<Message>,
    documents: HashMap<Uri, OpenDocument>,
    client_settings: ClientSettings,
    encoding: PositionEncoding,
    document_changes: bool,
    shown: HashSet<String>,
    /// The editor's workspace folder, where project facts come from when no configuration file says otherwise.
    workspace_root: Option<PathBuf>,
    /// Project facts (style `local`, `hoist`) by project root, with when they were scanned.
    facts: HashMap<PathBuf, (Instant, Arc<ProjectFacts>)>,
    /// Effect oracles (what imported modules do when they load) by project root and interpreter, reused for
    /// [`FACTS_TTL`]: each summarises a module once, so a keystroke does not re-read other files.
    oracles: HashMap<EffectKey, (Instant, Arc<lazify_workspace::effects::WorkspaceOracle>)>,
    /// One workspace per project root, kept across scans for its summary cache: a rescan re-reads the
    /// project's files but parses only those whose text changed (and the cache is saved to disk, where the
    /// command line and the pre-commit hook find it).
    workspaces: HashMap<PathBuf, Workspace>,
    /// Whether the client registers file watchers on request (`workspace/didChangeWatchedFiles`).
    can_watch: bool,
}

/// An effect oracle's project root and target interpreter.
type EffectKey = (PathBuf, lazify_workspace::effects::PythonSource);

/// How long scanned project facts are reused: other files change on disk without the server hearing of it.
const FACTS_TTL: Duration = Duration::from_secs(10);

impl Session {
    /// A session for a client that sent `params`.
    pub(crate) fn new(sender: Sender<Message>, params: &InitializeParams) -> Self {
        let encoding = PositionEncoding::negotiate(
            params
                .capabilities
                .general
                .as_ref()
                .and_then(|g| g.position_encodings.as_deref()),
        );
        let document_changes = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.workspace_edit.as_ref())
            .and_then(|e| e.document_changes)
            .unwrap_or(false);
        let mut session = Self {
            sender,
            documents: HashMap::new(),
            client_settings: ClientSettings::default(),
            encoding,
            document_changes,
            shown: HashSet::new(),
            workspace_root: workspace_root(params),
            facts: HashMap::new(),
            oracles: HashMap::new(),
            workspaces: HashMap::new(),
            can_watch: params
                .capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|w| w.dynamic_registration)
                .unwrap_or(false),
        };
        if let Some(options) = &params.initialization_options {
            session.set_client_settings(options);
        }
        session
    }

    /// The negotiated position encoding.
    pub(crate) fn encoding(&self) -> PositionEncoding {
        self.encoding
    }

    /// Whether the client takes versioned `documentChanges` in workspace edits.
    pub(crate) fn document_changes(&self) -> bool {
        self.document_changes
    }

    /// The severity of the `LZF001` diagnostics.
    pub(crate) fn severity(&self) -> lsp_types::DiagnosticSeverity {
        self.client_settings.severity.lsp()
    }

    /// An open document.
    pub(crate) fn document(&self, uri: &Uri) -> Option<&OpenDocument> {
        self.documents.get(uri)
    }

    /// Replaces the editor settings (from `initializationOptions` or `didChangeConfiguration`), logging the
    /// values that were ignored.
    pub(crate) fn set_client_settings(&mut self, value: &serde_json::Value) {
        let (settings, problems) = ClientSettings::from_json(value, &self.client_settings);
        for problem in problems {
            self.show(MessageType::WARNING, problem);
        }
        self.client_settings = settings;
        // The settings are part of every workspace (the interpreter, the style, ...): start afresh.
        self.forget_project_state();
    }

    /// Other files changed on disk (a save, or the editor's file watcher): what was learnt of the projects is
    /// dropped, and every open document is analysed again, so that an effect added to (or removed from) an
    /// imported module shows at once, not only after [`FACTS_TTL`]. Unchanged files are not parsed again: the
    /// summary cache knows them by their text.
    pub(crate) fn files_changed(&mut self) -> Result<(), ServerError> {
        self.facts.clear();
        self.oracles.clear();
        self.reanalyze_all()
    }

    /// Asks the client to tell of changes to Python files and settings files on disk (the answer to
    /// `initialized`), when it can: then an edit made outside the editor (a `git checkout`, a formatter) is
    /// seen too.
    pub(crate) fn watch_files(&mut self) -> Result<(), ServerError> {
        if !self.can_watch {
            return Ok(());
        }
        let watchers = ["**/*.py", "**/*.pyi", "**/pyproject.toml", "**/lazify.toml"]
            .into_iter()
            .map(|glob| lsp_types::FileSystemWatcher {
                glob_pattern: lsp_types::GlobPattern::String(glob.to_string()),
                kind: None,
            })
            .collect();
        let params = lsp_types::RegistrationParams {
            registrations: vec![lsp_types::Registration {
                id: "lazify-watch-files".to_string(),
                method: "workspace/didChangeWatchedFiles".to_string(),
                register_options: serde_json::to_value(
                    lsp_types::DidChangeWatchedFilesRegistrationOptions { watchers },
                )
                .ok(),
            }],
        };
        self.send(Message::Request(lsp_server::Request::new(
            lsp_server::RequestId::from("lazify-watch-files".to_string()),
            "client/registerCapability".to_string(),
            params,
        )))
    }

    fn forget_project_state(&mut self) {
        self.facts.clear();
        self.oracles.clear();
        self.workspaces.clear();
    }

    /// The workspace of the project in `root` (kept for its summary cache).
    fn workspace(&mut self, root: &Path) -> Option<Workspace> {
        if let Some(workspace) = self.workspaces.get(root) {
            return Some(workspace.clone());
        }
        match Workspace::new(root, self.client_settings.overrides()) {
            Ok(workspace) => {
                self.workspaces
                    .insert(root.to_path_buf(), workspace.clone());
                Some(workspace)
            }
            Err(e) => {
                self.show(MessageType::WARNING, format!("lazify: {e}"));
                None
            }
        }
    }

    /// Opens (or re-opens) a document, analyses it and publishes its diagnostics.
    pub(crate) fn open(&mut self, uri: Uri, text: String, version: i32) -> Result<(), ServerError> {
        let document = Document::new(text, version);
        let analysis = self.analyze(&uri, &document);
        self.publish_for(&uri, &document, &analysis)?;
        self.documents
            .insert(uri, OpenDocument { document, analysis });
        Ok(())
    }

    /// Applies `didChange` changes, re-analyses and publishes. Unknown documents are logged and ignored.
    pub(crate) fn change(
        &mut self,
        uri: &Uri,
        changes: Vec<lsp_types::TextDocumentContentChangeEvent>,
        version: i32,
    ) -> Result<(), ServerError> {
        let Some(mut open) = self.documents.remove(uri) else {
            self.log(
                MessageType::WARNING,
                format!(
                    "didChange for a document that is not open: {}",
                    uri.as_str()
                ),
            );
            return Ok(());
        };
        open.document.apply_changes(changes, version, self.encoding);
        open.analysis = self.analyze(uri, &open.document);
        self.documents.insert(uri.clone(), open);
        self.publish(uri)
    }

    /// Closes a document and clears its diagnostics.
    pub(crate) fn close(&mut self, uri: &Uri) -> Result<(), ServerError> {
        self.documents.remove(uri);
        self.notify::<PublishDiagnostics>(PublishDiagnosticsParams {
            uri: uri.clone(),
            diagnostics: Vec::new(),
            version: None,
        })
    }

    /// Re-analyses every open document (after a settings change) and publishes again.
    pub(crate) fn reanalyze_all(&mut self) -> Result<(), ServerError> {
        let mut uris: Vec<Uri> = self.documents.keys().cloned().collect();
        uris.sort();
        for uri in uris {
            let Some(mut open) = self.documents.remove(&uri) else {
                continue;
            };
            open.analysis = self.analyze(&uri, &open.document);
            self.documents.insert(uri.clone(), open);
            self.publish(&uri)?;
        }
        Ok(())
    }

    fn analyze(&mut self, uri: &Uri, document: &Document) -> Analysis {
        let (file, settings) = self.resolve(uri);
        let outcome = match analysis::run_engine(document.text(), &file, &settings) {
            Ok(outcome) => Some(outcome),
            Err(message) => {
                self.log(MessageType::ERROR, message);
                None
            }
        };
        if let Some(EngineError::Settings { message }) =
            outcome.as_ref().and_then(|o| o.error.as_ref())
        {
            let message = format!("lazify: {message}");
            self.show(MessageType::WARNING, message);
        }
        Analysis { outcome }
    }

    /// The file description and settings for a document: from the settings files above it (for `file:`
    /// URIs, through `lazify_workspace`'s resolver, as the command line finds them), with the editor
    /// settings on top. Files are re-read for every analysis, so an edited `pyproject.toml` applies at the
    /// next change.
    fn resolve(&mut self, uri: &Uri) -> (SourceFile, Settings) {
        let Some(path) = file_path(uri) else {
            // `untitled:` and other schemes: no settings files, a name for messages only.
            let name = uri.as_str().rsplit('/').next().unwrap_or("untitled.py");
            return (SourceFile::new(name), self.editor_only_settings());
        };
        let mut file = SourceFile::new(&path);
        file.module_name = lazify_workspace::resolve::module_name(&path);
        let dir = path.parent().unwrap_or(&path);
        let resolved = Resolver::new(dir, self.client_settings.overrides())
            .and_then(|resolver| resolver.settings_for(&path));
        match resolved {
            Ok(resolved) => {
                let mut settings = resolved.settings.clone();
                // Every style consults the whole project, as the command line does.
                let fallback = self
                    .workspace_root
                    .clone()
                    .unwrap_or_else(|| dir.to_path_buf());
                let root = lazify_workspace::project_root(&resolved, &fallback);
                settings.project = self.project_facts(&root);
                settings.effects = self.effect_oracle(root, resolved.python.clone());
                (file, settings)
            }
            Err(e) => {
                self.show(MessageType::WARNING, format!("lazify: {e}"));
                (file, self.editor_only_settings())
            }
        }
    }

    /// The project's facts, scanned from disk (open buffers' unsaved text is not part of them) and reused for
    /// [`FACTS_TTL`].
    fn project_facts(&mut self, root: &Path) -> Option<Arc<ProjectFacts>> {
        if let Some((at, facts)) = self.facts.get(root)
            && at.elapsed() < FACTS_TTL
        {
            return Some(Arc::clone(facts));
        }
        let workspace = self.workspace(root)?;
        let facts = Arc::new(workspace.scan_project(root));
        workspace.save_caches();
        self.facts
            .insert(root.to_path_buf(), (Instant::now(), Arc::clone(&facts)));
        Some(facts)
    }

    /// The effect oracle of a project, reused for [`FACTS_TTL`].
    fn effect_oracle(
        &mut self,
        root: PathBuf,
        python: lazify_workspace::effects::PythonSource,
    ) -> Option<Arc<dyn lazify_core::effects::EffectOracle>> {
        let key = (root, python);
        if let Some((at, oracle)) = self.oracles.get(&key)
            && at.elapsed() < FACTS_TTL
        {
            return Some(Arc::clone(oracle) as Arc<dyn lazify_core::effects::EffectOracle>);
        }
        let workspace = self.workspace(&key.0)?;
        let oracle = workspace.oracle(&key.0, key.1.clone());
        self.oracles
            .insert(key, (Instant::now(), Arc::clone(&oracle)));
        Some(oracle as Arc<dyn lazify_core::effects::EffectOracle>)
    }

    fn editor_only_settings(&mut self) -> Settings {
        match self.client_settings.apply_to(Settings::default()) {
            Ok(settings) => settings,
            Err(e) => {
                self.show(MessageType::WARNING, format!("lazify: {e}"));
                Settings::default()
            }
        }
    }

    fn publish(&self, uri: &Uri) -> Result<(), ServerError> {
        match self.documents.get(uri) {
            Some(open) => self.publish_for(uri, &open.document, &open.analysis),
            None => Ok(()),
        }
    }

    fn publish_for(
        &self,
        uri: &Uri,
        document: &Document,
        analysis: &Analysis,
    ) -> Result<(), ServerError> {
        let diagnostics = match &analysis.outcome {
            Some(outcome) => analysis::diagnostics(
                document.text(),
                document.index(),
                self.encoding,
                outcome,
                self.client_settings.severity.lsp(),
            ),
            None => Vec::new(),
        };
        self.notify::<PublishDiagnostics>(PublishDiagnosticsParams {
            uri: uri.clone(),
            diagnostics,
            version: Some(document.version()),
        })
    }

    /// Sends a notification to the client.
    pub(crate) fn notify<N: lsp_types::notification::Notification>(
        &self,
        params: N::Params,
    ) -> Result<(), ServerError> {
        self.send(Notification::new(N::METHOD.to_string(), params).into())
    }

    /// Sends a message to the client.
    pub(crate) fn send(&self, message: Message) -> Result<(), ServerError> {
        self.sender
            .send(message)
            .map_err(|_| ServerError::Disconnected)
    }

    /// Writes to the client's log (`window/logMessage`). A closed connection is noticed by the main loop.
    pub(crate) fn log(&self, typ: MessageType, message: String) {
        let _ = self.notify::<LogMessage>(LogMessageParams { typ, message });
    }

    /// Shows a message to the user once per session (`window/showMessage`), and logs it.
    fn show(&mut self, typ: MessageType, message: String) {
        self.log(typ, message.clone());
        if self.shown.insert(message.clone()) {
            let _ = self.notify::<ShowMessage>(ShowMessageParams { typ, message });
        }
    }
}

/// The local path of a `file:` URI (percent-decoded), or `None` for other schemes.
pub(crate) fn file_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // Skip the authority (`localhost` or empty).
    let path = &rest[rest.find('/')?..];
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let mut bytes = Vec::with_capacity(path.len());
    let mut iter = path.bytes();
    while let Some(b) = iter.next() {
        if b == b'%' {
            let hex = [iter.next()?, iter.next()?];
            let hex = std::str::from_utf8(&hex).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
        } else {
            bytes.push(b);
        }
    }
    String::from_utf8(bytes).ok().map(PathBuf::from)
}

/// The first workspace folder, else the root URI, as a path.
#[expect(deprecated, reason = "`root_uri` is what older clients send")]
fn workspace_root(params: &InitializeParams) -> Option<PathBuf> {
    let uri = params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
        .map(|folder| &folder.uri)
        .or(params.root_uri.as_ref())?;
    file_path(uri)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn file_uris_decode() {
        let uri = Uri::from_str("file:///tmp/my%20proj/caf%C3%A9.py").unwrap();
        assert_eq!(file_path(&uri), Some(PathBuf::from("/tmp/my proj/café.py")));
        let uri = Uri::from_str("file://localhost/a/b.py").unwrap();
        assert_eq!(file_path(&uri), Some(PathBuf::from("/a/b.py")));
        let uri = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(file_path(&uri), None);
    }
}
