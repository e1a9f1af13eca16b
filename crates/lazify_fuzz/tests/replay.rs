//! Replays `regressions/`: every input the fuzzer (or a person) found failing, under every style, in the real
//! `lazify-fuzz` binary (its checks run in a child process, so an abort is a result, not a crash of this test).
//! The failures must match `regressions/expected-failures` exactly: a new failure fails the test, and so does a
//! listed one that no longer happens (delete its line: the list only shrinks).

use std::path::Path;
use std::process::Command;

#[test]
fn regressions_fail_exactly_as_expected() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let inputs = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "py")
        })
        .count();
    assert!(inputs > 0, "no regression inputs in {}", dir.display());
    let out = Command::new(env!("CARGO_BIN_EXE_lazify-fuzz"))
        .arg("replay")
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the replay does not match regressions/expected-failures ({}):\n{stdout}\n{stderr}",
        out.status
    );
    assert!(
        stdout.contains(&format!("replayed {inputs} regression inputs")),
        "{stdout}"
    );
}
