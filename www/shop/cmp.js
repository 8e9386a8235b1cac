// A demo consent management platform on the IAB TCF v2.2 path: the IAB's own CmpApi provides
// `window.__tcfapi`, TC strings are encoded by the IAB's own library (lib/tcf.js), and vitrine
// follows it with `Vitrine.listenTcf` — purpose 1 gives storage, purposes 5 and 6 personalisation.
// Like any CMP, it keeps the shopper's TC string on the device (under its own key, outside
// vitrine's namespace), and reports it on the next visit (`tcloaded`). It reads that record
// whenever it shows or reports the choice, so a choice made in another tab is the one it shows.
import { CmpApi, CmpApiModel } from '/vendor/@iabtechlabtcf/cmpapi/index.js';
import { CMP_ID, CMP_VERSION, PURPOSES, encodeTc } from '../lib/tcf.js';
import { el } from '../lib/dom.js';
import { CMP_KEY } from '../lib/site.js';

const OFFERED = [
  [1, 'vitrine keeps your profile in this browser\'s storage between visits.'],
  [5, 'vitrine builds a profile of your taste from what you do in this shop, in this browser.'],
  [6, 'vitrine ranks the shop\'s shelves with that profile, in this browser.'],
];

/**
 * Installs `__tcfapi` (call before `Vitrine.listenTcf`). `onDecided(opener)` runs after each
 * choice, with the element that had the focus when the dialog opened.
 */
export function createCmp({ decodeTcString, onDecided }) {
  const api = new CmpApi(CMP_ID, CMP_VERSION, true);
  /** The shopper's TC string as the CMP keeps it (this tab's choice or another's), or null. */
  const current = () => localStorage.getItem(CMP_KEY);
  let lastFocus = null;

  const boxes = new Map(OFFERED.map(([id]) => [id, el('input', { type: 'checkbox', class: 'switch', id: `tcf-p${id}` })]));
  const dialog = el('div', { class: 'cmp-overlay', hidden: true },
    el('section', { class: 'cmp', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'cmp-title', 'aria-describedby': 'cmp-text' },
      el('p', { class: 'cmp-badge', text: `IAB TCF v2.2 · demo CMP #${CMP_ID}` }),
      el('h2', { id: 'cmp-title', text: 'Your privacy choices' }),
      el('p', { id: 'cmp-text', text: 'Maison Vitrine asks your consent for the purposes below, on its own behalf (no vendors). '
        + 'Your choice is encoded as a TC string and handed to vitrine through the page\'s __tcfapi.' }),
      el('ul', { class: 'cmp-purposes' }, OFFERED.map(([id, use]) => el('li', {},
        boxes.get(id),
        el('label', { for: `tcf-p${id}` },
          el('b', { text: `Purpose ${id}: ${PURPOSES[id]}` }),
          el('span', { text: use }))))),
      el('div', { class: 'cmp-actions' },
        el('button', { type: 'button', 'data-cmp': 'reject-all', text: 'Reject all' }),
        el('button', { type: 'button', 'data-cmp': 'save', text: 'Save choices' }),
        el('button', { type: 'button', class: 'primary', 'data-cmp': 'accept-all', text: 'Accept all' }))));
  document.getElementById('cmp-root').replaceChildren(dialog);

  const purposesOf = (tc) => (tc ? decodeTcString(tc).purposeConsents : []);

  /** The record the boxes were last set from, and whether the dialog asks for a first decision. */
  let shownFor = null;
  let asking = false;

  function showChoice() {
    shownFor = current();
    const given = purposesOf(shownFor);
    for (const [id, box] of boxes) box.checked = given.includes(id);
  }

  function show() {
    const from = document.activeElement;
    lastFocus = from && from !== document.body && !dialog.contains(from) ? from : null;
    asking = !current();
    showChoice();
    api.update(current() ?? '', true); // eventStatus 'cmpuishown'
    dialog.hidden = false;
    dialog.querySelector('[data-cmp="accept-all"]').focus();
  }

  function decide(purposes) {
    const tc = encodeTc(purposes);
    localStorage.setItem(CMP_KEY, tc);
    dialog.hidden = true;
    api.update(tc, false); // eventStatus 'useractioncomplete': vitrine applies it now
    onDecided(lastFocus); // the page follows, and gives the focus back to the control that opened the dialog
  }

  dialog.addEventListener('click', (e) => {
    const action = e.target.closest('[data-cmp]')?.dataset.cmp;
    if (action === 'accept-all') decide(OFFERED.map(([id]) => id));
    else if (action === 'reject-all') decide([]);
    else if (action === 'save') decide([...boxes].filter(([, b]) => b.checked).map(([id]) => id));
  });
  // A modal dialog keeps the focus inside until the shopper decides.
  dialog.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab') return;
    const focusable = [...dialog.querySelectorAll('input, button')];
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (e.shiftKey && document.activeElement === first) { last.focus(); e.preventDefault(); }
    else if (!e.shiftKey && document.activeElement === last) { first.focus(); e.preventDefault(); }
  });

  return {
    /** Reports the stored TC string (`tcloaded`), or shows the dialog on a first visit. */
    start() {
      if (current()) api.update(current(), false);
      else show();
    },
    show,
    /**
     * The dialog open while the record changed without it (another tab's choice): asking for a
     * first decision, it closes once the page has one (`decided`: vitrine took the other tab's
     * over), and `__tcfapi` reports the stored choice as a loaded one (`tcloaded`, as on a visit
     * after it), not as this page's shopper's action (`useractioncomplete`): the choice is not
     * this page's to make again — vitrine, which took it over already, notes no new decision —,
     * and the page's vendors are not left waiting on a UI no longer shown. Until then, and when
     * the shopper opened it, its boxes show the stored choice, so that "Save choices" does not
     * undo it. Returns whether it closed with the focus in it.
     */
    follow(decided) {
      if (dialog.hidden) return false;
      if (asking && decided && current()) {
        const hadFocus = dialog.contains(document.activeElement);
        dialog.hidden = true;
        // CmpApi reports `tcloaded` for a string given while it holds no TC model yet (a
        // first update); the one the dialog was shown with is dropped for that.
        CmpApiModel.tcModel = undefined;
        api.update(current(), false);
        return hadFocus;
      }
      if (current() !== shownFor) showChoice();
      return false;
    },
    tcString: current,
    purposes: () => purposesOf(current()),
  };
}
