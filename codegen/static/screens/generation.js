// #/g/<id>: one generation. Its summary, then the live view while it runs (screens/live.js) or,
// once it has ended, its result, its failure or its cancellation.

import { api } from '../api.js';
import { h, timeEl, formatNumber } from '../dom.js';
import { isTerminal } from '../stream.js';
import { testsFact } from '../parts/tests.js';
import { DRAFT_KEY, alertBox, errorText, focusHeading, go, main, screen, statusBadge } from '../ui.js';
import { liveView } from './live.js';
import { resultView } from './result.js';

function generationSummary(generation) {
  const items = [
    ['Status', statusBadge(generation.status)],
    ['Project', generation.project_name ? `${generation.project_name} (${generation.project_domain || 'general'})` : '—'],
    ['Mode', generation.generation_mode || 'phased'],
    ['Created', timeEl(generation.created_at)],
  ];
  if (generation.is_iteration && generation.parent_generation_id) {
    items.push(['Iteration of', h('a', { href: `#/g/${generation.parent_generation_id}` }, 'the previous generation')]);
  }
  if (generation.project_id) {
    items.push(['Conversation', h('a', { href: `#/p/${generation.project_id}` }, 'Every prompt and follow-up of this project')]);
  }
  if (generation.completed_at) items.push(['Finished', timeEl(generation.completed_at)]);
  if (generation.tests) items.push(['Tests', testsFact(generation.tests)]);
  if (generation.usage) {
    const u = generation.usage;
    items.push([
      'Token usage',
      `${formatNumber(u.prompt_tokens)} prompt + ${formatNumber(u.completion_tokens)} completion = ${formatNumber(
        (u.prompt_tokens || 0) + (u.completion_tokens || 0),
      )} tokens`,
    ]);
  }
  return h(
    'section',
    { class: 'card summary', 'aria-label': 'Summary' },
    h('blockquote', { class: 'prompt' }, generation.prompt || ''),
    h(
      'dl',
      { class: 'facts' },
      items.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', { dataset: { fact: k.toLowerCase() } }, v))),
    ),
  );
}

export async function generationScreen(ctx, id) {
  screen('Generation', h('p', { class: 'muted' }, 'Loading…'));
  let generation;
  try {
    generation = await api.generation(id);
  } catch (err) {
    if (!ctx.alive) return;
    screen('Generation', alertBox(errorText(err)), h('p', {}, h('a', { href: '#/history' }, 'Back to your history')));
    return;
  }
  if (!ctx.alive) return;
  showGeneration(ctx, generation);
  focusHeading();
}

// `log`: the progress messages this tab received, kept below a finished generation.
function showGeneration(ctx, generation, { banner = null, log = [] } = {}) {
  const body = h('div', { class: 'generation-body' });
  screen('Generation', banner, generationSummary(generation), body);
  main.querySelector('h1').dataset.status = generation.status;
  if (!isTerminal(generation.status)) {
    liveView(ctx, generation, body, (fresh, shown) => showGeneration(ctx, fresh, shown));
    return;
  }
  finishedView(ctx, generation, body);
  if (log.length) {
    body.append(
      h(
        'details',
        { class: 'card progress-log' },
        h('summary', {}, `Progress messages (${log.length})`),
        h('ol', { class: 'log', 'aria-label': 'Messages' }, log),
      ),
    );
  }
}

function finishedView(ctx, generation, body) {
  if (generation.status === 'failed') {
    body.append(
      h(
        'section',
        { class: 'card' },
        h('h2', {}, 'This generation failed'),
        alertBox(generation.error_message || generation.message || 'No reason was given.'),
        h('div', { class: 'actions' }, retryButton(generation)),
      ),
    );
    return;
  }
  if (generation.status === 'cancelled') {
    body.append(
      h(
        'section',
        { class: 'card' },
        h('h2', {}, 'This generation was cancelled'),
        h('p', {}, 'Nothing more was written after the cancel.'),
        h('div', { class: 'actions' }, retryButton(generation)),
      ),
    );
    return;
  }
  resultView(ctx, generation, body);
}

function retryButton(generation) {
  return h(
    'button',
    {
      type: 'button',
      onclick: () => {
        sessionStorage.setItem(DRAFT_KEY, generation.prompt || '');
        go('#/new');
      },
    },
    'Start again with this prompt',
  );
}
