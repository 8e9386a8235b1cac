//! A progress bar on standard error when it is a terminal; nothing otherwise.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Redraws at most ten times a second.
pub struct Progress {
    label: String,
    total: u64,
    done: Arc<AtomicU64>,
    enabled: bool,
    started: Instant,
    last: Option<Instant>,
}

/// Whether progress should be drawn: standard error is a terminal.
pub fn on_terminal() -> bool {
    std::io::stderr().is_terminal()
}

impl Progress {
    /// Follows a byte counter against a known total (0: unknown).
    pub fn bytes(label: &str, total: u64, done: Arc<AtomicU64>, enabled: bool) -> Self {
        Progress {
            label: label.to_owned(),
            total,
            done,
            enabled,
            started: Instant::now(),
            last: None,
        }
    }

    /// Counts steps of a known total.
    pub fn steps(label: &str, total: u64, enabled: bool) -> Self {
        Self::bytes(label, total, Arc::new(AtomicU64::new(0)), enabled)
    }

    pub fn set(&mut self, done: u64) {
        self.done.store(done, Ordering::Relaxed);
    }

    /// Redraws if due; `extra` is shown after the bar (e.g. lines read).
    pub fn tick(&mut self, extra: &str) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        if self
            .last
            .is_some_and(|l| now.duration_since(l) < Duration::from_millis(100))
        {
            return;
        }
        self.last = Some(now);
        self.draw(extra);
    }

    fn draw(&self, extra: &str) {
        let done = self.done.load(Ordering::Relaxed);
        let frac = if self.total > 0 {
            (done as f64 / self.total as f64).min(1.0)
        } else {
            0.0
        };
        let width = 30;
        let filled = (frac * width as f64) as usize;
        let bar: String = "#".repeat(filled) + &" ".repeat(width - filled);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2K{:<22} [{bar}] {:>3.0}%  {extra}  {:.1}s",
            self.label,
            frac * 100.0,
            self.started.elapsed().as_secs_f64()
        );
        let _ = err.flush();
    }

    /// Draws the final state and moves to a new line.
    pub fn finish(&mut self, extra: &str) {
        if !self.enabled {
            return;
        }
        self.done.store(self.total, Ordering::Relaxed);
        self.draw(extra);
        let _ = writeln!(std::io::stderr());
    }
}
