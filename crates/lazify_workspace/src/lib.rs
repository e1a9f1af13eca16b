//! lazify workspace
