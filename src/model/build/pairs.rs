//! Counting item pairs in bounded memory: increments go into a buffer; a full buffer is sorted,
//! summed per pair and written to a run file; at the end the runs are merged into one stream of
//! `(a, b, weight)` with `a < b`, in order. Memory is the buffer, whatever the input size.

use super::BuildError;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// Bytes per buffered increment (`(u64, u32)` with padding).
pub const ENTRY_BYTES: usize = 16;
/// Bytes per pair in a run file.
const RUN_RECORD: usize = 12;

pub struct PairCounter {
    buf: Vec<(u64, u32)>,
    cap: usize,
    dir: PathBuf,
    name: &'static str,
    runs: Vec<PathBuf>,
    /// Increments added (for the report).
    pub increments: u64,
}

fn key(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// Sorts and sums equal keys in place.
fn compact(buf: &mut Vec<(u64, u32)>) {
    buf.sort_unstable_by_key(|e| e.0);
    let mut w = 0;
    for r in 0..buf.len() {
        if w > 0 && buf[w - 1].0 == buf[r].0 {
            buf[w - 1].1 = buf[w - 1].1.saturating_add(buf[r].1);
        } else {
            buf[w] = buf[r];
            w += 1;
        }
    }
    buf.truncate(w);
}

impl PairCounter {
    /// A counter holding at most `budget_bytes` of increments before it spills to `dir`.
    pub fn new(dir: &Path, name: &'static str, budget_bytes: usize) -> Self {
        let cap = (budget_bytes / ENTRY_BYTES).max(1024);
        PairCounter {
            buf: Vec::new(),
            cap,
            dir: dir.to_owned(),
            name,
            runs: Vec::new(),
            increments: 0,
        }
    }

    /// Adds `w` to the unordered pair `{a, b}` (`a != b`).
    pub fn add(&mut self, a: u32, b: u32, w: u32) -> Result<(), BuildError> {
        let k = if a < b { key(a, b) } else { key(b, a) };
        self.buf.push((k, w));
        self.increments += 1;
        if self.buf.len() >= self.cap {
            compact(&mut self.buf);
            // Compaction alone frees enough room when pairs repeat a lot; spill otherwise.
            if self.buf.len() * 2 > self.cap {
                self.spill()?;
            }
        }
        Ok(())
    }

    fn spill(&mut self) -> Result<(), BuildError> {
        compact(&mut self.buf);
        let path = self
            .dir
            .join(format!("{}-{}.run", self.name, self.runs.len()));
        let io = |e| BuildError::io(&path, e);
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&path).map_err(io)?);
        for &(k, v) in &self.buf {
            w.write_all(&k.to_le_bytes()).map_err(io)?;
            w.write_all(&v.to_le_bytes()).map_err(io)?;
        }
        w.flush().map_err(io)?;
        self.runs.push(path);
        self.buf.clear();
        Ok(())
    }

    /// Runs written to disk so far.
    pub fn runs(&self) -> usize {
        self.runs.len()
    }

    /// Streams every pair once, in `(a, b)` order, with its summed weight.
    pub fn merge(
        mut self,
        mut each: impl FnMut(u32, u32, u32) -> Result<(), BuildError>,
    ) -> Result<(), BuildError> {
        compact(&mut self.buf);
        let mut readers = Vec::with_capacity(self.runs.len());
        for p in &self.runs {
            let f = File::open(p).map_err(|e| BuildError::io(p, e))?;
            readers.push((BufReader::with_capacity(1 << 20, f), p.clone()));
        }
        let next = |r: &mut (BufReader<File>, PathBuf)| -> Result<Option<(u64, u32)>, BuildError> {
            let mut rec = [0u8; RUN_RECORD];
            match r.0.read_exact(&mut rec) {
                Ok(()) => Ok(Some((
                    u64::from_le_bytes(rec[..8].try_into().unwrap_or_default()),
                    u32::from_le_bytes(rec[8..].try_into().unwrap_or_default()),
                ))),
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
                Err(e) => Err(BuildError::io(&r.1, e)),
            }
        };
        // Source `readers.len()` is the in-memory buffer.
        let mut heap = BinaryHeap::new();
        for (i, r) in readers.iter_mut().enumerate() {
            if let Some((k, v)) = next(r)? {
                heap.push(Reverse((k, i, v)));
            }
        }
        let mut mem = self.buf.iter();
        let mem_src = readers.len();
        if let Some(&(k, v)) = mem.next() {
            heap.push(Reverse((k, mem_src, v)));
        }
        let mut cur: Option<(u64, u32)> = None;
        while let Some(Reverse((k, src, v))) = heap.pop() {
            let following = if src == mem_src {
                mem.next().copied()
            } else {
                next(&mut readers[src])?
            };
            if let Some((k2, v2)) = following {
                heap.push(Reverse((k2, src, v2)));
            }
            match &mut cur {
                Some((ck, cv)) if *ck == k => *cv = cv.saturating_add(v),
                _ => {
                    if let Some((ck, cv)) = cur.take() {
                        each((ck >> 32) as u32, ck as u32, cv)?;
                    }
                    cur = Some((k, v));
                }
            }
        }
        if let Some((ck, cv)) = cur {
            each((ck >> 32) as u32, ck as u32, cv)?;
        }
        for p in &self.runs {
            let _ = std::fs::remove_file(p);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn spilled_runs_merge_to_the_exact_sums() {
        let dir = std::env::temp_dir().join(format!("vitrine-pairs-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut c = PairCounter::new(&dir, "t", 1024 * ENTRY_BYTES);
        let mut want = BTreeMap::new();
        let mut rng = crate::rng::Rng::new(3);
        for _ in 0..50_000 {
            let a = rng.below(300) as u32;
            let b = rng.below(300) as u32;
            if a == b {
                continue;
            }
            let w = 1 + rng.below(3) as u32;
            c.add(a, b, w).unwrap();
            *want.entry((a.min(b), a.max(b))).or_insert(0) += w;
        }
        assert!(c.runs() > 2, "the test must exercise spilling");
        let mut got = BTreeMap::new();
        c.merge(|a, b, w| {
            assert!(got.insert((a, b), w).is_none(), "each pair once");
            Ok(())
        })
        .unwrap();
        assert_eq!(got, want);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
