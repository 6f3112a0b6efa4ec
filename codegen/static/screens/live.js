// A running generation, live: the stage checklist, the progress bar, the status line, the
// connection's state and its problems, the messages, Cancel, and the code as it is written.
// liveView puts the parts together and wires them to the stream (stream.js); when the stream
// ends it reads the generation again and hands it to `showFinished`.

import { api } from '../api.js';
import { h, append, clear, setText } from '../dom.js';
import { liveCode } from '../parts/live-code.js';
import { progressMeter, reconnectButton } from '../parts/progress.js';
import { isTerminal, watchGeneration } from '../stream.js';
import { STAGES, alertBox, announce, errorText, main, stageLabel } from '../ui.js';

const STAGE_STATE_WORDS = { done: ' (done)', active: ' (in progress)', stopped: ' (stopped)', pending: ' (not started)' };

// The mode's stages, each pending, active, done or stopped (where a generation ended early).
function stageChecklist(stages) {
  const stageItems = new Map();
  const element = h(
    'ol',
    { class: 'stages', 'aria-label': 'Stages' },
    stages.map((stage) => {
      const state = h('span', { class: 'visually-hidden stage-state' }, ' (not started)');
      const li = h('li', { dataset: { stage, state: 'pending' } }, h('span', { class: 'stage-name' }, stageLabel(stage)), state);
      stageItems.set(stage, { li, state });
      return li;
    }),
  );

  function mark(stage, status) {
    const index = stages.indexOf(stage);
    stages.forEach((name, i) => {
      const { li, state } = stageItems.get(name);
      let value = 'pending';
      if (status === 'completed' || stage === 'complete') value = 'done';
      else if (index >= 0 && i < index) value = 'done';
      else if (index >= 0 && i === index) value = isTerminal(status) ? 'stopped' : 'active';
      else if (li.dataset.state === 'done') value = 'done'; // never un-tick
      li.dataset.state = value;
      if (value === 'active') li.setAttribute('aria-current', 'step');
      else li.removeAttribute('aria-current');
      setText(state, STAGE_STATE_WORDS[value]);
    });
  }

  return { element, mark, active: () => element.querySelector('[data-state="active"]') };
}

// "Status: processing · stage: Planning · 40%", and the status badge of the summary above.
function statusLine(meter) {
  const element = h('p', { class: 'status-line', 'aria-live': 'polite', 'aria-atomic': 'true' });
  return {
    element,
    show(snapshot) {
      const parts = [`Status: ${snapshot.status || 'unknown'}`];
      if (snapshot.stage && snapshot.stage !== 'connected') parts.push(`stage: ${stageLabel(snapshot.stage)}`);
      parts.push(`${meter.percent()}%`);
      setText(element, parts.join(' · '));
      const badge = main.querySelector('[data-fact="status"] .badge');
      if (badge && snapshot.status) {
        badge.className = `badge status-${snapshot.status}`;
        setText(badge, snapshot.status);
      }
    },
  };
}

// The progress messages received, in order; kept below the generation once it ends.
function messageLog() {
  const element = h('ol', { class: 'log', 'aria-label': 'Messages' });
  return {
    element,
    entries: () => [...element.children],
    add(data, id) {
      const when = typeof data.timestamp === 'number' ? new Date(data.timestamp * 1000) : new Date();
      element.append(
        h(
          'li',
          { dataset: { eventId: id ?? '', stage: data.stage || '' } },
          h('time', { datetime: when.toISOString() }, when.toLocaleTimeString()),
          ' ',
          h('span', { class: 'log-stage' }, stageLabel(data.stage)),
          ' ',
          h('span', { class: 'log-message' }, data.message || ''),
        ),
      );
      element.scrollTop = element.scrollHeight;
    },
  };
}

// What the stream is doing: connecting, live, or waiting to reconnect.
function connectionLine() {
  const element = h('p', { class: 'connection muted' }, 'Connecting…');
  return {
    element,
    say(text, state) {
      setText(element, text);
      if (state) element.dataset.state = state;
    },
    follow(state, info) {
      if (state === 'connecting') setText(element, info.attempt ? `Reconnecting (attempt ${info.attempt} of 5)…` : 'Connecting…');
      else if (state === 'open') setText(element, 'Live: progress arrives as it happens.');
      else if (state === 'waiting')
        setText(
          element,
          `Connection lost. Reconnecting in ${(info.delayMs / 1000).toFixed(1)} s (attempt ${info.attempt} of ${info.of}).`,
        );
      element.dataset.state = state;
    },
  };
}

function doneAnnouncement(data) {
  if (data.status === 'completed') return 'Generation completed.';
  if (data.status === 'failed') return `Generation failed: ${data.message || ''}`;
  return 'Generation cancelled.';
}

export function liveView(ctx, generation, body, showFinished) {
  const stages = STAGES[STAGES[generation.generation_mode] ? generation.generation_mode : 'phased'];
  const checklist = stageChecklist(stages);
  const meter = progressMeter();
  const status = statusLine(meter);
  const connection = connectionLine();
  const problems = h('div', { class: 'stream-problems' });
  const log = messageLog();
  const reconnect = reconnectButton();
  const refreshStatus = h('button', { type: 'button', hidden: true }, 'Refresh status');
  const cancel = h('button', { type: 'button', class: 'danger' }, 'Cancel generation');
  const code = liveCode();
  let finished = false;
  let handle = null;

  function showProblem(message) {
    clear(problems);
    problems.append(alertBox(message));
  }

  function showSnapshot(snapshot) {
    meter.set(snapshot.progress);
    checklist.mark(snapshot.stage, snapshot.status);
    status.show(snapshot);
  }

  // The stream ended (terminal event, or the server refused to stream): show
  // the generation as the server has it now. `reason` is the refusal, if any.
  async function finish(reason) {
    if (finished || !ctx.alive) return;
    finished = true;
    reconnect.stop();
    if (handle) handle.close();
    let fresh;
    for (let attempt = 0; ; attempt += 1) {
      try {
        fresh = await api.generation(generation.id);
      } catch (err) {
        if (!ctx.alive) return;
        problems.append(alertBox(`The final result could not be loaded: ${errorText(err)}`));
        refreshStatus.hidden = false;
        finished = false;
        return;
      }
      if (!ctx.alive) return;
      if (isTerminal(fresh.status) || reason || attempt >= 2) break;
      await new Promise((resolve) => window.setTimeout(resolve, 300));
      if (!ctx.alive) return;
    }
    if (!isTerminal(fresh.status)) {
      // never stream again on our own: say what happened and let the person refresh
      if (!reason) problems.append(alertBox(`The stream ended, but the server still reports this generation as ${fresh.status}.`));
      refreshStatus.hidden = false;
      finished = false;
      return;
    }
    showFinished(fresh, { banner: reason ? alertBox(reason) : null, log: log.entries() });
  }

  // The stream stopped without a terminal event: say why and offer what can be done.
  function streamStopped(problem) {
    if (finished) return;
    clear(problems);
    if (problem.kind === 'refused' && problem.status === 400) {
      // the token was refused because the generation is terminal (it often finishes between our GET
      // and the token request): not an error, read it with GET and show it as it is
      connection.say('Finished before the live view opened.', 'stopped');
      finish(null);
      return;
    }
    connection.say('Live progress stopped.', 'stopped');
    problems.append(alertBox(problem.message));
    if (problem.kind === 'refused') {
      if (problem.status === 409) finish(problem.message);
      else if (problem.status !== 401) refreshStatus.hidden = false;
      return;
    }
    refreshStatus.hidden = false;
    if (problem.canReconnect) {
      reconnect.offer(problem.kind === 'rate_limited' ? problem.retryAfter : null);
      announce(problem.message);
    }
  }

  // initial state from GET
  meter.set(generation.progress);
  checklist.mark(generation.stage, generation.status);
  status.show({ status: generation.status, stage: generation.stage });

  handle = watchGeneration(generation.id, {
    onFile(path, file) {
      code.update(path, file);
    },
    onEvent(data, id) {
      const previous = checklist.active();
      meter.set(data.progress);
      checklist.mark(data.stage, data.status);
      log.add(data, id);
      const now = checklist.active();
      if (now && now !== previous) announce(`${stageLabel(data.stage)} started.`);
    },
    onStatus(snapshot) {
      meter.set(snapshot.progress);
      if (snapshot.stage && snapshot.stage !== 'connected') checklist.mark(snapshot.stage, snapshot.status);
      status.show(snapshot);
    },
    onState(state, info) {
      if (!finished) connection.follow(state, info);
    },
    onError: streamStopped,
    onDone(data) {
      showSnapshot(data);
      announce(doneAnnouncement(data));
      finish(null);
    },
  });
  if (finished) handle.close();
  ctx.onLeave(() => {
    reconnect.stop();
    code.stop();
    handle.close();
  });

  reconnect.element.addEventListener('click', () => {
    clear(problems);
    reconnect.element.hidden = true;
    refreshStatus.hidden = true;
    handle.reconnect();
  });
  refreshStatus.addEventListener('click', async () => {
    try {
      const fresh = await api.generation(generation.id);
      if (!ctx.alive) return;
      if (isTerminal(fresh.status)) finish(null);
      else showSnapshot(fresh);
    } catch (err) {
      if (ctx.alive) showProblem(errorText(err));
    }
  });
  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    setText(cancel, 'Cancelling…');
    try {
      await api.cancel(generation.id);
      announce('Generation cancelled.');
      finish(null);
    } catch (err) {
      if (!ctx.alive) return;
      showProblem(errorText(err));
      cancel.disabled = false;
      setText(cancel, 'Cancel generation');
      if (err.status === 409) finish(err.message);
    }
  });

  append(body, [
    h(
      'section',
      { class: 'card live', 'aria-labelledby': 'live-heading' },
      h('h2', { id: 'live-heading' }, 'Progress'),
      checklist.element,
      meter.element,
      status.element,
      connection.element,
      problems,
      h('div', { class: 'actions' }, cancel, reconnect.element, refreshStatus),
      h('h3', {}, 'Messages'),
      log.element,
    ),
    code.element,
  ]);
}
