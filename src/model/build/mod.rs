//! The model builder behind `vitrine-model build` (native only; never in the wasm).
//!
//! Three passes, each in bounded memory:
//! 1. **Read** the interactions once: check each line, intern item ids, and append a compact
//!    record (order hash, time, item, event) to one of [`PARTITIONS`] spill files chosen by the
//!    order's hash, so every order lands whole in one partition.
//! 2. **Baskets**: load one partition at a time, group it into orders and sessions, and count
//!    per-item statistics (orders, sessions, decayed popularity and trending) and item pairs
//!    (co-purchase within an order, proximity-weighted co-view within a session) into
//!    [`pairs::PairCounter`]s that spill sorted runs to disk when their buffer is full.
//! 3. **Finish**: merge the runs into the top-M neighbours of every item ([`neighbours`]), learn
//!    embeddings from them ([`embed`]) unless the catalog has some, attach catalog attributes.
//!
//! `--pairs/--popularity` (the output of `sql/cooccurrence.sql`) replaces passes 1 and 2; pass 3
//! is shared, so both paths give the same model for the same data.

mod baskets;
mod embed;
pub mod input;
mod neighbours;
mod pairs;
pub mod progress;
pub mod rows;

use super::{Info, Lists, ModelParts, Strings, NONE};
use input::Input;
use pairs::PairCounter;
use progress::Progress;
use rows::CatalogItem;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub use baskets::PARTITIONS;
pub use neighbours::similarity;

/// Everything that can stop a build.
#[derive(Debug)]
pub enum BuildError {
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// A file that cannot be used as a whole (no header, missing columns, too many bad rows).
    Input {
        path: PathBuf,
        line: u64,
        message: String,
    },
    Usage(String),
}

impl BuildError {
    pub fn io(path: &Path, error: std::io::Error) -> Self {
        BuildError::Io {
            path: path.to_owned(),
            error,
        }
    }

    pub fn input(path: &Path, line: u64, message: impl Into<String>) -> Self {
        BuildError::Input {
            path: path.to_owned(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Io { path, error } => write!(f, "{}: {error}", path.display()),
            BuildError::Input {
                path,
                line: 0,
                message,
            } => write!(f, "{}: {message}", path.display()),
            BuildError::Input {
                path,
                line,
                message,
            } => write!(f, "{}:{line}: {message}", path.display()),
            BuildError::Usage(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for BuildError {}

/// The builder's knobs (the command line sets them; defaults in [`Default`]).
#[derive(Clone, Debug)]
pub struct Options {
    /// Neighbours kept per item and relation (top-M). Default 50.
    pub neighbours: usize,
    /// Embedding width learned when the catalog has none; 0 for none. Default 32.
    pub dims: usize,
    /// Shrinkage λ of the similarity. Default 10.
    pub shrink: f64,
    /// Pairs seen fewer times are dropped. Default 2.
    pub min_support: u32,
    /// Items with fewer buyers get the overall repeat rate instead of their own, so no rate
    /// describes a handful of shoppers. Default 5.
    pub repeat_min_buyers: u32,
    /// Strength of the shrinkage of an item's repeat rate towards the overall rate, in
    /// buyers (`(repeat buyers + α · overall) / (buyers + α)`). Default 2.
    pub repeat_prior: f64,
    /// Half-life of popularity, days. Default 90.
    pub popularity_half_life_days: f64,
    /// Half-life of trending, days. Default 14.
    pub trending_half_life_days: f64,
    /// Co-views count for views at most this many positions apart in a session, weighted
    /// `window + 1 − distance`. Default 3.
    pub view_window: usize,
    /// Orders with more distinct items than this add to popularity but not to pairs (their
    /// pair count grows with the square of their size). Default 1000.
    pub max_basket: usize,
    /// Bad rows tolerated, as a fraction of all rows; more is fatal. Default 0.01.
    pub max_bad_fraction: f64,
    /// Memory for pair buffers, bytes (two buffers share it). Default 1 GiB.
    pub memory_bytes: usize,
    /// Seed of the embedding's random start.
    pub seed: u64,
    /// Draw progress bars on standard error.
    pub progress: bool,
    /// Where spill files go (a fresh folder inside it, removed at the end).
    pub temp_dir: PathBuf,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            neighbours: 50,
            dims: 32,
            shrink: 10.0,
            min_support: 2,
            repeat_min_buyers: 5,
            repeat_prior: 2.0,
            popularity_half_life_days: 90.0,
            trending_half_life_days: 14.0,
            view_window: 3,
            max_basket: 1000,
            max_bad_fraction: 0.01,
            memory_bytes: 1 << 30,
            seed: 0x5EED,
            progress: false,
            temp_dir: std::env::temp_dir(),
        }
    }
}

/// What a build read and made, for the command's summary.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub rows: u64,
    pub used: u64,
    /// Returns and cancellations (quantity ≤ 0), left out.
    pub non_positive: u64,
    pub bad: u64,
    /// The first bad rows: `(file, line, why)`.
    pub bad_examples: Vec<(String, u64, String)>,
    pub catalog_items: usize,
    pub catalog_bad: u64,
    /// Items in the model whose catalog row was refused: kept out of stock and sensitive.
    pub refused_in_model: usize,
    /// Items in the interactions (or the popularity file) that a catalog given does not list:
    /// kept out of stock. The first by id.
    pub not_in_catalog: usize,
    pub not_in_catalog_example: Option<String>,
    /// Interaction lines that repeat an earlier line byte for byte (counted all the same), and
    /// one of them: `(line, the earlier line it repeats)`.
    pub duplicate_lines: u64,
    pub duplicate_example: Option<(u64, u64)>,
    /// Orders whose purchase lines name two or more different users, and a line of one.
    pub orders_of_two_users: u64,
    pub two_users_example: Option<u64>,
    /// What the build noticed but did not stop for, one sentence each, for the summary.
    pub warnings: Vec<String>,
    pub items: usize,
    pub baskets: u64,
    pub pair_increments: u64,
    pub co_purchase_pairs: u64,
    pub co_view_pairs: u64,
    pub spilled_runs: usize,
    pub seconds_read: f64,
    pub seconds_baskets: f64,
    pub seconds_finish: f64,
}

/// Most bad rows listed in the report.
pub const MAX_EXAMPLES: usize = 20;

/// 1973-03-03T09:46:40Z in epoch milliseconds (10^11): epoch seconds of any date since 1973 are
/// below it, epoch milliseconds of any date since then above it.
pub const EPOCH_SECONDS_BELOW: f64 = 1e11;

impl Report {
    /// Lists a bad row among the first ones (the caller counts it: `bad` for interaction lines,
    /// `catalog_bad` for catalog rows).
    fn note_bad(&mut self, path: &Path, line: u64, why: String) {
        if self.bad_examples.len() < MAX_EXAMPLES {
            self.bad_examples
                .push((path.display().to_string(), line, why));
        }
    }
}

/// Per-item statistics, whichever path computed them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ItemStats {
    pub lines: u64,
    /// Orders holding the item (purchases).
    pub baskets: u32,
    /// Sessions in which it was viewed or added.
    pub sessions: u32,
    pub popularity: f64,
    pub trending: f64,
    pub price_sum: f64,
    pub price_n: u64,
    /// Distinct buyers (lines with a `user_id`).
    pub buyers: u32,
    /// Buyers who bought it in two or more orders.
    pub repeat_buyers: u32,
}

/// A folder for spill files, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(base: &Path) -> Result<Self, BuildError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let p = base.join(format!("vitrine-model-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&p).map_err(|e| BuildError::io(&p, e))?;
        Ok(TempDir(p))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A catalog read: the list of what is for sale.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub items: Vec<CatalogItem>,
    /// Ids of rows refused (a title too long, a price or flag that is not one, a line that is
    /// not UTF-8…). The row might have said the item is sensitive or out of stock, so an item
    /// with such a row fails closed: if it is sold, it is in the model out of stock and
    /// sensitive, never shown, whatever another row of it says.
    pub refused: HashSet<String>,
}

/// Reads a catalog file (CSV or JSON Lines).
pub fn read_catalog(path: &Path, o: &Options, report: &mut Report) -> Result<Catalog, BuildError> {
    let mut input = Input::open(path)?;
    if input.format == input::Format::Csv && !input.has_column(rows::CATALOG_ID) {
        return Err(BuildError::input(
            path,
            1,
            format!(
                "the header has no item_id column (expected item_id,title,category,brand,price,in_stock,sensitive,tags){}",
                input.separator_hint()
            ),
        ));
    }
    let mut bar = input.progress("reading catalog", o.progress);
    let mut items: Vec<CatalogItem> = Vec::new();
    let mut refused = HashSet::new();
    let mut seen = HashMap::new();
    let mut rows = 0u64;
    // The width of the first embedding given: every other must have it.
    let mut dims: Option<(usize, u64)> = None;
    while let Some((line, rec)) = input.next_record()? {
        rows += 1;
        let item = match rec {
            Ok(r) => rows::catalog_item(&input, &r),
            Err(why) => Err(rows::Refused {
                id: input.salvage(rows::CATALOG_ID),
                why,
            }),
        };
        match item {
            Ok(it) => {
                if let Some(&first) = seen.get(&it.id) {
                    // The first row is kept, but what a later one says against showing the
                    // item still holds.
                    let kept: &mut CatalogItem = &mut items[first];
                    kept.sensitive |= it.sensitive;
                    kept.in_stock &= it.in_stock;
                    report.catalog_bad += 1;
                    report.note_bad(path, line, format!("item '{}' appears again", it.id));
                    continue;
                }
                let width = it.embedding.len();
                match dims {
                    Some((d, first)) if width > 0 && width != d => {
                        report.catalog_bad += 1;
                        let why = format!(
                            "embedding has {width} numbers, the one on line {first} has {d}"
                        );
                        report.note_bad(path, line, why);
                        refused.insert(it.id);
                        continue;
                    }
                    None if width > 0 => dims = Some((width, line)),
                    _ => {}
                }
                seen.insert(it.id.clone(), items.len());
                items.push(it);
            }
            Err(r) => {
                report.catalog_bad += 1;
                report.note_bad(path, line, r.why);
                refused.extend(r.id);
            }
        }
        if rows % 4096 == 0 {
            bar.tick(&format!("{rows} items"));
        }
    }
    bar.finish(&format!("{} items", items.len()));
    check_bad(path, report.catalog_bad, rows, o, report)?;
    if items.is_empty() {
        return Err(BuildError::input(
            path,
            0,
            "lists no item: a catalog given is the list of what is for sale, so every item would \
             be out of stock (leave --catalog out to build without one)",
        ));
    }
    report.catalog_items = items.len();
    Ok(Catalog { items, refused })
}

/// Fails when more than `--max-bad` of a file's rows are bad, listing the first ones.
fn check_bad(
    path: &Path,
    bad: u64,
    rows: u64,
    o: &Options,
    report: &Report,
) -> Result<(), BuildError> {
    if bad > 0 && bad as f64 > o.max_bad_fraction * rows as f64 {
        let mut message = format!(
            "{bad} of {rows} rows are bad, more than the {:.2}% tolerated (--max-bad); the first:",
            o.max_bad_fraction * 100.0
        );
        list_bad(&mut message, path, bad, report);
        return Err(BuildError::input(path, 0, message));
    }
    Ok(())
}

/// Appends the bad rows of `path` listed in the report, one a line.
fn list_bad(message: &mut String, path: &Path, bad: u64, report: &Report) {
    let file = path.display().to_string();
    let mut listed = 0;
    for (_, line, why) in report.bad_examples.iter().filter(|e| e.0 == file) {
        message.push_str(&format!("\n  {file}:{line}: {why}"));
        listed += 1;
    }
    if bad > listed {
        message.push_str(&format!("\n  … and {} more", bad - listed));
    }
}

/// Sorts ids bytewise and returns them with `old index → new index`.
fn sort_ids(ids: Vec<String>) -> (Vec<String>, Vec<u32>) {
    let mut order: Vec<u32> = (0..ids.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| ids[a as usize].cmp(&ids[b as usize]));
    let mut remap = vec![0u32; ids.len()];
    for (new, &old) in order.iter().enumerate() {
        remap[old as usize] = new as u32;
    }
    let mut slots: Vec<Option<String>> = ids.into_iter().map(Some).collect();
    let sorted = order
        .iter()
        .map(|&old| slots[old as usize].take().unwrap_or_default())
        .collect();
    (sorted, remap)
}

/// Builds a model from interaction lines (and an optional catalog).
pub fn build(
    interactions: &Path,
    catalog: Option<&Path>,
    o: &Options,
) -> Result<(ModelParts, Report), BuildError> {
    let mut report = Report::default();
    let catalog = match catalog {
        Some(p) => Some(read_catalog(p, o, &mut report)?),
        None => None,
    };
    let tmp = TempDir::new(&o.temp_dir)?;
    let t0 = Instant::now();
    let listed = catalog.as_ref().map_or(&[][..], |c| &c.items[..]);
    let read = baskets::read(interactions, listed, o, &tmp.0, &mut report)?;
    report.seconds_read = t0.elapsed().as_secs_f64();
    if report.used == 0 {
        let mut message = format!(
            "no line can be used ({} read, {} returns or cancellations, {} bad): a model needs at least one",
            report.rows, report.non_positive, report.bad
        );
        list_bad(&mut message, interactions, report.bad, &report);
        return Err(BuildError::input(interactions, 0, message));
    }
    let t1 = Instant::now();
    let (ids, remap) = sort_ids(read.ids);
    let counted = baskets::count(
        &read.partitions,
        &remap,
        read.reference_time,
        o,
        &tmp.0,
        &mut report,
    )?;
    let mut stats = counted.stats;
    counted.buyers.count(&mut stats)?;
    for (old, p) in read.prices.into_iter().enumerate() {
        let s = &mut stats[remap[old] as usize];
        s.price_sum = p.0;
        s.price_n = p.1;
    }
    report.seconds_baskets = t1.elapsed().as_secs_f64();
    let info = Info {
        reference_time: read.reference_time as f64,
        popularity_half_life_days: o.popularity_half_life_days as f32,
        trending_half_life_days: o.trending_half_life_days as f32,
        lines: stats.iter().map(|s| s.lines).sum(),
    };
    baskets::warn(interactions, &read.notes, read.reference_time, &mut report);
    finish(
        ids,
        stats,
        counted.co_purchase,
        counted.co_view,
        catalog.as_ref(),
        info,
        o,
        &mut report,
    )
}

/// Builds a model from `sql/cooccurrence.sql`'s output: `popularity` (one row per item) and
/// `pairs` (one row per item pair and kind).
pub fn build_from_counts(
    pairs_path: &Path,
    popularity_path: &Path,
    catalog: Option<&Path>,
    o: &Options,
) -> Result<(ModelParts, Report), BuildError> {
    let mut report = Report::default();
    let catalog = match catalog {
        Some(p) => Some(read_catalog(p, o, &mut report)?),
        None => None,
    };
    let tmp = TempDir::new(&o.temp_dir)?;
    let t0 = Instant::now();
    let mut input = Input::open(popularity_path)?;
    require_columns(
        &input,
        &[
            "item_id",
            "lines",
            "baskets",
            "sessions",
            "popularity",
            "trending",
            "price",
            "price_lines",
            "reference_time",
        ],
        "sql/cooccurrence.sql's vitrine_popularity: item_id,lines,baskets,sessions,popularity,\
         trending,price,price_lines,reference_time[,buyers,repeat_buyers]",
    )?;
    let mut ids: Vec<String> = Vec::new();
    let mut raw_stats: Vec<ItemStats> = Vec::new();
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut reference_time = 0f64;
    let num = |input: &Input, r: &input::Record, k: &str, line: u64| -> Result<f64, BuildError> {
        let Some(f) = input.field(r, &[k]) else {
            return Err(BuildError::input(input.path(), line, format!("has no {k}")));
        };
        f.number()
            .filter(|&x| super::fits_f32(x) && x >= 0.0)
            .ok_or_else(|| {
                BuildError::input(
                    input.path(),
                    line,
                    format!(
                        "{k} '{}' is not a non-negative number of at most 3.4e38",
                        f.shown()
                    ),
                )
            })
    };
    while let Some((line, rec)) = input.next_record()? {
        let r = rec.map_err(|why| BuildError::input(popularity_path, line, why))?;
        let id = input
            .field(&r, &["item_id"])
            .and_then(|f| f.text().map(|s| s.into_owned()))
            .ok_or_else(|| BuildError::input(popularity_path, line, "has no item_id"))?;
        let price_n = num(&input, &r, "price_lines", line)? as u64;
        // Absent in the output of sql/cooccurrence.sql before repeat rates: no repeat rates.
        let optional = |k: &str| -> Result<u32, BuildError> {
            match input.field(&r, &[k]) {
                None => Ok(0),
                Some(_) => Ok(num(&input, &r, k, line)?.min(f64::from(u32::MAX)) as u32),
            }
        };
        let stats = ItemStats {
            buyers: optional("buyers")?,
            repeat_buyers: optional("repeat_buyers")?,
            lines: num(&input, &r, "lines", line)? as u64,
            baskets: num(&input, &r, "baskets", line)? as u32,
            sessions: num(&input, &r, "sessions", line)? as u32,
            popularity: num(&input, &r, "popularity", line)?,
            trending: num(&input, &r, "trending", line)?,
            price_sum: if price_n > 0 {
                num(&input, &r, "price", line)? * price_n as f64
            } else {
                0.0
            },
            price_n,
        };
        reference_time = reference_time.max(num(&input, &r, "reference_time", line)?);
        if index.insert(id.clone(), ids.len() as u32).is_some() {
            return Err(BuildError::input(
                popularity_path,
                line,
                format!("item '{id}' appears twice"),
            ));
        }
        ids.push(id);
        raw_stats.push(stats);
    }
    for c in catalog.iter().flat_map(|c| &c.items) {
        if !index.contains_key(&c.id) {
            index.insert(c.id.clone(), ids.len() as u32);
            ids.push(c.id.clone());
            raw_stats.push(ItemStats::default());
        }
    }
    let (ids, remap) = sort_ids(ids);
    let mut stats = vec![ItemStats::default(); ids.len()];
    for (old, s) in raw_stats.into_iter().enumerate() {
        stats[remap[old] as usize] = s;
    }
    let budget = o.memory_bytes / 2;
    let mut co_purchase = PairCounter::new(&tmp.0, "purchase", budget);
    let mut co_view = PairCounter::new(&tmp.0, "view", budget);
    let mut input = Input::open(pairs_path)?;
    require_columns(
        &input,
        &["item_a", "item_b", "kind", "weight"],
        "sql/cooccurrence.sql's vitrine_pairs: kind,item_a,item_b,weight",
    )?;
    let mut bar = input.progress("reading pairs", o.progress);
    let mut rows = 0u64;
    while let Some((line, rec)) = input.next_record()? {
        let r = rec.map_err(|why| BuildError::input(pairs_path, line, why))?;
        let item = |k: &str| -> Result<u32, BuildError> {
            let id = input
                .field(&r, &[k])
                .and_then(|f| f.text().map(|s| s.into_owned()))
                .unwrap_or_default();
            index
                .get(&id)
                .map(|&old| remap[old as usize])
                .ok_or_else(|| {
                    BuildError::input(
                        pairs_path,
                        line,
                        format!("{k} '{id}' is not in the popularity file"),
                    )
                })
        };
        let (a, b) = (item("item_a")?, item("item_b")?);
        let w = input
            .field(&r, &["weight"])
            .and_then(|f| f.number())
            .filter(|w| *w >= 0.0 && w.fract() == 0.0 && *w <= f64::from(u32::MAX))
            .ok_or_else(|| BuildError::input(pairs_path, line, "weight is not a whole number"))?
            as u32;
        if a == b {
            return Err(BuildError::input(
                pairs_path,
                line,
                "pairs an item with itself",
            ));
        }
        match input
            .field(&r, &["kind"])
            .and_then(|f| f.text().map(|s| s.trim().to_ascii_lowercase()))
            .as_deref()
        {
            Some("purchase") => co_purchase.add(a, b, w)?,
            Some("view") => co_view.add(a, b, w)?,
            _ => {
                return Err(BuildError::input(
                    pairs_path,
                    line,
                    "kind is not purchase or view",
                ))
            }
        }
        rows += 1;
        if rows % 65536 == 0 {
            bar.tick(&format!("{rows} pairs"));
        }
    }
    bar.finish(&format!("{rows} pairs"));
    report.pair_increments = co_purchase.increments + co_view.increments;
    report.seconds_read = t0.elapsed().as_secs_f64();
    report.rows = stats.iter().map(|s| s.lines).sum();
    report.used = report.rows;
    let info = Info {
        reference_time,
        popularity_half_life_days: o.popularity_half_life_days as f32,
        trending_half_life_days: o.trending_half_life_days as f32,
        lines: report.rows,
    };
    finish(
        ids,
        stats,
        co_purchase,
        co_view,
        catalog.as_ref(),
        info,
        o,
        &mut report,
    )
}

/// Fails on a CSV file whose header lacks one of `columns`, naming it and what was expected.
fn require_columns(input: &Input, columns: &[&str], expected: &str) -> Result<(), BuildError> {
    match columns.iter().find(|c| !input.has_column(&[c])) {
        Some(missing) => Err(BuildError::input(
            input.path(),
            1,
            format!(
                "the header has no {missing} column (expected {expected}){}",
                input.separator_hint()
            ),
        )),
        None => Ok(()),
    }
}

/// Per item, the share of its buyers who bought it in two or more orders, shrunk towards the
/// share over all items; items with fewer than `repeat_min_buyers` buyers get that overall
/// share. Empty when no line had a buyer.
fn repeat_rates(stats: &[ItemStats], o: &Options) -> Vec<f32> {
    let buyers: u64 = stats.iter().map(|s| u64::from(s.buyers)).sum();
    let repeaters: u64 = stats.iter().map(|s| u64::from(s.repeat_buyers)).sum();
    if buyers == 0 {
        return Vec::new();
    }
    let overall = repeaters as f64 / buyers as f64;
    let alpha = o.repeat_prior.max(0.0);
    stats
        .iter()
        .map(|s| {
            let rate = if s.buyers >= o.repeat_min_buyers.max(1) {
                (f64::from(s.repeat_buyers) + alpha * overall) / (f64::from(s.buyers) + alpha)
            } else {
                overall
            };
            rate.clamp(0.0, 1.0) as f32
        })
        .collect()
}

/// Pass 3, shared by both paths: neighbours, embeddings, attributes.
#[allow(clippy::too_many_arguments)]
fn finish(
    ids: Vec<String>,
    stats: Vec<ItemStats>,
    co_purchase: PairCounter,
    co_view: PairCounter,
    catalog: Option<&Catalog>,
    info: Info,
    o: &Options,
    report: &mut Report,
) -> Result<(ModelParts, Report), BuildError> {
    // Epoch seconds read as milliseconds put the whole history in January 1970.
    let latest = info.reference_time;
    if latest > 0.0 && latest < EPOCH_SECONDS_BELOW {
        report.warnings.push(format!(
            "every timestamp is before 1973-03-04 (the latest is {latest}): numbers are read as \
             epoch milliseconds; if these are epoch seconds, multiply them by 1000"
        ));
    }
    let refused = catalog.map(|c| &c.refused);
    let catalog = catalog.map_or(&[][..], |c| &c.items[..]);
    let t = Instant::now();
    let n = ids.len();
    report.items = n;
    report.spilled_runs += co_purchase.runs() + co_view.runs();
    let mut bar = Progress::steps("neighbours", 3, o.progress);
    bar.tick("co-purchase");
    let baskets: Vec<u32> = stats.iter().map(|s| s.baskets).collect();
    let (cp, kept) = neighbours::top_m(
        co_purchase,
        n,
        &baskets,
        o.neighbours,
        o.min_support,
        o.shrink,
    )?;
    report.co_purchase_pairs = kept;
    bar.set(1);
    bar.tick("co-view");
    let sessions: Vec<u32> = stats.iter().map(|s| s.sessions).collect();
    let (cv, kept) =
        neighbours::top_m(co_view, n, &sessions, o.neighbours, o.min_support, o.shrink)?;
    report.co_view_pairs = kept;
    bar.set(2);

    let by_id: HashMap<&str, &CatalogItem> = catalog.iter().map(|c| (c.id.as_str(), c)).collect();
    let catalog_dims = catalog.iter().map(|c| c.embedding.len()).max().unwrap_or(0);
    let (dims, embeddings) = if catalog_dims > 0 {
        let mut e = vec![0.0f32; n * catalog_dims];
        for (i, id) in ids.iter().enumerate() {
            if let Some(c) = by_id
                .get(id.as_str())
                .filter(|c| c.embedding.len() == catalog_dims)
            {
                e[i * catalog_dims..(i + 1) * catalog_dims].copy_from_slice(&c.embedding);
            }
        }
        (catalog_dims, e)
    } else if o.dims > 0 && !(cp.is_empty() && cv.is_empty()) {
        bar.tick("embeddings");
        (o.dims, embed::learn(&[&cp, &cv], n, o.dims, o.seed))
    } else {
        (0, Vec::new())
    };
    bar.finish("done");

    let mut p = ModelParts {
        co_purchase: cp,
        co_view: cv,
        dims,
        embeddings: embeddings.into(),
        info,
        ..Default::default()
    };
    let names = |table: &mut Strings, index: &mut HashMap<String, u32>, name: &str| -> u32 {
        // The key the SDK matches names by: spellings it takes as one name are one here.
        let key = crate::text::key(name);
        *index.entry(key).or_insert_with(|| {
            table.push(name.trim());
            (table.len() - 1) as u32
        })
    };
    let (mut cat_index, mut brand_index, mut tag_index) =
        (HashMap::new(), HashMap::new(), HashMap::new());
    let mut tag_rows = Lists::default();
    let mut any_tags = false;
    let (mut category, mut brand, mut price) = (Vec::new(), Vec::new(), Vec::new());
    for (i, id) in ids.iter().enumerate() {
        let s = &stats[i];
        let c = by_id.get(id.as_str());
        p.ids.push(id);
        p.titles.push(c.map_or("", |c| c.title.as_str()));
        category.push(
            c.and_then(|c| c.category.as_deref())
                .map_or(NONE, |name| names(&mut p.categories, &mut cat_index, name)),
        );
        brand.push(
            c.and_then(|c| c.brand.as_deref())
                .map_or(NONE, |name| names(&mut p.brands, &mut brand_index, name)),
        );
        let seen_price = (s.price_n > 0).then(|| s.price_sum / s.price_n as f64);
        price.push(
            c.and_then(|c| c.price)
                .or(seen_price)
                .map_or(f32::NAN, |x| x as f32),
        );
        // Fail closed: an item whose catalog row was refused may be sensitive or out of stock,
        // and one a catalog given does not list is not for sale.
        let was_refused = refused.is_some_and(|r| r.contains(id.as_str()));
        let unlisted = refused.is_some() && c.is_none() && !was_refused;
        if was_refused {
            report.refused_in_model += 1;
        } else if unlisted {
            report.not_in_catalog += 1;
            if report.not_in_catalog_example.is_none() {
                report.not_in_catalog_example = Some(id.clone());
            }
        }
        p.in_stock
            .push(!was_refused && !unlisted && c.is_none_or(|c| c.in_stock));
        p.sensitive
            .push(was_refused || c.is_some_and(|c| c.sensitive));
        let mut row: Vec<u32> = c
            .map(|c| {
                c.tags
                    .iter()
                    .map(|t| names(&mut p.tags, &mut tag_index, t))
                    .collect()
            })
            .unwrap_or_default();
        row.sort_unstable();
        row.dedup();
        any_tags |= !row.is_empty();
        tag_rows.push(&row);
        p.popularity.push(s.popularity as f32);
        p.trending.push(s.trending as f32);
    }
    (p.category, p.brand, p.price) = (category.into(), brand.into(), price.into());
    p.repeat = repeat_rates(&stats, o);
    if any_tags {
        p.item_tags = tag_rows;
    }
    report.seconds_finish = t.elapsed().as_secs_f64();
    Ok((p, std::mem::take(report)))
}

#[cfg(test)]
mod tests;
