// Live checklist for the new clave: the checks that need no personal data run in the
// browser as the person types; the server checks everything again.
const form = document.querySelector('[data-password-checklist]');
const input = form?.querySelector('#password');

function variety(text) {
  return [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{L}\p{Nd}]/u].filter((pattern) => pattern.test(text)).length;
}

function update() {
  const text = input.value.normalize('NFC');
  const length = [...text].length;
  const min = Number(form.dataset.min);
  const below = Number(form.dataset.classesBelow);
  const met = { length: length >= min && length <= 128, variety: below === 0 || length >= below || variety(text) >= 3 };
  for (const item of form.querySelectorAll('[data-practice]')) {
    const ok = met[item.dataset.practice];
    const state = item.querySelector('.clave-checklist__state');
    item.classList.toggle('clave-checklist__item--met', ok && length > 0);
    // Nothing typed yet: the rules alone, not a row of "no cumple".
    state.textContent = length === 0 ? '' : `(${ok ? state.dataset.met : state.dataset.notMet})`;
  }
}

if (form && input) {
  input.addEventListener('input', update);
  update();
}
