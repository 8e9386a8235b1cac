//! Passes 1 and 2 of the direct build: read lines into order-partitioned spill files, then
//! group each partition into baskets and count item statistics and pairs.
//!
//! Definitions (the same as `sql/cooccurrence.sql`, which must agree exactly,
//! `tests/sql_cooccurrence.rs`):
//! - an **order** is all purchase lines with the same `order_id` (orders must be unique across
//!   users); they form a basket of distinct items;
//! - a **session** is all `view`/`add` lines with the same `order_id` and the same `user_id`
//!   (lines without one form the session of their `order_id` alone), ordered by (time, item id):
//!   GA4's `ga_session_id` is unique per user only;
//! - `baskets(i)`: orders whose basket holds `i`; `sessions(i)`: sessions that hold `i`;
//! - co-purchase `c(a, b)`: baskets holding both (baskets over `max_basket` items skipped);
//! - co-view `v(a, b)`: over sessions, for every two positions `p < q` with `q − p ≤ W` and
//!   different items, `W + 1 − (q − p)` (adjacent views weigh most);
//! - popularity `Σ w(event) · 0.5^((T − t) / H)` over lines, `T` the latest time in the data,
//!   `H` the half-life (trending: a shorter one); `w` is 1 for purchase, 0.25 add, 0.05 view;
//! - a purchase line's **buyer** is its `user_id`, or, when it has none, the one `user_id` the
//!   other purchase lines of its order give (Shopify writes the customer on an order's first
//!   line only); an order naming two users gives none to its lines without one;
//! - `buyers(i)`: distinct buyers with a purchase line of `i`;
//!   `repeat_buyers(i)`: those among them whose purchase lines of `i` are in two or more orders.

use super::input::{Input, Record};
use super::pairs::PairCounter;
use super::rows::{self, hash, CatalogItem, EventKind, Skip};
use super::{check_bad, BuildError, ItemStats, Options, Report, EPOCH_SECONDS_BELOW};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// Spill files of pass 1. With 20 million lines each holds about 12 MB.
pub const PARTITIONS: usize = 64;
/// A line spilled: order hash (8 bytes), time (8), item (4), event (1), user hash (8), hash of
/// the line's bytes (4), line number (4).
const RECORD: usize = 37;
/// A purchase line's buyer, order and item, spilled by buyer for the repeat counts.
const BUYER_RECORD: usize = 20;
/// The user hash of lines without a user (a real id hashing to 0 is as likely as a collision).
const NO_USER: u64 = 0;

const DAY_MS: f64 = 86_400_000.0;

/// One line, compact: the order's hash, the time, the item (pass-1 index), the event, the
/// user's hash (or [`NO_USER`]), the hash of the line's bytes and its line number.
#[derive(Clone, Copy, Debug)]
struct Line {
    order: u64,
    time: i64,
    user: u64,
    item: u32,
    content: u32,
    line: u32,
    event: u8,
}

impl Line {
    fn is_purchase(&self) -> bool {
        self.event == EventKind::Purchase as u8
    }

    /// Who a session belongs to: its user (sessions ids are per user in GA4); purchases are
    /// grouped by order alone, whatever their lines say.
    fn session_user(&self) -> u64 {
        if self.is_purchase() {
            NO_USER
        } else {
            self.user
        }
    }
}

/// What pass 1 noticed, for the warnings ([`warn`]).
#[derive(Clone, Debug, Default)]
pub struct Notes {
    /// Lines whose timestamp is a number before 1973 (epoch seconds?), and the first: line and
    /// value.
    early_numeric: u64,
    early_example: Option<(u64, String)>,
    /// Lines with a value in scientific notation, and the first: line, column and value.
    scientific: u64,
    scientific_example: Option<(u64, &'static str, String)>,
}

pub struct ReadOutput {
    pub ids: Vec<String>,
    /// Per pass-1 item: sum and count of prices seen.
    pub prices: Vec<(f64, u64)>,
    pub partitions: Vec<PathBuf>,
    pub reference_time: i64,
    pub notes: Notes,
}

/// Pass 1.
pub fn read(
    path: &Path,
    catalog: &[CatalogItem],
    o: &Options,
    dir: &Path,
    report: &mut Report,
) -> Result<ReadOutput, BuildError> {
    let mut input = Input::open(path)?;
    for (names, what) in [
        (rows::ORDER, "order_id"),
        (rows::ITEM, "item_id"),
        (rows::TIME, "timestamp"),
    ] {
        if !input.has_column(names) {
            return Err(BuildError::input(
                path,
                1,
                format!(
                    "the header has no {what} column (expected user_id,order_id,item_id,quantity,price,timestamp[,event]){}",
                    input.separator_hint()
                ),
            ));
        }
    }
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut ids: Vec<String> = Vec::new();
    for c in catalog {
        index.insert(c.id.clone(), ids.len() as u32);
        ids.push(c.id.clone());
    }
    let mut prices = vec![(0.0, 0u64); ids.len()];
    let partitions: Vec<PathBuf> = (0..PARTITIONS)
        .map(|p| dir.join(format!("lines-{p}.bin")))
        .collect();
    let mut writers = Vec::with_capacity(PARTITIONS);
    for p in &partitions {
        let f = File::create(p).map_err(|e| BuildError::io(p, e))?;
        writers.push(BufWriter::with_capacity(1 << 16, f));
    }
    let mut notes = Notes::default();
    let mut bar = input.progress("reading interactions", o.progress);
    let mut reference_time = i64::MIN;
    while let Some((line, rec)) = input.next_record()? {
        report.rows += 1;
        let row = match &rec {
            Ok(r) => rows::interaction(&input, r),
            Err(why) => Err(Skip::Bad(why.clone())),
        };
        match row {
            Ok(r) => {
                if r.numeric_time && (r.time as f64) < EPOCH_SECONDS_BELOW {
                    notes.early_numeric += 1;
                    if notes.early_example.is_none() {
                        notes.early_example = Some((line, shown(&input, &rec, rows::TIME)));
                    }
                }
                if let Some(column) = r.scientific {
                    notes.scientific += 1;
                    if notes.scientific_example.is_none() {
                        let names = match column {
                            "order_id" => rows::ORDER,
                            "item_id" => rows::ITEM,
                            _ => rows::TIME,
                        };
                        notes.scientific_example = Some((line, column, shown(&input, &rec, names)));
                    }
                }
                let item = match index.get(r.item.as_str()) {
                    Some(&i) => i,
                    None => {
                        let i = ids.len() as u32;
                        index.insert(r.item.clone(), i);
                        ids.push(r.item);
                        prices.push((0.0, 0));
                        i
                    }
                };
                if let Some(p) = r.price {
                    let slot = &mut prices[item as usize];
                    slot.0 += p;
                    slot.1 += 1;
                }
                reference_time = reference_time.max(r.time);
                let order = hash(&r.order);
                let mut rec = [0u8; RECORD];
                rec[..8].copy_from_slice(&order.to_le_bytes());
                rec[8..16].copy_from_slice(&r.time.to_le_bytes());
                rec[16..20].copy_from_slice(&item.to_le_bytes());
                rec[20] = r.event as u8;
                rec[21..29].copy_from_slice(&r.user.to_le_bytes());
                rec[29..33].copy_from_slice(&input.line_hash().to_le_bytes());
                rec[33..37].copy_from_slice(&u32::try_from(line).unwrap_or(u32::MAX).to_le_bytes());
                let p = (order % PARTITIONS as u64) as usize;
                writers[p]
                    .write_all(&rec)
                    .map_err(|e| BuildError::io(&partitions[p], e))?;
                report.used += 1;
            }
            Err(Skip::NonPositiveQuantity) => report.non_positive += 1,
            Err(Skip::Bad(why)) => {
                report.bad += 1;
                report.note_bad(path, line, why);
            }
        }
        if report.rows % 65536 == 0 {
            bar.tick(&format!("{:.1}M lines", report.rows as f64 / 1e6));
            // Fail fast on a file that is clearly not interactions.
            if report.rows == 65536 && report.bad * 2 > report.rows {
                check_bad(path, report.bad, report.rows, o, report)?;
            }
        }
    }
    for (w, p) in writers.iter_mut().zip(&partitions) {
        w.flush().map_err(|e| BuildError::io(p, e))?;
    }
    bar.finish(&format!("{} lines, {} items", report.rows, ids.len()));
    check_bad(path, report.bad, report.rows, o, report)?;
    Ok(ReadOutput {
        ids,
        prices,
        partitions,
        reference_time: if reference_time == i64::MIN {
            0
        } else {
            reference_time
        },
        notes,
    })
}

/// A field of a record as given, for a warning's example.
fn shown(input: &Input, rec: &Result<Record, String>, names: &[&str]) -> String {
    rec.as_ref()
        .ok()
        .and_then(|r| input.field(r, names))
        .map(|f| f.shown())
        .unwrap_or_default()
}

/// Turns what the passes noticed into the report's warnings.
pub fn warn(path: &Path, notes: &Notes, reference_time: i64, report: &mut Report) {
    let file = path.display();
    if let Some((line, value)) = &notes.early_example {
        // Every time before 1973 is the other warning (`finish`): epoch seconds throughout.
        if reference_time as f64 >= EPOCH_SECONDS_BELOW {
            report.warnings.push(format!(
                "{} lines have a numeric timestamp before 1973 while others are later (the first: \
                 {file}:{line}: '{value}'): numbers are read as epoch milliseconds; if these are \
                 epoch seconds, multiply them by 1000",
                notes.early_numeric
            ));
        }
    }
    if let Some((line, column, value)) = &notes.scientific_example {
        report.warnings.push(format!(
            "{} lines have an id or time in scientific notation (the first: {file}:{line}: \
             {column} '{value}'), as Excel shows long numbers and saves them in CSV: their last \
             digits are lost (different orders or items may have become one); format the \
             column as text (or number with 0 decimals) before saving",
            notes.scientific
        ));
    }
    if let Some((line, earlier)) = report.duplicate_example {
        report.warnings.push(format!(
            "{} lines repeat an earlier line exactly (e.g. {file}:{line} repeats line {earlier}): \
             overlapping exports put together? They are counted as the file gives them",
            report.duplicate_lines
        ));
    }
    if let Some(line) = report.two_users_example {
        report.warnings.push(format!(
            "{} orders have purchase lines of two or more user_ids (e.g. {file}:{line}): order ids \
             must be unique across users; their lines without a user_id count for no buyer",
            report.orders_of_two_users
        ));
    }
}

pub struct Counted {
    pub stats: Vec<ItemStats>,
    pub co_purchase: PairCounter,
    pub co_view: PairCounter,
    /// Purchase lines and their buyers, for the repeat counts.
    pub buyers: BuyerSpill,
}

/// Pass 2.
pub fn count(
    partitions: &[PathBuf],
    remap: &[u32],
    reference_time: i64,
    o: &Options,
    dir: &Path,
    report: &mut Report,
) -> Result<Counted, BuildError> {
    let n = remap.len();
    let mut stats = vec![ItemStats::default(); n];
    let budget = o.memory_bytes / 2;
    let mut co_purchase = PairCounter::new(dir, "purchase", budget);
    let mut co_view = PairCounter::new(dir, "view", budget);
    let mut buyers = BuyerSpill::new(dir)?;
    let pop_hl = o.popularity_half_life_days * DAY_MS;
    let trend_hl = o.trending_half_life_days * DAY_MS;
    let window = o.view_window;
    let mut bar = super::Progress::steps("counting baskets", partitions.len() as u64, o.progress);
    let mut lines: Vec<Line> = Vec::new();
    let mut basket: Vec<u32> = Vec::new();
    let mut session: Vec<u32> = Vec::new();
    let mut distinct: Vec<u32> = Vec::new();
    for (pi, path) in partitions.iter().enumerate() {
        lines.clear();
        let f = File::open(path).map_err(|e| BuildError::io(path, e))?;
        let mut r = BufReader::with_capacity(1 << 16, f);
        let mut rec = [0u8; RECORD];
        loop {
            match r.read_exact(&mut rec) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                Err(e) => return Err(BuildError::io(path, e)),
            }
            let b8 = |a: usize| -> [u8; 8] {
                let mut x = [0u8; 8];
                x.copy_from_slice(&rec[a..a + 8]);
                x
            };
            let b4 = |a: usize| u32::from_le_bytes([rec[a], rec[a + 1], rec[a + 2], rec[a + 3]]);
            lines.push(Line {
                order: u64::from_le_bytes(b8(0)),
                time: i64::from_le_bytes(b8(8)),
                item: remap.get(b4(16) as usize).copied().unwrap_or(0),
                event: rec[20],
                user: u64::from_le_bytes(b8(21)),
                content: b4(29),
                line: b4(33),
            });
        }
        let _ = std::fs::remove_file(path);
        // Within an order id, each user's session, then the purchases; a session in (time, item
        // id) order: item indexes are sorted by id, so sorting by index is sorting by id. Equal
        // lines end up side by side, the first in the file first.
        lines.sort_unstable_by_key(|l| {
            (
                l.order,
                l.is_purchase(),
                l.session_user(),
                l.time,
                l.item,
                l.content,
                l.line,
            )
        });
        for l in &lines {
            let s = &mut stats[l.item as usize];
            let w = EventKind::from_u8(l.event).popularity_weight();
            let age = (reference_time - l.time) as f64;
            s.lines += 1;
            s.popularity += w * 0.5f64.powf(age / pop_hl);
            s.trending += w * 0.5f64.powf(age / trend_hl);
        }
        for order in
            lines.chunk_by(|a, b| a.order == b.order && a.session_user() == b.session_user())
        {
            report.baskets += 1;
            basket.clear();
            session.clear();
            for l in order {
                if l.is_purchase() {
                    basket.push(l.item);
                } else {
                    session.push(l.item);
                }
            }
            for w in order.windows(2) {
                let (a, b) = (&w[0], &w[1]);
                if (a.time, a.item, a.event, a.user, a.content)
                    == (b.time, b.item, b.event, b.user, b.content)
                {
                    report.duplicate_lines += 1;
                    if report
                        .duplicate_example
                        .is_none_or(|(line, _)| u64::from(b.line) < line)
                    {
                        report.duplicate_example = Some((u64::from(b.line), u64::from(a.line)));
                    }
                }
            }
            order_buyers(order, &mut buyers, report)?;
            basket.sort_unstable();
            basket.dedup();
            for &i in &basket {
                stats[i as usize].baskets += 1;
            }
            if basket.len() <= o.max_basket {
                for (x, &a) in basket.iter().enumerate() {
                    for &b in &basket[x + 1..] {
                        co_purchase.add(a, b, 1)?;
                    }
                }
            }
            distinct.clear();
            distinct.extend_from_slice(&session);
            distinct.sort_unstable();
            distinct.dedup();
            for &i in &distinct {
                stats[i as usize].sessions += 1;
            }
            for p in 0..session.len() {
                for d in 1..=window {
                    let Some(&b) = session.get(p + d) else { break };
                    let a = session[p];
                    if a != b {
                        co_view.add(a, b, (window + 1 - d) as u32)?;
                    }
                }
            }
        }
        bar.set(pi as u64 + 1);
        bar.tick(&format!("{} baskets", report.baskets));
    }
    bar.finish(&format!("{} baskets", report.baskets));
    report.pair_increments = co_purchase.increments + co_view.increments;
    Ok(Counted {
        stats,
        co_purchase,
        co_view,
        buyers,
    })
}

/// Spills the buyer of each purchase line of an order (its own user, or the order's one user).
fn order_buyers(
    order: &[Line],
    buyers: &mut BuyerSpill,
    report: &mut Report,
) -> Result<(), BuildError> {
    let mut one = NO_USER;
    let mut second: Option<u32> = None;
    for l in order
        .iter()
        .filter(|l| l.is_purchase() && l.user != NO_USER)
    {
        if one == NO_USER {
            one = l.user;
        } else if l.user != one && second.is_none() {
            second = Some(l.line);
        }
    }
    if let Some(line) = second {
        report.orders_of_two_users += 1;
        if report
            .two_users_example
            .is_none_or(|first| u64::from(line) < first)
        {
            report.two_users_example = Some(u64::from(line));
        }
        one = NO_USER;
    }
    for l in order.iter().filter(|l| l.is_purchase()) {
        let user = if l.user != NO_USER { l.user } else { one };
        if user != NO_USER {
            buyers.add(user, l.order, l.item)?;
        }
    }
    Ok(())
}

/// `(buyer, order, item)` of every purchase line with a buyer, spilled into partitions by buyer
/// so that each buyer's lines are in one file; [`BuyerSpill::count`] then reads one file at a
/// time (memory: one partition, 24 bytes per line).
pub struct BuyerSpill {
    paths: Vec<PathBuf>,
    writers: Vec<BufWriter<File>>,
}

impl BuyerSpill {
    fn new(dir: &Path) -> Result<Self, BuildError> {
        let paths: Vec<PathBuf> = (0..PARTITIONS)
            .map(|p| dir.join(format!("buyers-{p}.bin")))
            .collect();
        let mut writers = Vec::with_capacity(PARTITIONS);
        for p in &paths {
            let f = File::create(p).map_err(|e| BuildError::io(p, e))?;
            writers.push(BufWriter::with_capacity(1 << 14, f));
        }
        Ok(BuyerSpill { paths, writers })
    }

    fn add(&mut self, user: u64, order: u64, item: u32) -> Result<(), BuildError> {
        let mut rec = [0u8; BUYER_RECORD];
        rec[..8].copy_from_slice(&user.to_le_bytes());
        rec[8..16].copy_from_slice(&order.to_le_bytes());
        rec[16..].copy_from_slice(&item.to_le_bytes());
        let p = (user % PARTITIONS as u64) as usize;
        self.writers[p]
            .write_all(&rec)
            .map_err(|e| BuildError::io(&self.paths[p], e))
    }

    /// Adds `buyers` and `repeat_buyers` to the item statistics and removes the files.
    pub fn count(self, stats: &mut [ItemStats]) -> Result<(), BuildError> {
        let BuyerSpill { paths, writers } = self;
        for (mut w, p) in writers.into_iter().zip(&paths) {
            w.flush().map_err(|e| BuildError::io(p, e))?;
        }
        let mut recs: Vec<(u64, u32, u64)> = Vec::new();
        for path in &paths {
            let bytes = std::fs::read(path).map_err(|e| BuildError::io(path, e))?;
            let _ = std::fs::remove_file(path);
            recs.clear();
            recs.extend(bytes.chunks_exact(BUYER_RECORD).map(|c| {
                let b8 = |a: usize| {
                    let mut x = [0u8; 8];
                    x.copy_from_slice(&c[a..a + 8]);
                    u64::from_le_bytes(x)
                };
                (
                    b8(0),
                    u32::from_le_bytes([c[16], c[17], c[18], c[19]]),
                    b8(8),
                )
            }));
            drop(bytes);
            recs.sort_unstable();
            recs.dedup();
            for group in recs.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
                if let Some(s) = stats.get_mut(group[0].1 as usize) {
                    s.buyers += 1;
                    if group.len() >= 2 {
                        s.repeat_buyers += 1;
                    }
                }
            }
        }
        Ok(())
    }
}
