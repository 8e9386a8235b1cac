//! The event names vitrine understands, from the three vocabularies storefronts already emit.

use super::Kind;

/// Where an event name comes from. Only used to document and test the table; parsing accepts
/// every vocabulary's property names for every event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vocabulary {
    /// Segment e-commerce spec v2 (analytics.js `track`).
    Segment,
    /// Google Analytics 4 recommended e-commerce events (`gtag('event', …)`).
    Ga4,
    /// Shopify Web Pixels standard events (`analytics.subscribe(…)`).
    Shopify,
    /// vitrine's own names, for what no vocabulary covers as a `track` event (satisfaction
    /// surveys; the page view Segment reports with `analytics.page()`).
    Vitrine,
}

/// Every accepted event name, with its kind. Matching is exact (names are case-sensitive in all
/// three specs).
pub const EVENT_NAMES: &[(&str, Kind, Vocabulary)] = &[
    ("Product Viewed", Kind::View, Vocabulary::Segment),
    ("Product Clicked", Kind::Click, Vocabulary::Segment),
    ("Product Added", Kind::Add, Vocabulary::Segment),
    ("Product Removed", Kind::Remove, Vocabulary::Segment),
    ("Products Searched", Kind::Search, Vocabulary::Segment),
    ("Product List Viewed", Kind::ListView, Vocabulary::Segment),
    ("Product List Filtered", Kind::ListView, Vocabulary::Segment),
    ("Cart Viewed", Kind::CartView, Vocabulary::Segment),
    ("Checkout Started", Kind::Checkout, Vocabulary::Segment),
    ("Order Completed", Kind::Purchase, Vocabulary::Segment),
    (
        "Product Added to Wishlist",
        Kind::Wishlist,
        Vocabulary::Segment,
    ),
    ("view_item", Kind::View, Vocabulary::Ga4),
    ("select_item", Kind::Click, Vocabulary::Ga4),
    ("add_to_cart", Kind::Add, Vocabulary::Ga4),
    ("remove_from_cart", Kind::Remove, Vocabulary::Ga4),
    ("view_item_list", Kind::ListView, Vocabulary::Ga4),
    ("search", Kind::Search, Vocabulary::Ga4),
    ("view_search_results", Kind::Search, Vocabulary::Ga4),
    ("view_cart", Kind::CartView, Vocabulary::Ga4),
    ("begin_checkout", Kind::Checkout, Vocabulary::Ga4),
    ("purchase", Kind::Purchase, Vocabulary::Ga4),
    ("add_to_wishlist", Kind::Wishlist, Vocabulary::Ga4),
    ("product_viewed", Kind::View, Vocabulary::Shopify),
    ("product_added_to_cart", Kind::Add, Vocabulary::Shopify),
    (
        "product_removed_from_cart",
        Kind::Remove,
        Vocabulary::Shopify,
    ),
    ("search_submitted", Kind::Search, Vocabulary::Shopify),
    ("collection_viewed", Kind::ListView, Vocabulary::Shopify),
    ("cart_viewed", Kind::CartView, Vocabulary::Shopify),
    ("checkout_started", Kind::Checkout, Vocabulary::Shopify),
    ("checkout_completed", Kind::Purchase, Vocabulary::Shopify),
    ("page_view", Kind::PageView, Vocabulary::Ga4),
    ("page_viewed", Kind::PageView, Vocabulary::Shopify),
    ("Page Viewed", Kind::PageView, Vocabulary::Vitrine),
    ("Survey Answered", Kind::Survey, Vocabulary::Vitrine),
    ("survey_answered", Kind::Survey, Vocabulary::Vitrine),
];

/// The kind of a known event name.
pub fn kind_of(name: &str) -> Option<Kind> {
    EVENT_NAMES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, k, _)| *k)
}
