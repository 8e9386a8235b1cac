//! The shopper's preference profile: bounded, decaying, and reachable only with consent.
//!
//! Data minimisation: no raw event log is kept. Each event updates a few decayed weights (item,
//! category, brand, price band, channel), a list of recent views, purchase counts for buy-again
//! and the current cart, then is dropped. Every collection has a fixed capacity (see the
//! constants), so memory stays under [`MAX_BYTES`] whatever the event volume; when a collection is
//! full, the entry that matters least now is evicted.
//!
//! Every method that reads or writes the data takes a [`Personal`] proof from the consent gate.

mod bounded;
pub mod codec;
pub mod decay;
mod export;

pub use export::{Affinity, Counts, Export, Summary};

use crate::consent::Personal;
use crate::event::{Event, Kind, MAX_QUANTITY, MAX_TEXT_LEN};
use bounded::{Bounded, Rank};
use core::sync::atomic::{AtomicU64, Ordering};
use decay::Decayed;

/// Items with a decayed interest weight.
pub const MAX_ITEMS: usize = 256;
/// Categories with a decayed weight.
pub const MAX_CATEGORIES: usize = 64;
/// Brands with a decayed weight.
pub const MAX_BRANDS: usize = 64;
/// Channels (instagram, email, …) with a decayed weight.
pub const MAX_CHANNELS: usize = 16;
/// Distinct purchased items remembered for buy-again.
pub const MAX_PURCHASES: usize = 128;
/// Recently viewed items, most recent first.
pub const RECENT_VIEWS: usize = 20;
/// Items in the current cart.
pub const MAX_CART: usize = 50;
/// Recent search queries.
pub const RECENT_QUERIES: usize = 8;
/// Recent removals from the cart (of items that were in it), for the hesitation signal.
pub const RECENT_REMOVALS: usize = 8;
/// The earliest time a clock is taken to read truly (2001-01-01, ms since 1970): one before it
/// (a device's clock reset to 1970 or to 2000, fake timers at 0) is wrong. Such a clock neither
/// brings the profile's times back to it (which made the next page, with the clock right again,
/// delete everything as older than the retention period; the security audit) nor dates an event
/// before it. (Not later: replays of recorded shopping, such as the evaluations' of 2010–2016
/// data, run with the clock of their data.)
pub const EARLIEST: f64 = 978_307_200_000.0;

/// Whether `t` can be a true clock reading (not before [`EARLIEST`]).
pub fn true_time(t: f64) -> bool {
    t >= EARLIEST
}

/// When an event happened, as the profile keeps it: the time it carries (`None`: now), never
/// later than `now` — unless the clock is wrong ([`true_time`]): then the event's own time is
/// the better one (a kiosk reset to 1970 importing orders with their dates kept them dated
/// 2001, and deleted them as past retention once the clock was right; the time audit).
pub fn event_time(given: Option<f64>, now: f64) -> f64 {
    match given {
        Some(t) if true_time(now) => t.min(now),
        Some(t) => t,
        None => now,
    }
}
/// Orders remembered by a fingerprint of their id, so that one order is counted once: the latest
/// 128, by time and then fingerprint (see [`Profile::record`]). (More would need a new record
/// version: vitrine before it resets a record holding more, a deploy's open tabs included.)
pub const MAX_ORDERS: usize = 128;
/// Upper bounds of the price bands (shop currency); the last band is open-ended.
pub const PRICE_BANDS: [f64; 12] = [
    5.0,
    10.0,
    20.0,
    35.0,
    50.0,
    75.0,
    100.0,
    150.0,
    250.0,
    500.0,
    1000.0,
    f64::INFINITY,
];
/// Documented ceiling on the profile's memory (heap and inline), reached only when every
/// collection is full of maximum-length ids and names; a typical profile is a few KiB.
pub const MAX_BYTES: usize = 192 * 1024;

/// How much one event adds to the item it is about (and, when positive, to its category, brand
/// and price band). A removal from the cart lowers the item only.
pub fn event_weight(kind: Kind) -> f64 {
    match kind {
        Kind::View | Kind::Click => 1.0,
        Kind::Wishlist => 2.0,
        Kind::Add | Kind::Checkout => 3.0,
        Kind::Purchase => 5.0,
        Kind::Remove => -2.0,
        Kind::CartView => 0.5,
        Kind::ListView => 0.5,
        Kind::Search | Kind::Survey | Kind::PageView => 0.0,
    }
}

/// `a == b`, the last bytes compared first: ids of the same length mostly differ there, and a
/// call to `memcmp` per entry was most of keeping the recently viewed list.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().last() == b.as_bytes().last() && a == b
}

/// The band index of a price (the last band for NaN): the number of band bounds at or below it,
/// counted without a branch (a search, one bound at a time or by halves, was 1 ms of a
/// 100,000-item `open`).
pub fn price_band(price: f64) -> usize {
    if price.is_nan() {
        return PRICE_BANDS.len() - 1;
    }
    PRICE_BANDS[..PRICE_BANDS.len() - 1]
        .iter()
        .map(|&upper| usize::from(upper <= price))
        .sum()
}

#[derive(Clone, Debug, PartialEq, Default)]
struct ItemSignal {
    score: Decayed,
    views: u32,
    adds: u32,
}

#[derive(Clone, Debug, PartialEq)]
struct Purchase {
    count: u32,
    quantity: f32,
    first: f64,
    last: f64,
}

/// A timestamped string (recent view, cart line, search query).
#[derive(Clone, Debug, PartialEq)]
struct Stamped {
    value: String,
    at: f64,
}

/// Where an entry of time `t` goes in a most-recent-first list that keeps `cap` (`recent`,
/// `queries`, `removals`): below the later ones — an event reported late (an import, a page
/// replaying what it queued) goes where its time puts it — and, in the same millisecond, above
/// those reported before it; `None` when it would be the oldest of a full list.
fn slot(list: &[Stamped], t: f64, cap: usize) -> Option<usize> {
    let at = list.iter().position(|r| r.at <= t).unwrap_or(list.len());
    (at < cap).then_some(at)
}

/// Puts `s` into a most-recent-first list of at most `cap` entries ([`slot`]).
fn insert_by_time(list: &mut Vec<Stamped>, s: Stamped, cap: usize) {
    if let Some(at) = slot(list, s.at, cap) {
        list.insert(at, s);
        list.truncate(cap);
    }
}

/// A line of the current cart: the item and when it was put there, and how many are in it.
#[derive(Clone, Debug, PartialEq)]
struct CartLine {
    item: Stamped,
    quantity: f32,
}

impl Rank for ItemSignal {
    fn decaying(&self) -> (f64, f64) {
        (f64::from(self.score.weight), self.score.at)
    }
}

impl Rank for Decayed {
    fn decaying(&self) -> (f64, f64) {
        (f64::from(self.weight), self.at)
    }
}

impl Rank for Purchase {
    fn decaying(&self) -> (f64, f64) {
        (f64::from(self.count), self.last)
    }
}

/// The profile. Construct with [`Profile::new`]; everything else needs a [`Personal`] proof.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    half_life_ms: f64,
    items: Bounded<ItemSignal>,
    categories: Bounded<Decayed>,
    brands: Bounded<Decayed>,
    channels: Bounded<Decayed>,
    prices: [Decayed; PRICE_BANDS.len()],
    // The most-recent-first lists (`recent`, `queries`, `removals`, `orders`) are `Vec`s with
    // inserts at the front: at most 20, 8, 8 and 128 entries, so the shift costs little, and
    // `VecDeque` instantiated about 9 KB more WebAssembly for them.
    recent: Vec<Stamped>,
    purchases: Bounded<Purchase>,
    cart: Vec<CartLine>,
    queries: Vec<Stamped>,
    counts: [u32; Kind::ALL.len()],
    /// Of `counts`, the events that kept something under the `sensitive` consent: they leave
    /// the counts, with their times, when it is withdrawn.
    sensitive_counts: [u32; Kind::ALL.len()],
    first_at: f64,
    last_at: f64,
    /// The latest survey answer: its score (0–10) and when. The comment is never kept.
    survey: Option<(u8, f64)>,
    /// Removals from the cart of items that were in it, most recent first.
    removals: Vec<Stamped>,
    /// When a checkout was started that no purchase has followed yet; 0 when none.
    checkout_at: f64,
    /// Purchases counted: the fingerprint of the order id and its items, and the order's time.
    orders: Vec<(u64, f64)>,
    /// Which state of the profile this is, for what ranking keeps of it between calls.
    revision: Revision,
}

/// A number no other profile state of this process has: drawn when a profile is made and at
/// every change. A clone keeps it (it holds the same signals). Profiles compare by their signals,
/// never by it.
#[derive(Clone, Copy, Debug)]
struct Revision(u64);

impl Revision {
    fn next() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Revision(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

impl PartialEq for Revision {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// The fingerprint of a reported purchase kept in the profile: the order id's hash
/// ([`fnv1a`](crate::event::fnv1a)) plus, for each item line, a mixed
/// FNV-1a hash of the item id (a sum, so the order of the lines does not matter). The same report
/// seen again (a reloaded confirmation page, an imported order the device saw live) has the same
/// fingerprint; the parts of an order too large for one event (reported as several events with
/// one order id) do not. The order id is not stored; an id that can be guessed (a shop's
/// sequential order numbers) could be found again by hashing candidates with the profile's items.
/// The lowest bit is left 0: [`Profile::record`] sets it for an order of sensitive lines only.
pub fn order_fingerprint<'a>(order: u64, items: impl Iterator<Item = &'a str>) -> u64 {
    let h = items.fold(order, |acc, id| {
        // A final mix (splitmix64's) so that sums of item hashes do not collide by structure.
        let mut z = crate::event::fnv1a(id);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        acc.wrapping_add(z ^ (z >> 31))
    });
    h & !1
}

/// How two orders rank, by (time, fingerprint): the order [`Profile::record`] keeps the latest of.
pub fn order_rank(a: (f64, u64), b: (f64, u64)) -> core::cmp::Ordering {
    a.0.total_cmp(&b.0).then(a.1.cmp(&b.1))
}

impl Profile {
    /// An empty profile whose weights halve every `half_life_ms`.
    pub fn new(half_life_ms: f64) -> Self {
        Profile {
            half_life_ms,
            items: Bounded::new(MAX_ITEMS, half_life_ms),
            categories: Bounded::new(MAX_CATEGORIES, half_life_ms),
            brands: Bounded::new(MAX_BRANDS, half_life_ms),
            channels: Bounded::new(MAX_CHANNELS, half_life_ms),
            prices: Default::default(),
            recent: Vec::with_capacity(RECENT_VIEWS),
            purchases: Bounded::new(MAX_PURCHASES, half_life_ms),
            cart: Vec::new(),
            queries: Vec::with_capacity(RECENT_QUERIES),
            counts: [0; Kind::ALL.len()],
            sensitive_counts: [0; Kind::ALL.len()],
            first_at: 0.0,
            last_at: 0.0,
            survey: None,
            removals: Vec::with_capacity(RECENT_REMOVALS),
            checkout_at: 0.0,
            orders: Vec::new(),
            revision: Revision::next(),
        }
    }

    pub fn set_half_life(&mut self, half_life_ms: f64) {
        self.revision = Revision::next();
        self.half_life_ms = half_life_ms;
        self.items.set_half_life(half_life_ms);
        for m in [&mut self.categories, &mut self.brands, &mut self.channels] {
            m.set_half_life(half_life_ms);
        }
        self.purchases.set_half_life(half_life_ms);
    }

    /// Folds one validated event, which happened at `t`, into the profile. Lines should already
    /// carry the category, brand and price the catalog knows (see `Session::track`). Returns
    /// false, changing nothing, for a purchase whose order was already counted, or may have
    /// been: orders are ranked by time, then by fingerprint, and with [`MAX_ORDERS`] of them
    /// remembered, one ranked below all of them could be one counted and forgotten (found by the
    /// upgrade audit: a loyal shopper's 200 orders imported at each sign-in counted 73 again
    /// every time; by time alone, orders of one date were counted again or refused at the
    /// boundary). `importHistory` reads its records in that rank, so a first import counts them
    /// all and the next ones none.
    pub fn record(&mut self, _: &Personal<'_>, e: &Event, t: f64) -> bool {
        // An event dated before any true clock reading happened when the profile was last
        // changed, as far as can be told (a negative time made the record unreadable).
        let t = if !true_time(t) {
            self.last_at.max(EARLIEST)
        } else {
            t
        };
        if let (Kind::Purchase, Some(order)) = (e.kind, e.order) {
            // Of its ordinary lines only: what is kept of an order names no sensitive item (a
            // fingerprint with the item's id would confirm it was bought after the consent went),
            // and the order reported again without that consent, screened, is the same order.
            // One of sensitive lines only says so in its lowest bit, and goes with them.
            let ordinary = e.items().filter(|(_, l)| !l.sensitive);
            let sensitive_only = e.items().next().is_some() && e.items().all(|(_, l)| l.sensitive);
            let h =
                order_fingerprint(order, ordinary.map(|(id, _)| id)) | u64::from(sensitive_only);
            if self.orders.iter().any(|(o, _)| *o == h) {
                return false;
            }
            if self.orders.len() >= MAX_ORDERS {
                let rank = |&(o, at): &(u64, f64)| (at, o);
                let lowest = self
                    .orders
                    .iter()
                    .enumerate()
                    .min_by(|a, b| order_rank(rank(a.1), rank(b.1)));
                match lowest {
                    Some((_, kept)) if order_rank((t, h), rank(kept)).is_lt() => return false,
                    Some((i, _)) => drop(self.orders.remove(i)),
                    None => {}
                }
            }
            self.orders.insert(0, (h, t));
        }
        self.revision = Revision::next();
        let hl = self.half_life_ms;
        let w = event_weight(e.kind);
        let counted = 1 + usize::from(e.sensitive);
        for counts in [&mut self.counts, &mut self.sensitive_counts]
            .into_iter()
            .take(counted)
        {
            if let Some(c) = counts.get_mut(e.kind as usize) {
                *c = c.saturating_add(1);
            }
        }
        if self.first_at == 0.0 || t < self.first_at {
            self.first_at = t;
        }
        self.last_at = self.last_at.max(t);

        // A list view is one look at a page of products, not a look at each: its weight is
        // spread over its lines' categories, brands and prices, and no item is taken for one the
        // shopper looked at (a collection of 24 plants counted as 24 views outweighed a dozen
        // products opened, and its items were then "viewed before"). A collection that names
        // its category gives it that weight instead of its lines' categories (not both).
        let listed = e.kind == Kind::ListView;
        let named = listed && e.list.is_some();
        let w_line = if listed {
            w / e.lines.len().max(1) as f64
        } else {
            w
        };
        for line in &e.lines {
            if let Some(id) = line.item_id.as_ref().filter(|_| !listed) {
                // A removal takes the line out of the cart here; fewer of an item in the cart
                // (3 mugs down to 2) is not a turn away from it.
                if e.kind == Kind::Remove && self.take_from_cart(id, line.quantity, t) {
                    continue;
                }
                self.items.update(id, ItemSignal::default, |s| {
                    s.score.add(w, t, hl);
                    match e.kind {
                        Kind::View | Kind::Click => s.views = s.views.saturating_add(1),
                        Kind::Add => s.adds = s.adds.saturating_add(1),
                        _ => {}
                    }
                });
            }
            if w_line > 0.0 {
                if let Some(c) = line.category.as_ref().filter(|_| !named) {
                    add_named(&mut self.categories, c, w_line, t, hl);
                }
                if let Some(b) = &line.brand {
                    add_named(&mut self.brands, b, w_line, t, hl);
                }
                if let Some(p) = line.price {
                    if let Some(band) = self.prices.get_mut(price_band(p)) {
                        band.add(w_line, t, hl);
                    }
                }
            }
        }
        if let Some(list) = &e.list {
            add_named(
                &mut self.categories,
                list,
                event_weight(Kind::ListView),
                t,
                hl,
            );
        }
        if let Some(ch) = e.channel.as_ref().filter(|_| e.ordinary()) {
            add_named(&mut self.channels, ch, 1.0, t, hl);
        }
        match e.kind {
            Kind::View | Kind::Click => {
                for (id, _) in e.items() {
                    // Most recent first by the time of the view, not of its report: a view
                    // reported late goes where its time puts it, and below a later one of the
                    // same item not at all (views in the same millisecond go in report order).
                    if let Some(i) = self.recent.iter().position(|r| same(&r.value, id)) {
                        match self.recent.get(i) {
                            Some(r) if r.at > t => continue,
                            _ => drop(self.recent.remove(i)),
                        }
                    }
                    let Some(at) = slot(&self.recent, t, RECENT_VIEWS) else {
                        continue;
                    };
                    // A full list gives its oldest entry's buffer to the new one.
                    let mut value = match self.recent.len() >= RECENT_VIEWS {
                        true => self.recent.pop().map(|r| r.value).unwrap_or_default(),
                        false => String::new(),
                    };
                    value.clear();
                    value.push_str(id);
                    self.recent.insert(at, Stamped { value, at: t });
                }
            }
            // Events reported late (an import, a page replaying what it queued) change the cart
            // as they would have then: what a later event put in the cart stays, and what left
            // it later (removed or bought) is not put back.
            Kind::Add => {
                for (id, line) in e.items() {
                    if !self.left_cart_after(id, t) {
                        self.put_in_cart(id, line.quantity, t);
                    }
                }
            }
            // A cart view or checkout lists the whole cart; lines of one item (two variants of
            // a product) add up. One that lists no products says the cart is empty.
            Kind::CartView | Kind::Checkout if e.items().next().is_some() || e.empty_list => {
                if e.kind == Kind::Checkout && e.ordinary() {
                    self.checkout_at = self.checkout_at.max(t);
                }
                self.cart.retain(|c| c.item.at > t);
                for (id, line) in e.items() {
                    if !self.left_cart_after(id, t) {
                        self.put_in_cart(id, line.quantity, t);
                    }
                }
            }
            Kind::Purchase => {
                for (id, line) in e.items() {
                    let new = || Purchase {
                        count: 0,
                        quantity: 0.0,
                        first: t,
                        last: t,
                    };
                    self.purchases.update(id, new, |p| {
                        p.count = p.count.saturating_add(1);
                        p.quantity += line.quantity.unwrap_or(1.0) as f32;
                        p.first = p.first.min(t);
                        p.last = p.last.max(t);
                    });
                }
                let bought: Vec<&str> = e.items().map(|(id, _)| id).collect();
                self.cart
                    .retain(|c| c.item.at > t || !bought.contains(&c.item.value.as_str()));
                if t >= self.checkout_at {
                    self.checkout_at = 0.0;
                }
            }
            Kind::Checkout if e.ordinary() => self.checkout_at = self.checkout_at.max(t),
            Kind::Survey => {
                if let Some(score) = e.score {
                    if self.survey.is_none_or(|(_, at)| t >= at) {
                        self.survey = Some((score, t));
                    }
                }
            }
            Kind::Search => {
                if let Some(q) = &e.query {
                    let value = q.clone();
                    insert_by_time(&mut self.queries, Stamped { value, at: t }, RECENT_QUERIES);
                }
            }
            _ => {}
        }
        true
    }

    /// Puts `quantity` (1 when not given) of `id` in the cart, on top of what is there.
    fn put_in_cart(&mut self, id: &str, quantity: Option<f64>, t: f64) {
        let q = quantity.unwrap_or(1.0) as f32;
        if let Some(c) = self.cart.iter_mut().find(|c| c.item.value == id) {
            c.quantity = (c.quantity + q).min(MAX_QUANTITY as f32);
            return;
        }
        // A full cart gives its oldest line's place to a later one: what the shopper just added
        // is in the cart (kept off `for_you`, the base of the `cart` shelf), not the line put in
        // first and left there.
        if self.cart.len() >= MAX_CART {
            let oldest = (0..self.cart.len()).min_by(|&a, &b| {
                let at = |i: usize| self.cart.get(i).map_or(f64::MAX, |c| c.item.at);
                at(a).total_cmp(&at(b))
            });
            match oldest {
                // Of lines put in at one time, the first put in goes.
                Some(i) if self.cart.get(i).is_some_and(|c| c.item.at <= t) => {
                    drop(self.cart.remove(i));
                }
                _ => return,
            }
        }
        self.cart.push(CartLine {
            item: Stamped {
                value: id.to_owned(),
                at: t,
            },
            quantity: q,
        });
    }

    /// Whether `id` left the cart after `t`: removed from it, or bought.
    fn left_cart_after(&self, id: &str, t: f64) -> bool {
        self.removals.iter().any(|r| r.at > t && same(&r.value, id))
            || self.purchases.get(id).is_some_and(|p| p.last > t)
    }

    /// Takes `quantity` of `id` out of the cart: the whole line, noted as a removal, when the
    /// removal takes all there are or does not say how many. Returns whether some are left.
    /// A line put in the cart after `t` stays (a removal reported late).
    fn take_from_cart(&mut self, id: &str, quantity: Option<f64>, t: f64) -> bool {
        let Some(i) = self.cart.iter().position(|c| c.item.value == id) else {
            return false;
        };
        if self.cart.get(i).is_some_and(|c| c.item.at > t) {
            return false;
        }
        if let (Some(c), Some(q)) = (self.cart.get_mut(i), quantity) {
            let left = c.quantity - q as f32;
            if left > 0.0 {
                c.quantity = left;
                return true;
            }
        }
        let mut gone = self.cart.remove(i).item;
        gone.at = t;
        insert_by_time(&mut self.removals, gone, RECENT_REMOVALS);
        false
    }

    /// Deletes every signal about what `sensitive_item` (item ids) and `sensitive_name`
    /// (lower-case category names, and search queries naming one) say is sensitive: what the
    /// separate `sensitive` consent covered, erased when it is withdrawn. Returns how many went.
    pub fn erase_sensitive(
        &mut self,
        _: &Personal<'_>,
        sensitive_item: &dyn Fn(&str) -> bool,
        sensitive_name: &dyn Fn(&str) -> bool,
    ) -> usize {
        self.revision = Revision::next();
        let before = self.signal_count();
        self.items.retain(|id, _| !sensitive_item(id));
        self.purchases.retain(|id, _| !sensitive_item(id));
        self.recent.retain(|r| !sensitive_item(&r.value));
        self.cart.retain(|c| !sensitive_item(&c.item.value));
        self.removals.retain(|c| !sensitive_item(&c.value));
        self.categories.retain(|name, _| !sensitive_name(name));
        self.queries.retain(|q| !sensitive_name(&q.value));
        self.orders.retain(|(h, _)| h & 1 == 0);
        // Their events leave the counts, and their times the first and last event time, which
        // become those of the signals kept (the ordinary events' own are not told apart).
        if self.sensitive_counts.iter().any(|&n| n > 0) {
            for (c, s) in self.counts.iter_mut().zip(&mut self.sensitive_counts) {
                *c = c.saturating_sub(core::mem::take(s));
            }
            self.first_at = self.oldest().unwrap_or(0.0);
            self.last_at = self.fold_times(|p| p.last, f64::max).unwrap_or(0.0);
        }
        before - self.signal_count()
    }

    /// Whether a time in the profile is later than `now` (see [`Profile::clamp_future`]); never
    /// when `now` is before [`EARLIEST`]: then the clock is wrong, not the profile.
    pub fn ahead_of(&self, now: f64) -> bool {
        self.last_at > now && true_time(now)
    }

    /// Brings every time later than `now` back to `now`: signals kept while the device's clock
    /// ran ahead (set a year forward, then corrected) would otherwise outweigh everything since,
    /// lead recently viewed, and outlive the retention period by the clock's error. Returns how
    /// far ahead of `now` the latest time was, `None` when it was not; one comparison then, as
    /// every event's time is at most the latest.
    pub fn clamp_future(&mut self, _: &Personal<'_>, now: f64) -> Option<f64> {
        if !self.ahead_of(now) {
            return None;
        }
        let ahead = self.last_at - now;
        self.revision = Revision::next();
        let c = |t: &mut f64| *t = t.min(now);
        self.items.change_all(|s| c(&mut s.score.at));
        for m in [&mut self.categories, &mut self.brands, &mut self.channels] {
            m.change_all(|d| c(&mut d.at));
        }
        self.prices.iter_mut().for_each(|b| c(&mut b.at));
        self.purchases.change_all(|p| {
            c(&mut p.first);
            c(&mut p.last);
        });
        let lists = [&mut self.recent, &mut self.queries, &mut self.removals];
        lists.into_iter().flatten().for_each(|r| c(&mut r.at));
        self.cart.iter_mut().for_each(|l| c(&mut l.item.at));
        self.orders.iter_mut().for_each(|(_, t)| c(t));
        if let Some((_, t)) = &mut self.survey {
            c(t);
        }
        for t in [&mut self.checkout_at, &mut self.first_at, &mut self.last_at] {
            c(t);
        }
        Some(ahead)
    }

    /// Deletes every signal last touched before `cutoff` (retention). Returns how many went.
    pub fn prune(&mut self, _: &Personal<'_>, cutoff: f64) -> usize {
        self.revision = Revision::next();
        let before = self.signal_count();
        self.items.retain(|_, s| s.score.at >= cutoff);
        for m in [&mut self.categories, &mut self.brands, &mut self.channels] {
            m.retain(|_, d| d.at >= cutoff);
        }
        for band in &mut self.prices {
            if band.at < cutoff {
                *band = Decayed::default();
            }
        }
        self.recent.retain(|r| r.at >= cutoff);
        self.purchases.retain(|_, p| p.last >= cutoff);
        self.cart.retain(|c| c.item.at >= cutoff);
        self.queries.retain(|q| q.at >= cutoff);
        self.survey = self.survey.filter(|(_, at)| *at >= cutoff);
        self.removals.retain(|r| r.at >= cutoff);
        if self.checkout_at < cutoff {
            self.checkout_at = 0.0;
        }
        self.orders.retain(|(_, at)| *at >= cutoff);
        // Counts and first/last go with the last event, not with the signals: an event that
        // leaves no signal (a list view of unnamed items) still counts until it is itself old.
        if self.signal_count() == 0 && self.last_at < cutoff {
            self.counts = [0; Kind::ALL.len()];
            self.sensitive_counts = [0; Kind::ALL.len()];
            self.first_at = 0.0;
            self.last_at = 0.0;
        } else if self.first_at < cutoff {
            self.first_at = self.oldest().unwrap_or(cutoff);
        }
        before - self.signal_count()
    }

    /// When the signal [`Profile::prune`] deletes first was last touched: the least of the
    /// times it compares with its cutoff (`None`: nothing to delete). A prune at any cutoff up to
    /// it deletes nothing.
    pub fn expiry(&self) -> Option<f64> {
        let last = self.fold_times(|p| p.last, f64::min);
        // Without signals, the counts go with the last event.
        match self.signal_count() == 0 && self.last_at > 0.0 {
            true => Some(last.map_or(self.last_at, |t| t.min(self.last_at))),
            false => last,
        }
    }

    /// Number of stored signals (entries across all collections).
    pub fn signal_count(&self) -> usize {
        self.items.len()
            + self.categories.len()
            + self.brands.len()
            + self.channels.len()
            + self.prices.iter().filter(|b| b.weight > 0.0).count()
            + self.recent.len()
            + self.purchases.len()
            + self.cart.len()
            + self.queries.len()
            + usize::from(self.survey.is_some())
            + self.removals.len()
            + usize::from(self.checkout_at > 0.0)
            + self.orders.len()
    }

    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        self.signal_count() == 0
    }

    /// Whether it holds nothing at all: no signal, and no event counted (what a pruning leaves
    /// when every event was older than the cutoff).
    pub fn is_blank(&self) -> bool {
        self.is_empty() && self.last_at == 0.0 && self.counts.iter().all(|&n| n == 0)
    }

    /// Time of the oldest stored signal.
    pub fn oldest(&self) -> Option<f64> {
        self.fold_times(|p| p.first, f64::min)
    }

    /// The times of every stored signal folded with `pick` (`f64::min`: the least), a
    /// purchase's being `purchase_time` of it; `None` without signals.
    fn fold_times(
        &self,
        purchase_time: impl Fn(&Purchase) -> f64,
        pick: fn(f64, f64) -> f64,
    ) -> Option<f64> {
        // A loop per collection feeding one running value (the order of a `reduce`): one chain
        // of thirteen iterators was 2 KB of WebAssembly, this is 1 KB.
        let mut folded: Option<f64> = None;
        let mut see = |t: f64| folded = Some(folded.map_or(t, |o| pick(o, t)));
        self.items.iter().for_each(|(_, s)| see(s.score.at));
        for m in [&self.categories, &self.brands, &self.channels] {
            m.iter().for_each(|(_, d)| see(d.at));
        }
        self.prices
            .iter()
            .filter(|b| b.weight > 0.0)
            .for_each(|b| see(b.at));
        self.recent.iter().for_each(|r| see(r.at));
        self.purchases
            .iter()
            .for_each(|(_, p)| see(purchase_time(p)));
        self.cart.iter().for_each(|c| see(c.item.at));
        self.queries.iter().for_each(|q| see(q.at));
        if let Some((_, at)) = self.survey {
            see(at);
        }
        self.removals.iter().for_each(|r| see(r.at));
        if self.checkout_at > 0.0 {
            see(self.checkout_at);
        }
        self.orders.iter().for_each(|(_, at)| see(*at));
        folded
    }

    /// Memory held, in bytes: the struct, its tables and every string.
    pub fn memory_bytes(&self) -> usize {
        let stamped = |s: &Stamped| s.value.capacity();
        let stamped_size = core::mem::size_of::<Stamped>();
        core::mem::size_of::<Self>()
            + self.items.heap_bytes()
            + self.categories.heap_bytes()
            + self.brands.heap_bytes()
            + self.channels.heap_bytes()
            + self.purchases.heap_bytes()
            + (self.recent.capacity() + self.queries.capacity() + self.removals.capacity())
                * stamped_size
            + self.cart.capacity() * core::mem::size_of::<CartLine>()
            + self.recent.iter().map(stamped).sum::<usize>()
            + self.cart.iter().map(|c| stamped(&c.item)).sum::<usize>()
            + self.queries.iter().map(stamped).sum::<usize>()
            + self.removals.iter().map(stamped).sum::<usize>()
            + self.orders.capacity() * core::mem::size_of::<(u64, f64)>()
    }

    /// Read access for ranking, as of `now`.
    pub fn view<'a>(&'a self, _: &Personal<'_>, now: f64) -> View<'a> {
        View { p: self, now }
    }
}

fn add_named(map: &mut Bounded<Decayed>, name: &str, w: f64, t: f64, hl: f64) {
    let name = name.trim();
    // ASCII names (the usual case) are lower-cased on the stack: a name that is already known
    // costs no allocation.
    let mut ascii = [0u8; MAX_TEXT_LEN];
    let lowered;
    let mut key = match ascii.get_mut(..name.len()) {
        Some(buf) if name.is_ascii() => {
            buf.copy_from_slice(name.as_bytes());
            buf.make_ascii_lowercase();
            core::str::from_utf8(buf).unwrap_or_default()
        }
        _ => {
            lowered = crate::text::lower(name);
            lowered.as_str()
        }
    };
    // Unicode's lower case can lengthen UTF-8 by half ('İ', 2 bytes, becomes 'i̇', 3; `text::lower`
    // gives 'i', and lengthens nothing): cut back to the limit events are checked against
    // whatever lower-casing does, or the stored profile would not decode (and the memory bound
    // would not hold).
    if key.len() > MAX_TEXT_LEN {
        let mut end = MAX_TEXT_LEN;
        while !key.is_char_boundary(end) {
            end -= 1;
        }
        key = &key[..end];
    }
    if !key.is_empty() {
        map.update(key, Decayed::default, |d| d.add(w, t, hl));
    }
}

/// What ranking may read from the profile, with every weight decayed to `now`.
pub struct View<'a> {
    p: &'a Profile,
    now: f64,
}

impl<'a> View<'a> {
    fn decayed(&self, d: &Decayed) -> f64 {
        d.value(self.now, self.p.half_life_ms)
    }

    /// Items and their current interest weight.
    pub fn items(&self) -> impl Iterator<Item = (&'a str, f64)> + '_ {
        self.p
            .items
            .iter()
            .map(move |(id, s)| (id, self.decayed(&s.score)))
    }

    /// Current weight of a (lower-case) category.
    pub fn category(&self, name: &str) -> f64 {
        self.p.categories.get(name).map_or(0.0, |d| self.decayed(d))
    }

    /// Categories and their current weights.
    pub fn categories(&self) -> impl Iterator<Item = (&'a str, f64)> + '_ {
        self.p
            .categories
            .iter()
            .map(move |(k, d)| (k, self.decayed(d)))
    }

    /// Brands and their current weights.
    pub fn brands(&self) -> impl Iterator<Item = (&'a str, f64)> + '_ {
        self.p.brands.iter().map(move |(k, d)| (k, self.decayed(d)))
    }

    /// Channels and their current weights.
    pub fn channels(&self) -> impl Iterator<Item = (&'a str, f64)> + '_ {
        self.p
            .channels
            .iter()
            .map(move |(k, d)| (k, self.decayed(d)))
    }

    /// Current weight of a (lower-case) brand.
    pub fn brand(&self, name: &str) -> f64 {
        self.p.brands.get(name).map_or(0.0, |d| self.decayed(d))
    }

    /// Current weight of each price band.
    pub fn price_bands(&self) -> [f64; PRICE_BANDS.len()] {
        let mut out = [0.0; PRICE_BANDS.len()];
        for (o, b) in out.iter_mut().zip(&self.p.prices) {
            *o = self.decayed(b);
        }
        out
    }

    /// Recently viewed item ids, most recent first.
    pub fn recent(&self) -> impl Iterator<Item = (&'a str, f64)> + 'a {
        self.p.recent.iter().map(|r| (r.value.as_str(), r.at))
    }

    /// Purchased items: `(id, times bought, total quantity, first, last)`.
    pub fn purchases(&self) -> impl Iterator<Item = (&'a str, u32, f64, f64, f64)> + 'a {
        self.p
            .purchases
            .iter()
            .map(|(id, p)| (id, p.count, f64::from(p.quantity), p.first, p.last))
    }

    /// Whether `id` was ever bought (within retention).
    pub fn purchased(&self, id: &str) -> bool {
        self.p.purchases.get(id).is_some()
    }

    /// The current cart.
    pub fn cart(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.p.cart.iter().map(|c| c.item.value.as_str())
    }

    /// When each item of the current cart was put there.
    pub fn cart_times(&self) -> impl Iterator<Item = f64> + 'a {
        self.p.cart.iter().map(|c| c.item.at)
    }

    /// Recent search queries, most recent first.
    pub fn queries(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.p.queries.iter().map(|q| q.value.as_str())
    }

    /// Recent search queries with their times, most recent first.
    pub fn searches(&self) -> impl Iterator<Item = (&'a str, f64)> + 'a {
        self.p.queries.iter().map(|q| (q.value.as_str(), q.at))
    }

    /// The latest survey answer: `(score, at)`.
    pub fn survey(&self) -> Option<(u8, f64)> {
        self.p.survey
    }

    /// Removals from the cart of items that were in it, most recent first.
    pub fn removals(&self) -> impl Iterator<Item = (&'a str, f64)> + 'a {
        self.p.removals.iter().map(|r| (r.value.as_str(), r.at))
    }

    /// When a checkout was started that no purchase has followed yet.
    pub fn open_checkout(&self) -> Option<f64> {
        (self.p.checkout_at > 0.0).then_some(self.p.checkout_at)
    }

    /// The channel of the shopper's latest activity, and when it was.
    pub fn latest_channel(&self) -> Option<(&'a str, f64)> {
        self.p
            .channels
            .iter()
            .map(|(k, d)| (k, d.at))
            .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(a.0)))
    }

    pub fn now(&self) -> f64 {
        self.now
    }

    /// The same profile read as of `now`.
    pub fn at(&self, now: f64) -> View<'a> {
        View { p: self.p, now }
    }

    /// Which state of the profile this reads: equal revisions hold the same signals.
    pub fn revision(&self) -> u64 {
        self.p.revision.0
    }

    /// When the latest decaying signal (an item, category, brand, price band or purchase) was
    /// last added to; 0 when there is none. Read as of any time after it, these signals keep
    /// their proportions: they all lose the same share.
    pub fn latest(&self) -> f64 {
        let p = self.p;
        let mut latest = 0.0f64;
        let mut see = |t: f64| {
            if t > latest {
                latest = t;
            }
        };
        p.items.iter().for_each(|(_, s)| see(s.score.at));
        p.categories.iter().for_each(|(_, d)| see(d.at));
        p.brands.iter().for_each(|(_, d)| see(d.at));
        p.prices.iter().for_each(|d| see(d.at));
        p.purchases.iter().for_each(|(_, x)| see(x.last));
        latest
    }

    pub fn half_life_ms(&self) -> f64 {
        self.p.half_life_ms
    }
}

#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod tests;
