// The privacy reviewer's page: vitrine's audit() and exportData(), live.
import init, { Vitrine } from '/pkg/vitrine.js';

await init();
const v = Vitrine.open({});
window.vitrine = v;

const show = (id, value) => { document.getElementById(id).textContent = JSON.stringify(value, null, 2); };
function render() {
  const a = v.audit();
  show('consent', { ...a.consent, history: a.history });
  show('storage', { ...a.storage, network: a.network, profile: a.profile });
  show('export', v.exportData());
}

document.getElementById('erase').addEventListener('click', () => {
  v.erase();
  render();
  const left = Object.keys(localStorage).filter((k) => k.startsWith('vitrine:'));
  document.getElementById('status').textContent = `Erased. vitrine keys left in localStorage: ${left.length}.`;
});
document.getElementById('download').addEventListener('click', () => {
  const url = URL.createObjectURL(new Blob([JSON.stringify(v.exportData(), null, 2)], { type: 'application/json' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: 'vitrine-export.json' });
  a.click();
  URL.revokeObjectURL(url);
});
render();
document.body.dataset.ready = 'true';
