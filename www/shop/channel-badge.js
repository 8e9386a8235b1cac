// Extension: the arrival-channel badge in the header (data-slot="channel"). Shows where this visit
// came from and that vitrine records it as a channel in the on-device profile, with consent.
import { CHANNELS } from './channel.js';

export default function channelBadge(shop) {
  const slot = shop.slot('channel');
  if (!slot || !shop.channel) return;
  const { label } = CHANNELS[shop.channel];
  const badge = shop.el('span', { class: `channel-badge ch-${shop.channel}`, 'data-channel': shop.channel },
    shop.el('span', { class: 'channel-dot', 'aria-hidden': 'true' }),
    `via ${label}`);
  slot.replaceChildren(badge);
  const update = (state) => {
    badge.title = state.personalization
      ? `You arrived from ${label}; vitrine notes the channel in this browser's profile.`
      : `You arrived from ${label}; without your consent, vitrine does not record it.`;
  };
  update(shop.vitrine.consent());
  shop.on('consent', update);
}
