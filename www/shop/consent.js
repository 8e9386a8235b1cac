// The shop's own consent banner: accept, refuse, or choose per purpose. It only calls
// `vitrine.setConsent`; vitrine erases at once what a withdrawn purpose covered.

export function siteBanner(shop, onDecided) {
  const banner = document.getElementById('consent-banner');
  const boxP = document.getElementById('consent-personalization');
  const boxS = document.getElementById('consent-storage');

  function decide(input) {
    const state = shop.vitrine.setConsent(input);
    close();
    onDecided(state);
  }

  // While the banner is open, the page keeps room for it at the bottom and the floating aside
  // (www/human.js) stands just above it: both follow its height, which grows when its purposes open.
  const height = new ResizeObserver(() => {
    document.body.style.setProperty('--banner-height', `${banner.offsetHeight}px`);
  });

  function open() {
    const c = shop.vitrine.consent();
    boxP.checked = c.personalization;
    boxS.checked = c.storage && c.personalization;
    banner.hidden = false;
    document.body.classList.add('with-banner');
    height.observe(banner);
    banner.querySelector('[data-consent="accept-all"]').focus();
  }

  function close() {
    banner.hidden = true;
    height.disconnect();
    document.body.classList.remove('with-banner');
    document.body.style.removeProperty('--banner-height');
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
