// The arrival channel: `?utm_source=instagram` (or tiktok, whatsapp, email) on the landing URL.
// It is passed to every `track` call as `{channel}`, so the profile knows which channels the
// shopper comes from; it is never sent anywhere.

export const CHANNELS = {
  instagram: { label: 'Instagram', greeting: 'Saw it on Instagram?' },
  tiktok: { label: 'TikTok', greeting: 'Found us on TikTok?' },
  whatsapp: { label: 'WhatsApp', greeting: 'Shared with you on WhatsApp' },
  email: { label: 'Newsletter', greeting: 'From our newsletter' },
};

/** The channel of this visit, or undefined. Unknown sources are left out, not recorded. */
export function arrivalChannel(search = location.search) {
  const src = new URLSearchParams(search).get('utm_source')?.toLowerCase();
  return src && Object.hasOwn(CHANNELS, src) ? src : undefined;
}
