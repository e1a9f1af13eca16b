//! Runtime proof, written later in this file.
mod support;
