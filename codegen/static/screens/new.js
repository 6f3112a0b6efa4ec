// #/new: a new generation's prompt, mode, additional requirements and project.

import { api } from '../api.js';
import { h, setText, nextId } from '../dom.js';
import { modeFieldset, promptCounter, promptField, requirementsField, submitGeneration, suggest } from '../parts/prompt-form.js';
import { DRAFT_KEY, errorText, generatorDescription, screen } from '../ui.js';

export function newScreen(ctx, params) {
  const { textarea: prompt, counter, field: promptBox } = promptField('What should be built?', '');
  const { textarea: requirements, field: requirementsBox } = requirementsField();
  const examplesBox = h('div', { class: 'examples', 'aria-live': 'polite' });
  const projectId = nextId('project');
  const projectHintId = `${projectId}-hint`;
  const project = h(
    'select',
    { id: projectId, name: 'project', 'aria-describedby': projectHintId },
    h('option', { value: '' }, 'Automatic (named from the prompt)'),
  );
  const projectHint = h('p', { class: 'hint', id: projectHintId }, 'Automatic reuses a similar recent project or creates one.');
  const errors = h('div', { class: 'form-errors' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Generate');

  const form = h(
    'form',
    { class: 'card', novalidate: true },
    promptBox,
    examplesBox,
    modeFieldset(nextId('mode')),
    requirementsBox,
    h('div', { class: 'field' }, h('label', { for: projectId }, 'Project'), project, projectHint),
    errors,
    h('div', { class: 'actions' }, submit),
  );
  const refresh = promptCounter(prompt, submit, counter);
  generatorDescription().then((info) => {
    if (!ctx.alive) return;
    suggest(prompt, examplesBox, info.examples || [], refresh, 'Prompts that work');
    if (info.writes && info.writes.length) {
      examplesBox.append(h('p', { class: 'hint writes' }, `This service writes: ${info.writes.join('; ')}.`));
    }
  });

  const draft = sessionStorage.getItem(DRAFT_KEY);
  if (draft) {
    sessionStorage.removeItem(DRAFT_KEY);
    prompt.value = draft;
    refresh();
  }

  api
    .projects()
    .then((answer) => {
      if (!ctx.alive) return;
      for (const p of (answer && answer.items) || []) {
        project.append(h('option', { value: p.id }, `${p.name} (${p.domain})`));
      }
      const wanted = params.get('project');
      if (wanted && [...project.options].some((o) => o.value === wanted)) project.value = wanted;
    })
    .catch((err) => {
      if (!ctx.alive) return;
      setText(projectHint, `Your projects could not be loaded: ${errorText(err)} New generations still get a project automatically.`);
    });

  submitGeneration(form, {
    ctx, prompt, requirements, errors, submit, refresh,
    label: 'Generate',
    started: 'Generation started.',
    defaultMode: 'phased',
    target: () => ({ project_id: project.value || null, is_iteration: false, parent_generation_id: null }),
  });

  screen('New generation', form);
}
