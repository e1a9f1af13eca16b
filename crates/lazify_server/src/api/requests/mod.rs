//! Request handlers, one file per method.

pub(crate) mod code_action;
pub(crate) mod hover;
