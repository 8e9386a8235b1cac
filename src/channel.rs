//! Channels: where the shopper came from (Instagram, a newsletter, a search engine, the shop
//! itself), as one short label.
//!
//! The label of an event is `options.channel` when the page gives one, otherwise the channel of
//! the visit, which the wasm layer works out once per page from `document.URL` and
//! `document.referrer` (or, when the page has no referrer, the in-app browser `navigator.userAgent`
//! names: [`referrer_or_app`]) with [`detect`]. Only the label is kept: the URL, the referrer and
//! the user agent are read, classified and dropped (campaign parameters can carry identifiers; a
//! label cannot).
//!
//! [`detect`] decides, first rule that applies:
//!
//! | # | evidence | channel |
//! |---|---|---|
//! | 1 | `utm_source` naming a known platform, search engine, mail tool or store, in any of the forms of [`normalize`] (`ig`, `IGShopping`, `tiktok.com`, `tiktok_ads`, `google`, `klaviyo`, `qr`, …) | that platform, `search`, `email`, `in_store` |
//! | 2 | a referrer on a social or messaging platform, or a webmail; with no referrer, the in-app browser of such a platform (by its user agent: [`referrer_or_app`]) | that platform, `email` |
//! | 3 | a click id: `ttclid` tiktok, `igshid`/`igsh` instagram, `fbclid` facebook, `gclid`/`gbraid`/`wbraid`/`dclid`/`msclkid`/`yclid`/`srsltid` search, `twclid` x, `ScCid` snapchat, `epik` pinterest, `li_fat_id` linkedin, `rdt_cid` reddit, `mc_eid`/`_kx` email | as listed |
//! | 4 | `utm_medium`: `email`/`newsletter`, `sms`, `social`/`paid_social`, `cpc`/`ppc`/`organic`, `display`/`cpm`, `qr`/`in_store`/`pos`, `affiliate`/`referral` | `email`, `sms`, `social`, `search`, `ads`, `in_store`, `referral` |
//! | 5 | any other `utm_source` | `referral` |
//! | 6 | a referrer on a search engine (`google.*`, `bing.com`, `duckduckgo.com`, …) | `search` |
//! | 7 | a referrer on the shop's own site (same registrable domain) | the visit goes on: see [`Arrival::Internal`] |
//! | 8 | any other referrer | `referral` |
//! | 9 | nothing | `direct` |
//!
//! Android apps send `android-app://<package>` referrers; the common ones (Instagram, Facebook,
//! their Lite apps, Threads, TikTok, WhatsApp, Gmail, Google search) are recognised too.
//!
//! A named source beats everything else because a shop tags its own links on purpose
//! (`utm_source=tiktok_ads&utm_medium=cpc` is a TikTok ad, not search). An in-app browser ranks as
//! a referrer: the page is open inside that app, so the shopper came from it, and it is more
//! specific than a click id (Instagram appends `fbclid` too) or a medium; a real referrer beats it
//! (a page opened inside Instagram and reached from a search engine there is `search`).

/// Every label [`detect`] can give, and the canonical forms [`normalize`] maps aliases to.
pub const CHANNELS: [&str; 19] = [
    INSTAGRAM, FACEBOOK, TIKTOK, PINTEREST, WHATSAPP, YOUTUBE, SNAPCHAT, X, LINKEDIN, REDDIT,
    THREADS, EMAIL, SMS, SOCIAL, SEARCH, ADS, REFERRAL, DIRECT, IN_STORE,
];

/// How many of [`CHANNELS`], from the first, are named platforms: a source that starts with one
/// of their names and a separator (`tiktok_ads`, `instagram-bio`) is that platform.
const PLATFORMS: usize = 11;

pub const INSTAGRAM: &str = "instagram";
pub const FACEBOOK: &str = "facebook";
pub const TIKTOK: &str = "tiktok";
pub const PINTEREST: &str = "pinterest";
pub const WHATSAPP: &str = "whatsapp";
pub const YOUTUBE: &str = "youtube";
pub const SNAPCHAT: &str = "snapchat";
pub const X: &str = "x";
pub const LINKEDIN: &str = "linkedin";
pub const REDDIT: &str = "reddit";
/// Meta's Threads (not `instagram`: its own feed and audience).
pub const THREADS: &str = "threads";
pub const EMAIL: &str = "email";
pub const SMS: &str = "sms";
/// A social network not listed on its own.
pub const SOCIAL: &str = "social";
pub const SEARCH: &str = "search";
/// Display and other paid media that is neither search nor a named social network.
pub const ADS: &str = "ads";
/// Another site, or a tagged link from a source vitrine does not know.
pub const REFERRAL: &str = "referral";
/// Typed, bookmarked, or opened from an app that sends no referrer.
pub const DIRECT: &str = "direct";
/// A physical shop: a QR code on a receipt or shelf, a till, a kiosk.
pub const IN_STORE: &str = "in_store";

/// How long a visit lasts without activity: a page reached from the shop's own pages within this
/// time of the shopper's last event continues the channel of that event (as web analytics tools
/// count sessions, 30 minutes).
pub const VISIT_GAP_MS: f64 = 30.0 * 60_000.0;

/// Longest URL or referrer read; a longer one is read up to here (query strings of landing pages
/// are far shorter; this only bounds the work).
pub const MAX_URL_LEN: usize = 16 * 1024;

/// What a page's URL and referrer say about the visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrival {
    /// The shopper arrived on this page from this channel.
    Channel(&'static str),
    /// A page reached from the shop's own pages: the visit's channel is the one of the shopper's
    /// latest activity, if within [`VISIT_GAP_MS`], else `direct`.
    Internal,
    /// No page at all (Node, a worker): events carry no channel unless the page gives one.
    Unknown,
}

/// `(alias, channel)`: names of sources and platforms, in `utm_source` or `options.channel`.
const SOURCES: &[(&str, &str)] = &[
    ("instagram", INSTAGRAM),
    ("ig", INSTAGRAM),
    ("insta", INSTAGRAM),
    // Meta's tag for Instagram Shopping links.
    ("igshopping", INSTAGRAM),
    ("facebook", FACEBOOK),
    ("fb", FACEBOOK),
    ("meta", FACEBOOK),
    ("messenger", FACEBOOK),
    // Meta's `{{site_source_name}}` for Messenger and the Audience Network (`fb` and `ig` above).
    ("msg", FACEBOOK),
    ("an", FACEBOOK),
    ("threads", THREADS),
    ("tiktok", TIKTOK),
    ("tt", TIKTOK),
    ("pinterest", PINTEREST),
    ("pin", PINTEREST),
    ("whatsapp", WHATSAPP),
    ("wa", WHATSAPP),
    ("youtube", YOUTUBE),
    ("yt", YOUTUBE),
    ("snapchat", SNAPCHAT),
    ("snap", SNAPCHAT),
    ("x", X),
    ("twitter", X),
    ("linkedin", LINKEDIN),
    ("reddit", REDDIT),
    ("google", SEARCH),
    ("bing", SEARCH),
    ("duckduckgo", SEARCH),
    ("yahoo", SEARCH),
    ("ecosia", SEARCH),
    ("yandex", SEARCH),
    ("baidu", SEARCH),
    ("brave", SEARCH),
    ("qwant", SEARCH),
    ("startpage", SEARCH),
    ("email", EMAIL),
    ("e_mail", EMAIL),
    ("mail", EMAIL),
    ("newsletter", EMAIL),
    ("klaviyo", EMAIL),
    ("mailchimp", EMAIL),
    ("brevo", EMAIL),
    ("sendinblue", EMAIL),
    ("sms", SMS),
    ("store", IN_STORE),
    ("instore", IN_STORE),
    ("in_store", IN_STORE),
    ("shop", IN_STORE),
    ("pos", IN_STORE),
    ("till", IN_STORE),
    ("kiosk", IN_STORE),
    ("receipt", IN_STORE),
    ("qr", IN_STORE),
    ("qrcode", IN_STORE),
    ("qr_code", IN_STORE),
    ("direct", DIRECT),
    ("social", SOCIAL),
    ("search", SEARCH),
    ("ads", ADS),
    ("referral", REFERRAL),
];

/// `(utm_medium, channel)`.
const MEDIUMS: &[(&str, &str)] = &[
    ("email", EMAIL),
    ("e_mail", EMAIL),
    ("mail", EMAIL),
    ("newsletter", EMAIL),
    ("sms", SMS),
    ("text", SMS),
    ("social", SOCIAL),
    ("social_media", SOCIAL),
    ("socialmedia", SOCIAL),
    ("sm", SOCIAL),
    ("paid_social", SOCIAL),
    ("paidsocial", SOCIAL),
    ("organic_social", SOCIAL),
    ("cpc", SEARCH),
    ("ppc", SEARCH),
    ("paid_search", SEARCH),
    ("paidsearch", SEARCH),
    ("sem", SEARCH),
    ("organic", SEARCH),
    ("seo", SEARCH),
    ("search", SEARCH),
    ("display", ADS),
    ("banner", ADS),
    ("cpm", ADS),
    ("programmatic", ADS),
    ("video", ADS),
    ("qr", IN_STORE),
    ("qrcode", IN_STORE),
    ("qr_code", IN_STORE),
    ("in_store", IN_STORE),
    ("instore", IN_STORE),
    ("store", IN_STORE),
    ("pos", IN_STORE),
    ("receipt", IN_STORE),
    ("print", IN_STORE),
    ("affiliate", REFERRAL),
    ("referral", REFERRAL),
    ("partner", REFERRAL),
];

/// `(query parameter, channel)`: click ids platforms append to the links they serve. `fbclid` is
/// handled apart (Instagram appends it too). `srsltid` is Google's on its free product listings.
const CLICK_IDS: &[(&str, &str)] = &[
    ("ttclid", TIKTOK),
    ("igshid", INSTAGRAM),
    ("igsh", INSTAGRAM),
    ("gclid", SEARCH),
    ("srsltid", SEARCH),
    ("gbraid", SEARCH),
    ("wbraid", SEARCH),
    ("dclid", SEARCH),
    ("msclkid", SEARCH),
    ("yclid", SEARCH),
    ("twclid", X),
    ("sccid", SNAPCHAT),
    ("epik", PINTEREST),
    ("li_fat_id", LINKEDIN),
    ("rdt_cid", REDDIT),
    ("mc_eid", EMAIL),
    ("_kx", EMAIL),
];

/// `(site, channel)` of referrers on social and messaging platforms. A brand name matches
/// `name.<tld>` and its subdomains (`l.instagram.com`, `pinterest.co.uk`); a domain (with a dot)
/// matches itself and its subdomains only: short names are not unique across top-level domains
/// (`t.co` is X, `t.me` Telegram, `t.ly` a link shortener; `x.com` is X, `x.ai` is not).
const PLATFORM_SITES: &[(&str, &str)] = &[
    ("instagram", INSTAGRAM),
    ("facebook", FACEBOOK),
    ("fb.com", FACEBOOK),
    ("fb.me", FACEBOOK),
    ("fb.watch", FACEBOOK),
    ("messenger", FACEBOOK),
    ("m.me", FACEBOOK),
    ("tiktok", TIKTOK),
    ("pinterest", PINTEREST),
    ("pin.it", PINTEREST),
    ("whatsapp", WHATSAPP),
    ("wa.me", WHATSAPP),
    ("youtube", YOUTUBE),
    ("youtu.be", YOUTUBE),
    ("snapchat", SNAPCHAT),
    ("twitter", X),
    ("t.co", X),
    ("x.com", X),
    ("linkedin", LINKEDIN),
    ("lnkd.in", LINKEDIN),
    ("reddit", REDDIT),
    ("redd.it", REDDIT),
    ("threads.net", THREADS),
    ("threads.com", THREADS),
];

/// Webmail hosts (checked before search engines: `mail.google.com` is email).
const WEBMAIL_HOSTS: &[&str] = &[
    "mail.google.com",
    "outlook.live.com",
    "outlook.office.com",
    "outlook.office365.com",
    "mail.yahoo.com",
    "mail.proton.me",
    "mail.aol.com",
    "mail.yandex.ru",
];

const SEARCH_SITES: &[&str] = &[
    "google",
    "bing",
    "duckduckgo",
    "yahoo",
    "ecosia",
    "yandex",
    "baidu",
    "qwant",
    "startpage",
    "brave",
];

/// `(android package, channel)` of `android-app://` referrers.
const ANDROID_APPS: &[(&str, &str)] = &[
    ("com.instagram.android", INSTAGRAM),
    ("com.instagram.lite", INSTAGRAM),
    ("com.instagram.barcelona", THREADS),
    ("com.facebook.katana", FACEBOOK),
    ("com.facebook.lite", FACEBOOK),
    ("com.facebook.orca", FACEBOOK),
    ("com.facebook.mlite", FACEBOOK),
    ("com.zhiliaoapp.musically", TIKTOK),
    ("com.ss.android.ugc.trill", TIKTOK),
    ("com.pinterest", PINTEREST),
    ("com.whatsapp", WHATSAPP),
    ("com.google.android.youtube", YOUTUBE),
    ("com.snapchat.android", SNAPCHAT),
    ("com.twitter.android", X),
    ("com.linkedin.android", LINKEDIN),
    ("com.reddit.frontpage", REDDIT),
    ("com.google.android.gm", EMAIL),
    ("com.microsoft.office.outlook", EMAIL),
    ("com.google.android.googlequicksearchbox", SEARCH),
];

/// `(user agent token, channel)`: apps that open links in their own browser, which often sends
/// no referrer; the token is matched as written, first in this order (Threads' agent names
/// Instagram too; Facebook's and Messenger's carry `FBAV/`, on Android after `FB_IAB/`). TikTok's
/// agents carry `musical_ly_<version>` (iOS) or `trill_<version>` (Android); `BytedanceWebview`
/// alone is not enough: CapCut and Lemon8 use it too.
const IN_APP: &[(&str, &str)] = &[
    (" Barcelona ", THREADS),
    (" Instagram ", INSTAGRAM),
    ("FBAN/", FACEBOOK),
    ("FBAV/", FACEBOOK),
    ("musical_ly", TIKTOK),
    ("trill_", TIKTOK),
    (" TikTok ", TIKTOK),
    ("Pinterest/", PINTEREST),
    ("Snapchat/", SNAPCHAT),
    ("LinkedInApp", LINKEDIN),
];

/// Own sites of many shops, space-separated: each subdomain is a shop of its own
/// (`a-shop.myshopify.com` is not `b-shop.myshopify.com`), as on the Public Suffix List. (Lists
/// here are strings, not arrays: an array of `&str` costs 8 bytes a name more in the wasm.)
const SHARED_HOSTS: &str = "myshopify.com mybigcommerce.com bigcartel.com square.site wixsite.com";

/// Second-level labels under which country domains register names (`example.co.uk`,
/// `example.com.au`, `example.ne.jp`); any other name on a country domain is the site itself
/// (`bol.nl`).
const SECOND_LEVEL: &str = "co com net org ac edu gov gob ne or go ltd plc";

fn lookup(table: &[(&str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, c)| *c)
}

/// A label as written by a page or a campaign: trimmed, in lower case ([`crate::text::lower`]:
/// `'MAĞAZA'` → `mağaza`), white space of any kind and hyphens as underscores (`'In Store'`,
/// `'In\u{a0}Store'` → `in_store`).
fn fold(label: &str) -> String {
    crate::text::lower(label.trim())
        .chars()
        .map(|c| match c {
            '-' => '_',
            c if c.is_whitespace() => '_',
            c => c,
        })
        .collect()
}

/// The channel a folded source name stands for, the same in `utm_source`, `options.channel` and
/// `popularityByChannel`: a known name or alias (`ig`, `igshopping`), a host (`l.instagram.com`,
/// `google.com`), or a platform's name with a suffix (`tiktok_ads`, `instagram_bio`).
fn known_source(s: &str) -> Option<&'static str> {
    let head = s.bytes().position(|b| b == b'_').and_then(|i| s.get(..i));
    let mut prefixed = None;
    for (k, c) in SOURCES {
        if *k == s {
            return Some(c);
        }
        if Some(*k) == head && CHANNELS.iter().take(PLATFORMS).any(|p| p == c) {
            prefixed = Some(*c);
        }
    }
    host_channel(s).or(prefixed)
}

/// The channel label of `options.channel` (or an imported record's `channel`, or a
/// `popularityByChannel` key): known names, aliases, hosts and suffixed platform names map to the
/// canonical label as in `utm_source` (`'IG'` → `instagram`, `'tiktok.com'` → `tiktok`,
/// `'TikTok Shop'` → `tiktok`), mediums too (`'In-Store'` → `in_store`, `'Newsletter'` →
/// `email`); any other label is kept, folded to lower case. `None` when empty.
pub fn normalize(label: &str) -> Option<String> {
    let folded = fold(label);
    if folded.is_empty() {
        return None;
    }
    let known = |s: &str| known_source(s).or_else(|| lookup(MEDIUMS, s));
    // A known name is also found by the key names are matched by (`'ＩＧ'`, `'Ｉｎ Ｓｔｏｒｅ'`,
    // `'E\u{301}mail'` as a mobile keyboard or a pasted label writes it); a label kept as given
    // keeps its letters.
    let by_key = || known(&fold(&crate::text::key(label)));
    Some(match known(&folded).or_else(by_key) {
        Some(c) => c.to_owned(),
        None => folded,
    })
}

/// The referrer [`detect`] reads: the page's, or, when it has none and `user_agent` is the
/// in-app browser of a platform (`… Instagram 300.0.0.22.110 (iPhone14,5; …)`, `[FBAN/FBIOS;…`,
/// `musical_ly_33.1.0`, `[Pinterest/iOS]`, `Snapchat/12.50`), the `android-app://` referrer that
/// platform's app sends on Android. The user agent is read for this and dropped.
pub fn referrer_or_app(referrer: String, user_agent: &str) -> String {
    if !referrer.trim().is_empty() {
        return referrer;
    }
    let ua = clip(user_agent).as_bytes();
    // Tokens are matched as the apps write them; a plain loop of slice comparisons is a fraction
    // of the wasm of `windows` or a substring searcher.
    let app = IN_APP.iter().find(|(token, _)| {
        (0..ua.len()).any(|i| {
            ua.get(i..)
                .is_some_and(|rest| rest.starts_with(token.as_bytes()))
        })
    });
    // The first package of a channel in ANDROID_APPS is the platform's main app.
    match app.and_then(|(_, c)| ANDROID_APPS.iter().find(|(_, a)| a == c)) {
        Some((package, _)) => {
            let mut r = String::from("android-app://");
            r.push_str(package);
            r
        }
        None => referrer,
    }
}

/// Whether `word` is one of the space-separated words of `list`.
fn listed(list: &str, word: &str) -> bool {
    list.split(' ').any(|w| w == word)
}

/// The channel of a visit, from the page's URL and referrer (both may be empty). See the table
/// in the module documentation.
pub fn detect(url: &str, referrer: &str) -> Arrival {
    let url = clip(url);
    let referrer = clip(referrer);
    let q = Query::of(url);
    let source = q.get("utm_source").map(|s| fold(&s));
    if let Some(c) = source.as_deref().and_then(known_source) {
        return Arrival::Channel(c);
    }
    let from = Referrer::of(referrer, host(url));
    if let Referrer::Platform(c) = from {
        return Arrival::Channel(c);
    }
    if q.has("fbclid") {
        return Arrival::Channel(FACEBOOK);
    }
    if let Some(c) = CLICK_IDS.iter().find(|(k, _)| q.has(k)).map(|(_, c)| *c) {
        return Arrival::Channel(c);
    }
    if let Some(c) = q.get("utm_medium").and_then(|m| lookup(MEDIUMS, &fold(&m))) {
        return Arrival::Channel(c);
    }
    if source.is_some_and(|s| !s.is_empty()) {
        return Arrival::Channel(REFERRAL);
    }
    match from {
        Referrer::Platform(c) => Arrival::Channel(c),
        Referrer::Search => Arrival::Channel(SEARCH),
        Referrer::Internal => Arrival::Internal,
        Referrer::Other => Arrival::Channel(REFERRAL),
        Referrer::None if url.is_empty() => Arrival::Unknown,
        Referrer::None => Arrival::Channel(DIRECT),
    }
}

fn clip(s: &str) -> &str {
    if s.len() <= MAX_URL_LEN {
        return s;
    }
    let mut end = MAX_URL_LEN;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or("")
}

/// What a referrer says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Referrer {
    /// A social or messaging platform, or a webmail (`email`).
    Platform(&'static str),
    Search,
    /// The shop's own site.
    Internal,
    Other,
    None,
}

impl Referrer {
    fn of(referrer: &str, own_host: &str) -> Self {
        let referrer = referrer.trim();
        if referrer.is_empty() {
            return Referrer::None;
        }
        if let Some(package) = strip_prefix_ignore_case(referrer, "android-app://") {
            let package = package.split(['/', '?', '#']).next().unwrap_or("");
            let package = package.to_ascii_lowercase();
            return ANDROID_APPS
                .iter()
                .find(|(p, _)| {
                    package
                        .strip_prefix(p)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
                })
                .map_or(Referrer::Other, |(_, c)| match *c {
                    SEARCH => Referrer::Search,
                    c => Referrer::Platform(c),
                });
        }
        let h = host(referrer);
        if h.is_empty() {
            return Referrer::None;
        }
        if !own_host.is_empty() && site(h) == site(own_host) {
            return Referrer::Internal;
        }
        if WEBMAIL_HOSTS.contains(&h) || h.starts_with("mail.") || h.starts_with("webmail.") {
            return Referrer::Platform(EMAIL);
        }
        if let Some(c) = host_platform(h) {
            return Referrer::Platform(c);
        }
        if SEARCH_SITES.iter().any(|name| on_site(h, name)) {
            return Referrer::Search;
        }
        Referrer::Other
    }
}

/// A `utm_source` written as a host (`l.instagram.com`, `google.com`).
fn host_channel(source: &str) -> Option<&'static str> {
    if !source.contains('.') {
        return None;
    }
    host_platform(source).or_else(|| {
        SEARCH_SITES
            .iter()
            .any(|name| on_site(source, name))
            .then_some(SEARCH)
    })
}

fn host_platform(h: &str) -> Option<&'static str> {
    PLATFORM_SITES
        .iter()
        .find(|(site, _)| {
            if site.contains('.') {
                on_domain(h, site)
            } else {
                on_site(h, site)
            }
        })
        .map(|(_, c)| *c)
}

/// Whether host `h` is `domain` or a subdomain of it, ignoring case.
fn on_domain(h: &str, domain: &str) -> bool {
    let Some(start) = h.len().checked_sub(domain.len()) else {
        return false;
    };
    h.get(start..)
        .is_some_and(|t| t.eq_ignore_ascii_case(domain))
        && (start == 0 || h.as_bytes().get(start - 1) == Some(&b'.'))
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

/// The host of an absolute URL, lower case is not applied (compare with [`on_site`], which
/// ignores case): `https://user@Shop.example:8080/p?q` → `Shop.example`.
fn host(url: &str) -> &str {
    let Some(at) = url.as_bytes().windows(3).position(|w| w == b"://") else {
        return "";
    };
    let rest = url.get(at + 3..).unwrap_or("");
    let authority = rest.split(['/', '?', '#', '\\']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or("");
    let h = if authority.starts_with('[') {
        authority
            .split(']')
            .next()
            .map_or("", |s| s.get(1..).unwrap_or(""))
    } else {
        authority.split(':').next().unwrap_or("")
    };
    h.trim_end_matches('.')
}

/// The registrable part of a host, approximately (no full Public Suffix List: it would weigh
/// more than the rest of this module): the last two labels, or three under a country's
/// second-level domain (`shop.example.co.uk` → `example.co.uk`, but `checkout.bol.nl` →
/// `bol.nl`) or a host of many shops (`a-shop.myshopify.com`).
fn site(h: &str) -> String {
    let h = h.to_ascii_lowercase();
    let labels: Vec<&str> = h.split('.').collect();
    let n = labels.len();
    let keep = match labels.as_slice() {
        [.., second, last] if n >= 3 && last.len() == 2 && listed(SECOND_LEVEL, second) => 3,
        _ if n >= 3 && SHARED_HOSTS.split(' ').any(|d| on_domain(&h, d)) => 3,
        _ => 2,
    };
    crate::args::join(&labels[n.saturating_sub(keep)..], ".")
}

/// Whether host `h` is `name.<tld>` or a subdomain of it, for a top-level domain of one or two
/// short labels (`google.com`, `www.google.co.uk`, `pinterest.fr`).
fn on_site(h: &str, name: &str) -> bool {
    let labels: Vec<&str> = h.split('.').collect();
    labels.iter().enumerate().any(|(i, l)| {
        let tld = labels.get(i + 1..).unwrap_or(&[]);
        l.eq_ignore_ascii_case(name)
            && (1..=2).contains(&tld.len())
            && tld
                .iter()
                .all(|t| (2..=3).contains(&t.len()) || *t == "info")
    })
}

/// The query string of a URL, read lazily.
struct Query<'a>(&'a str);

impl<'a> Query<'a> {
    fn of(url: &'a str) -> Self {
        let q = url.split('#').next().unwrap_or("");
        Query(q.split_once('?').map_or("", |(_, q)| q))
    }

    fn pairs(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.0
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| p.split_once('=').unwrap_or((p, "")))
    }

    /// Whether a parameter named `key` (ASCII case-insensitive) has a non-empty value.
    fn has(&self, key: &str) -> bool {
        self.pairs()
            .any(|(k, v)| k.eq_ignore_ascii_case(key) && !v.is_empty())
    }

    /// The first value of `key`, percent-decoded; `None` when absent or empty.
    fn get(&self, key: &str) -> Option<String> {
        self.pairs()
            .find(|(k, v)| k.eq_ignore_ascii_case(key) && !v.is_empty())
            .map(|(_, v)| decode(v))
            .filter(|v| !v.trim().is_empty())
    }
}

/// Percent-decodes a query value (`+` is a space); invalid escapes stay as they are, invalid
/// UTF-8 is replaced. Values longer than 256 bytes are cut there: no label is longer.
fn decode(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len().min(256));
    let mut i = 0;
    while i < b.len() && out.len() < 256 {
        let hex = |c: u8| (c as char).to_digit(16);
        match b.get(i) {
            Some(b'+') => out.push(b' '),
            Some(b'%') => match (
                b.get(i + 1).and_then(|c| hex(*c)),
                b.get(i + 2).and_then(|c| hex(*c)),
            ) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            Some(&c) => out.push(c),
            None => break,
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Arrival::{Channel, Internal, Unknown};

    const SHOP: &str = "https://www.shop.example/";

    fn at(query: &str, referrer: &str) -> Arrival {
        detect(&[SHOP, query].concat(), referrer)
    }

    #[test]
    fn utm_source_names_the_platform_in_any_spelling() {
        assert_eq!(
            at("?utm_source=instagram&utm_medium=social", ""),
            Channel(INSTAGRAM)
        );
        assert_eq!(at("?utm_source=IG", ""), Channel(INSTAGRAM));
        assert_eq!(
            at("?UTM_SOURCE=Tik%20Tok", ""),
            Channel(REFERRAL),
            "unknown spelling"
        );
        assert_eq!(at("?utm_source=TikTok", ""), Channel(TIKTOK));
        assert_eq!(at("?utm_source=l.instagram.com", ""), Channel(INSTAGRAM));
        assert_eq!(
            at("?utm_source=google.com&utm_medium=cpc", ""),
            Channel(SEARCH)
        );
        assert_eq!(
            at("?utm_source=Klaviyo&utm_campaign=spring", ""),
            Channel(EMAIL)
        );
        assert_eq!(
            at("?utm_source=receipt&utm_medium=qr", ""),
            Channel(IN_STORE)
        );
        assert_eq!(at("?utm_source=wa", ""), Channel(WHATSAPP));
        assert_eq!(at("?utm_source=pinterest#top", ""), Channel(PINTEREST));
        // Tagged links win over the referrer, even the shop's own.
        assert_eq!(at("?utm_source=fb", SHOP), Channel(FACEBOOK));
    }

    #[test]
    fn unknown_sources_fall_back_on_the_medium_then_referral() {
        assert_eq!(
            at("?utm_source=spring_news&utm_medium=email", ""),
            Channel(EMAIL)
        );
        assert_eq!(
            at("?utm_source=partner42&utm_medium=affiliate", ""),
            Channel(REFERRAL)
        );
        assert_eq!(
            at("?utm_source=acme&utm_medium=paid_social", ""),
            Channel(SOCIAL)
        );
        assert_eq!(at("?utm_source=acme&utm_medium=display", ""), Channel(ADS));
        assert_eq!(
            at("?utm_source=acme&utm_medium=Newsletter", ""),
            Channel(EMAIL)
        );
        assert_eq!(at("?utm_source=acme", ""), Channel(REFERRAL));
        assert_eq!(at("?utm_medium=sms", ""), Channel(SMS));
        assert_eq!(
            at("?utm_source=&utm_medium=", ""),
            Channel(DIRECT),
            "empty values say nothing"
        );
    }

    #[test]
    fn click_ids_identify_the_ad_platform() {
        assert_eq!(at("?ttclid=E.C.P.abc", ""), Channel(TIKTOK));
        assert_eq!(at("?gclid=Cj0KCQ&x=1", ""), Channel(SEARCH));
        assert_eq!(at("?wbraid=abc", ""), Channel(SEARCH));
        assert_eq!(at("?msclkid=abc", ""), Channel(SEARCH));
        assert_eq!(at("?igshid=MzRlOD", ""), Channel(INSTAGRAM));
        assert_eq!(at("?fbclid=IwAR0", ""), Channel(FACEBOOK));
        assert_eq!(at("?ScCid=abc", ""), Channel(SNAPCHAT));
        assert_eq!(at("?mc_eid=abc", ""), Channel(EMAIL));
        // Instagram appends fbclid too: its referrer tells them apart.
        assert_eq!(
            at("?fbclid=IwAR0", "https://l.instagram.com/"),
            Channel(INSTAGRAM)
        );
        assert_eq!(
            at("?fbclid=", ""),
            Channel(DIRECT),
            "an empty click id is no click id"
        );
    }

    #[test]
    fn referrers_by_platform_search_engine_webmail_and_app() {
        assert_eq!(
            at("", "https://l.facebook.com/l.php?u=x"),
            Channel(FACEBOOK)
        );
        assert_eq!(at("", "https://www.tiktok.com/"), Channel(TIKTOK));
        assert_eq!(at("", "https://pinterest.co.uk/pin/1"), Channel(PINTEREST));
        assert_eq!(at("", "https://pin.it/abc"), Channel(PINTEREST));
        assert_eq!(at("", "https://web.whatsapp.com/"), Channel(WHATSAPP));
        assert_eq!(at("", "https://t.co/xyz"), Channel(X));
        assert_eq!(at("", "https://www.google.co.uk/"), Channel(SEARCH));
        assert_eq!(at("", "https://www.GOOGLE.com/"), Channel(SEARCH));
        assert_eq!(at("", "https://duckduckgo.com/"), Channel(SEARCH));
        assert_eq!(at("", "https://mail.google.com/mail/u/0/"), Channel(EMAIL));
        assert_eq!(at("", "https://outlook.live.com/"), Channel(EMAIL));
        assert_eq!(
            at("", "android-app://com.google.android.gm/"),
            Channel(EMAIL)
        );
        assert_eq!(
            at("", "android-app://com.instagram.android"),
            Channel(INSTAGRAM)
        );
        assert_eq!(
            at(
                "",
                "android-app://com.google.android.googlequicksearchbox/https/www.google.com"
            ),
            Channel(SEARCH)
        );
        assert_eq!(
            at("", "android-app://org.example.reader"),
            Channel(REFERRAL)
        );
        assert_eq!(at("", "https://blog.example.org/post"), Channel(REFERRAL));
        // Names that merely contain a platform's name are not that platform.
        assert_eq!(
            at("", "https://instagram-tips.example.com/"),
            Channel(REFERRAL)
        );
        assert_eq!(at("", "https://googleplex.example/"), Channel(REFERRAL));
        // A social referrer beats a search click id; a tagged medium does not beat a platform.
        assert_eq!(at("?gclid=1", "https://www.youtube.com/"), Channel(YOUTUBE));
        assert_eq!(
            at("?utm_medium=cpc", "https://www.bing.com/"),
            Channel(SEARCH)
        );
    }

    #[test]
    fn own_site_direct_and_no_page() {
        assert_eq!(at("", "https://www.shop.example/c/candles"), Internal);
        assert_eq!(
            at("", "https://checkout.shop.example/"),
            Internal,
            "same site, other subdomain"
        );
        assert_eq!(
            detect("https://shop.example.co.uk/", "https://www.example.co.uk/"),
            Internal
        );
        assert_eq!(
            detect("https://a.example.co.uk/", "https://b.other.co.uk/"),
            Channel(REFERRAL)
        );
        assert_eq!(at("", ""), Channel(DIRECT));
        assert_eq!(at("?q=lamp", "  "), Channel(DIRECT));
        assert_eq!(detect("", ""), Unknown);
        assert_eq!(detect("", "https://www.tiktok.com/"), Channel(TIKTOK));
    }

    #[test]
    fn hostile_urls_do_not_panic_or_mislead() {
        for u in [
            "https://[::1]:8080/?utm_source=ig",
            "https://user:pw@shop.example:443/?%",
            "https://shop.example/?utm_source=%E2%82%AC%ZZ%",
            "https://shop.example/?&&=&utm_source",
            "://",
            "?",
            "https://ü.example/?utm_source=ÜBER",
            "https://shop.example/?utm_source=%FF%FE",
        ] {
            let _ = detect(u, u);
        }
        let long = [
            "https://shop.example/?",
            &"a=b&".repeat(10_000),
            "utm_source=ig",
        ]
        .concat();
        assert_eq!(
            detect(&long, ""),
            Channel(DIRECT),
            "read up to MAX_URL_LEN only"
        );
        assert_eq!(
            detect("https://[::1]:8080/?utm_source=ig", ""),
            Channel(INSTAGRAM)
        );
        assert_eq!(host("https://user@Shop.example:8080/p?q"), "Shop.example");
        assert_eq!(decode("a%20b+c%zz%4"), "a b c%zz%4");
    }

    #[test]
    fn no_string_makes_it_panic() {
        let mut rng = crate::rng::Rng::new(7);
        let parts = [
            "https://",
            "android-app://",
            "?",
            "&",
            "=",
            "#",
            "%",
            "%2",
            "%E2%82",
            "+",
            "utm_source",
            "utm_medium",
            "fbclid",
            "ig",
            "google",
            ".",
            ":",
            "@",
            "[",
            "]",
            "/",
            "é",
            "\u{1F600}",
            "\\",
            "www.",
            "co.uk",
            " ",
            "\0",
        ];
        for _ in 0..20_000 {
            let mut a = String::new();
            let mut b = String::new();
            for _ in 0..rng.below(12) {
                a.push_str(parts[rng.below(parts.len())]);
                b.push_str(parts[rng.below(parts.len())]);
            }
            let arrival = detect(&a, &b);
            if let Arrival::Channel(c) = arrival {
                assert!(CHANNELS.contains(&c), "{c}");
            }
            let _ = normalize(&a);
            let _ = referrer_or_app(String::new(), &a);
        }
    }

    const IG_IOS: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 300.0.0.22.110 (iPhone14,5; iOS 17_0; en_US; en; scale=3.00; 1170x2532; 510745137)";
    const IG_ANDROID: &str = "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230805.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.5845.163 Mobile Safari/537.36 Instagram 301.0.0.33.110 Android (33/13; 420dpi; 1080x2400; Google/google; Pixel 7; panther; panther; en_US; 517046787)";
    const TT_IOS: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 musical_ly_33.1.0 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/en Region/US BytedanceWebview/d8a21c6";
    const TT_ANDROID: &str = "Mozilla/5.0 (Linux; Android 12; SM-G991B Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/114.0.5735.196 Mobile Safari/537.36 trill_2023103030 JsSdk/1.0 NetType/WIFI Channel/googleplay AppName/trill app_version/31.3.3 ByteLocale/en ByteFullLocale/en Region/GB BytedanceWebview/d8a21c6";
    const FB_IOS: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/440.0.0.33.118;FBBV/123;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/17.0;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]";
    const FB_ANDROID: &str = "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230805.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.5845.163 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/432.0.0.29.102;]";
    const PIN_IOS: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [Pinterest/iOS]";
    const SNAP_IOS: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Snapchat/12.50.0.37 (like Safari/604.1)";
    const THREADS_ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UD1A.230803.041; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.43 Mobile Safari/537.36 Barcelona 311.0.0.32.118 Android (34/14; 420dpi; 1080x2400; Google/google; Pixel 8; shiba; shiba; en_US; 546252301)";
    const SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

    /// A landing on `SHOP` + `query` from `referrer` in a browser whose user agent is `ua`.
    fn in_app(query: &str, referrer: &str, ua: &str) -> Arrival {
        at(query, &referrer_or_app(referrer.to_owned(), ua))
    }

    #[test]
    fn in_app_browsers_name_their_platform_when_there_is_no_referrer() {
        for (ua, c) in [
            (IG_IOS, INSTAGRAM),
            (IG_ANDROID, INSTAGRAM),
            (TT_IOS, TIKTOK),
            (TT_ANDROID, TIKTOK),
            (FB_IOS, FACEBOOK),
            (FB_ANDROID, FACEBOOK),
            (PIN_IOS, PINTEREST),
            (SNAP_IOS, SNAPCHAT),
            (THREADS_ANDROID, THREADS),
        ] {
            assert_eq!(in_app("", "", ua), Channel(c), "{ua}");
            assert_eq!(in_app("p/1?q=lamp", " ", ua), Channel(c), "{ua}");
        }
        // Instagram appends fbclid too; its browser tells them apart without a referrer.
        assert_eq!(
            in_app("?fbclid=PAZXh0bgNhZW0", "", IG_IOS),
            Channel(INSTAGRAM)
        );
        assert_eq!(in_app("?fbclid=IwAR0", "", FB_IOS), Channel(FACEBOOK));
        // It ranks as a referrer: above click ids and mediums, below a named source.
        assert_eq!(in_app("?gclid=1", "", TT_IOS), Channel(TIKTOK));
        assert_eq!(in_app("?utm_medium=cpc", "", TT_IOS), Channel(TIKTOK));
        assert_eq!(in_app("?utm_source=acme", "", IG_IOS), Channel(INSTAGRAM));
        assert_eq!(in_app("?utm_source=tiktok", "", IG_IOS), Channel(TIKTOK));
        assert_eq!(in_app("?utm_source=klaviyo", "", IG_IOS), Channel(EMAIL));
        // A real referrer says more: the shop's own pages, a search made inside the app.
        assert_eq!(in_app("", SHOP, IG_IOS), Internal);
        assert_eq!(
            in_app("", "https://www.google.com/", IG_IOS),
            Channel(SEARCH)
        );
        // Plain browsers, and ByteDance's webview without TikTok's own token (CapCut, Lemon8).
        assert_eq!(in_app("", "", SAFARI), Channel(DIRECT));
        assert_eq!(
            in_app("", "", "Mozilla/5.0 BytedanceWebview/d8a21c6"),
            Channel(DIRECT)
        );
        assert_eq!(in_app("", "", ""), Channel(DIRECT));
        assert_eq!(
            referrer_or_app(String::new(), IG_IOS),
            "android-app://com.instagram.android",
            "only an app's name is passed on, never the user agent"
        );
    }

    #[test]
    fn instagram_share_links_carry_igsh() {
        assert_eq!(at("p/1?igsh=MWQ1ZGUxMzBkMA%3D%3D", ""), Channel(INSTAGRAM));
        assert_eq!(at("?IGSH=MWQ1", ""), Channel(INSTAGRAM));
        assert_eq!(at("?igsh=", ""), Channel(DIRECT));
    }

    #[test]
    fn utm_sources_as_platforms_write_them() {
        assert_eq!(
            at("?utm_source=IGShopping&utm_medium=Social", ""),
            Channel(INSTAGRAM)
        );
        // Meta's {{site_source_name}}.
        assert_eq!(at("?utm_source=fb&utm_medium=paid", ""), Channel(FACEBOOK));
        assert_eq!(at("?utm_source=ig&utm_medium=paid", ""), Channel(INSTAGRAM));
        assert_eq!(at("?utm_source=msg&utm_medium=paid", ""), Channel(FACEBOOK));
        assert_eq!(at("?utm_source=an&utm_medium=paid", ""), Channel(FACEBOOK));
        // A platform's name with a suffix, and it beats the medium.
        assert_eq!(at("?utm_source=tiktok_ads", ""), Channel(TIKTOK));
        assert_eq!(at("?utm_source=facebook_ads", ""), Channel(FACEBOOK));
        assert_eq!(at("?utm_source=instagram_bio", ""), Channel(INSTAGRAM));
        assert_eq!(at("?utm_source=tiktok-shop", ""), Channel(TIKTOK));
        assert_eq!(at("?utm_source=FB%20Ads", ""), Channel(FACEBOOK));
        assert_eq!(
            at("?utm_source=tiktok_ads&utm_medium=cpc", ""),
            Channel(TIKTOK)
        );
        // Only platforms take a suffix: `shop` alone is in_store, `shop_pay` is not.
        assert_eq!(at("?utm_source=shop_pay", ""), Channel(REFERRAL));
        assert_eq!(
            at("?utm_source=google_shopping&utm_medium=cpc", ""),
            Channel(SEARCH)
        );
        assert_eq!(at("?utm_source=tiktoker", ""), Channel(REFERRAL));
        assert_eq!(at("?utm_source=acme_tiktok", ""), Channel(REFERRAL));
    }

    #[test]
    fn labels_normalize_as_utm_sources_do() {
        for label in [
            "tiktok.com",
            "l.instagram.com",
            "www.pinterest.co.uk",
            "IGShopping",
            "tiktok_ads",
            "TikTok Shop",
            "google.com",
            "msg",
        ] {
            let Channel(c) = at(&["?utm_source=", label].concat(), "") else {
                panic!("{label}");
            };
            assert_ne!(c, REFERRAL, "{label}");
            assert_eq!(normalize(label).as_deref(), Some(c), "{label}");
        }
        assert_eq!(normalize("tiktok.com").as_deref(), Some(TIKTOK));
        assert_eq!(normalize("l.instagram.com").as_deref(), Some(INSTAGRAM));
        assert_eq!(normalize("shop.example").as_deref(), Some("shop.example"));
    }

    #[test]
    fn short_site_names_match_their_own_domain_only() {
        for r in [
            "https://t.me/shopchannel",
            "https://t.ly/abc",
            "https://x.ai/",
        ] {
            assert_eq!(at("", r), Channel(REFERRAL), "{r}");
        }
        for (r, c) in [
            ("https://t.co/xyz", X),
            ("https://x.com/shop/status/1", X),
            ("https://mobile.x.com/", X),
            ("https://mobile.twitter.com/", X),
            ("https://wa.me/123", WHATSAPP),
            ("https://pin.it/abc", PINTEREST),
            ("https://youtu.be/abc", YOUTUBE),
            ("https://lnkd.in/abc", LINKEDIN),
            ("https://fb.me/abc", FACEBOOK),
        ] {
            assert_eq!(at("", r), Channel(c), "{r}");
        }
        assert_eq!(at("?utm_source=x.ai", ""), Channel(REFERRAL));
        assert_eq!(at("?utm_source=t.me", ""), Channel(REFERRAL));
        assert!(!on_domain("at.co", "t.co"));
        assert!(!on_domain("é", "t.co"));
    }

    #[test]
    fn lite_apps_threads_messenger_links_and_free_listings() {
        for (r, c) in [
            ("android-app://com.instagram.lite", INSTAGRAM),
            ("android-app://com.facebook.lite/", FACEBOOK),
            ("android-app://com.facebook.mlite", FACEBOOK),
            ("https://www.threads.net/@shop", THREADS),
            ("https://l.threads.net/?u=x", THREADS),
            ("https://www.threads.com/@shop", THREADS),
            ("android-app://com.instagram.barcelona", THREADS),
            ("https://fb.watch/abc/", FACEBOOK),
            ("https://m.me/shop", FACEBOOK),
        ] {
            assert_eq!(at("", r), Channel(c), "{r}");
        }
        assert_eq!(at("?utm_source=threads", ""), Channel(THREADS));
        assert_eq!(at("?utm_source=threads.net", ""), Channel(THREADS));
        // Google's free listings: like gclid, search, unless a platform referred.
        assert_eq!(at("p/1?srsltid=AfmBOoq", ""), Channel(SEARCH));
        assert_eq!(
            at("?srsltid=AfmBOoq", "https://www.youtube.com/"),
            Channel(YOUTUBE)
        );
    }

    #[test]
    fn own_site_on_shared_hosts_and_short_country_names() {
        assert_eq!(
            detect(
                "https://a-shop.myshopify.com/",
                "https://b-shop.myshopify.com/"
            ),
            Channel(REFERRAL),
            "another shop"
        );
        assert_eq!(
            detect(
                "https://a-shop.myshopify.com/cart",
                "https://A-Shop.myshopify.com/p/1"
            ),
            Internal
        );
        assert_eq!(
            detect("https://checkout.bol.nl/", "https://www.bol.nl/p/1"),
            Internal
        );
        assert_eq!(
            detect("https://shop.hm.de/", "https://www.hm.de/"),
            Internal
        );
        assert_eq!(
            detect(
                "https://shop.example.com.au/",
                "https://www.example.com.au/"
            ),
            Internal
        );
        assert_eq!(
            detect("https://shop.example.com.au/", "https://www.other.com.au/"),
            Channel(REFERRAL)
        );
        assert_eq!(
            detect("https://shop.example.co.jp/", "https://www.other.co.jp/"),
            Channel(REFERRAL)
        );
        assert_eq!(site("myshopify.com"), "myshopify.com");
        assert_eq!(site("www.bol.nl"), "bol.nl");
    }

    #[test]
    fn labels_given_by_the_page_are_normalized() {
        assert_eq!(normalize(" IG ").as_deref(), Some(INSTAGRAM));
        assert_eq!(normalize("In-Store").as_deref(), Some(IN_STORE));
        assert_eq!(normalize("in store").as_deref(), Some(IN_STORE));
        assert_eq!(normalize("Newsletter").as_deref(), Some(EMAIL));
        assert_eq!(normalize("Pop-up Market").as_deref(), Some("pop_up_market"));
        assert_eq!(normalize("   "), None);
        // Labels in other scripts are lower-cased too, and any white space separates.
        assert_eq!(normalize("MAĞAZA").as_deref(), Some("mağaza"));
        assert_eq!(normalize("École").as_deref(), normalize("ÉCOLE").as_deref());
        assert_eq!(normalize("In\u{a0}Store").as_deref(), Some(IN_STORE));
        // Known names in full-width letters or with marks a keyboard added are still known.
        assert_eq!(normalize("ＩＧ").as_deref(), Some(INSTAGRAM));
        assert_eq!(
            normalize("Ｉｎ\u{3000}Ｓｔｏｒｅ").as_deref(),
            Some(IN_STORE)
        );
        assert_eq!(normalize("ＴｉｋＴｏｋ Ｓｈｏｐ").as_deref(), Some(TIKTOK));
        assert_eq!(normalize("ＮＥＷＳＬＥＴＴＥＲ").as_deref(), Some(EMAIL));
        assert_eq!(normalize("Ｐｏｐ-ｕｐ").as_deref(), Some("ｐｏｐ_ｕｐ"));
        for c in CHANNELS {
            assert_eq!(normalize(c).as_deref(), Some(c), "{c} is canonical");
        }
    }
}
