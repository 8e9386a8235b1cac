//! `vitrine-model` as a shop's scheduled job runs it: a failed or interrupted build leaves the
//! model it was to replace untouched, a path it cannot write fails before the build, `inspect |
//! head` is not a crash, and the flags say what they take.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vitrine-model"))
}

fn run(args: &[&str]) -> Output {
    cli().args(args).output().unwrap()
}

/// `build --interactions INPUT --out OUT --quiet`.
fn build(input: &str, out: &str) -> Output {
    run(&["build", "--interactions", input, "--out", out, "--quiet"])
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Waits for a child started with a piped standard error: how it ended and what it said there.
fn finish(mut child: std::process::Child) -> (std::process::ExitStatus, String) {
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (child.wait().unwrap(), err)
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("vitrine-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn orders(path: &Path, bad_lines: usize) {
    let mut s = String::from("order_id,item_id,timestamp\n");
    for i in 0..200 {
        s.push_str(&format!("o{},sku-{},2024-06-01T10:00:00Z\n", i / 3, i % 7));
    }
    for _ in 0..bad_lines {
        s.push_str("o1,sku-1,yesterday\n");
    }
    std::fs::write(path, s).unwrap();
}

#[test]
fn a_failed_build_leaves_the_previous_model_and_no_partial_file() {
    let dir = scratch("atomic");
    let (good, bad, out) = (dir.join("good.csv"), dir.join("bad.csv"), dir.join("m.vtr"));
    orders(&good, 0);
    orders(&bad, 50);
    let o = out.to_str().unwrap();
    let first = build(good.to_str().unwrap(), o);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let model = std::fs::read(&out).unwrap();
    let failed = build(bad.to_str().unwrap(), o);
    assert!(!failed.status.success());
    let why = text(&failed.stderr);
    assert!(why.contains("bad.csv:202: timestamp 'yesterday'"), "{why}");
    assert_eq!(
        std::fs::read(&out).unwrap(),
        model,
        "the previous model is untouched"
    );
    let mut left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["bad.csv", "good.csv", "m.vtr"],
        "no temporary file left"
    );
    // A folder that does not exist fails at once, before any input is read.
    let missing = dir.join("no-such-folder/m.vtr");
    let r = run(&[
        "build",
        "--interactions",
        "/no/input.csv",
        "--out",
        missing.to_str().unwrap(),
    ]);
    assert!(!r.status.success());
    assert!(
        text(&r.stderr).contains("no-such-folder/m.vtr"),
        "{}",
        text(&r.stderr)
    );
}

#[cfg(unix)]
#[test]
fn out_through_a_link_keeps_the_link_and_the_mode_and_a_device_is_written_into() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("link");
    let (input, model, link) = (
        dir.join("o.csv"),
        dir.join("v1.vtr"),
        dir.join("current.vtr"),
    );
    orders(&input, 0);
    std::fs::write(&model, b"old").unwrap();
    std::fs::set_permissions(&model, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink(&model, &link).unwrap();
    let i = input.to_str().unwrap();
    let r = build(i, link.to_str().unwrap());
    assert!(r.status.success(), "{}", text(&r.stderr));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(
        std::fs::read(&model).unwrap().starts_with(b"\x89VTR"),
        "written through the link"
    );
    let mode = std::fs::metadata(&model).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    // A device is written into, not replaced by a file (a dry run to /dev/null).
    let r = build(i, "/dev/null");
    assert!(r.status.success(), "{}", text(&r.stderr));
    assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
    // A folder fails before the build.
    let r = run(&[
        "build",
        "--interactions",
        "/no/input.csv",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        text(&r.stderr).contains("is a folder"),
        "{}",
        text(&r.stderr)
    );
}

/// A build blocked opening its input (a FIFO nobody writes, so after the temporary file is made)
/// and then sent SIGINT, SIGTERM or SIGHUP removes the temporary file, keeps the old model, says
/// so, and dies of that signal; a signal it was started ignoring (`nohup`) it goes on ignoring.
#[cfg(unix)]
#[test]
fn an_interrupted_build_leaves_the_previous_model_and_no_temporary_file() {
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    use std::time::{Duration, Instant};
    let dir = scratch("signal");
    let (fifo, out) = (dir.join("in.csv"), dir.join("m.vtr"));
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    std::fs::write(&out, b"the previous model").unwrap();
    let files = || {
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    };
    let start = |ignore_hup: bool| {
        let mut cmd = cli();
        cmd.args(["build", "--interactions", fifo.to_str().unwrap()])
            .args(["--out", out.to_str().unwrap(), "--quiet"])
            .stderr(Stdio::piped());
        // Whatever this test runs under (a background job ignores SIGINT), the child starts with
        // the dispositions the case asks for.
        // SAFETY: signal() is async-signal-safe, as pre_exec requires.
        unsafe {
            cmd.pre_exec(move || {
                for s in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                    libc::signal(s, libc::SIG_DFL);
                }
                if ignore_hup {
                    libc::signal(libc::SIGHUP, libc::SIG_IGN);
                }
                Ok(())
            });
        }
        let mut child = cmd.spawn().unwrap();
        let tmp = format!(".m.vtr.{}.tmp", child.id());
        let deadline = Instant::now() + Duration::from_secs(20);
        while !dir.join(&tmp).exists() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("no {tmp} after 20 s: {:?}", files());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        child
    };
    let kill = |child: &std::process::Child, signal| {
        // SAFETY: a plain system call on the child's pid.
        assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
    };
    for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
        let child = start(false);
        kill(&child, signal);
        let (status, err) = finish(child);
        assert_eq!(status.signal(), Some(signal), "{status}: {err}");
        assert_eq!(files(), ["in.csv", "m.vtr"], "signal {signal}: {err}");
        assert_eq!(std::fs::read(&out).unwrap(), b"the previous model");
        assert!(
            err.contains("vitrine-model: interrupted;") && err.contains("m.vtr left as it was"),
            "{err}"
        );
    }
    // Under nohup a hangup is no interruption; a SIGTERM still is.
    let mut child = start(true);
    kill(&child, libc::SIGHUP);
    std::thread::sleep(Duration::from_millis(200));
    assert!(child.try_wait().unwrap().is_none(), "SIGHUP was ignored");
    kill(&child, libc::SIGTERM);
    assert_eq!(child.wait().unwrap().signal(), Some(libc::SIGTERM));
    assert_eq!(files(), ["in.csv", "m.vtr"]);
    assert_eq!(std::fs::read(&out).unwrap(), b"the previous model");
}

#[test]
fn a_summary_nobody_reads_is_not_a_crash() {
    let dir = scratch("stderr");
    let (input, out) = (dir.join("o.csv"), dir.join("m.vtr"));
    orders(&input, 0);
    let args = [
        "build",
        "--interactions",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    for _ in 0..5 {
        // `2>&1 | true`: standard error closed before the summary is written.
        let mut child = cli().args(args).stderr(Stdio::piped()).spawn().unwrap();
        drop(child.stderr.take());
        assert!(child.wait().unwrap().success());
        assert!(out.exists());
        let mut child = cli().arg("--help").stdout(Stdio::piped()).spawn().unwrap();
        drop(child.stdout.take());
        assert!(child.wait().unwrap().success());
    }
}

#[test]
fn inspect_into_a_reader_that_stops_early_is_not_a_crash() {
    let dir = scratch("pipe");
    let (input, out) = (dir.join("o.csv"), dir.join("m.vtr"));
    orders(&input, 0);
    let o = out.to_str().unwrap();
    assert!(build(input.to_str().unwrap(), o).status.success());
    for _ in 0..20 {
        let mut child = cli()
            .args(["inspect", o])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // `| head -0`: the reader is gone before anything is written
        let (status, err) = finish(child);
        assert!(status.success() && err.is_empty(), "{status}: {err}");
    }
}

#[test]
fn flags_say_what_they_take() {
    for help in [
        &["--help"][..],
        &["build", "--help"],
        &["inspect", "--help"],
    ] {
        let r = run(help);
        assert!(r.status.success(), "{help:?}");
        assert!(text(&r.stdout).starts_with("usage:"), "{help:?}");
    }
    let v = run(&["--version"]);
    assert_eq!(
        text(&v.stdout).trim(),
        format!("vitrine-model {}", env!("CARGO_PKG_VERSION"))
    );
    let cases: [(&[&str], &str); 4] = [
        (&["--max-bad", "5"], "--max-bad is a fraction from 0 to 1"),
        (&["--dims", "5000"], "--dims must be at most 1024"),
        (
            &["--interactions", "b.csv"],
            "--interactions is given twice",
        ),
        (&["--out", "n.vtr"], "--out is given twice"),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["build", "--interactions", "a.csv", "--out", "m.vtr"];
        args.extend_from_slice(extra);
        let r = run(&args);
        assert!(!r.status.success());
        assert!(text(&r.stderr).contains(expected), "{}", text(&r.stderr));
    }
    let r = run(&["inspect", "m.vtr", "--item"]);
    assert!(text(&r.stderr).contains("inspect takes a model file and --item ID"));
}

/// What became of the items of refused catalog rows and of items missing from the catalog, and
/// what the build noticed, is said in the summary, after the rows it refused.
#[test]
fn the_summary_says_what_became_of_items_the_catalog_does_not_vouch_for() {
    let dir = scratch("summary");
    let (orders, catalog, out) = (dir.join("o.csv"), dir.join("c.csv"), dir.join("m.vtr"));
    std::fs::write(
        &orders,
        "order_id,item_id,timestamp\n\
         o1,A,2024-06-01 10:00:00 +0200\no1,B,2024-06-01 10:00:00 +0200\n\
         o2,A,2024-06-02 10:00:00 UTC\no2,B,2024-06-02 10:00:00 UTC\n\
         o3,GONE,2024-06-03T10:00:00 Z\no3,GONE,2024-06-03T10:00:00 Z\n",
    )
    .unwrap();
    std::fs::write(
        &catalog,
        "item_id,title,price,in_stock,sensitive\nA,Mug,10,true,false\nB,Pills,€20,false,true\n",
    )
    .unwrap();
    let r = run(&[
        "build",
        "--interactions",
        orders.to_str().unwrap(),
        "--catalog",
        catalog.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--max-bad",
        "1",
        "--quiet",
    ]);
    let said = text(&r.stderr);
    assert!(r.status.success(), "{said}");
    let lines: Vec<&str> = said.lines().collect();
    let c = catalog.display();
    assert_eq!(
        lines[..5],
        [
            "read 6 rows: 6 used, 0 returns/cancellations left out, 0 bad",
            "catalog: 1 items, 1 bad row left out",
            &format!("  bad row {c}:3: price '€20' is not a non-negative number of at most 3.4e38"),
            "catalog: 1 item whose row was refused is sold: in the model out of stock and \
             sensitive, never shown (fix the row to show it)",
            "catalog: 1 item is sold but not in it (e.g. 'GONE'): in the model out of stock, \
             kept for its co-occurrence",
        ],
        "{said}"
    );
    assert_eq!(
        lines.last().copied(),
        Some(
            format!(
                "warning: 1 lines repeat an earlier line exactly (e.g. {}:7 repeats line 6): \
                 overlapping exports put together? They are counted as the file gives them",
                orders.display()
            )
            .as_str()
        ),
        "{said}"
    );
}
