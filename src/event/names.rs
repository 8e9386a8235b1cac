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
    // Moving a product from the wish list to the cart puts it in the cart (spec: `cart_id`,
    // `product_id`, `quantity`).
    (
        "Wishlist Product Added to Cart",
        Kind::Add,
        Vocabulary::Segment,
    ),
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

/// The names the three vocabularies define that vitrine has no use for, one a line (Segment
/// e-commerce spec v2; GA4 recommended events — online sales, all properties, lead generation,
/// games — and those collected automatically or by enhanced measurement; Shopify Web Pixels
/// standard and DOM events): refused as
/// `ignored_event`, not `unknown_event`, so a page that forwards its whole stream can tell them
/// from a misspelt name. Checkout steps, payment and shipping details, coupons, promotions,
/// shares, reviews, sign-ins, and refunds and cancellations (the shop's back office reports
/// those, and a reversal of an order vitrine cannot tell the contents of is no signal).
pub const IGNORED_NAMES: &str = "\
Promotion Viewed
Promotion Clicked
Checkout Step Viewed
Checkout Step Completed
Payment Info Entered
Order Updated
Order Refunded
Order Cancelled
Coupon Entered
Coupon Applied
Coupon Denied
Coupon Removed
Product Removed from Wishlist
Product Shared
Cart Shared
Product Reviewed
add_payment_info
add_shipping_info
refund
select_promotion
view_promotion
ad_impression
earn_virtual_currency
spend_virtual_currency
generate_lead
qualify_lead
disqualify_lead
working_lead
close_convert_lead
close_unconvert_lead
join_group
login
sign_up
select_content
share
tutorial_begin
tutorial_complete
level_start
level_end
level_up
post_score
unlock_achievement
first_visit
session_start
user_engagement
scroll
click
file_download
form_start
form_submit
video_start
video_progress
video_complete
alert_displayed
checkout_address_info_submitted
checkout_contact_info_submitted
checkout_shipping_info_submitted
payment_info_submitted
ui_extension_errored
clicked
form_submitted
input_blurred
input_changed
input_focused";

/// Whether `name` is one of [`IGNORED_NAMES`] (one string, a name a line: a slice of strings
/// cost each its pointer and length in the module, half a kilobyte).
pub fn ignored(name: &str) -> bool {
    IGNORED_NAMES.split('\n').any(|n| n == name)
}

/// The kind of a known event name.
pub fn kind_of(name: &str) -> Option<Kind> {
    EVENT_NAMES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, k, _)| *k)
}
