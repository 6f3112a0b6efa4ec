// The requirements checklist: what the prompt asked for and what became of each request, and the
// result's opening card ("What was built") that leads with it.

import { h } from '../dom.js';
import { testsLabel } from './tests.js';

const REQUIREMENT_MARKS = {
  met: ['✓', 'met'],
  substituted: ['≈', 'substituted'],
  unmet: ['✗', 'not done'],
};

export function requirementItem(item) {
  const [mark, label] = REQUIREMENT_MARKS[item.status] || ['?', item.status];
  return h(
    'li',
    { class: 'requirement', dataset: { status: item.status } },
    h('span', { class: 'requirement-mark', 'aria-hidden': 'true' }, mark),
    h('span', { class: 'requirement-status' }, label),
    ' ',
    h('span', { class: 'requirement-text' }, item.text),
    item.detail ? h('span', { class: 'requirement-detail' }, ` — ${item.detail}`) : null,
    item.where && item.where.length ? h('span', { class: 'requirement-where muted' }, ` (${item.where.join(', ')})`) : null,
  );
}

// The result leads with what was built and, request by request, what became of the prompt.
export function outcomeSummary(generation) {
  const items = generation.requirements || [];
  const notes = generation.notes || {};
  const count = (status) => items.filter((item) => item.status === status).length;
  const files = (generation.files || []).length;
  const built = notes.title ? `${notes.title}: ${files} file${files === 1 ? '' : 's'}` : `${files} file${files === 1 ? '' : 's'}`;
  const tally = items.length
    ? `${count('met')} of ${items.length} requests met, ${count('substituted')} substituted, ${count('unmet')} not done.`
    : 'No checklist for this generation.';
  return h(
    'section',
    { class: 'card outcome', 'aria-labelledby': 'outcome-heading' },
    h('h2', { id: 'outcome-heading' }, 'What was built'),
    h('p', { class: 'built' }, built),
    // the project's own tests (issue 11); the details and output are in the facts above
    h(
      'div',
      { class: 'tests-badge-slot', dataset: { slot: 'tests' } },
      generation.tests
        ? h('span', { class: `badge tests-${generation.tests.status}` }, `Tests: ${testsLabel(generation.tests)}`)
        : null,
    ),
    h('h3', {}, 'What was asked'),
    h('p', { class: 'hint requirement-tally' }, tally),
    h(
      'ul',
      { class: 'requirements', role: 'list', 'aria-label': 'Requirements checklist' },
      items.map((item) => requirementItem(item)),
    ),
  );
}
