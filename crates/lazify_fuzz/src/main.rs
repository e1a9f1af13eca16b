//! `lazify-fuzz`: runs the fuzzer for a while, or replays the regression inputs.
//!
//! ```text
//! lazify-fuzz [--seconds N] [--seed S] [--corpus DIR]... [--out DIR] [--known FILE]
//! lazify-fuzz replay DIR [--expected FILE]
//! ```
//!
//! Fuzzing mutates the `.py` files under each `--corpus` directory and generates programs, checks each input
//! under every style, prints the throughput and a summary, and writes each failure's line-reduced input (and a
//! `.txt` with what broke) to `--out` (default `fuzz-failures`). It exits 1 when a failure was found whose style
//! and kind are not in `--known` (an expected-failures file: those are reported as known), 2 on a usage error.
//!
//! `replay` checks every `.py` in DIR under every style and compares the failures with the expected-failures file
//! (default `DIR/expected-failures`) both ways; it exits 1 on any difference.
//!
//! The checks run in a child process (`lazify-fuzz --worker`), on a thread with a large stack, so that a panic is
//! caught and an abort or a hang is a finding: the child is restarted and the run goes on.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use lazify_fuzz::expected::{self, Entry};
use lazify_fuzz::rng::Rng;
use lazify_fuzz::{Config, Failure, Kind, Seen, Target, generate, minimize};

/// How long one check may take before it counts as a hang (a 10,000-line file takes well under a second).
const CHECK_TIMEOUT: Duration = Duration::from_secs(30);

/// The stack of the checking thread: the one the command line and the server analyse on, so that only what would
/// abort them aborts here.
const STACK: usize = lazify_workspace::STACK_SIZE;

/// Corpus files larger than this are skipped (they slow the run down without finding more).
const MAX_CORPUS_FILE: u64 = 256 * 1024;

/// Checks of one failure's minimisation.
const MINIMIZE_BUDGET: usize = 400;

#[expect(clippy::print_stderr, reason = "usage errors go to stderr")]
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--worker") {
        return worker();
    }
    let result = if args.first().map(String::as_str) == Some("replay") {
        replay(&args[1..])
    } else {
        fuzz(&args)
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("lazify-fuzz: {message}");
            ExitCode::from(2)
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The child: reads `<style> <target> <length>\n<bytes>` requests, answers one JSON line each.

fn worker() -> ExitCode {
    lazify_fuzz::quiet_panics();
    let thread = std::thread::Builder::new()
        .name("lazify-fuzz-check".to_string())
        .stack_size(STACK)
        .spawn(|| {
            let stdin = std::io::stdin();
            let mut input = stdin.lock();
            let stdout = std::io::stdout();
            let mut output = stdout.lock();
            loop {
                let mut header = String::new();
                if input.read_line(&mut header).unwrap_or(0) == 0 {
                    return;
                }
                let mut fields = header.split_whitespace();
                let (Some(config), Some(target), Some(length)) = (
                    fields.next().and_then(Config::from_name),
                    fields.next(),
                    fields.next().and_then(|n| n.parse::<usize>().ok()),
                ) else {
                    return;
                };
                let target = if target == "init" {
                    Target::Init
                } else {
                    Target::Module
                };
                let mut bytes = vec![0; length];
                if input.read_exact(&mut bytes).is_err() {
                    return;
                }
                let answer = match lazify_fuzz::check_catching(&bytes, config, target) {
                    Ok(seen) => serde_json::json!({"seen": format!("{seen:?}")}),
                    Err(failure) => {
                        serde_json::json!({"kind": failure.kind.name(), "detail": failure.detail})
                    }
                };
                if writeln!(output, "{answer}")
                    .and_then(|()| output.flush())
                    .is_err()
                {
                    return;
                }
            }
        });
    match thread.map(std::thread::JoinHandle::join) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        _ => ExitCode::from(2),
    }
}

/// The parent's side: a child process that runs the checks, restarted after it dies or hangs.
struct Oracle {
    child: Option<(Child, ChildStdin, mpsc::Receiver<String>)>,
    restarts: usize,
}

impl Oracle {
    fn new() -> Self {
        Self {
            child: None,
            restarts: 0,
        }
    }

    fn spawn() -> std::io::Result<(Child, ChildStdin, mpsc::Receiver<String>)> {
        let exe = std::env::current_exe()?;
        let mut child = Command::new(exe)
            .arg("--worker")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| std::io::Error::other("no stdin"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| std::io::Error::other("no stdout"))?;
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if sender.send(line).is_err() {
                    return;
                }
            }
        });
        Ok((child, stdin, receiver))
    }

    fn check(&mut self, bytes: &[u8], config: Config, target: Target) -> Result<Seen, Failure> {
        let fail = |kind: Kind, detail: String| Failure {
            config,
            kind,
            detail,
        };
        if self.child.is_none() {
            self.child = Some(
                Self::spawn()
                    .map_err(|e| fail(Kind::Abort, format!("cannot start the checker: {e}")))?,
            );
        }
        let Some((child, stdin, answers)) = self.child.as_mut() else {
            return Err(fail(Kind::Abort, "no checker".to_string()));
        };
        let target_name = match target {
            Target::Module => "module",
            Target::Init => "init",
        };
        let sent = writeln!(stdin, "{config} {target_name} {}", bytes.len())
            .and_then(|()| stdin.write_all(bytes))
            .and_then(|()| stdin.flush());
        let answer = match sent {
            Ok(()) => answers.recv_timeout(CHECK_TIMEOUT),
            Err(_) => Err(mpsc::RecvTimeoutError::Disconnected),
        };
        let answer = match answer {
            Ok(answer) => answer,
            Err(timeout_or_death) => {
                let Some((mut child, _, _)) = self.child.take() else {
                    return Err(fail(Kind::Abort, "no checker".to_string()));
                };
                self.restarts += 1;
                if timeout_or_death == mpsc::RecvTimeoutError::Timeout {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(fail(
                        Kind::Timeout,
                        format!("no answer within {CHECK_TIMEOUT:?}"),
                    ));
                }
                let status = child
                    .wait()
                    .map_or_else(|e| e.to_string(), |s| s.to_string());
                return Err(fail(
                    Kind::Abort,
                    format!(
                        "the checking process died: {status} (a stack overflow aborts with SIGABRT)"
                    ),
                ));
            }
        };
        let _ = child;
        let value: serde_json::Value = serde_json::from_str(&answer)
            .map_err(|e| fail(Kind::Abort, format!("bad answer from the checker: {e}")))?;
        if let Some(seen) = value["seen"].as_str() {
            return Ok(match seen {
                "Undecodable" => Seen::Undecodable,
                "Unparsable" => Seen::Unparsable,
                "Unchanged" => Seen::Unchanged,
                _ => Seen::Rewritten,
            });
        }
        let kind = value["kind"]
            .as_str()
            .and_then(Kind::from_name)
            .unwrap_or(Kind::Abort);
        Err(fail(
            kind,
            value["detail"].as_str().unwrap_or_default().to_string(),
        ))
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Fuzzing.

struct Options {
    seconds: u64,
    seed: u64,
    corpus: Vec<PathBuf>,
    out: PathBuf,
    known: Option<PathBuf>,
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        seconds: 60,
        seed: 1,
        corpus: Vec::new(),
        out: PathBuf::from("fuzz-failures"),
        known: None,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--seconds" => {
                options.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?;
            }
            "--seed" => options.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--corpus" => options.corpus.push(PathBuf::from(value()?)),
            "--out" => options.out = PathBuf::from(value()?),
            "--known" => options.known = Some(PathBuf::from(value()?)),
            other => {
                return Err(format!(
                    "unknown argument {other:?} (see the source's header)"
                ));
            }
        }
    }
    Ok(options)
}

/// Every `.py` file under `dir`, sorted (so a seed means the same inputs).
fn python_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            python_files(&path, out);
        } else if lazify_fuzz::check::is_input(&path)
            && std::fs::metadata(&path).is_ok_and(|m| m.len() <= MAX_CORPUS_FILE)
        {
            out.push(path);
        }
    }
}

#[derive(Default)]
struct Tally {
    inputs: u64,
    checks: u64,
    seen: BTreeMap<(Config, String), u64>,
}

#[expect(clippy::print_stdout, reason = "the run's report")]
fn fuzz(args: &[String]) -> Result<ExitCode, String> {
    let options = parse_options(args)?;
    let known: BTreeSet<(Config, Kind)> = match &options.known {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            expected::parse(&text)
                .map_err(|e| format!("{}: {e}", path.display()))?
                .into_iter()
                .map(|e| (e.config, e.kind))
                .collect()
        }
        None => BTreeSet::new(),
    };
    let mut corpus = Vec::new();
    for dir in &options.corpus {
        if !dir.is_dir() {
            return Err(format!("--corpus {}: not a directory", dir.display()));
        }
        python_files(dir, &mut corpus);
    }
    println!(
        "lazify-fuzz: seed {}, {} s, {} corpus files, styles {}",
        options.seed,
        options.seconds,
        corpus.len(),
        Config::ALL.map(Config::name).join(", ")
    );
    let mut rng = Rng::new(options.seed);
    let mut oracle = Oracle::new();
    let mut tally = Tally::default();
    let mut found: BTreeMap<(Config, Kind), (usize, PathBuf)> = BTreeMap::new();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(options.seconds);
    let mut last_report = started;
    let read = |path: &PathBuf| std::fs::read(path).unwrap_or_default();
    while Instant::now() < deadline {
        let input = if corpus.is_empty() || rng.one_in(3) {
            generate::program(&mut rng)
        } else {
            let base = read(rng.pick(&corpus));
            let other = read(rng.pick(&corpus));
            if rng.one_in(10) {
                base
            } else {
                generate::mutate(&mut rng, &base, &other)
            }
        };
        let target = if rng.one_in(5) {
            Target::Init
        } else {
            Target::Module
        };
        tally.inputs += 1;
        for config in Config::ALL {
            tally.checks += 1;
            match oracle.check(&input, config, target) {
                Ok(seen) => *tally.seen.entry((config, format!("{seen:?}"))).or_default() += 1,
                Err(failure) => {
                    let key = (failure.config, failure.kind);
                    if let Some((count, _)) = found.get_mut(&key) {
                        // One reduced example per style and kind is enough for a report.
                        *count += 1;
                        continue;
                    }
                    let path = record(&mut oracle, &options.out, &input, target, &failure)?;
                    println!(
                        "FAILURE {} under `{}`{}: {}\n  written to {}",
                        failure.kind,
                        failure.config,
                        if known.contains(&key) { " (known)" } else { "" },
                        failure.detail.lines().next().unwrap_or_default(),
                        path.display()
                    );
                    found.insert(key, (1, path));
                }
            }
        }
        if last_report.elapsed() > Duration::from_secs(15) {
            last_report = Instant::now();
            println!(
                "  {:.0} s: {} inputs ({:.1}/s), {} failures",
                started.elapsed().as_secs_f64(),
                tally.inputs,
                per_second(tally.inputs, started.elapsed().as_secs_f64()),
                found.values().map(|(n, _)| n).sum::<usize>()
            );
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "lazify-fuzz: {} inputs in {elapsed:.1} s ({:.1} inputs/s, {:.1} checks/s); checker restarts: {}",
        tally.inputs,
        per_second(tally.inputs, elapsed),
        per_second(tally.checks, elapsed),
        oracle.restarts
    );
    for config in Config::ALL {
        let counts: Vec<String> = ["Rewritten", "Unchanged", "Unparsable", "Undecodable"]
            .iter()
            .map(|s| {
                let n = tally
                    .seen
                    .get(&(config, (*s).to_string()))
                    .copied()
                    .unwrap_or(0);
                format!("{} {n}", s.to_lowercase())
            })
            .collect();
        println!("  {:<13} {}", config.name(), counts.join(", "));
    }
    let mut new = 0;
    for ((config, kind), (count, path)) in &found {
        let is_known = known.contains(&(*config, *kind));
        if !is_known {
            new += 1;
        }
        println!(
            "  {} {kind} under `{config}`: {count} input(s), e.g. {}",
            if is_known { "known" } else { "NEW  " },
            path.display()
        );
    }
    if found.is_empty() {
        println!("  no failures");
    }
    Ok(if new > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

#[expect(clippy::cast_precision_loss, reason = "a rate for people to read")]
fn per_second(count: u64, seconds: f64) -> f64 {
    count as f64 / seconds.max(0.001)
}

/// Reduces a failing input and writes it (and a `.txt` describing the failure) to `out`.
fn record(
    oracle: &mut Oracle,
    out: &Path,
    input: &[u8],
    target: Target,
    failure: &Failure,
) -> Result<PathBuf, String> {
    let reduced = minimize::minimize(
        input,
        MINIMIZE_BUDGET,
        |candidate| matches!(oracle.check(candidate, failure.config, target), Err(f) if f.kind == failure.kind),
    );
    let detail = match oracle.check(&reduced, failure.config, target) {
        Err(f) => f.detail,
        Ok(_) => failure.detail.clone(),
    };
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let hash = reduced.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    let suffix = match target {
        Target::Module => ".py",
        Target::Init => "-__init__.py",
    };
    let name = format!("{}-{}-{hash:016x}{suffix}", failure.kind, failure.config);
    let path = out.join(&name);
    let describe = format!(
        "style: {}\nkind: {}\ntarget: {target:?}\n\n{detail}\n",
        failure.config, failure.kind
    );
    write_file(&path, &reduced)?;
    write_file(&out.join(format!("{name}.txt")), describe.as_bytes())?;
    Ok(path)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::File::create(path)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|e| format!("{}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------------------------
// Replay.

#[expect(clippy::print_stdout, reason = "the replay's report")]
fn replay(args: &[String]) -> Result<ExitCode, String> {
    let Some(dir) = args.first().map(PathBuf::from) else {
        return Err("replay needs a directory".to_string());
    };
    let expected_path = match args.get(1..) {
        Some([flag, path]) if flag == "--expected" => PathBuf::from(path),
        Some([]) | None => dir.join("expected-failures"),
        Some(other) => return Err(format!("replay: unexpected arguments {other:?}")),
    };
    let expected = match std::fs::read_to_string(&expected_path) {
        Ok(text) => {
            expected::parse(&text).map_err(|e| format!("{}: {e}", expected_path.display()))?
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeSet::new(),
        Err(e) => return Err(format!("{}: {e}", expected_path.display())),
    };
    let mut files = Vec::new();
    python_files(&dir, &mut files);
    let mut oracle = Oracle::new();
    let mut observed = BTreeSet::new();
    for path in &files {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let target = Target::for_file_name(&name);
        for config in Config::ALL {
            if let Err(failure) = oracle.check(&bytes, config, target) {
                println!(
                    "{name} under `{config}`: {}: {}",
                    failure.kind,
                    failure.detail.lines().next().unwrap_or_default()
                );
                observed.insert(Entry {
                    file: name.clone(),
                    config,
                    kind: failure.kind,
                });
            }
        }
    }
    let comparison = expected::compare(&expected, &observed);
    println!(
        "replayed {} regression inputs under {} styles: {} failures, {} expected",
        files.len(),
        Config::ALL.len(),
        observed.len(),
        expected.len()
    );
    for entry in &comparison.unexpected {
        println!("UNEXPECTED failure (a regression, or list it in the expected failures): {entry}");
    }
    for entry in &comparison.fixed {
        println!(
            "FIXED: {entry} no longer fails; remove it from {}",
            expected_path.display()
        );
    }
    Ok(if comparison.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
