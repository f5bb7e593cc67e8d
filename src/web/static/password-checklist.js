// Live checklist and meter for the new clave. Length and variety are checked here as the
// person types; how hard the clave is to guess (and, on Recuperar, whether it holds their
// personal data) comes from the server's own policy, asked a moment after typing stops, so
// the meter says what saving will say. The server checks everything again when it is sent.
const form = document.querySelector('[data-password-checklist]');
const input = form?.querySelector('#password');
const meter = form?.querySelector('[data-clave-strength]');
const ASK_AFTER_MS = 350;

function variety(text) {
  return [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{L}\p{Nd}]/u].filter((pattern) => pattern.test(text)).length;
}

/** One practice of the checklist as met, not met, or (undefined) not judged. */
function mark(practice, ok) {
  const item = form.querySelector(`[data-practice="${practice}"]`);
  if (!item) return;
  const state = item.querySelector('.clave-checklist__state');
  item.classList.toggle('clave-checklist__item--met', ok === true);
  const text = ok === undefined ? '' : `(${ok ? state.dataset.met : state.dataset.notMet})`;
  if (state.textContent !== text) state.textContent = text;
}

function checkLocally() {
  const text = input.value.normalize('NFC');
  const length = [...text].length;
  const min = Number(form.dataset.min);
  const below = Number(form.dataset.classesBelow);
  // Nothing typed yet: the rules alone, not a row of "no cumple".
  const judged = (ok) => (length === 0 ? undefined : ok);
  mark('length', judged(length >= min && length <= 128));
  mark('variety', judged(below === 0 || length >= below || variety(text) >= 3));
}

/** The server's verdict on the clave typed, or undefined to show none. */
function showVerdict(verdict) {
  const label = form.querySelector('[data-strength-label]');
  const level = form.querySelector('[data-strength-level]');
  const scored = verdict !== undefined && input.value !== '' && verdict.score !== null;
  meter.hidden = !scored;
  label.hidden = !scored;
  const text = scored ? meter.getAttribute(`data-level-${verdict.score}`) : '';
  if (scored) meter.dataset.score = String(verdict.score);
  if (level.textContent !== text) level.textContent = text;
  if ('livePersonal' in form.dataset) {
    mark('personal', scored ? !verdict.violations.includes('CLV-032') : undefined);
  }
}

let asked = 0;
/** Told to wait (too many checks, or the checker busy): no more asking until then. */
let quietUntil = 0;
const QUIET_WITHOUT_RETRY_AFTER_MS = 30_000;

async function askServer() {
  const mine = ++asked;
  if (input.value === '' || Date.now() < quietUntil) return showVerdict(undefined);
  const body = new URLSearchParams({ _csrf: form.querySelector('[name="_csrf"]').value, password: input.value });
  let verdict;
  try {
    // A session that ended answers with a redirect: no verdict, and saving will say why.
    const response = await fetch(form.dataset.strengthUrl, { method: 'POST', body, redirect: 'error', credentials: 'same-origin', headers: { accept: 'application/json' } });
    if (response.ok) verdict = await response.json();
    if (response.status === 429 || response.status === 503) {
      const seconds = Number(response.headers.get('retry-after'));
      quietUntil = Date.now() + (seconds > 0 ? seconds * 1000 : QUIET_WITHOUT_RETRY_AFTER_MS);
    }
  } catch {
    // Offline or refused: the meter shows nothing rather than something stale.
  }
  // Only the answer to the latest clave typed is shown.
  if (mine === asked) showVerdict(verdict);
}

if (form && input) {
  let timer;
  input.addEventListener('input', () => {
    checkLocally();
    clearTimeout(timer);
    if (meter && form.dataset.strengthUrl) timer = setTimeout(askServer, ASK_AFTER_MS);
  });
  checkLocally();
  if (meter && form.dataset.strengthUrl && input.value !== '') askServer();
}
