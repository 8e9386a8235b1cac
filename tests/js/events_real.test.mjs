// The events storefronts already emit, as their tools emit them (Segment e-commerce spec v2,
// GA4 recommended events through gtag and a Tag Manager dataLayer, Shopify Web Pixels standard
// events passed whole), fed to the built pkg/: each is read as the right kind, with ids,
// quantities, prices, orders and queries where each tool puts them.
import test from 'node:test';
import assert from 'node:assert/strict';
import vitrine from './load.mjs';

const { Vitrine } = vitrine;
const open = (catalog) =>
  Vitrine.open({ catalog, consent: { personalization: true, storage: true }, storage: 'memory' });
const names = (list) => list.map((c) => c.name);

test('Segment: the spec v2 events as analytics.js sends them', () => {
  const v = open([
    { id: '507f1f77bcf86cd799439011', category: 'Games', brand: 'Hasbro', price: 18.99 },
    { id: '505bd76785ebb509fc183733', category: 'Games', brand: 'Wyatt', price: 49.99 },
    { id: 'tea-1', category: 'Tea', brand: 'Leaf', price: 7 },
  ]);
  const monopoly = { product_id: '507f1f77bcf86cd799439011', sku: 'G-32', category: 'Games', name: 'Monopoly: 3rd Edition', brand: 'Hasbro', variant: '200 pieces', price: 18.99, quantity: 1, coupon: 'MAYDEALS', position: 3, url: 'https://www.example.com/product/path', image_url: 'https://www.example.com/product/path.jpg' };
  const order = { checkout_id: 'fksdjfsdjfisjf9sdfjsd9f', order_id: '50314b8e9bcf000000000000', affiliation: 'Google Store', total: 27.5, subtotal: 22.5, revenue: 25, shipping: 3, tax: 2, discount: 2.5, coupon: 'hasbros', currency: 'USD', products: [
    { product_id: '507f1f77bcf86cd799439011', sku: '45790-32', name: 'Monopoly: 3rd Edition', price: 19, quantity: 1, category: 'Games' },
    { product_id: '505bd76785ebb509fc183733', sku: '46493-32', name: 'Uno Card Game', price: 3, quantity: 2, category: 'Games' }] };
  const ok = { accepted: true };
  assert.deepEqual(v.track('Products Searched', { query: 'monopoly' }), ok);
  assert.deepEqual(v.track('Product List Filtered', { list_id: 'todays_deals_may_11_2019', filters: [{ type: 'department', value: 'beauty' }], sorts: [{ type: 'price', value: 'desc' }], products: [{ ...monopoly, position: 1 }] }), ok);
  assert.deepEqual(v.track('Product List Viewed', { list_id: 'hot_deals_1', category: 'Deals', products: [monopoly] }), ok);
  assert.deepEqual(v.track('Product Clicked', monopoly), ok);
  assert.deepEqual(v.track('Product Viewed', { ...monopoly, currency: 'usd', value: 18.99 }), ok);
  assert.deepEqual(v.track('Product Added', { cart_id: 'skdjsidjsdkdj29j', ...monopoly }), ok);
  assert.deepEqual(v.track('Product Added', { cart_id: 'skdjsidjsdkdj29j', product_id: 'tea-1', quantity: 2 }), ok);
  assert.deepEqual(v.track('Product Removed', { cart_id: 'skdjsidjsdkdj29j', product_id: 'tea-1', quantity: 2 }), ok);
  assert.deepEqual(v.track('Product Added to Wishlist', { wishlist_id: 'w1', wishlist_name: 'Loved Games', product_id: '505bd76785ebb509fc183733' }), ok);
  assert.deepEqual(v.track('Cart Viewed', { cart_id: 'skdjsidjsdkdj29j', products: [monopoly] }), ok);
  assert.deepEqual(v.track('Checkout Started', { ...order, checkout_id: undefined }), ok);
  const before = v.exportData().profile;
  // Events outside the table, and a reloaded confirmation page, are refused and change nothing.
  assert.deepEqual(v.track('Checkout Step Viewed', { checkout_id: 'x', step: 2 }), { accepted: false, reason: 'ignored_event' });
  assert.deepEqual(v.track('product viewed', { product_id: 'tea-1' }), { accepted: false, reason: 'unknown_event' });
  assert.deepEqual(v.track('Product Viewed', { name: 'Uno' }), { accepted: false, reason: 'missing_item_id' });
  assert.deepEqual(v.track('Product Viewed', { product_id: 'tea-1', price: '$7' }), { accepted: false, reason: 'invalid_price' });
  assert.deepEqual(v.exportData().profile.items, before.items);
  assert.deepEqual(v.track('Order Completed', order), ok);
  assert.deepEqual(v.track('Order Completed', order), { accepted: false, reason: 'duplicate' });

  const p = v.exportData().profile;
  assert.deepEqual(p.counts, { add: 2, cart_view: 1, checkout: 1, click: 1, list_view: 2, purchase: 1, remove: 1, search: 1, view: 1, wishlist: 1 });
  assert.deepEqual(p.purchases.map((b) => [b.itemId, b.quantity]).sort(), [['505bd76785ebb509fc183733', 2], ['507f1f77bcf86cd799439011', 1]]);
  assert.deepEqual(p.searches.map((s) => s.value), ['monopoly']);
  assert.deepEqual(p.cartRemovals.map((r) => r.value), ['tea-1']);
  // A list's category counts when the catalog has it ('Deals' is merchandising); a list id is
  // where a list was shown, not a taste.
  assert.deepEqual(names(p.categories).sort(), ['games', 'tea']);
  assert.deepEqual(v.recommend({ scenario: 'buy_again' }).map((r) => r.itemId).sort(), ['505bd76785ebb509fc183733', '507f1f77bcf86cd799439011']);
  v.free();
});

test('GA4: gtag events and Tag Manager dataLayer pushes as they are', () => {
  const v = open([
    { id: 'SKU_12345', category: 'Apparel', brand: 'Google', price: 10.01 },
    { id: 'SKU_12346', category: 'Apparel', brand: 'Google', price: 21.01 },
    { id: 'SKU_99', category: 'Kitchen', brand: 'Google', price: 8 },
  ]);
  const tee = { item_id: 'SKU_12345', item_name: 'Stan and Friends Tee', affiliation: 'Google Merchandise Store', coupon: 'SUMMER_FUN', discount: 2.22, index: 0, item_brand: 'Google', item_category: 'Apparel', item_category2: 'Adult', item_category3: 'Shirts', item_category4: '', item_category5: '', item_list_id: 'related_products', item_list_name: 'Related Products', item_variant: 'green', location_id: 'ChIJIQBpAG2ahYAR_6128GcTUEo', price: 10.01, quantity: 3 };
  const grey = { ...tee, item_id: 'SKU_12346', item_name: "Google Grey Women's Tee", item_variant: 'gray', price: 21.01, quantity: 2 };
  const ok = { accepted: true };
  assert.deepEqual(v.track('search', { search_term: 't-shirts' }), ok);
  // A GA4 results page lists what the search found; only the query is the shopper's.
  assert.deepEqual(v.track('view_search_results', { search_term: 'mugs', items: [{ item_id: 'SKU_99' }] }), ok);
  assert.deepEqual(v.track('view_item_list', { item_list_id: 'related_products', item_list_name: 'Related products', items: [tee, grey] }), ok);
  assert.deepEqual(v.track('select_item', { item_list_id: 'related_products', item_list_name: 'Related products', items: [tee] }), ok);
  assert.deepEqual(v.track('view_item', { currency: 'USD', value: 30.03, items: [tee] }), ok);
  assert.deepEqual(v.track('add_to_wishlist', { currency: 'USD', value: 30.03, items: [tee] }), ok);
  assert.deepEqual(v.track('add_to_cart', { currency: 'USD', value: 30.03, items: [tee] }), ok);
  assert.deepEqual(v.track('remove_from_cart', { currency: 'USD', value: 30.03, items: [tee] }), ok);
  assert.deepEqual(v.track('view_cart', { currency: 'USD', value: 72.05, items: [tee, grey] }), ok);
  assert.deepEqual(v.track('begin_checkout', { currency: 'USD', value: 72.05, coupon: 'SUMMER_FUN', items: [tee, grey] }), ok);
  assert.deepEqual(v.track('add_shipping_info', { currency: 'USD', shipping_tier: 'Ground', items: [tee] }), { accepted: false, reason: 'ignored_event' });
  const purchase = { transaction_id: 'T_12345', value: 72.05, tax: 3.6, shipping: 5.99, currency: 'USD', coupon: 'SUMMER_SALE', items: [tee, grey] };
  assert.deepEqual(v.track('purchase', purchase), ok);
  // The same order pushed through Tag Manager too: counted once.
  assert.deepEqual(v.track('purchase', { event: 'purchase', ecommerce: purchase, 'gtm.uniqueEventId': 12 }), { accepted: false, reason: 'duplicate' });
  // A dataLayer push of an item the catalog does not know, numbers as strings, empty levels.
  assert.deepEqual(v.track('view_item', { event: 'view_item', ecommerce: { currency: 'USD', value: '8.00', items: [{ item_id: 'SKU_NEW', item_name: 'Mug', price: '8.00', quantity: '1', item_category: 'Kitchen', item_category2: '' }] } }), ok);

  const p = v.exportData().profile;
  assert.deepEqual(p.counts, { add: 1, cart_view: 1, checkout: 1, click: 1, list_view: 1, purchase: 1, remove: 1, search: 2, view: 2, wishlist: 1 });
  assert.deepEqual(p.searches.map((s) => s.value), ['mugs', 't-shirts']);
  assert.deepEqual(p.purchases.map((b) => [b.itemId, b.quantity]).sort(), [['SKU_12345', 3], ['SKU_12346', 2]]);
  // The catalog's category for the tees it knows (not GA4's 'Shirts'), the most specific level
  // that names one for the mug it does not; no 'related products' interest.
  assert.deepEqual(names(p.categories).sort(), ['apparel', 'kitchen']);
  assert.ok(!p.items.some((i) => i.itemId === 'SKU_99'), 'a search result is not an item the shopper chose');
  assert.deepEqual(v.profile().recentlyViewed, ['SKU_NEW', 'SKU_12345']);
  v.free();
});

test('Shopify: Web Pixels standard events passed whole, ids of products not variants', () => {
  const v = open([
    { id: '7234519187621', category: 'Shirts', brand: 'partners-demo', price: 50 },
    { id: '7234519220389', category: 'Jackets', brand: 'partners-demo', price: 80 },
    { id: '7234519253157', category: 'Shirts', brand: 'partners-demo', price: 60 },
  ]);
  const variant = (productId, id, amount, type) => ({
    id, image: { src: '//cdn.shopify.com/x.jpg' }, price: { amount, currencyCode: 'USD' }, sku: '', title: 'XS', untranslatedTitle: 'XS',
    product: { id: productId, title: 'T', type, untranslatedTitle: 'T', url: '/products/t', vendor: 'partners-demo' },
  });
  const shirt = variant('7234519187621', '41358985232549', 50, 'Shirts');
  const jacket = variant('7234519220389', '41358985363621', 80, null);
  const top = variant('7234519253157', '41358985494693', 60, '');
  const line = (merchandise, quantity) => ({ cost: { totalAmount: { amount: merchandise.price.amount * quantity, currencyCode: 'USD' } }, merchandise, quantity });
  const event = (name, data) => v.track(name, { id: `sh-${name}`, clientId: 'c', name, seq: 1, timestamp: '2024-05-01T10:00:00.000Z', type: 'standard', context: {}, data });
  const ok = { accepted: true };
  // A page view keeps the visit's channel current; nothing of the page is kept.
  assert.deepEqual(event('page_viewed', {}), ok);
  assert.deepEqual(event('collection_viewed', { collection: { id: '288', title: 'Shirts', productVariants: [shirt, top] } }), ok);
  assert.deepEqual(event('search_submitted', { searchResult: { query: 'leather', productVariants: [jacket] } }), ok);
  assert.deepEqual(event('product_viewed', { productVariant: shirt }), ok);
  assert.deepEqual(event('product_added_to_cart', { cartLine: line(shirt, 2) }), ok);
  assert.deepEqual(event('product_added_to_cart', { cartLine: line(top, 1) }), ok);
  assert.deepEqual(event('product_removed_from_cart', { cartLine: line(top, 1) }), ok);
  assert.deepEqual(event('cart_viewed', { cart: { id: 'c1', attributes: [], cost: { totalAmount: { amount: 100, currencyCode: 'USD' } }, lines: [line(shirt, 2)], totalQuantity: 2 } }), ok);
  const checkout = (order) => ({ checkout: {
    currencyCode: 'USD', token: 'tok1', order, subtotalPrice: { amount: 180, currencyCode: 'USD' },
    lineItems: [
      { id: 'li1', quantity: 2, title: 'Shirt', variant: shirt, finalLinePrice: { amount: 100, currencyCode: 'USD' }, discountAllocations: [], properties: [], sellingPlanAllocation: null },
      { id: 'li2', quantity: 1, title: 'Jacket', variant: jacket, finalLinePrice: { amount: 80, currencyCode: 'USD' }, discountAllocations: [], properties: [], sellingPlanAllocation: null },
    ] } });
  assert.deepEqual(event('checkout_started', checkout(null)), ok);
  assert.deepEqual(event('payment_info_submitted', checkout(null)), { accepted: false, reason: 'ignored_event' });
  assert.deepEqual(event('checkout_completed', checkout({ id: '5438483005605', customer: { id: '1', isFirstOrder: true } })), ok);
  assert.deepEqual(event('checkout_completed', checkout({ id: '5438483005605', customer: { id: '1', isFirstOrder: true } })), { accepted: false, reason: 'duplicate' });

  const p = v.exportData().profile;
  assert.deepEqual(p.counts, { add: 2, cart_view: 1, checkout: 1, list_view: 1, page_view: 1, purchase: 1, remove: 1, search: 1, view: 1 });
  assert.deepEqual(p.purchases.map((b) => [b.itemId, b.quantity]).sort(), [['7234519187621', 2], ['7234519220389', 1]]);
  assert.deepEqual(p.searches.map((s) => s.value), ['leather']);
  assert.deepEqual(p.items.map((i) => i.itemId).sort(), ['7234519187621', '7234519220389', '7234519253157']);
  assert.deepEqual(names(p.categories).sort(), ['jackets', 'shirts']);
  assert.deepEqual(names(p.brands), ['partners-demo']);
  assert.deepEqual(v.recommend({ scenario: 'buy_again' }).map((r) => r.itemId).sort(), ['7234519187621', '7234519220389']);
  v.free();
});

test('importHistory takes orders as track takes them: a Tag Manager push, a whole Shopify event', () => {
  const v = open([{ id: 'beans', category: 'Coffee' }, { id: 'filter', category: 'Coffee' }]);
  const at = Date.now() - 86_400_000;
  const push = { event: 'purchase', timestamp: at, ecommerce: { transaction_id: 'T-9', currency: 'EUR', value: 19, items: [{ item_id: 'beans', price: 9.5, quantity: 2 }] } };
  const shopify = { name: 'checkout_completed', timestamp: at, channel: 'in_store', data: { checkout: { order: { id: '77' }, lineItems: [{ quantity: 1, variant: { id: '4001', product: { id: 'filter' } } }] } } };
  assert.deepEqual(v.importHistory([push, shopify]), { imported: 2, duplicates: 0, refused: [] });
  assert.deepEqual(v.track('purchase', push), { accepted: false, reason: 'duplicate' });
  const bought = v.exportData().profile.purchases.map((b) => [b.itemId, b.quantity]).sort();
  assert.deepEqual(bought, [['beans', 2], ['filter', 1]]);
  v.free();
});

test('a whole stream forwarded as it is: ids the catalog knows, whole Segment messages, blank fields', () => {
  // A catalog keyed by SKU, fed Segment events that name a product by its database id and its
  // SKU (the spec sends both): the SKU is the item, as GA4's item_id would be.
  const v = open([{ id: 'SKU-2', category: 'Lamps' }, { id: 'SKU-6', category: 'Lamps' }, { id: 'SKU-10', category: 'Rugs' }]);
  for (const [pid, sku] of [['9714107002', 'SKU-2'], ['9714107006', 'SKU-6']]) {
    assert.deepEqual(v.track('Product Viewed', { product_id: pid, sku, price: 30 }), { accepted: true });
  }
  assert.deepEqual(v.recommend({ scenario: 'recently_viewed' }).map((r) => r.itemId), ['SKU-6', 'SKU-2']);
  // Unknown to the catalog under every id: the first one given, as before.
  v.track('Product Viewed', { product_id: '9714107999', sku: 'SKU-999' });
  assert.equal(v.profile().recentlyViewed[0], '9714107999');

  // A Segment message as a source middleware hands it over.
  const message = (event, properties) => ({ type: 'track', event, userId: 'u1', properties, context: { page: { path: '/' } }, timestamp: new Date().toISOString() });
  assert.deepEqual(v.track('Product Added', message('Product Added', { product_id: '1', sku: 'SKU-10' })), { accepted: true });
  assert.deepEqual(v.profile().cart, ['SKU-10']);
  assert.deepEqual(v.track('Cart Viewed', message('Cart Viewed', { products: [] })), { accepted: true });
  assert.deepEqual(v.profile().cart, []);

  // From the wish list to the cart is an addition to the cart.
  assert.deepEqual(v.track('Wishlist Product Added to Cart', { cart_id: 'c1', product_id: 'x', sku: 'SKU-2', quantity: 1 }), { accepted: true });
  assert.deepEqual(v.profile().cart, ['SKU-2']);

  // A tag manager's unset variables ('') are properties not given, not a lost order.
  const order = { transaction_id: '', items: [{ item_id: 'SKU-6', price: '', quantity: '' }, { item_id: '', sku: 'SKU-10', price: 12 }] };
  assert.deepEqual(v.track('purchase', order), { accepted: true });
  assert.deepEqual(v.exportData().profile.purchases.map((b) => b.itemId).sort(), ['SKU-10', 'SKU-6']);

  // The vocabularies' events vitrine has no use for are told from misspelt names.
  for (const name of ['Coupon Applied', 'Order Refunded', 'refund', 'add_payment_info', 'login', 'checkout_contact_info_submitted', 'clicked']) {
    assert.deepEqual(v.track(name, { order_id: 'o1' }), { accepted: false, reason: 'ignored_event' }, name);
  }
  assert.deepEqual(v.track('Coupon Aplied', {}), { accepted: false, reason: 'unknown_event' });
  v.free();
});

test("a price in another currency than the catalog's is not taken for one of its prices", () => {
  const catalog = [{ id: 'mug', category: 'Mugs', price: 18 }, { id: 'lamp', category: 'Lamps', price: 240 }];
  const consent = { personalization: true };
  const usd = Vitrine.open({ catalog, consent, storage: 'memory', currency: 'usd' });
  const asGiven = Vitrine.open({ catalog, consent, storage: 'memory' });
  for (const v of [usd, asGiven]) {
    // A shop selling in the shopper's currency: GA4's event currency, a Shopify variant's own.
    v.track('view_item', { currency: 'JPY', value: 2700, items: [{ item_id: 'mug', price: 2700 }] });
    v.track('product_viewed', { productVariant: { price: { amount: 2700, currencyCode: 'JPY' }, product: { id: 'mug' } } });
    v.track('Product Viewed', { product_id: 'unknown', price: 2700, currency: 'JPY' });
  }
  assert.deepEqual(usd.profile().priceBand, { min: 10, max: 20 }, "the catalog's price of the mug");
  assert.deepEqual(asGiven.profile().priceBand.min, 1000, 'without open({currency}), prices are taken as given');
  // The same currency, in any case: the event's price is the one the shopper saw.
  usd.track('Product Viewed', { product_id: 'lamp', price: 120, currency: ' USD ' });
  usd.track('Product Viewed', { product_id: 'lamp', price: 120, currency: 'usd' });
  const bands = usd.exportData().profile.priceBands.map((b) => [b.min, b.weight]);
  assert.deepEqual(bands.find(([min]) => min >= 100), [100, 2], 'the sale price seen (120), not the catalog\'s (240)');
  assert.throws(() => Vitrine.open({ catalog, currency: 'US$' }), { message: /^open: options\.currency must be a currency code of three letters, such as 'EUR'/ });
  usd.free();
  asGiven.free();
});
