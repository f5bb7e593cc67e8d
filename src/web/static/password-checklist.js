// Live checklist and meter for the new clave. Length and variety are checked here as the
// person types; how hard the clave is to guess (and, on Recuperar, whether it holds their
// personal data) comes from the server's own policy, asked a moment after typing stops, so
// the meter says what saving will say. The server checks everything again when it is sent.
const form = document.querySelector('[data-password-checklist]');
const input = form?.querySelector('#password');
const meter = form?.querySelector('[data-clave-strength]');
const ASK_AFTER_MS = 350;
const MAX_LENGTH = 128;

function variety(text) {
  return [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{L}\p{Nd}]/u].filter((pattern) => pattern.test(text)).length;
}

/** One practice of the checklist as met, not met, or (undefined) not judged; `why` replaces "not met". */
function mark(practice, ok, why) {
  const state = form.querySelector(`[data-practice="${practice}"] .clave-checklist__state`);
  if (!state) return;
  state.parentElement.classList.toggle('clave-checklist__item--met', ok === true);
  const text = ok === undefined ? '' : ok ? `(${state.dataset.met})` : (why ?? `(${state.dataset.notMet})`);
  if (state.textContent !== text) state.textContent = text;
}

function checkLocally() {
  const text = input.value.normalize('NFC');
  const length = [...text].length;
  const min = Number(form.dataset.min);
  const below = Number(form.dataset.classesBelow);
  // Nothing typed yet: the rules alone, not a row of "no cumple".
  const judged = (ok) => (length === 0 ? undefined : ok);
  const tooLong = length > MAX_LENGTH;
  mark('length', judged(length >= min && !tooLong), tooLong ? form.querySelector('[data-too-long]')?.dataset.tooLong : undefined);
  mark('variety', judged(below === 0 || length >= below || variety(text) >= 3));
}

/** What the meter says: `text` beside its label, the bar at `score` (none hides it). */
function showMeter(text, score, refused) {
  const label = form.querySelector('[data-strength-label]');
  const level = form.querySelector('[data-strength-level]');
  meter.hidden = score === undefined;
  label.hidden = text === '' || score === undefined;
  meter.dataset.score = score === undefined ? '' : String(score);
  meter.toggleAttribute('data-refused', refused === true);
  meter.classList.remove('clave-strength--stale');
  level.parentElement.classList.remove('clave-strength--stale');
  if (level.textContent !== text) level.textContent = text;
}

/** The server's verdict on the clave typed, or undefined to show none. */
function showVerdict(verdict) {
  const scored = verdict !== undefined && input.value !== '' && verdict.score !== null;
  if (!scored) showMeter('', undefined);
  else {
    // Hard to guess is not enough: any other rule broken means it will not be saved as it is.
    const guessable = verdict.violations.includes('CLV-033');
    const other = verdict.violations.some((code) => code !== 'CLV-033');
    const text = meter.getAttribute(`data-level-${verdict.score}`) + (other && !guessable ? ` ${meter.dataset.notYet}` : '');
    showMeter(text, verdict.score, guessable || other);
  }
  if ('livePersonal' in form.dataset) mark('personal', scored ? !verdict.violations.includes('CLV-032') : undefined);
}

/** What is shown belongs to the clave as it was: dimmed (and the server's marks cleared) until the new answer. */
function markStale() {
  meter.classList.add('clave-strength--stale');
  form.querySelector('[data-strength-level]').parentElement.classList.add('clave-strength--stale');
  if ('livePersonal' in form.dataset) mark('personal', undefined);
}

/** The reset session's end (Recuperar's step 4): from then on nothing typed here is saved, and the page says so. */
const sessionDeadline = document.querySelector('[data-session-deadline-seconds]');
let sessionEnded = false;

function showSessionEnded() {
  sessionEnded = true;
  clearTimeout(timer);
  if (meter) showMeter('', undefined);
  for (const warning of document.querySelectorAll('[data-session-ended]')) warning.hidden = false;
}

let asked = 0;
let timer;
/** Told to wait (too many checks, or the checker busy): no more asking until then, and then once more by itself. */
let quietUntil = 0;
const QUIET_WITHOUT_RETRY_AFTER_MS = 30_000;

function askAfter(ms) {
  clearTimeout(timer);
  timer = setTimeout(askServer, ms);
}

async function askServer() {
  const mine = ++asked;
  if (sessionEnded) return;
  if (input.value === '') return showVerdict(undefined);
  if (Date.now() < quietUntil) {
    askAfter(quietUntil - Date.now());
    return showMeter(meter.dataset.paused, undefined);
  }
  const body = new URLSearchParams({ _csrf: form.querySelector('[name="_csrf"]').value, password: input.value });
  let verdict;
  try {
    // A session that ended answers with a redirect: no verdict, and saving will say why.
    const response = await fetch(form.dataset.strengthUrl, { method: 'POST', body, redirect: 'error', credentials: 'same-origin', headers: { accept: 'application/json' } });
    if (response.ok) verdict = await response.json();
    if (response.status === 410 && sessionDeadline) return showSessionEnded();
    if (response.status === 429 || response.status === 503) {
      const seconds = Number(response.headers.get('retry-after'));
      quietUntil = Date.now() + (seconds > 0 ? seconds * 1000 : QUIET_WITHOUT_RETRY_AFTER_MS);
      if (mine !== asked) return;
      askAfter(quietUntil - Date.now());
      return showMeter(meter.dataset.paused, undefined);
    }
  } catch {
    // Offline or refused: the meter shows nothing rather than something stale.
  }
  // Only the answer to the latest clave typed is shown.
  if (mine === asked) showVerdict(verdict);
}

if (form && input) {
  input.addEventListener('input', () => {
    checkLocally();
    clearTimeout(timer);
    if (!meter || !form.dataset.strengthUrl) return;
    if (input.value === '') {
      asked++;
      showVerdict(undefined);
    } else {
      markStale();
      askAfter(ASK_AFTER_MS);
    }
  });
  checkLocally();
  // (A deadline beyond what a timer can hold, about 24 days, is left to the server to tell.)
  const deadlineMs = Number(sessionDeadline?.dataset.sessionDeadlineSeconds) * 1000;
  if (deadlineMs >= 0 && deadlineMs < 2 ** 31) setTimeout(showSessionEnded, deadlineMs);
  if (meter && form.dataset.strengthUrl && input.value !== '') askServer();
}
