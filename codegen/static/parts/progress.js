// What a running generation's views share (screens/live.js, parts/turn-live.js): the progress bar
// and the Reconnect button.

import { formatWait } from '../api.js';
import { h, setText } from '../dom.js';

// The progress bar and its percentage; progress never goes back.
export function progressMeter(label = 'Generation progress') {
  const bar = h('div', { class: 'bar-fill' });
  const percent = h('span', { class: 'percent' }, '0%');
  const progress = h(
    'div',
    {
      class: 'progress',
      role: 'progressbar',
      'aria-label': label,
      'aria-valuemin': '0',
      'aria-valuemax': '100',
      'aria-valuenow': '0',
    },
    bar,
  );
  let last = 0;
  return {
    element: h('div', { class: 'progress-row' }, progress, percent),
    percent: () => Math.round(last * 100),
    set(value) {
      if (typeof value !== 'number' || Number.isNaN(value)) return;
      last = Math.max(last, Math.min(1, Math.max(0, value)));
      const pct = Math.round(last * 100);
      bar.style.width = `${pct}%`;
      progress.setAttribute('aria-valuenow', String(pct));
      progress.setAttribute('aria-valuetext', `${pct}%`);
      setText(percent, `${pct}%`);
    },
  };
}

// Reconnect, offered once the stream gave up; after a 429 it counts down the wait first.
export function reconnectButton() {
  const button = h('button', { type: 'button', hidden: true }, 'Reconnect');
  let countdown = null;

  function stop() {
    if (countdown) window.clearInterval(countdown);
    countdown = null;
  }

  function ready() {
    button.disabled = false;
    setText(button, 'Reconnect');
  }

  return {
    element: button,
    stop,
    offer(retryAfter) {
      button.hidden = false;
      if (!retryAfter) {
        ready();
        return;
      }
      let left = retryAfter;
      button.disabled = true;
      setText(button, `Reconnect (in ${formatWait(left)})`);
      stop();
      countdown = window.setInterval(() => {
        left -= 1;
        if (left <= 0) {
          stop();
          ready();
        } else {
          setText(button, `Reconnect (in ${formatWait(left)})`);
        }
      }, 1000);
    },
  };
}
