//! Channels: where the shopper came from (Instagram, a newsletter, a search engine, the shop
//! itself), as one short label.
//!
//! The label of an event is `options.channel` when the page gives one, otherwise the channel of
//! the visit, which the wasm layer works out once per page from `document.URL` and
//! `document.referrer` with [`detect`]. Only the label is kept: the URL and the referrer are read,
//! classified and dropped (campaign parameters can carry identifiers; a label cannot).
//!
//! [`detect`] decides, first rule that applies:
//!
//! | # | evidence | channel |
//! |---|---|---|
//! | 1 | `utm_source` naming a known platform, search engine, mail tool or store (`ig`, `facebook`, `tiktok`, `google`, `klaviyo`, `qr`, …) | that platform, `search`, `email`, `in_store` |
//! | 2 | a referrer on a social or messaging platform, or a webmail | that platform, `email` |
//! | 3 | a click id: `ttclid` tiktok, `igshid` instagram, `fbclid` facebook, `gclid`/`gbraid`/`wbraid`/`dclid`/`msclkid`/`yclid` search, `twclid` x, `ScCid` snapchat, `epik` pinterest, `li_fat_id` linkedin, `rdt_cid` reddit, `mc_eid`/`_kx` email | as listed |
//! | 4 | `utm_medium`: `email`/`newsletter`, `sms`, `social`/`paid_social`, `cpc`/`ppc`/`organic`, `display`/`cpm`, `qr`/`in_store`/`pos`, `affiliate`/`referral` | `email`, `sms`, `social`, `search`, `ads`, `in_store`, `referral` |
//! | 5 | any other `utm_source` | `referral` |
//! | 6 | a referrer on a search engine (`google.*`, `bing.com`, `duckduckgo.com`, …) | `search` |
//! | 7 | a referrer on the shop's own site (same registrable domain) | the visit goes on: see [`Arrival::Internal`] |
//! | 8 | any other referrer | `referral` |
//! | 9 | nothing | `direct` |
//!
//! Android apps send `android-app://<package>` referrers; the common ones (Instagram, Facebook,
//! TikTok, WhatsApp, Gmail, Google search) are recognised too.

/// Every label [`detect`] can give, and the canonical forms [`normalize`] maps aliases to.
pub const CHANNELS: [&str; 18] = [
    INSTAGRAM, FACEBOOK, TIKTOK, PINTEREST, WHATSAPP, YOUTUBE, SNAPCHAT, X, LINKEDIN, REDDIT,
    EMAIL, SMS, SOCIAL, SEARCH, ADS, REFERRAL, DIRECT, IN_STORE,
];

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
    ("facebook", FACEBOOK),
    ("fb", FACEBOOK),
    ("meta", FACEBOOK),
    ("messenger", FACEBOOK),
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
/// handled apart (Instagram appends it too).
const CLICK_IDS: &[(&str, &str)] = &[
    ("ttclid", TIKTOK),
    ("igshid", INSTAGRAM),
    ("gclid", SEARCH),
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

/// `(site name, channel)` of referrers on social and messaging platforms; a site name matches
/// `name.<tld>` and its subdomains (`l.instagram.com`, `pinterest.co.uk`).
const PLATFORM_SITES: &[(&str, &str)] = &[
    ("instagram", INSTAGRAM),
    ("facebook", FACEBOOK),
    ("fb", FACEBOOK),
    ("messenger", FACEBOOK),
    ("tiktok", TIKTOK),
    ("pinterest", PINTEREST),
    ("pin", PINTEREST),
    ("whatsapp", WHATSAPP),
    ("wa", WHATSAPP),
    ("wl", WHATSAPP),
    ("youtube", YOUTUBE),
    ("youtu", YOUTUBE),
    ("snapchat", SNAPCHAT),
    ("twitter", X),
    ("t", X),
    ("x", X),
    ("linkedin", LINKEDIN),
    ("lnkd", LINKEDIN),
    ("reddit", REDDIT),
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
    ("com.facebook.katana", FACEBOOK),
    ("com.facebook.orca", FACEBOOK),
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

fn lookup(table: &[(&str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, c)| *c)
}

/// A label as written by a page or a campaign: trimmed, ASCII lower case, spaces and hyphens as
/// underscores (`'In Store'` → `in_store`).
fn fold(label: &str) -> String {
    label
        .trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The channel label of `options.channel` (or an imported record's `channel`): known names and
/// aliases map to the canonical label (`'IG'` → `instagram`, `'In-Store'` → `in_store`,
/// `'Newsletter'` → `email`); any other label is kept, folded to lower case. `None` when empty.
pub fn normalize(label: &str) -> Option<String> {
    let folded = fold(label);
    if folded.is_empty() {
        return None;
    }
    Some(
        match lookup(SOURCES, &folded).or_else(|| lookup(MEDIUMS, &folded)) {
            Some(c) => c.to_owned(),
            None => folded,
        },
    )
}

/// The channel of a visit, from the page's URL and referrer (both may be empty). See the table
/// in the module documentation.
pub fn detect(url: &str, referrer: &str) -> Arrival {
    let url = clip(url);
    let referrer = clip(referrer);
    let q = Query::of(url);
    let source = q.get("utm_source").map(|s| fold(&s));
    if let Some(c) = source
        .as_deref()
        .and_then(|s| lookup(SOURCES, s).or_else(|| host_channel(s)))
    {
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
        .find(|(name, _)| on_site(h, name))
        .map(|(_, c)| *c)
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

/// The registrable part of a host, approximately: the last two labels, or three when the second
/// to last is a short second-level domain (`shop.example.co.uk` → `example.co.uk`).
fn site(h: &str) -> String {
    let h = h.to_ascii_lowercase();
    let labels: Vec<&str> = h.split('.').collect();
    let n = labels.len();
    let keep = match labels.as_slice() {
        [.., second, last] if n >= 3 && second.len() <= 3 && last.len() <= 2 => 3,
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
        }
    }

    #[test]
    fn labels_given_by_the_page_are_normalized() {
        assert_eq!(normalize(" IG ").as_deref(), Some(INSTAGRAM));
        assert_eq!(normalize("In-Store").as_deref(), Some(IN_STORE));
        assert_eq!(normalize("in store").as_deref(), Some(IN_STORE));
        assert_eq!(normalize("Newsletter").as_deref(), Some(EMAIL));
        assert_eq!(normalize("Pop-up Market").as_deref(), Some("pop_up_market"));
        assert_eq!(normalize("   "), None);
        for c in CHANNELS {
            assert_eq!(normalize(c).as_deref(), Some(c), "{c} is canonical");
        }
    }
}
