//! (being written)
use crate::python::ParsedModule;
use crate::settings::SourceFile;
pub(crate) struct Index;
impl Index {
    pub(crate) fn build(_p: &ParsedModule, _s: &str, _f: &SourceFile) -> Self { Index }
}
