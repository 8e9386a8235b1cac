// Extensions add to the storefront without editing its pages: a channel badge, an NPS prompt, a
// "talk to a person" offer. Each is a module whose default export is `function (shop)`, listed
// below; it is called once vitrine is open, and usually subscribes to events:
//
//   shop.on('route', ({ name, params, main }) => …)    after a page rendered: name is 'home',
//                                                       'category', 'product', 'search', 'cart',
//                                                       'order' or 'not-found'
//   shop.on('track', ({ event, properties, result }) => …)   after every vitrine.track call
//   shop.on('consent', (state) => …)                   after the consent changed: a decision on the
//                                                       banner, in the CMP or in the sensitive box,
//                                                       or one another tab made; once per change,
//                                                       with vitrine's consent() (the page on screen
//                                                       already follows it)
//   shop.on('order', ({ orderId, lines, total }) => …) after an order was placed
//
// Slots are empty containers the pages keep for extensions, found with shop.slot(name):
//   data-slot="channel"            in the header, for the arrival channel
//   data-slot="assistance"         on product, cart and search pages, under the main action
//                                  (www/human.js offers a person there)
//   data-slot="assistance-footer"  in the footer, on every page
//   data-slot="nps"                on the order confirmation
// (Recommendation shelves use data-slot="<scenario>"; those belong to the pages.)
//
// `shop` also offers: vitrine (the open Vitrine), items, byId, cart, channel, track(event,
// properties), recommend(request), explain(request) (vitrine's explainShelf), el (the DOM helper),
// render() to redraw the current page (its view event is not tracked again), refreshShelves() to
// redraw only the parts of the page drawn from vitrine's answers (the recommendation shelves, the
// parts drawn for the personalisation consent) whose drawing changed, after changing what vitrine
// would answer.
import channelBadge from './channel-badge.js';

export const EXTENSIONS = [channelBadge];
