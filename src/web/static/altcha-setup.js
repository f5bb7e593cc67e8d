// Loads the self-hosted ALTCHA widget under our CSP: external styles, a classic worker
// from our own origin, and the wording from the page's locale file (a data attribute).
import '/assets/altcha/altcha.js';

const widget = document.querySelector('altcha-widget');
if (widget?.dataset.strings) {
  globalThis.$altcha.i18n.set(widget.getAttribute('language'), JSON.parse(widget.dataset.strings));
}
globalThis.$altcha.algorithms.set('SHA-256', () => new Worker('/assets/altcha/workers/sha.js'));

// The form is novalidate (our own error summary), which also switches off the widget's
// required checkbox: Continuar pressed before the check is done, or while it runs, would
// send no solution and get CLV-002. Such a press waits for the check (starting it if need
// be) and sends the form once it is done. A failed or expired check is left to the server.
const form = widget?.closest('form');
let waitingForCheck = false;
form?.addEventListener('submit', (event) => {
  const state = widget.getState();
  if (state !== 'unverified' && state !== 'verifying') return;
  event.preventDefault();
  if (waitingForCheck) return;
  waitingForCheck = true;
  const submitter = event.submitter;
  widget.addEventListener('verified', () => form.requestSubmit(submitter), { once: true });
  if (state === 'unverified') widget.verify();
});

// The widget announces nothing itself: a screen reader is told when the check runs and when it is done.
const status = document.getElementById('captcha-status');
widget?.addEventListener('statechange', (change) => {
  if (status) status.textContent = status.dataset[change.detail.state] ?? '';
});
