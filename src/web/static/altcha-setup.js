// Loads the self-hosted ALTCHA widget under our CSP: external styles, a classic worker
// from our own origin, and the wording from the page's locale file (a data attribute).
import '/assets/altcha/altcha.js';

const widget = document.querySelector('altcha-widget');
if (widget?.dataset.strings) {
  globalThis.$altcha.i18n.set(widget.getAttribute('language'), JSON.parse(widget.dataset.strings));
}
globalThis.$altcha.algorithms.set('SHA-256', () => new Worker('/assets/altcha/workers/sha.js'));
