// The shop's own consent banner: accept, refuse, or choose per purpose. It only calls
// `vitrine.setConsent`; vitrine erases at once what a withdrawn purpose covered — and takes a
// purpose left out for a refusal. The separate consent to sensitive categories is not asked here
// but under the page (www/human.js): each decision here passes on the one the shopper gave there.

export function siteBanner(shop, onDecided) {
  const banner = document.getElementById('consent-banner');
  const boxP = document.getElementById('consent-personalization');
  const boxS = document.getElementById('consent-storage');

  /** Her decision here, with the sensitive consent she gave or refused under the page (it needs personalisation). */
  function decide({ personalization, storage }) {
    const sensitive = personalization && shop.vitrine.consent().sensitive;
    const state = shop.vitrine.setConsent({ personalization, storage, sensitive });
    close();
    onDecided(state, opener);
  }

  /** Whether the banner asks for a first decision (none in force when it opened). */
  let asking = false;
  /** The control that opened the banner (the focus goes back to it), or null when the page did. */
  let opener = null;
  /** The purposes the boxes were last set from: [personalization, storage]. */
  let shownFor = '';

  function showChoice() {
    const c = shop.vitrine.consent();
    boxP.checked = c.personalization;
    boxS.checked = c.storage && c.personalization;
    shownFor = JSON.stringify([c.personalization, c.storage]);
  }

  function open() {
    const from = document.activeElement;
    opener = from && from !== document.body && !banner.contains(from) ? from : null;
    asking = needed();
    showChoice();
    banner.hidden = false;
    document.body.classList.add('with-banner');
    banner.querySelector('[data-consent="accept-all"]').focus();
  }

  function close() {
    banner.hidden = true;
    document.body.classList.remove('with-banner');
  }

  banner.addEventListener('click', (e) => {
    const action = e.target.closest('[data-consent]')?.dataset.consent;
    if (action === 'accept-all') decide({ personalization: true, storage: true });
    else if (action === 'reject-all') decide({ personalization: false, storage: false });
    else if (action === 'save-choices') decide({ personalization: boxP.checked, storage: boxP.checked && boxS.checked });
  });
  // Remembering a profile needs a profile: ticking storage ticks personalisation, and unticking
  // personalisation unticks storage.
  boxS.addEventListener('change', () => { if (boxS.checked) boxP.checked = true; });
  boxP.addEventListener('change', () => { if (!boxP.checked) boxS.checked = false; });

  const needed = () => shop.vitrine.consent().source === 'default';

  /**
   * The banner open while the consent changed without it (another tab's decision, taken over):
   * asking for a first decision, it closes when one is in force (the question is answered); else
   * its boxes show the purposes now in force, so that "Save my choices" does not undo the new
   * decision. Boxes the shopper is changing are left alone when only something else changed (the
   * sensitive box). Returns whether it closed with the focus in it.
   */
  function follow() {
    if (banner.hidden) return false;
    if (asking && !needed()) {
      const hadFocus = banner.contains(document.activeElement);
      close();
      return hadFocus;
    }
    const c = shop.vitrine.consent();
    if (JSON.stringify([c.personalization, c.storage]) !== shownFor) showChoice();
    return false;
  }

  return { open, close, needed, follow };
}
