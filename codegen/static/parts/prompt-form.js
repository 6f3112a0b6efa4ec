// The prompt forms: a new generation's (screens/new.js) and an iteration's (below a result, and the
// conversation's follow-up). Both count the prompt, offer the generator's examples and submit alike.

import { api } from '../api.js';
import { h, append, clear, setText, nextId, formatNumber } from '../dom.js';
import { alertBox, announce, errorText, generatorDescription, go } from '../ui.js';

const MIN_PROMPT = 10;
const MAX_PROMPT = 20000;

export function promptCounter(textarea, submit, counter) {
  const update = () => {
    const length = textarea.value.trim().length;
    const ok = length >= MIN_PROMPT && length <= MAX_PROMPT;
    if (length < MIN_PROMPT) {
      const more = MIN_PROMPT - length;
      counter.textContent = `${length} / ${MIN_PROMPT} characters minimum: write ${more} more`;
    } else {
      counter.textContent = `${formatNumber(length)} characters (minimum ${MIN_PROMPT}, maximum ${formatNumber(MAX_PROMPT)})`;
    }
    counter.classList.toggle('ok', ok);
    submit.disabled = !ok;
    submit.setAttribute('aria-disabled', String(!ok));
  };
  textarea.addEventListener('input', update);
  update();
  return update;
}

function requirementsFrom(text) {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

export function modeFieldset(name, selected = 'phased') {
  const options = [
    ['phased', 'Phased', 'Plan, design the architecture, generate, review, finalize.'],
    ['unified', 'Unified', 'Generate and finalize in one pass: faster.'],
  ];
  return h(
    'fieldset',
    { class: 'field modes' },
    h('legend', {}, 'Mode'),
    options.map(([value, label, hint]) => {
      const id = nextId(`mode-${value}`);
      const hintId = `${id}-hint`;
      return h(
        'div',
        { class: 'radio' },
        h('input', { type: 'radio', name, id, value, checked: value === selected, 'aria-describedby': hintId }),
        h('label', { for: id }, label),
        h('span', { class: 'hint', id: hintId }, hint),
      );
    }),
  );
}

export function promptField(label, placeholder) {
  const id = nextId('prompt');
  const countId = `${id}-count`;
  const textarea = h('textarea', {
    id,
    name: 'prompt',
    rows: '6',
    maxlength: String(MAX_PROMPT),
    required: true,
    placeholder,
    'aria-describedby': countId,
  });
  const counter = h('p', { class: 'hint counter', id: countId });
  return { textarea, counter, field: h('div', { class: 'field' }, h('label', { for: id }, label), textarea, counter) };
}

export function requirementsField() {
  const id = nextId('requirements');
  const hintId = `${id}-hint`;
  const textarea = h('textarea', { id, name: 'requirements', rows: '3', 'aria-describedby': hintId });
  return {
    textarea,
    field: h(
      'div',
      { class: 'field' },
      h('label', { for: id }, 'Additional requirements'),
      textarea,
      h('p', { class: 'hint', id: hintId }, 'Optional. One requirement per line; each is checked off in the result.'),
    ),
  };
}

// Example prompts from GET /api/generator: the first is the placeholder, each fills the prompt when chosen.
export function suggest(textarea, box, examples, refresh, heading) {
  if (!examples.length) return;
  textarea.placeholder = examples[0];
  append(box, [
    h('p', { class: 'hint' }, `${heading}:`),
    h(
      'ul',
      { class: 'example-list', role: 'list' },
      examples.map((text) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'link example',
              onclick: () => {
                textarea.value = text;
                refresh();
                textarea.focus();
              },
            },
            text,
          ),
        ),
      ),
    ),
  ]);
}

// Both prompt forms submit alike: check the minimum, send, then open the new generation or say why not.
export function submitGeneration(form, { ctx, prompt, requirements, errors, submit, refresh, label, started, defaultMode, target, after }) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(errors);
    const text = prompt.value.trim();
    if (text.length < MIN_PROMPT) {
      errors.append(alertBox(`The prompt needs at least ${MIN_PROMPT} characters.`));
      prompt.focus();
      return;
    }
    const mode = form.querySelector('input[type=radio]:checked');
    const { project_id, is_iteration, parent_generation_id } = target();
    submit.disabled = true;
    setText(submit, 'Starting…');
    try {
      const body = {
        prompt: text,
        project_id,
        context: { additional_requirements: requirementsFrom(requirements.value) },
        generation_mode: mode ? mode.value : defaultMode,
        is_iteration,
        parent_generation_id,
      };
      const generation = await api.generate(body);
      announce(started);
      if (after) after(generation, body);
      else go(`#/g/${generation.id}`);
    } catch (err) {
      if (!ctx.alive) return;
      errors.append(alertBox(errorText(err)));
      setText(submit, label);
      refresh();
    }
  });
}

export function iterateForm(ctx, generation, { after = null, heading = 'Iterate on this result' } = {}) {
  const { textarea: prompt, counter, field: promptBox } = promptField('What should change?', '');
  const { textarea: requirements, field: requirementsBox } = requirementsField();
  const examplesBox = h('div', { class: 'examples' });
  const errors = h('div', { class: 'form-errors' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Iterate');
  const form = h(
    'form',
    { class: 'card iterate', novalidate: true, 'aria-labelledby': 'iterate-heading' },
    h('h2', { id: 'iterate-heading' }, heading),
    h('p', { class: 'hint' }, 'A new generation in the same project that starts from these files.'),
    promptBox,
    examplesBox,
    modeFieldset(nextId('iterate-mode'), generation.generation_mode || 'phased'),
    requirementsBox,
    errors,
    h('div', { class: 'actions' }, submit),
  );
  const refresh = promptCounter(prompt, submit, counter);
  // the template generator's follow-ups change records (fields, resources, features): only REST APIs take them all
  const kind = (generation.notes || {}).kind;
  if (!kind || kind === 'rest_api') {
    generatorDescription().then((info) => {
      if (ctx.alive) suggest(prompt, examplesBox, info.follow_up_examples || [], refresh, 'Follow-ups that work');
    });
  }
  submitGeneration(form, {
    ctx, prompt, requirements, errors, submit, refresh,
    label: 'Iterate',
    started: 'Iteration started.',
    defaultMode: generation.generation_mode || 'phased',
    target: () => ({ project_id: generation.project_id || null, is_iteration: true, parent_generation_id: generation.id }),
    after,
  });
  return form;
}
