// The arrival channels the shop itself names in its header badge (shop/channel-badge.js):
// `?utm_source=instagram` (or tiktok, whatsapp, email) on the landing URL. Such a channel is passed
// to every `track` call as `{channel}`.
//
// Any other source gets no header badge, but it is not ignored: vitrine works the visit's channel
// out itself from the landing URL and the referrer (`v.channel()`: `?utm_source=facebook` is
// 'facebook', `?utm_source=ig` 'instagram', a search engine 'search', …), every event tracked
// without `{channel}` carries that label, and www/human.js welcomes the shopper by it. Either way
// only the label enters the profile, under personalisation consent, and it is never sent anywhere.

export const CHANNELS = {
  instagram: { label: 'Instagram', greeting: 'Saw it on Instagram?' },
  tiktok: { label: 'TikTok', greeting: 'Found us on TikTok?' },
  whatsapp: { label: 'WhatsApp', greeting: 'Shared with you on WhatsApp' },
  email: { label: 'Newsletter', greeting: 'From our newsletter' },
};

/** The visit's channel when the shop has a badge for it, else undefined (vitrine's own label applies). */
export function arrivalChannel(search = location.search) {
  const src = new URLSearchParams(search).get('utm_source')?.toLowerCase();
  return src && Object.hasOwn(CHANNELS, src) ? src : undefined;
}
