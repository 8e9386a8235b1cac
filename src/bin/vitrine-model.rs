//! `vitrine-model`: builds and inspects model files (`.vtr`).
//!
//! ```text
//! vitrine-model build --interactions FILE [--catalog FILE] --out model.vtr [options]
//! vitrine-model build --pairs pairs.csv --popularity popularity.csv [--catalog FILE] --out model.vtr
//! vitrine-model inspect model.vtr [--item ID]
//! ```

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use vitrine::model::build::{self, progress, BuildError, Options, Report};
use vitrine::model::file::Embeddings;
use vitrine::model::Model;

/// `println!` and `eprintln!` that do not panic when the reader has gone (`| head`, `| true`):
/// the model is written (or the error said) whether or not anyone reads the summary.
macro_rules! say {
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}
macro_rules! tell {
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

const USAGE: &str = "\
usage:
  vitrine-model build --interactions FILE [--catalog FILE] --out model.vtr [options]
  vitrine-model build --pairs pairs.csv --popularity popularity.csv [--catalog FILE] --out model.vtr [options]
  vitrine-model inspect model.vtr [--item ID]
  vitrine-model --version

Inputs are CSV or JSON Lines, plain or gzip (see docs/MODEL.md for the columns).

options:
  --neighbours M             neighbours kept per item and relation (default 50)
  --dims D                   embedding width learned when the catalog has none, 0 for none, at most
                             1024 (default 32)
  --shrink L                 similarity shrinkage (default 10)
  --min-support N            pairs seen fewer times are dropped (default 2)
  --repeat-min-buyers N      items with fewer buyers get the overall repeat rate (default 5)
  --repeat-prior A           shrinkage of repeat rates towards the overall rate, in buyers (default 2)
  --popularity-half-life D   days (default 90)
  --trending-half-life D     days (default 14)
  --view-window W            co-views count up to W positions apart (default 3)
  --max-basket N             larger orders count for popularity, not pairs (default 1000)
  --max-bad F                fraction (0–1) of bad rows tolerated before failing (default 0.01)
  --memory-mb N              memory for pair counting before spilling to disk (default 1024)
  --temp DIR                 where spill files go (default the system temp folder)
  --seed N                   seed of the embedding (default 24301)
  --embeddings int8|f32      how the file holds them: int8 codes only (default; format version 3,
                             a quarter of the bytes), or f32 rows beside the codes (version 2)
  --quiet                    no progress bar even on a terminal";

struct Cli {
    interactions: Option<PathBuf>,
    catalog: Option<PathBuf>,
    pairs: Option<PathBuf>,
    popularity: Option<PathBuf>,
    out: Option<PathBuf>,
    options: Options,
    embeddings: Embeddings,
}

fn parse_build(args: &[String]) -> Result<Cli, String> {
    let mut cli = Cli {
        interactions: None,
        catalog: None,
        pairs: None,
        popularity: None,
        out: None,
        embeddings: Embeddings::default(),
        options: Options {
            progress: progress::on_terminal(),
            ..Options::default()
        },
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "--quiet" {
            cli.options.progress = false;
            continue;
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value"))?
            .clone();
        let num = |v: &str| -> Result<f64, String> {
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .ok_or_else(|| format!("{flag} must be a non-negative number, got '{v}'"))
        };
        let o = &mut cli.options;
        match flag.as_str() {
            "--interactions" => once(&mut cli.interactions, flag, value)?,
            "--catalog" => once(&mut cli.catalog, flag, value)?,
            "--pairs" => once(&mut cli.pairs, flag, value)?,
            "--popularity" => once(&mut cli.popularity, flag, value)?,
            "--out" => once(&mut cli.out, flag, value)?,
            "--neighbours" => o.neighbours = num(&value)? as usize,
            "--dims" => {
                o.dims = num(&value)? as usize;
                if o.dims > 1024 {
                    return Err(format!("--dims must be at most 1024, got '{value}'"));
                }
            }
            "--shrink" => o.shrink = num(&value)?,
            "--min-support" => o.min_support = num(&value)? as u32,
            "--repeat-min-buyers" => o.repeat_min_buyers = num(&value)? as u32,
            "--repeat-prior" => o.repeat_prior = num(&value)?,
            "--popularity-half-life" => o.popularity_half_life_days = num(&value)?.max(0.01),
            "--trending-half-life" => o.trending_half_life_days = num(&value)?.max(0.01),
            "--view-window" => o.view_window = num(&value)? as usize,
            "--max-basket" => o.max_basket = num(&value)? as usize,
            "--max-bad" => {
                o.max_bad_fraction = num(&value)?;
                if o.max_bad_fraction > 1.0 {
                    return Err(format!(
                        "--max-bad is a fraction from 0 to 1 (0.05 tolerates 5 %), got '{value}'"
                    ));
                }
            }
            "--memory-mb" => o.memory_bytes = (num(&value)? as usize).max(16) << 20,
            "--temp" => o.temp_dir = value.into(),
            "--seed" => o.seed = num(&value)? as u64,
            "--embeddings" => {
                cli.embeddings = match value.as_str() {
                    "int8" => Embeddings::Int8,
                    "f32" => Embeddings::F32,
                    v => return Err(format!("--embeddings must be int8 or f32, got '{v}'")),
                }
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    if cli.out.is_none() {
        return Err("--out is required".into());
    }
    match (&cli.interactions, &cli.pairs, &cli.popularity) {
        (Some(_), None, None) | (None, Some(_), Some(_)) => Ok(cli),
        _ => Err("give either --interactions, or both --pairs and --popularity".into()),
    }
}

/// A file option given once: a second one is a mistake, not an override.
fn once(slot: &mut Option<PathBuf>, flag: &str, value: String) -> Result<(), String> {
    if slot.is_some() {
        return Err(format!("{flag} is given twice"));
    }
    *slot = Some(value.into());
    Ok(())
}

fn summary(r: &Report, bytes: usize, seconds: f64) {
    tell!(
        "read {} rows: {} used, {} returns/cancellations left out, {} bad",
        r.rows,
        r.used,
        r.non_positive,
        r.bad
    );
    if r.catalog_items > 0 || r.catalog_bad > 0 {
        let rows = if r.catalog_bad == 1 { "row" } else { "rows" };
        tell!(
            "catalog: {} items, {} bad {rows} left out",
            r.catalog_items,
            r.catalog_bad
        );
    }
    for (file, line, why) in &r.bad_examples {
        tell!("  bad row {file}:{line}: {why}");
    }
    let bad = (r.bad + r.catalog_bad) as usize;
    if bad > r.bad_examples.len() {
        tell!("  … and {} more", bad - r.bad_examples.len());
    }
    if r.refused_in_model > 0 {
        tell!(
            "catalog: {} {} whose row was refused {} sold: in the model out of stock and \
             sensitive, never shown (fix the row to show {})",
            r.refused_in_model,
            plural(r.refused_in_model, "item", "items"),
            plural(r.refused_in_model, "is", "are"),
            plural(r.refused_in_model, "it", "them"),
        );
    }
    if r.not_in_catalog > 0 {
        tell!(
            "catalog: {} {} sold but not in it (e.g. '{}'): in the model out of stock, kept for \
             {} co-occurrence",
            r.not_in_catalog,
            plural(r.not_in_catalog, "item is", "items are"),
            r.not_in_catalog_example.as_deref().unwrap_or_default(),
            plural(r.not_in_catalog, "its", "their"),
        );
    }
    tell!(
        "model: {} items, {} baskets/sessions, {} co-purchase and {} co-view pairs kept, {} spill runs",
        r.items, r.baskets, r.co_purchase_pairs, r.co_view_pairs, r.spilled_runs
    );
    tell!(
        "time: {:.1}s read, {:.1}s baskets, {:.1}s neighbours+embeddings, {seconds:.1}s total; {bytes} bytes written",
        r.seconds_read, r.seconds_baskets, r.seconds_finish
    );
    for w in &r.warnings {
        tell!("warning: {w}");
    }
}

fn plural(n: usize, one: &'static str, more: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        more
    }
}

/// The model file being written. A regular file (or one to be made) is written to a temporary
/// file beside it — beside what a symbolic link points to — created before the build (so a
/// folder that cannot be written fails at once), given the old file's permissions, and renamed
/// over it only once complete, so a failed build or write never leaves a partial model where a
/// good one was; an interrupted one removes it too (`interrupt`). Anything else (`/dev/null`, a
/// pipe) is written into as it is.
enum Pending {
    Replace {
        tmp: PathBuf,
        target: PathBuf,
        permissions: Option<std::fs::Permissions>,
    },
    Into(PathBuf),
}

impl Pending {
    fn create(out: &Path) -> Result<Self, String> {
        let fail = |e: std::io::Error| format!("{}: {e}", out.display());
        let (target, permissions) = match std::fs::metadata(out) {
            Ok(m) if m.is_dir() => return Err(format!("{}: is a folder", out.display())),
            Ok(m) if !m.is_file() => {
                std::fs::OpenOptions::new()
                    .write(true)
                    .open(out)
                    .map_err(fail)?;
                return Ok(Pending::Into(out.to_owned()));
            }
            Ok(m) => (
                std::fs::canonicalize(out).map_err(fail)?,
                Some(m.permissions()),
            ),
            Err(_) => (out.to_owned(), None),
        };
        let name = target
            .file_name()
            .ok_or_else(|| format!("{}: not a file name", out.display()))?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".{}.tmp", std::process::id()));
        let tmp = target.with_file_name(tmp_name);
        let mut held = interrupt::hold();
        std::fs::File::create(&tmp).map_err(fail)?;
        held.watch(&tmp, &target);
        Ok(Pending::Replace {
            tmp,
            target,
            permissions,
        })
    }

    fn commit(self, bytes: &[u8]) -> Result<(), String> {
        let write = |path: &Path, fail: &dyn Fn(std::io::Error) -> String| {
            let mut f = std::fs::File::create(path).map_err(fail)?;
            f.write_all(bytes).map_err(fail)?;
            Ok::<_, String>(f)
        };
        match &self {
            Pending::Into(path) => {
                write(path, &|e| format!("{}: {e}", path.display()))?;
            }
            Pending::Replace {
                tmp,
                target,
                permissions,
            } => {
                let fail = |e: std::io::Error| format!("{}: {e}", target.display());
                // Held from the first byte written to the rename: a signal's handler could
                // otherwise remove the file and the write make it again before the process ends.
                let mut held = interrupt::hold();
                write(tmp, &fail)?.sync_all().map_err(fail)?;
                if let Some(p) = permissions {
                    std::fs::set_permissions(tmp, p.clone()).map_err(fail)?;
                }
                std::fs::rename(tmp, target).map_err(fail)?;
                held.forget();
            }
        }
        Ok(())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Pending::Replace { tmp, .. } = self {
            let mut held = interrupt::hold();
            let _ = std::fs::remove_file(tmp);
            held.forget();
        }
    }
}

/// SIGINT (Ctrl-C), SIGTERM and SIGHUP while a model is being written remove its temporary file
/// and say so on standard error, leaving `--out` as it was; the process then dies of the same
/// signal, as it would have without the handler (the shell reports 130, 143, 129), rather than
/// exiting with that number, so a script that runs the build stops on Ctrl-C too. A signal
/// ignored when the build started (`nohup`, a background job of a script) stays ignored. At any
/// other time a signal does what it did before.
///
/// A thread (signal-hook's) does the work, since removing a file is not safe in a signal handler.
/// Pending holds the lock while it makes, writes, renames or removes the file; the thread takes it
/// and never gives it back, so it never races the rename, and never touches the output itself.
#[cfg(unix)]
mod interrupt {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;
    use std::io::{IsTerminal, Write as _};
    use std::path::{Path, PathBuf};
    use std::sync::{Mutex, MutexGuard, Once};

    /// The temporary file and the output it is for.
    type Watched = Option<(PathBuf, PathBuf)>;

    static WATCHED: Mutex<Watched> = Mutex::new(None);

    pub struct Held(MutexGuard<'static, Watched>);

    impl Held {
        pub fn watch(&mut self, tmp: &Path, out: &Path) {
            *self.0 = Some((tmp.to_owned(), out.to_owned()));
        }

        pub fn forget(&mut self) {
            *self.0 = None;
        }
    }

    fn lock() -> MutexGuard<'static, Watched> {
        WATCHED.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps the handler away until dropped, starting it the first time.
    pub fn hold() -> Held {
        static START: Once = Once::new();
        START.call_once(|| {
            let caught = [SIGINT, SIGTERM, SIGHUP]
                .into_iter()
                .filter(|&s| !ignored(s));
            // Without the handler a signal does what it did before; nothing worse.
            let Ok(mut signals) = Signals::new(caught) else {
                return;
            };
            std::thread::spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    let watched = lock();
                    if let Some((tmp, out)) = watched.as_ref() {
                        let _ = std::fs::remove_file(tmp);
                        // Below a progress bar or the terminal's ^C rather than after it.
                        let newline = if std::io::stderr().is_terminal() {
                            "\n"
                        } else {
                            ""
                        };
                        tell!(
                            "{newline}vitrine-model: interrupted; {} left as it was",
                            out.display()
                        );
                    }
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                    std::process::exit(128 + signal);
                }
            });
        });
        Held(lock())
    }

    fn ignored(signal: libc::c_int) -> bool {
        // SAFETY: with no new action, sigaction only writes the current one into `old`.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            libc::sigaction(signal, std::ptr::null(), &mut old) == 0
                && old.sa_sigaction == libc::SIG_IGN
        }
    }
}

#[cfg(not(unix))]
mod interrupt {
    use std::path::Path;

    pub struct Held;

    impl Held {
        pub fn watch(&mut self, _tmp: &Path, _out: &Path) {}
        pub fn forget(&mut self) {}
    }

    pub fn hold() -> Held {
        Held
    }
}

fn run_build(args: &[String]) -> Result<(), String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        say!("{USAGE}");
        return Ok(());
    }
    let cli = parse_build(args).map_err(|e| format!("{e}\n\n{USAGE}"))?;
    let pending = Pending::create(cli.out.as_deref().unwrap_or(Path::new("")))?;
    let started = Instant::now();
    let result = match (&cli.interactions, &cli.pairs, &cli.popularity) {
        (Some(i), _, _) => build::build(i, cli.catalog.as_deref(), &cli.options),
        (None, Some(p), Some(pop)) => {
            build::build_from_counts(p, pop, cli.catalog.as_deref(), &cli.options)
        }
        _ => Err(BuildError::Usage(USAGE.into())),
    };
    let (parts, report) = result.map_err(|e| e.to_string())?;
    let model = Model::from_parts(parts).map_err(|e| e.to_string())?;
    let bytes = model.to_file(cli.embeddings);
    pending.commit(&bytes)?;
    summary(&report, bytes.len(), started.elapsed().as_secs_f64());
    Ok(())
}

/// `inspect`: written to standard output in one piece; a reader that stops early (`| head`) is
/// not an error.
fn run_inspect(args: &[String]) -> Result<(), String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        say!("{USAGE}");
        return Ok(());
    }
    let text = inspect(args)?;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("standard output: {e}"))
        }
        _ => Ok(()),
    }
}

fn inspect(args: &[String]) -> Result<String, String> {
    let mut out = String::new();
    let path = args.first().ok_or(USAGE)?;
    let item = match args.get(1..).unwrap_or_default() {
        [] => None,
        [flag, id] if flag == "--item" => Some(id),
        _ => {
            return Err(format!(
                "inspect takes a model file and --item ID\n\n{USAGE}"
            ))
        }
    };
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let m = Model::from_bytes(&bytes).map_err(|e| format!("{path}: {e}"))?;
    let p = m.parts();
    let _ = writeln!(
        out,
        "{path}: {} bytes, format version {}",
        bytes.len(),
        // The file's own (it loaded, so the header is there).
        u16::from_le_bytes([bytes[8], bytes[9]])
    );
    let _ = writeln!(
        out,
        "items {}, categories {}, brands {}, tags {}, embedding dims {}",
        m.len(),
        p.categories.len(),
        p.brands.len(),
        p.tags.len(),
        m.dims()
    );
    let _ = writeln!(
        out,
        "co-purchase links {}, co-view links {}, lines {}, reference time {} ms, repeat rates {}",
        p.co_purchase.targets.len(),
        p.co_view.targets.len(),
        p.info.lines,
        p.info.reference_time,
        if p.repeat.is_empty() { "no" } else { "yes" }
    );
    if let Some(id) = item {
        let i = m.index_of(id).ok_or_else(|| format!("no item '{id}'"))?;
        let repeat = m
            .repeat_rate(i)
            .map_or_else(|| "unknown".to_owned(), |r| format!("{r:.4}"));
        let _ = writeln!(
            out,
            "{id}: '{}', popularity {:.4}, trending {:.4}, repeat rate {repeat}",
            m.title(i),
            m.popularity(i),
            m.trending(i)
        );
        for (name, rel) in [
            ("bought with", m.co_purchase()),
            ("viewed with", m.co_view()),
        ] {
            let (t, w) = rel.of(i);
            for (j, s) in t.iter().zip(w).take(10) {
                let _ = writeln!(out, "  {name} {} ({s:.4}) {}", m.id(*j), m.title(*j));
            }
        }
    } else {
        let _ = writeln!(out, "most popular:");
        for &i in m.by_popularity().iter().take(10) {
            let _ = writeln!(out, "  {} {:.4} {}", m.id(i), m.popularity(i), m.title(i));
        }
    }
    Ok(out)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("build") => run_build(&args[1..]),
        Some("inspect") => run_inspect(&args[1..]),
        Some("-h" | "--help" | "help") => {
            say!("{USAGE}");
            Ok(())
        }
        Some("-V" | "--version") => {
            say!("vitrine-model {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tell!("vitrine-model: {e}");
            ExitCode::FAILURE
        }
    }
}
