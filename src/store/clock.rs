//! Which tab's events a stored profile already holds: a small version vector.
//!
//! Every session writes as a *writer* (a random 32-bit id) and numbers the events it records
//! (`seq`, from 1). A stored profile carries, for each writer that recently wrote, the highest
//! `seq` it incorporates. When a tab finds a stored profile that lacks some of its own recent
//! events (another tab wrote from a stale copy: browsers propagate `localStorage` between tabs
//! asynchronously), it re-applies exactly those, and only those, so nothing is counted twice and
//! nothing is lost.
//!
//! Entries of writers that have not written for [`FORGET_MS`] are dropped: a writer keeps its
//! events for re-applying only [`crate::session::MERGE_WINDOW_MS`] after they are stored, so an
//! entry older than that is never needed again. At most [`MAX_WRITERS`] entries are kept.

use crate::bytes::{Reader, Truncated, Writer};
use crate::profile::true_time;

/// How long an entry outlives its writer's last write.
pub const FORGET_MS: f64 = 60_000.0;
/// Most writers remembered (the ones that wrote least recently go first).
pub const MAX_WRITERS: usize = 32;

/// One writer's progress.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Entry {
    pub writer: u32,
    pub seq: u32,
    /// When it last wrote, ms since the epoch.
    pub at: f64,
}

/// The version vector of a stored profile.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Clock(Vec<Entry>);

impl From<&Entry> for crate::audit::Writer {
    fn from(e: &Entry) -> Self {
        crate::audit::Writer {
            writer: e.writer,
            events: e.seq,
            last_write_at: e.at,
        }
    }
}

impl Clock {
    /// The highest `seq` of `writer` this profile holds (0: none).
    pub fn seen(&self, writer: u32) -> u32 {
        self.0
            .iter()
            .find(|e| e.writer == writer)
            .map_or(0, |e| e.seq)
    }

    /// Records that `writer` has written up to `seq` at `at` (now), and forgets stale writers.
    ///
    /// Times later than `at` are brought back to it first, as the profile's are (and, as there,
    /// not to a clock before 2001, which is wrong: [`true_time`]): a device whose clock ran ahead, or a
    /// record written by something else than vitrine, could otherwise keep writers that never go
    /// quiet. `writer`'s own entry is always kept: without it, every tab would re-apply its
    /// recent events at each merge (32 forged entries a year ahead pushed it out).
    pub fn advance(&mut self, writer: u32, seq: u32, at: f64) {
        if true_time(at) {
            for e in &mut self.0 {
                e.at = e.at.min(at);
            }
        }
        match self.0.iter_mut().find(|e| e.writer == writer) {
            Some(e) => {
                e.seq = e.seq.max(seq);
                e.at = e.at.max(at);
            }
            None => self.0.push(Entry { writer, seq, at }),
        }
        self.0
            .retain(|e| e.writer == writer || at - e.at <= FORGET_MS);
        if self.0.len() > MAX_WRITERS {
            crate::sort::sort_by_cmp(&mut self.0, &mut |a, b| {
                (b.writer == writer)
                    .cmp(&(a.writer == writer))
                    .then(b.at.total_cmp(&a.at))
            });
            self.0.truncate(MAX_WRITERS);
        }
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Every writer remembered, in the order stored.
    pub fn entries(&self) -> &[Entry] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `u8 n · n × (u32 writer, u32 seq, f64 at)`.
    pub fn encode(&self, w: &mut Writer) {
        w.u8(self.0.len().min(MAX_WRITERS) as u8);
        for e in self.0.iter().take(MAX_WRITERS) {
            w.u32(e.writer);
            w.u32(e.seq);
            w.f64(e.at);
        }
    }

    /// `None` when the clock is damaged (too many entries, a non-finite time).
    pub fn decode(r: &mut Reader<'_>) -> Result<Option<Self>, Truncated> {
        let n = usize::from(r.u8()?);
        let mut entries = Vec::with_capacity(n.min(MAX_WRITERS));
        for _ in 0..n {
            let (writer, seq, at) = (r.u32()?, r.u32()?, r.f64()?);
            entries.push(Entry { writer, seq, at });
        }
        let valid = n <= MAX_WRITERS && entries.iter().all(|e| e.at.is_finite() && e.at >= 0.0);
        Ok(valid.then_some(Clock(entries)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advances_forgets_and_round_trips() {
        let mut c = Clock::default();
        assert_eq!(c.seen(7), 0);
        c.advance(7, 3, 1000.0);
        c.advance(9, 1, 2000.0);
        c.advance(7, 2, 1500.0);
        assert_eq!((c.seen(7), c.seen(9)), (3, 1));
        c.advance(9, 2, 1500.0 + FORGET_MS + 1.0);
        assert_eq!(
            (c.seen(7), c.seen(9), c.len()),
            (0, 2, 1),
            "7 went quiet long ago"
        );
        for w in 0..100 {
            c.advance(w, 1, 5000.0 + f64::from(w));
        }
        assert_eq!(c.len(), MAX_WRITERS);
        assert_eq!(c.seen(99), 1);
        let mut w = Writer::default();
        c.encode(&mut w);
        let back = Clock::decode(&mut Reader::new(&w.buf)).unwrap().unwrap();
        assert_eq!(back, c);
        let mut bad = w.buf.clone();
        bad[0] = 200;
        assert!(matches!(
            Clock::decode(&mut Reader::new(&bad)),
            Ok(None) | Err(_)
        ));
    }

    #[test]
    fn entries_dated_ahead_are_brought_back_and_never_push_out_the_writer() {
        // A stored clock of 32 writers dated a year ahead (the security audit's forged record).
        let now = 1.75e12;
        let year = 365.0 * 86_400_000.0;
        let mut c = Clock(
            (0..MAX_WRITERS as u32)
                .map(|w| Entry {
                    writer: 1000 + w,
                    seq: 5,
                    at: now + year,
                })
                .collect(),
        );
        c.advance(7, 3, now);
        assert_eq!(c.seen(7), 3, "this writer's own entry is kept");
        assert_eq!(c.len(), MAX_WRITERS);
        assert!(c.0.iter().all(|e| e.at <= now), "no time later than now");
        c.advance(7, 4, now + 1.0);
        assert_eq!(c.seen(7), 4);
        // A minute on, the forged writers are forgotten like any quiet one.
        c.advance(7, 5, now + FORGET_MS + 1.0);
        assert_eq!((c.len(), c.seen(7)), (1, 5));
        // A clock before 2001 is wrong: nothing is brought back to it, and the writer is kept.
        let mut c = Clock(
            (0..MAX_WRITERS as u32)
                .map(|w| Entry {
                    writer: 1000 + w,
                    seq: 5,
                    at: now,
                })
                .collect(),
        );
        c.advance(7, 1, 0.0);
        assert_eq!((c.seen(7), c.len()), (1, MAX_WRITERS));
        assert!(c.0.iter().filter(|e| e.writer != 7).all(|e| e.at == now));
    }
}
