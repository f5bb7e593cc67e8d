// The check-your-e-mail page for short-lived links: a live countdown of the link's validity.
const clock = document.querySelector('[data-countdown-seconds]');

if (clock) {
  const deadline = Date.now() + Number(clock.dataset.countdownSeconds) * 1000;
  const output = clock.querySelector('[data-countdown-value]');
  const tick = () => {
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    output.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
    if (left === 0) {
      clock.querySelector('[data-countdown-expired]').hidden = false;
      return;
    }
    setTimeout(tick, 1000);
  };
  clock.hidden = false;
  tick();
}
