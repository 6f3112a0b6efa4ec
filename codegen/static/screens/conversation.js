// #/p/<project id>: a project as a conversation, oldest first, with a follow-up at the end.

import { api } from '../api.js';
import { h, append, clear, setText } from '../dom.js';
import { requirementItem } from '../parts/checklist.js';
import { diffView } from '../parts/diff.js';
import { iterateForm } from '../parts/prompt-form.js';
import { isTerminal } from '../stream.js';
import { alertBox, errorText, newestFirst, screen, stageLabel, statusBadge } from '../ui.js';

// Every prompt of a project and what became of it, oldest first: the prompt, then the result with its
// checklist, its files or its changes; at the end a follow-up on the newest completed result.
export async function conversationScreen(ctx, projectId) {
  screen('Conversation', h('p', { class: 'muted' }, 'Loading…'));
  const load = async () => {
    const project = await api.project(projectId);
    const turns = await Promise.all(newestFirst(project.generations).reverse().map((g) => api.generation(g.id)));
    return { project, turns };
  };
  let state;
  try {
    state = await load();
  } catch (err) {
    if (!ctx.alive) return;
    screen('Conversation', alertBox(errorText(err)), h('p', {}, h('a', { href: '#/history' }, 'Back to your history')));
    return;
  }
  if (!ctx.alive) return;
  const thread = h('ol', { class: 'thread', 'aria-label': 'Prompts and results, oldest first' });
  const followUpBox = h('div', {});
  const meta = h('p', { class: 'hint' });
  let timer = null;
  let shownLatest = null;
  ctx.onLeave(() => window.clearTimeout(timer));

  // the thread is redrawn as turns finish; the follow-up form only when the turn it follows changes
  const show = ({ project, turns }) => {
    setText(meta, `${project.domain || 'general'} · ${turns.length} prompt${turns.length === 1 ? '' : 's'}`);
    clear(thread);
    append(thread, turns.map((g) => turnItem(g)));
    const latest = [...turns].reverse().find((g) => g.status === 'completed');
    if ((latest && latest.id) !== shownLatest) {
      shownLatest = latest && latest.id;
      clear(followUpBox);
      followUpBox.append(
        latest
          ? iterateForm(ctx, latest, {
              heading: 'Follow up',
              after: () => {
                shownLatest = null; // a fresh form once the thread shows the new turn
                refresh();
              },
            })
          : h('p', { class: 'muted' }, 'A follow-up needs a completed result.'),
      );
    }
    window.clearTimeout(timer);
    // a turn still running: read again shortly (no stream here; its own page has the live view)
    if (turns.some((g) => !isTerminal(g.status))) timer = window.setTimeout(refresh, 1500);
  };
  const refresh = async () => {
    try {
      const next = await load();
      if (ctx.alive) show(next);
    } catch (err) {
      if (ctx.alive) thread.after(alertBox(errorText(err)));
    }
  };
  screen(state.project.name, meta, thread, followUpBox);
  show(state);
}

function turnItem(g) {
  const extra = ((g.context || {}).additional_requirements || []).filter((r) => typeof r === 'string');
  const ask = h(
    'div',
    { class: 'turn-ask' },
    h('span', { class: 'turn-who' }, g.is_iteration ? 'Follow-up' : 'Prompt'),
    h('p', { class: 'turn-prompt' }, g.prompt || ''),
    extra.length ? h('ul', { class: 'turn-extra' }, extra.map((r) => h('li', {}, r))) : null,
  );
  const answer = h('div', { class: 'turn-answer' }, statusBadge(g.status), ' ', h('a', { href: `#/g/${g.id}` }, 'Open'));
  if (g.status === 'failed') {
    answer.append(h('p', { class: 'turn-error' }, g.error_message || 'It failed.'));
  } else if (g.status === 'cancelled') {
    answer.append(h('p', { class: 'muted' }, 'Cancelled.'));
  } else if (!isTerminal(g.status)) {
    answer.append(h('p', { class: 'muted' }, `${stageLabel(g.stage)}: ${g.message || ''}`));
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
