//! `open({catalog: [...]})`: a model from an array of items.
//!
//! Each item: `{id, title?, category?, brand?, price?, tags?, inStock?, sensitive?, embedding?,
//! popularity?, popularityByChannel?}`. Only `id` is required. `popularityByChannel`
//! (`{tiktok: 120, instagram: 40}`, non-negative numbers, at most 32 channels per item and 64 in
//! all) says what is trending among each channel's visitors; labels are normalized like
//! `options.channel` (`'IG'` → `instagram`). `inStock` defaults to true, `sensitive` to false.
//! `popularity` (any non-negative number, e.g. units sold) ranks `trending` and fills shelves when
//! nothing personal is known; without it every item is equally popular. All embeddings must have
//! the same width.

use super::{fits_f32, tables::Index, Model, ModelParts, Strings, NONE};
use crate::args::{concat, id_of, int_to_string, MAX_ID_LEN};
use crate::error::{Error, Result};
use crate::event::MAX_TEXT_LEN;
use crate::value::Value;

/// Longest title accepted, in bytes.
pub const MAX_TITLE_LEN: usize = 1024;
/// Most tags per item.
pub const MAX_TAGS: usize = 64;
/// Widest embedding accepted.
pub const MAX_DIMS: usize = 1024;

const KEYS: &[&str] = &[
    "id",
    "title",
    "category",
    "brand",
    "price",
    "tags",
    "inStock",
    "sensitive",
    "embedding",
    "popularity",
    "popularityByChannel",
];

/// A field name without case, white space and punctuation: what tells `in_stock`, `in stock`,
/// `Category` and `category ` for `inStock` and `category`. A name that starts with `_` or `$`
/// is a store's own (MongoDB's `_id`, `$type`), never taken for one of them.
fn loosely(k: &str) -> Option<String> {
    if k.starts_with(['_', '$']) {
        return None;
    }
    Some(
        k.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect(),
    )
}

/// Most channels one item may list in `popularityByChannel`.
pub const MAX_ITEM_CHANNELS: usize = 32;
/// Most distinct channels in a catalog's `popularityByChannel`.
pub const MAX_CHANNELS: usize = 64;

/// Interns names (categories, brands, tags) into a table, keeping the first spelling seen.
#[derive(Default)]
struct Names {
    names: Strings,
    /// Per name, its key ([`crate::text::key`]).
    keys: Strings,
    index: Index,
}

impl Names {
    fn intern(&mut self, name: &str) -> u32 {
        let i = self.index.intern(&mut self.keys, &crate::text::key(name));
        if i as usize == self.names.len() {
            self.names.push(name.trim());
        }
        i
    }
}

/// Builds a model from the `catalog` option.
pub fn parse_catalog(v: &Value) -> Result<Model> {
    let Value::Array(items) = v else {
        return Err(Error::wrong_type(
            "open",
            "options.catalog",
            "an array of items {id, title?, category?, brand?, price?, tags?, inStock?, sensitive?, embedding?, popularity?}",
            v,
        ));
    };
    let mut p = ModelParts::default();
    let (mut categories, mut brands, mut tags) =
        (Names::default(), Names::default(), Names::default());
    let mut has_popularity = false;
    let mut channels = Names::default();
    let mut channel_rows: Vec<Vec<(u32, f32)>> = Vec::new();
    let mut embeddings = Vec::new();
    let (mut category, mut brand, mut price) = (Vec::new(), Vec::new(), Vec::new());
    for (index, item) in items.iter().enumerate() {
        let bad = |problem: &str| Error::InvalidCatalog {
            index,
            problem: problem.to_owned(),
        };
        let Value::Object(_) = item else {
            return Err(bad(&concat(&["must be an object, got ", item.type_name()])));
        };
        // A shop's own product objects go as they are: fields vitrine does not read (`url`,
        // `image`, `variants`, …) are passed over. One that is a known field spelt another way
        // (`in_stock`, `Category`) would be passed over unread, so it throws, naming the field.
        let read_as = |k: &str| {
            let k = loosely(k)?;
            KEYS.iter()
                .find(|known| loosely(known).as_ref() == Some(&k))
        };
        let misspelt = |k: &&str| !KEYS.contains(k) && read_as(k).is_some();
        if let Some(k) = item.keys().find(misspelt) {
            let known = read_as(k);
            return Err(bad(&concat(&[
                "has a field '",
                k,
                "', read as '",
                known.copied().unwrap_or_default(),
                "' only when spelt so",
            ])));
        }
        let id = match item.get("id") {
            None => return Err(bad("has no id")),
            Some(v) => id_of(v).ok_or_else(|| {
                bad(&concat(&[
                    "id must be a non-empty string of at most ",
                    &int_to_string(MAX_ID_LEN as i64),
                    " bytes or an integer",
                ]))
            })?,
        };
        let text = |key: &str, max: usize| -> Result<Option<&str>> {
            match item.get(key) {
                None => Ok(None),
                Some(Value::String(s)) if s.len() <= max => {
                    Ok(Some(s.as_str()).filter(|s| !s.trim().is_empty()))
                }
                Some(Value::String(_)) => Err(bad(&concat(&[
                    key,
                    " is longer than ",
                    &int_to_string(max as i64),
                    " bytes",
                ]))),
                Some(other) => Err(bad(&concat(&[
                    key,
                    " must be a string, got ",
                    other.type_name(),
                ]))),
            }
        };
        let flag = |key: &str, default: bool| -> Result<bool> {
            match item.get(key) {
                None => Ok(default),
                Some(Value::Bool(b)) => Ok(*b),
                Some(other) => Err(bad(&concat(&[
                    key,
                    " must be a boolean, got ",
                    other.type_name(),
                ]))),
            }
        };
        // A number, or one written as text (a WooCommerce `price: '21.99'`, as `track` reads
        // an event's); blank text is none given.
        let number = |key: &str| -> Result<Option<f64>> {
            match crate::event::given(item.get(key)).map(crate::event::number) {
                None => Ok(None),
                Some(Some(n)) if fits_f32(n) && n >= 0.0 => Ok(Some(n)),
                Some(_) => Err(bad(&concat(&[
                    key,
                    " must be a non-negative number of at most 3.4e38",
                ]))),
            }
        };
        p.titles.push(text("title", MAX_TITLE_LEN)?.unwrap_or(""));
        category.push(text("category", MAX_TEXT_LEN)?.map_or(NONE, |c| categories.intern(c)));
        brand.push(text("brand", MAX_TEXT_LEN)?.map_or(NONE, |b| brands.intern(b)));
        price.push(number("price")?.map_or(f32::NAN, |x| x as f32));
        p.in_stock.push(flag("inStock", true)?);
        p.sensitive.push(flag("sensitive", false)?);
        let popularity = number("popularity")?;
        has_popularity |= popularity.is_some();
        p.popularity.push(popularity.unwrap_or(0.0) as f32);
        // An array of tags, or one string of them separated by commas (Shopify's `tags`).
        let not_strings = || {
            bad(&concat(&[
                "tags must be strings of at most ",
                &int_to_string(MAX_TEXT_LEN as i64),
                " bytes",
            ]))
        };
        let not_array = || {
            bad(&concat(&[
                "tags must be an array of at most ",
                &int_to_string(MAX_TAGS as i64),
                " strings, or one string of them separated by commas",
            ]))
        };
        let given: Vec<&str> = match item.get("tags") {
            None => Vec::new(),
            Some(Value::String(s)) => s.split(',').collect(),
            Some(Value::Array(list)) => list
                .iter()
                .map(|t| t.as_str().ok_or_else(not_strings))
                .collect::<Result<_>>()?,
            Some(_) => return Err(not_array()),
        };
        if given.len() > MAX_TAGS {
            return Err(not_array());
        }
        let mut item_tags = Vec::with_capacity(given.len());
        for t in given {
            if t.len() > MAX_TEXT_LEN {
                return Err(not_strings());
            }
            if !t.trim().is_empty() {
                item_tags.push(tags.intern(t));
            }
        }
        crate::sort::sort(&mut item_tags);
        item_tags.dedup();
        p.item_tags.push(&item_tags);
        match item.get("embedding") {
            None if p.dims == 0 && embeddings.is_empty() => {}
            None => return Err(bad("has no embedding, but earlier items have one")),
            Some(Value::Array(_)) if index > 0 && p.dims == 0 => {
                return Err(bad("has an embedding, but earlier items have none"))
            }
            Some(Value::Array(e)) => {
                if e.is_empty() || e.len() > MAX_DIMS {
                    return Err(bad(&concat(&[
                        "embedding must have 1 to ",
                        &int_to_string(MAX_DIMS as i64),
                        " numbers",
                    ])));
                }
                if index == 0 {
                    p.dims = e.len();
                } else if p.dims != e.len() {
                    return Err(bad(&concat(&[
                        "embedding has ",
                        &int_to_string(e.len() as i64),
                        " numbers, but earlier items have ",
                        &int_to_string(p.dims as i64),
                    ])));
                }
                for x in e {
                    match x {
                        Value::Number(n) if fits_f32(*n) => embeddings.push(*n as f32),
                        _ => {
                            return Err(bad(
                                "embedding must contain only finite numbers of at most 3.4e38",
                            ))
                        }
                    }
                }
            }
            Some(other) => {
                return Err(bad(&concat(&[
                    "embedding must be an array of numbers, got ",
                    other.type_name(),
                ])))
            }
        }
        match item.get("popularityByChannel") {
            None => {}
            Some(Value::Object(entries)) if entries.len() <= MAX_ITEM_CHANNELS => {
                for (label, v) in entries {
                    let n =
                        match v {
                            Value::Number(n) if fits_f32(*n) && *n >= 0.0 => *n,
                            _ => return Err(bad(
                                "popularityByChannel values must be non-negative numbers of at most 3.4e38",
                            )),
                        };
                    let Some(label) = crate::channel::normalize(label).filter(|l| l.len() <= 64)
                    else {
                        return Err(bad("popularityByChannel has an empty or over-long channel"));
                    };
                    let c = channels.intern(&label) as usize;
                    if c >= MAX_CHANNELS {
                        return Err(bad(
                            "popularityByChannel names more than 64 channels in all",
                        ));
                    }
                    if channel_rows.len() <= c {
                        channel_rows.resize(c + 1, Vec::new());
                    }
                    if n > 0.0 {
                        if let Some(row) = channel_rows.get_mut(c) {
                            row.push((p.ids.len() as u32, n as f32));
                        }
                    }
                }
            }
            Some(_) => return Err(bad(
                "popularityByChannel must be an object of at most 32 channels, e.g. {tiktok: 120}",
            )),
        }
        p.ids.push(&id);
    }
    if p.item_tags.values.is_empty() {
        p.item_tags = Default::default();
    }
    if !has_popularity {
        p.popularity.iter_mut().for_each(|x| *x = 1.0);
    }
    p.trending = p.popularity.clone();
    (p.category, p.brand, p.price) = (category.into(), brand.into(), price.into());
    p.embeddings = embeddings.into();
    p.categories = categories.names;
    p.brands = brands.names;
    p.tags = tags.names;
    if !channels.names.is_empty() {
        p.channels = channels.names;
        p.channel_trending = super::Neighbours::from_rows(channel_rows);
    }
    Model::from_parts(p).map_err(|e| match e {
        Error::Model(m) => Error::invalid("open", "options.catalog", m),
        other => other,
    })
}
