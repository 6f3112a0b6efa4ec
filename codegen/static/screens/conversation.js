// #/p/<project id>: a project as a conversation, oldest first, with a follow-up at the end.

import { api } from '../api.js';
import { h, clear, setText } from '../dom.js';
import { requirementItem } from '../parts/checklist.js';
import { diffView } from '../parts/diff.js';
import { iterateForm } from '../parts/prompt-form.js';
import { isTerminal } from '../stream.js';
import { followTurn } from '../parts/turn-live.js';
import { alertBox, announce, errorText, newestFirst, screen, statusBadge } from '../ui.js';

// Every prompt of a project and what became of it, oldest first: the prompt, then the result with its
// checklist, its files or its changes; at the end a follow-up on the newest completed result. A turn
// still running is followed over its stream (parts/turn-live.js) and read once more when it ends: the
// thread is never polled.
export async function conversationScreen(ctx, projectId) {
  screen('Conversation', h('p', { class: 'muted' }, 'Loading…'));
  let project;
  let turns;
  try {
    project = await api.project(projectId);
    turns = await Promise.all(newestFirst(project.generations).reverse().map((g) => api.generation(g.id)));
  } catch (err) {
    if (!ctx.alive) return;
    screen('Conversation', alertBox(errorText(err)), h('p', {}, h('a', { href: '#/history' }, 'Back to your history')));
    return;
  }
  if (!ctx.alive) return;
  const thread = h('ol', { class: 'thread', 'aria-label': 'Prompts and results, oldest first' });
  const followUpBox = h('div', {});
  const meta = h('p', { class: 'hint' });
  const shown = new Map(); // generation id -> {generation, li, follower}, oldest first
  let shownLatest = null;
  ctx.onLeave(() => {
    for (const turn of shown.values()) if (turn.follower) turn.follower.close();
  });

  // the meta line, and the follow-up form only when the turn it follows changes
  const update = () => {
    const list = [...shown.values()].map((turn) => turn.generation);
    setText(meta, `${project.domain || 'general'} · ${list.length} prompt${list.length === 1 ? '' : 's'}`);
    const latest = [...list].reverse().find((g) => g.status === 'completed');
    if ((latest && latest.id) === shownLatest) return;
    shownLatest = latest && latest.id;
    clear(followUpBox);
    followUpBox.append(
      latest
        ? iterateForm(ctx, latest, {
            heading: 'Follow up',
            after: (created, sent) => {
              shownLatest = null; // a fresh form; the new turn is followed from the answer to the POST
              place({ ...created, context: sent.context });
            },
          })
        : h('p', { class: 'muted' }, 'A follow-up needs a completed result.'),
    );
  };

  // draw a turn, or draw it again in its place; a running one is followed over its stream
  const place = (g) => {
    const old = shown.get(g.id);
    if (old && old.follower) old.follower.close();
    let li = null;
    const follower = isTerminal(g.status)
      ? null
      : followTurn(g, {
          onFinished: (fresh) => {
            if (!ctx.alive) return;
            place(fresh);
            announce(fresh.status === 'completed' ? 'The follow-up is ready.' : `The turn ended: ${fresh.status}.`);
          },
          onStatus: (status) => {
            if (!li || li.dataset.status === status) return;
            li.dataset.status = status;
            const badge = li.querySelector('.turn-answer > .badge');
            badge.className = `badge status-${status}`;
            setText(badge, status);
          },
        });
    li = turnItem(g, follower);
    if (old) old.li.replaceWith(li);
    else thread.append(li);
    shown.set(g.id, { generation: g, li, follower });
    update();
  };

  screen(project.name, meta, thread, followUpBox);
  for (const g of turns) place(g);
}

function turnItem(g, follower) {
  const extra = ((g.context || {}).additional_requirements || []).filter((r) => typeof r === 'string');
  const ask = h(
    'div',
    { class: 'turn-ask' },
    h('span', { class: 'turn-who' }, g.is_iteration ? 'Follow-up' : 'Prompt'),
    h('p', { class: 'turn-prompt' }, g.prompt || ''),
    extra.length ? h('ul', { class: 'turn-extra' }, extra.map((r) => h('li', {}, r))) : null,
  );
  const answer = h('div', { class: 'turn-answer' }, statusBadge(g.status), ' ', h('a', { href: `#/g/${g.id}` }, 'Open'));
  if (follower) {
    answer.append(follower.element);
    return h('li', { class: 'turn', dataset: { generationId: g.id, status: g.status } }, ask, answer);
  }
  if (g.status === 'failed') {
    answer.append(h('p', { class: 'turn-error' }, g.error_message || 'It failed.'));
  } else if (g.status === 'cancelled') {
    answer.append(h('p', { class: 'muted' }, 'Cancelled.'));
  } else {
    const items = g.requirements || [];
    answer.append(
      h(
        'ul',
        { class: 'requirements', role: 'list', 'aria-label': 'Requirements checklist' },
        items.map((item) => requirementItem(item)),
      ),
    );
    const files = g.files || [];
    if (g.is_iteration && g.parent_generation_id) {
      const changes = h('details', { class: 'turn-changes' }, h('summary', {}, 'Changes against the previous result'));
      changes.addEventListener(
        'toggle',
        async () => {
          if (!changes.open || changes.dataset.loaded) return;
          changes.dataset.loaded = '1';
          try {
            changes.append(diffView(await api.diff(g.id)));
          } catch (err) {
            changes.append(alertBox(errorText(err)));
          }
        },
      );
      answer.append(changes);
    } else {
      answer.append(
        h(
          'details',
          { class: 'turn-files' },
          h('summary', {}, `${files.length} file${files.length === 1 ? '' : 's'}`),
          h('ul', {}, files.map((f) => h('li', {}, h('code', {}, f.path)))),
        ),
      );
    }
  }
  return h('li', { class: 'turn', dataset: { generationId: g.id, status: g.status } }, ask, answer);
}
