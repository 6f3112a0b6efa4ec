// A running turn of the conversation (screens/conversation.js), followed over the generation's stream
// (stream.js, the same client and rules as the live view): its stage, progress and latest message, and
// its code as it is written. When the stream ends the turn is read once with GET and handed to
// `onFinished`; a 400 on the token (it ended before the stream opened) is not an error, it is read
// the same way. A 429 stops with the server's words; Reconnect unlocks once its wait has passed.

import { api } from '../api.js';
import { h, clear, setText } from '../dom.js';
import { isTerminal, watchGeneration } from '../stream.js';
import { alertBox, announce, errorText, stageLabel } from '../ui.js';
import { liveCode } from './live-code.js';
import { progressMeter, reconnectButton } from './progress.js';

// `onFinished(generation)`: the turn as GET has it once it ended; `onStatus(status)`: its status as it streams.
export function followTurn(generation, { onFinished, onStatus = () => {} }) {
  const meter = progressMeter('Progress of this turn');
  const line = h('p', { class: 'turn-stage', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const problems = h('div', { class: 'stream-problems' });
  const reconnect = reconnectButton();
  const refresh = h('button', { type: 'button', hidden: true }, 'Refresh status');
  const code = liveCode({ headingId: `live-code-${generation.id}` });
  let stage = generation.stage;
  let finished = false;
  let handle = null;

  function say(snapshot) {
    meter.set(snapshot.progress);
    if (snapshot.status) onStatus(snapshot.status);
    if (snapshot.stage && snapshot.stage !== 'connected') stage = snapshot.stage;
    setText(line, `${stageLabel(stage || 'queued')}: ${snapshot.message || ''}`);
    line.dataset.stage = stage || '';
  }

  // read the turn once, now that it has ended; never poll
  async function finish() {
    if (finished) return;
    finished = true;
    reconnect.stop();
    if (handle) handle.close();
    code.stop();
    try {
      const fresh = await api.generation(generation.id);
      if (isTerminal(fresh.status)) {
        onFinished(fresh);
        return;
      }
      problems.append(alertBox(`The stream ended, but the server still reports this turn as ${fresh.status}.`));
    } catch (err) {
      problems.append(alertBox(`The result could not be loaded: ${errorText(err)}`));
    }
    finished = false;
    refresh.hidden = false;
  }

  function stopped(problem) {
    if (finished) return;
    clear(problems);
    if (problem.kind === 'refused' && problem.status === 400) {
      finish(); // it ended between our GET and the token request: show what it is now
      return;
    }
    problems.append(alertBox(problem.message));
    if (problem.canReconnect) {
      reconnect.offer(problem.kind === 'rate_limited' ? problem.retryAfter : null);
      announce(problem.message);
    }
  }

  say({ progress: generation.progress, stage: generation.stage, message: generation.message });
  handle = watchGeneration(generation.id, {
    onStatus: say,
    onFile: (path, file) => code.update(path, file),
    onError: stopped,
    onDone: () => finish(),
  });
  if (finished) handle.close(); // a shared stream that had already stopped told us at once
  reconnect.element.addEventListener('click', () => {
    clear(problems);
    reconnect.element.hidden = true;
    handle.reconnect();
  });
  refresh.addEventListener('click', () => {
    refresh.hidden = true;
    clear(problems);
    finish();
  });

  const element = h(
    'div',
    { class: 'turn-live' },
    line,
    meter.element,
    problems,
    h('div', { class: 'actions' }, reconnect.element, refresh),
    code.element,
  );
  return {
    element,
    close() {
      finished = true;
      reconnect.stop();
      code.stop();
      handle.close();
    },
  };
}
