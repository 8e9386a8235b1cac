// Human-first pieces of the demo storefront, kept apart from app.js:
//  - a badge naming the channel the visit came from (v.channel());
//  - the satisfaction survey ("how likely are you to recommend us?", 0–10) as a track() event;
//  - the offer of a person (chat, WhatsApp, phone) when vitrine sees frustration on the device
//    (v.assistance()) — a detractor's answer, repeated searches without a click, hesitation in
//    the cart, an abandoned checkout — in the page's assistance slot when it has one;
//  - the separate consent to the categories the shop's policy marks sensitive;
//  - one sentence under every shelf saying why it shows what it shows (v.explainShelf()).
// All of it sits in the page, never over it: the aside ends the page, above the footer.
// Everything is read from vitrine in this tab; nothing is sent anywhere. The page hooks it in with
// one line (`<script type="module" src="/human.js">`); it waits for app.js to expose
// window.vitrine and to mark the page ready.

const CHANNEL_NAMES = {
  instagram: 'Instagram', facebook: 'Facebook', tiktok: 'TikTok', pinterest: 'Pinterest',
  whatsapp: 'WhatsApp', youtube: 'YouTube', snapchat: 'Snapchat', x: 'X', linkedin: 'LinkedIn',
  reddit: 'Reddit', email: 'our newsletter', sms: 'a text message', social: 'social media',
  search: 'a search engine', ads: 'an ad', referral: 'another site', in_store: 'our shop',
};

/** What the help offer says first, by the strongest reason vitrine gives. */
const HELP_LEADS = {
  detractor: 'We are sorry we let you down. A person can sort it out:',
  checkout_abandoned: 'Stuck at checkout? A person can help you finish:',
  cart_hesitation: 'Not sure which to pick? Ask a person:',
  searches_without_click: 'Not finding what you need? Ask a person:',
};

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, val] of Object.entries(attrs)) {
    if (val === undefined || val === false) continue;
    if (k === 'class') e.className = val;
    else if (k === 'text') e.textContent = val;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), val);
    else e.setAttribute(k, val === true ? '' : val);
  }
  for (const c of children.flat()) if (c != null) e.append(c);
  return e;
}

/** Resolves with the page's vitrine once app.js has rendered. */
function vitrineReady() {
  return new Promise((resolve) => {
    const check = () => {
      if (window.vitrine && document.body.dataset.ready === 'true') {
        resolve(window.vitrine);
        return true;
      }
      return false;
    };
    if (check()) return;
    const watch = new MutationObserver(() => { if (check()) watch.disconnect(); });
    watch.observe(document.body, { attributes: true, attributeFilter: ['data-ready'] });
  });
}

/**
 * The `recommend` options a rendered shelf was asked with: the request the page keeps on the
 * shelf (`data-request`), else as far as the page shows them.
 */
function shelfOptions(section) {
  if (section.dataset.request) return JSON.parse(section.dataset.request);
  const scenario = section.dataset.slot;
  const onScreen = document.querySelector('article.product[data-item-id]')?.dataset.itemId;
  if ((scenario === 'similar' || scenario === 'bought_together') && onScreen) return { scenario, itemId: onScreen };
  return { scenario };
}

/** Adds "why" lines under shelves that do not have one yet. */
function explainShelves(v, root) {
  for (const section of root.querySelectorAll('section.shelf[data-slot]:not([data-explained])')) {
    section.dataset.explained = 'true';
    let why;
    try {
      why = v.explainShelf(shelfOptions(section));
    } catch {
      continue; // a slot that is not a vitrine scenario
    }
    const line = el('p', { class: 'why', 'data-served': why.served ?? 'none', text: why.explanation });
    if (why.sensitiveExcluded) line.title = 'Sensitive categories are left out unless you allow them.';
    section.querySelector('h2')?.after(line);
  }
}

/**
 * Says that vitrine's answers changed on this page without a navigation (a survey answer, the
 * sensitive box): the storefront redraws the shelves on screen (www/app.js listens), and no more
 * than those — drawing the page again would track its view again.
 */
const changed = () => window.dispatchEvent(new Event('vitrine:change'));

/** "wellness" → "Wellness": the policy's names as the shop writes them. */
const capital = (name) => name.charAt(0).toUpperCase() + name.slice(1);

export function mount(v) {
  // The offer of a person. "Chat with us" opens the chat panel here, on the page the shopper is
  // on (a link to a fragment would be taken for a page by the shop's hash router).
  const chat = el('div', { class: 'help-chat', id: 'help-chat', role: 'region', 'aria-label': 'Chat with us', tabindex: '-1', hidden: true },
    el('p', { class: 'help-chat-title', text: 'A person from the shop answers here, Monday to Saturday, 9:00–18:00.' }),
    el('p', { class: 'help-chat-note', text: 'This is a demo: no chat service is connected, and nothing is sent from this page.' }));
  const chatButton = el('button', {
    type: 'button', class: 'linklike', 'data-help': 'chat', 'aria-expanded': 'false', 'aria-controls': 'help-chat', text: 'Chat with us',
    onclick: () => {
      chat.hidden = !chat.hidden;
      chatButton.setAttribute('aria-expanded', String(!chat.hidden));
      if (!chat.hidden) chat.focus();
    },
  });
  const help = el('div', { class: 'help-offer', role: 'status', hidden: true },
    el('p', { class: 'help-lead' }),
    el('p', { class: 'help-ways' },
      chatButton, ' · ',
      el('a', { href: 'https://wa.me/440000000000', 'data-help': 'whatsapp', rel: 'noopener', text: 'WhatsApp' }), ' · ',
      el('a', { href: 'tel:+440000000000', 'data-help': 'phone', text: 'Call us' })),
    chat,
    el('button', { type: 'button', class: 'linklike', text: 'No thanks', onclick: () => { dismissed = true; refresh(); } }));
  let dismissed = false;

  const thanks = el('p', { class: 'nps-thanks', role: 'status', hidden: true });
  const scores = el('div', { class: 'nps-scores', role: 'group', 'aria-label': 'Score from 0 to 10' },
    Array.from({ length: 11 }, (_, score) => el('button', {
      type: 'button',
      'data-score': score,
      text: String(score),
      onclick: () => {
        const r = v.track('Survey Answered', { score });
        // Answered: the question folds away (it can be opened again to change the answer), and
        // the focus, on the answer's button that folds away with it, goes to the question.
        const hadFocus = survey.contains(document.activeElement);
        survey.open = false;
        if (hadFocus) survey.querySelector('summary').focus();
        thanks.hidden = false;
        thanks.textContent = r.accepted
          ? `Thank you (${score}/10). Your answer stays on this device.`
          : 'Thank you. Personalisation is off, so your answer was not kept.';
        dismissed = false;
        refresh();
        changed();
      },
    })));
  const survey = el('details', { class: 'nps' },
    el('summary', { text: 'How likely are you to recommend us?' }), scores,
    el('p', { class: 'nps-scale', text: '0 = not at all, 10 = extremely likely' }));

  // The separate consent to sensitive categories names the categories the shop's policy marks
  // sensitive — and is not offered when it marks none (the box would do nothing).
  const sensitiveNames = v.audit().policy.sensitiveCategories.map(capital);
  const sensitive = el('input', { type: 'checkbox', id: 'consent-sensitive' });
  sensitive.addEventListener('change', () => {
    const c = v.consent();
    // Never implies another purpose: the box is disabled without personalization.
    v.setConsent({ personalization: c.personalization, storage: c.storage, sensitive: sensitive.checked });
    refresh();
    changed();
  });
  const sensitiveRow = el('label', { class: 'sensitive', hidden: !sensitiveNames.length }, sensitive,
    ` Also use sensitive categories (${sensitiveNames.join(', ')}) for my recommendations`);

  const channel = v.channel();
  const badge = channel && channel !== 'direct'
    ? el('p', { class: 'badge channel-badge', 'data-channel': channel, text: `You came from ${CHANNEL_NAMES[channel] ?? channel} — welcome!` })
    : null;

  const aside = el('aside', { class: 'human', 'aria-label': 'Help and feedback' },
    badge, help, el('div', { class: 'nps-box' }, survey, thanks), sensitiveRow);
  // In the page, never over it: the aside ends the page, above the footer, at every width (a
  // floating one covered the cart's "Place order" and the last cards of a shelf). The offer of a
  // person goes where the shopper is acting instead, when the page has a place for it.
  const footer = document.querySelector('body > footer');
  if (footer) footer.before(aside);
  else document.body.append(aside);

  /**
   * Where the offer of a person goes: the page's assistance slot (under "Add to cart", "Place
   * order", a search's result count) when it has one, else the aside.
   */
  function placeHelp() {
    const slot = !help.hidden && document.querySelector('#main [data-slot="assistance"]');
    if (slot) {
      if (help.parentElement !== slot) slot.append(help);
    } else if (help.parentElement !== aside) {
      if (badge) badge.after(help);
      else aside.prepend(help);
    }
  }

  function refresh() {
    const c = v.consent();
    sensitive.checked = c.sensitive;
    sensitive.disabled = !c.personalization;
    const a = v.assistance();
    if (a.suggestHuman && !dismissed) {
      help.querySelector('.help-lead').textContent = HELP_LEADS[a.reasons[0]] ?? 'A person can help:';
      help.dataset.reasons = a.reasons.join(' ');
      help.hidden = false;
    } else {
      help.hidden = true;
    }
    placeHelp();
  }

  const main = document.getElementById('main');
  new MutationObserver(() => { explainShelves(v, main); placeHelp(); }).observe(main, { childList: true, subtree: true });
  explainShelves(v, main);
  // Signals come from what the shopper does anywhere on the page; reading them is cheap.
  window.addEventListener('hashchange', refresh);
  // The consent changed (a decision here or another tab's): the storefront tells its extensions
  // at once (www/app.js), so the sensitive box shows it when the chip does.
  window.shop?.on?.('consent', refresh);
  document.addEventListener('click', () => setTimeout(refresh, 0));
  setInterval(refresh, 2000);
  refresh();
  return { refresh };
}

const link = el('link', { rel: 'stylesheet', href: '/human.css' });
document.head.append(link);
window.vitrineHuman = mount(await vitrineReady());
