//! (being written)
use crate::{diagnostic::{ImportVerdict, Notice}, edit::Edit, index::Index, python::ParsedModule, settings::{Settings, SourceFile, Style}};
pub(crate) struct Plan { pub(crate) verdicts: Vec<ImportVerdict>, pub(crate) notices: Vec<Notice>, pub(crate) edits: Vec<Edit> }
pub(crate) fn plan(_i: &Index, _p: &ParsedModule, _s: &str, _f: &SourceFile, _st: &Settings, _style: Style) -> Plan { Plan { verdicts: vec![], notices: vec![], edits: vec![] } }
