//! The catalog's category and brand names as events carry them ([`Name`]): each made once, the
//! first time an event is filled in with it, then shared by every later event.

use crate::event::Name;
use crate::model::Model;

/// Per catalog category and brand, its name once an event needed it.
#[derive(Debug, Default)]
pub(super) struct Names {
    categories: Vec<Option<Name>>,
    brands: Vec<Option<Name>>,
}

impl Names {
    /// The name of catalog category `c` (`None` for [`crate::model::NONE`]).
    pub fn category(&mut self, model: &Model, c: u32) -> Option<Name> {
        shared(&mut self.categories, c, |c| model.category_name(c))
    }

    /// The name of catalog brand `b` (`None` for [`crate::model::NONE`]).
    pub fn brand(&mut self, model: &Model, b: u32) -> Option<Name> {
        shared(&mut self.brands, b, |b| model.brand_name(b))
    }
}

/// Slot `i` of `slots`, filled from `name(i)` the first time; nothing is kept for an index the
/// model has no name for.
fn shared<'a>(
    slots: &mut Vec<Option<Name>>,
    i: u32,
    name: impl FnOnce(u32) -> Option<&'a str>,
) -> Option<Name> {
    if let Some(Some(known)) = slots.get(i as usize) {
        return Some(known.clone());
    }
    let made = Name::from(name(i)?);
    if slots.len() <= i as usize {
        slots.resize(i as usize + 1, None);
    }
    slots[i as usize] = Some(made.clone());
    Some(made)
}
