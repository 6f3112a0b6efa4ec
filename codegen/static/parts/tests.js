// The project's own tests, run in the server's sandbox (issue 11): a label, and the summary's fact
// with the output. The output is the tested code's: shown as text only.

import { h } from '../dom.js';

export function testsLabel(tests) {
  if (tests.status === 'not_run') return `not run: ${tests.reason || 'unknown reason'}`;
  if (tests.status === 'error') return `error: ${tests.reason || 'the run could not finish'}`;
  const parts = [];
  if (tests.passed || !tests.failed) parts.push(`${tests.passed} passed`);
  if (tests.failed) parts.push(`${tests.failed} failed`);
  if (tests.errors) parts.push(`${tests.errors} error${tests.errors === 1 ? '' : 's'}`);
  return parts.join(', ');
}

export function testsFact(tests) {
  const rounds = tests.repair_rounds
    ? ` after ${tests.repair_rounds} repair round${tests.repair_rounds === 1 ? '' : 's'}`
    : '';
  return h(
    'div',
    { class: 'tests' },
    h('span', { class: `badge tests-${tests.status}`, dataset: { tests: tests.status } }, testsLabel(tests)),
    rounds,
    tests.output
      ? h('details', { class: 'test-output' }, h('summary', {}, 'Test output'), h('pre', { text: tests.output }))
      : null,
  );
}
