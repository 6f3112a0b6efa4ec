// #/ signed out: what the service does, what the configured generator writes, and its example prompts.

import { h } from '../dom.js';
import { DRAFT_KEY, NEXT_KEY, generatorDescription, go, screen } from '../ui.js';

function exampleButton(text) {
  return h(
    'button',
    {
      type: 'button',
      class: 'link example',
      onclick: () => {
        // kept for the new-generation screen, which opens after signing up or in
        sessionStorage.setItem(DRAFT_KEY, text);
        sessionStorage.setItem(NEXT_KEY, '#/new');
        go('#/signup');
      },
    },
    text,
  );
}

export function landingScreen(ctx) {
  const examples = h('ul', { class: 'example-list', role: 'list', 'aria-label': 'Example prompts' });
  const writes = h('ul', { class: 'writes-list' });
  generatorDescription().then((info) => {
    if (!ctx.alive) return;
    for (const line of info.writes || []) writes.append(h('li', {}, line));
    for (const text of info.examples || []) examples.append(h('li', {}, exampleButton(text)));
  });
  screen(
    'Describe a program. Get its code, its tests, and a straight answer.',
    h(
      'section',
      { class: 'card landing', 'aria-labelledby': 'landing-what' },
      h('h2', { id: 'landing-what' }, 'What it does'),
      h(
        'ul',
        {},
        h('li', {}, 'You describe the program; it is planned, written, reviewed and saved while you watch, stage by stage.'),
        h('li', {}, 'You read every file, download the project as a zip, and ask for changes in follow-ups.'),
        h('li', {}, 'Each result lists your requests one by one: met, done differently (and how), or not done (and why). Nothing left out is passed off as done.'),
      ),
      h('h2', {}, 'What it writes here'),
      writes,
      h('div', { class: 'actions' }, h('a', { href: '#/signup', class: 'button primary' }, 'Create an account'), h('a', { href: '#/login', class: 'button' }, 'Sign in')),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'landing-examples' },
      h('h2', { id: 'landing-examples' }, 'Prompts that work'),
      h('p', { class: 'hint' }, 'Choose one to create an account with it ready to generate.'),
      examples,
    ),
  );
}
