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
    onDecided(state);
  }

  function open() {
    const c = shop.vitrine.consent();
    boxP.checked = c.personalization;
    boxS.checked = c.storage && c.personalization;
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

  return { open, close, needed: () => shop.vitrine.consent().source === 'default' };
}
