// The screens and the hash router: #/login, #/signup, #/new, #/g/<id>, #/history.

import {
  api,
  ApiError,
  clearSession,
  formatWait,
  getEmail,
  getToken,
  onUnauthorized,
  saveResponseAs,
  setSession,
} from './api.js';
import { h, append, clear, setText, nextId, timeEl, formatBytes, formatNumber } from './dom.js';
import { highlight, languageFor } from './highlight.js';
import { isTerminal, watchGeneration } from './stream.js';

const MIN_PROMPT = 10;
const MAX_PROMPT = 20000;
const STAGES = {
  phased: ['planning', 'architecture', 'generating', 'reviewing', 'finalizing'],
  unified: ['generating', 'finalizing'],
};
const STAGE_LABELS = {
  queued: 'Queued',
  connected: 'Connected',
  planning: 'Planning',
  architecture: 'Architecture',
  generating: 'Generating code',
  reviewing: 'Reviewing',
  finalizing: 'Finalizing',
  complete: 'Complete',
  failed: 'Failed',
  cancelled: 'Cancelled',
};
const NEXT_KEY = 'codegen.next';
const NOTICE_KEY = 'codegen.notice';

const main = document.getElementById('main');
const announcer = document.getElementById('announcer');
const nav = document.querySelector('.site-nav');
const who = document.getElementById('who');

// ---------------------------------------------------------------- plumbing

// GET /api/generator, asked once: example prompts and placeholders that work with the configured generator
let generatorInfo = null;
function generatorDescription() {
  if (!generatorInfo) generatorInfo = api.generator().catch(() => ({ examples: [], follow_up_examples: [], writes: [] }));
  return generatorInfo;
}

export function announce(text) {
  // re-set so the same words are announced again
  announcer.textContent = '';
  window.setTimeout(() => {
    announcer.textContent = text;
  }, 30);
}

function errorText(err) {
  if (err instanceof ApiError) return err.message;
  if (err && typeof err.message === 'string' && err.message) return err.message;
  return 'Something went wrong. Please try again.';
}

function alertBox(message, extra = []) {
  return h('div', { class: 'alert', role: 'alert' }, h('p', {}, message), extra);
}

function noticeBox(message) {
  return h('div', { class: 'notice', role: 'status' }, h('p', {}, message));
}

function statusBadge(status) {
  return h('span', { class: `badge status-${status || 'unknown'}` }, status || 'unknown');
}

// the project's own tests, run in the server's sandbox; the output is the tested code's: shown as text only
export function testsLabel(tests) {
  if (tests.status === 'not_run') return `not run: ${tests.reason || 'unknown reason'}`;
  if (tests.status === 'error') return `error: ${tests.reason || 'the run could not finish'}`;
  const parts = [];
  if (tests.passed || !tests.failed) parts.push(`${tests.passed} passed`);
  if (tests.failed) parts.push(`${tests.failed} failed`);
  if (tests.errors) parts.push(`${tests.errors} error${tests.errors === 1 ? '' : 's'}`);
  return parts.join(', ');
}

function testsFact(tests) {
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

function stageLabel(stage) {
  return STAGE_LABELS[stage] || String(stage || '');
}

function promptCounter(textarea, submit, counter) {
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

// One screen at a time: each render gets a context; leaving it runs its cleanups
// and makes `ctx.alive` false so late answers do not draw on the next screen.
let current = null;

function newContext() {
  if (current) current.leave();
  const cleanups = [];
  const ctx = {
    alive: true,
    onLeave(fn) {
      cleanups.push(fn);
    },
    leave() {
      ctx.alive = false;
      for (const fn of cleanups.splice(0)) {
        try {
          fn();
        } catch (err) {
          console.error(err);
        }
      }
    },
  };
  current = ctx;
  return ctx;
}

function screen(title, ...children) {
  const heading = h('h1', { tabindex: '-1' }, title);
  clear(main);
  append(main, [heading, ...children]);
  document.title = `${typeof title === 'string' ? title : heading.textContent} · codegen`;
  return heading;
}

function focusHeading() {
  const heading = main.querySelector('h1');
  if (heading) heading.focus({ preventScroll: false });
}

// ---------------------------------------------------------------- router

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  return { path, params: new URLSearchParams(query) };
}

function go(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

function updateNav(route) {
  const signedIn = Boolean(getToken());
  nav.hidden = !signedIn;
  setText(who, signedIn ? getEmail() || '' : '');
  for (const link of nav.querySelectorAll('a[data-nav]')) {
    if (link.dataset.nav === route) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function render() {
  const { path, params } = parseHash();
  const ctx = newContext();
  const signedIn = Boolean(getToken());
  let m;
  if (path === '/login' || path === '/signup') {
    if (signedIn) return go('#/new');
    updateNav(null);
    authScreen(ctx, path === '/signup' ? 'signup' : 'login');
  } else if (!signedIn && (path === '/' || path === '' || path === '/welcome')) {
    updateNav(null);
    landingScreen(ctx);
  } else if (!signedIn) {
    sessionStorage.setItem(NEXT_KEY, location.hash);
    location.replace('#/login');
    return;
  } else if (path === '/' || path === '' || path === '/new') {
    updateNav('new');
    newScreen(ctx, params);
  } else if ((m = /^\/g\/([^/]+)$/.exec(path))) {
    updateNav(null);
    generationScreen(ctx, decodeURIComponent(m[1]));
  } else if ((m = /^\/p\/([^/]+)$/.exec(path))) {
    updateNav('history');
    conversationScreen(ctx, decodeURIComponent(m[1]));
  } else if (path === '/history') {
    updateNav('history');
    historyScreen(ctx);
  } else {
    updateNav(null);
    screen('Page not found', h('p', {}, 'There is nothing at this address. '), h('p', {}, h('a', { href: '#/new' }, 'Start a new generation')));
  }
  focusHeading();
}

function signOut(message) {
  if (current) current.leave();
  clearSession();
  if (message) sessionStorage.setItem(NOTICE_KEY, message);
  go('#/login');
}

// ---------------------------------------------------------------- landing (signed out)

function landingScreen(ctx) {
  const examples = h('ul', { class: 'example-list', role: 'list', 'aria-label': 'Example prompts' });
  const writes = h('ul', { class: 'writes-list' });
  generatorDescription().then((info) => {
    if (!ctx.alive) return;
    for (const line of info.writes || []) writes.append(h('li', {}, line));
    for (const text of info.examples || []) {
      examples.append(
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'link example',
              onclick: () => {
                // kept for the new-generation screen, which opens after signing up or in
                sessionStorage.setItem('codegen.draft', text);
                sessionStorage.setItem(NEXT_KEY, '#/new');
                go('#/signup');
              },
            },
            text,
          ),
        ),
      );
    }
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

// ---------------------------------------------------------------- sign in / sign up

function authScreen(ctx, mode) {
  const signup = mode === 'signup';
  const emailId = nextId('email');
  const passwordId = nextId('password');
  const hintId = nextId('password-hint');
  const errors = h('div', { class: 'form-errors' });
  const email = h('input', { id: emailId, name: 'email', type: 'email', autocomplete: 'email', required: true });
  const password = h('input', {
    id: passwordId,
    name: 'password',
    type: 'password',
    autocomplete: signup ? 'new-password' : 'current-password',
    required: true,
    minlength: signup ? '8' : null,
    'aria-describedby': signup ? hintId : null,
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, signup ? 'Create account' : 'Sign in');
  const notice = sessionStorage.getItem(NOTICE_KEY);
  sessionStorage.removeItem(NOTICE_KEY);

  // the notice ("You are signed out.") gives way to whatever the form says next: one message at a time
  let noticeShown = notice ? noticeBox(notice) : null;
  const form = h(
    'form',
    { class: 'card auth-form', novalidate: true },
    noticeShown,
    h('div', { class: 'field' }, h('label', { for: emailId }, 'Email'), email),
    h(
      'div',
      { class: 'field' },
      h('label', { for: passwordId }, 'Password'),
      password,
      signup ? h('p', { class: 'hint', id: hintId }, 'At least 8 characters.') : null,
    ),
    errors,
    h('div', { class: 'actions' }, submit),
    h(
      'p',
      { class: 'switch' },
      signup ? 'Already have an account? ' : 'No account yet? ',
      h('a', { href: signup ? '#/login' : '#/signup' }, signup ? 'Sign in' : 'Create one'),
    ),
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(errors);
    if (noticeShown) {
      noticeShown.remove();
      noticeShown = null;
    }
    const address = email.value.trim();
    if (!address || !address.includes('@')) {
      errors.append(alertBox('Enter your email address, like name@example.com.'));
      email.focus();
      return;
    }
    if (!password.value) {
      errors.append(alertBox('Enter your password.'));
      password.focus();
      return;
    }
    if (signup && password.value.length < 8) {
      errors.append(alertBox('The password needs at least 8 characters.'));
      password.focus();
      return;
    }
    submit.disabled = true;
    setText(submit, signup ? 'Creating account…' : 'Signing in…');
    try {
      const answer = signup ? await api.register(address, password.value) : await api.login(address, password.value);
      setSession(answer.access_token, answer.email || address);
      const next = sessionStorage.getItem(NEXT_KEY);
      sessionStorage.removeItem(NEXT_KEY);
      announce(signup ? 'Account created. You are signed in.' : 'Signed in.');
      go(next && next.startsWith('#/') && !next.startsWith('#/login') && !next.startsWith('#/signup') ? next : '#/new');
    } catch (err) {
      if (!ctx.alive) return;
      errors.append(alertBox(errorText(err)));
      submit.disabled = false;
      setText(submit, signup ? 'Create account' : 'Sign in');
    }
  });

  screen(signup ? 'Create an account' : 'Sign in', form);
}

// ---------------------------------------------------------------- new generation

function modeFieldset(name, selected = 'phased') {
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

function promptField(label, placeholder) {
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

function requirementsField() {
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

function newScreen(ctx, params) {
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

  const draft = sessionStorage.getItem('codegen.draft');
  if (draft) {
    sessionStorage.removeItem('codegen.draft');
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

// Example prompts from GET /api/generator: the first is the placeholder, each fills the prompt when chosen.
function suggest(textarea, box, examples, refresh, heading) {
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
function submitGeneration(form, { ctx, prompt, requirements, errors, submit, refresh, label, started, defaultMode, target, after }) {
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
      const generation = await api.generate({
        prompt: text,
        project_id,
        context: { additional_requirements: requirementsFrom(requirements.value) },
        generation_mode: mode ? mode.value : defaultMode,
        is_iteration,
        parent_generation_id,
      });
      announce(started);
      if (after) after(generation);
      else go(`#/g/${generation.id}`);
    } catch (err) {
      if (!ctx.alive) return;
      errors.append(alertBox(errorText(err)));
      setText(submit, label);
      refresh();
    }
  });
}

// ---------------------------------------------------------------- one generation

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

async function generationScreen(ctx, id) {
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
    liveView(ctx, generation, body);
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

// The code as it is written: a tree that fills as files start (finished ones marked) and the
// open file growing as it arrives. Follow mode shows the file being written and keeps its end in
// view; scrolling up or choosing a file leaves it, Follow (or scrolling back to the end) returns.
// The DOM changes at most once a frame, and by appending to one text node, so a fast model
// (50 updates a second and more) never blocks the page.
function liveCode() {
  const tree = h('ul', { class: 'live-tree', 'aria-label': 'Files' });
  const empty = h('p', { class: 'muted live-empty' }, 'No file started yet.');
  const title = h('h3', { class: 'live-path' }, '');
  const follow = h('button', { type: 'button', class: 'follow', 'aria-pressed': 'true' }, 'Follow');
  const text = document.createTextNode('');
  const pre = h('pre', { class: 'live-code', tabindex: '0', 'aria-label': 'Code being written' }, h('code', {}, text));
  const files = new Map(); // path -> {text, done, epoch}, as the stream assembles them
  const items = new Map(); // path -> {li, button, mark}
  const dirty = new Set();
  let shown = null;
  let shownEpoch = -1;
  let shownLength = 0;
  let latest = null;
  let following = true;
  let frame = 0;

  function setFollowing(value) {
    following = value;
    follow.setAttribute('aria-pressed', String(value));
    follow.dataset.state = value ? 'on' : 'off';
    if (value) schedule();
  }

  function item(path) {
    let it = items.get(path);
    if (!it) {
      // the mark is drawn by CSS (a glyph the page's font lacks can cost a font lookup of 100 ms)
      const mark = h('span', { class: 'mark', 'aria-hidden': 'true' });
      const state = h('span', { class: 'visually-hidden' });
      const button = h(
        'button',
        { type: 'button', class: 'live-file', dataset: { path } },
        h('span', { class: 'file-name' }, path),
        state,
        mark,
      );
      button.addEventListener('click', () => {
        setFollowing(false);
        show(path);
      });
      const li = h('li', {}, button);
      it = { li, button, state };
      items.set(path, it);
      tree.append(li);
      empty.hidden = true;
    }
    return it;
  }

  function show(path) {
    if (shown !== path) {
      if (shown && items.has(shown)) items.get(shown).button.removeAttribute('aria-current');
      shown = path;
      shownEpoch = -1;
      items.get(path)?.button.setAttribute('aria-current', 'true');
      setText(title, path);
    }
    draw();
  }

  function schedule() {
    if (!frame) frame = window.requestAnimationFrame(draw);
  }

  function draw() {
    if (frame) window.cancelAnimationFrame(frame);
    frame = 0;
    for (const path of dirty) {
      const file = files.get(path);
      const it = item(path);
      // a file a new attempt emptied stays hidden until it has text again
      it.li.hidden = !file.text && !file.done;
      it.button.dataset.done = String(file.done);
      setText(it.state, file.done ? ' (written)' : ' (being written)');
    }
    dirty.clear();
    if (following && latest && latest !== shown) show(latest);
    const file = shown && files.get(shown);
    if (!file) return;
    if (file.epoch !== shownEpoch || file.text.length < shownLength) {
      text.data = file.text;
    } else if (file.text.length > shownLength) {
      text.appendData(file.text.slice(shownLength));
    }
    shownEpoch = file.epoch;
    shownLength = file.text.length;
    pre.dataset.done = String(file.done);
    if (following) pre.scrollTop = pre.scrollHeight;
  }

  // only a person scrolls away from the end: draw() always scrolls to it
  pre.addEventListener('scroll', () => {
    const atEnd = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 24;
    if (atEnd !== following && (!atEnd || shown === latest)) setFollowing(atEnd);
  });
  follow.addEventListener('click', () => setFollowing(true));

  const element = h(
    'section',
    { class: 'card live-code-card', 'aria-labelledby': 'live-code-heading' },
    h('div', { class: 'result-head' }, h('h2', { id: 'live-code-heading' }, 'Code'), follow),
    h(
      'div',
      { class: 'live-panes' },
      h('nav', { class: 'file-tree', 'aria-label': 'Files being written' }, empty, tree),
      h('div', { class: 'live-viewer' }, title, pre),
    ),
  );

  return {
    element,
    update(path, file) {
      files.set(path, file);
      dirty.add(path);
      if (file.text || file.done) latest = path;
      schedule();
    },
    stop() {
      if (frame) window.cancelAnimationFrame(frame);
      frame = 0;
    },
  };
}

function liveView(ctx, generation, body) {
  const mode = STAGES[generation.generation_mode] ? generation.generation_mode : 'phased';
  const stages = STAGES[mode];
  const stageItems = new Map();
  const checklist = h(
    'ol',
    { class: 'stages', 'aria-label': 'Stages' },
    stages.map((stage) => {
      const state = h('span', { class: 'visually-hidden stage-state' }, ' (not started)');
      const li = h('li', { dataset: { stage, state: 'pending' } }, h('span', { class: 'stage-name' }, stageLabel(stage)), state);
      stageItems.set(stage, { li, state });
      return li;
    }),
  );
  const bar = h('div', { class: 'bar-fill' });
  const percent = h('span', { class: 'percent' }, '0%');
  const progress = h(
    'div',
    {
      class: 'progress',
      role: 'progressbar',
      'aria-label': 'Generation progress',
      'aria-valuemin': '0',
      'aria-valuemax': '100',
      'aria-valuenow': '0',
    },
    bar,
  );
  const statusLine = h('p', { class: 'status-line', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const connection = h('p', { class: 'connection muted' }, 'Connecting…');
  const problems = h('div', { class: 'stream-problems' });
  const log = h('ol', { class: 'log', 'aria-label': 'Messages' });
  const reconnect = h('button', { type: 'button', hidden: true }, 'Reconnect');
  const refreshStatus = h('button', { type: 'button', hidden: true }, 'Refresh status');
  const cancel = h('button', { type: 'button', class: 'danger' }, 'Cancel generation');

  const code = liveCode();
  let lastProgress = 0;
  let finished = false;
  let countdown = null;
  let handle = null;

  function markStages(stage, status) {
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
      setText(state, { done: ' (done)', active: ' (in progress)', stopped: ' (stopped)', pending: ' (not started)' }[value]);
    });
  }

  function setProgress(value) {
    if (typeof value !== 'number' || Number.isNaN(value)) return;
    lastProgress = Math.max(lastProgress, Math.min(1, Math.max(0, value)));
    const pct = Math.round(lastProgress * 100);
    bar.style.width = `${pct}%`;
    progress.setAttribute('aria-valuenow', String(pct));
    progress.setAttribute('aria-valuetext', `${pct}%`);
    setText(percent, `${pct}%`);
  }

  function setStatus(snapshot) {
    const parts = [`Status: ${snapshot.status || 'unknown'}`];
    if (snapshot.stage && snapshot.stage !== 'connected') parts.push(`stage: ${stageLabel(snapshot.stage)}`);
    parts.push(`${Math.round(lastProgress * 100)}%`);
    setText(statusLine, parts.join(' · '));
    const badge = main.querySelector('[data-fact="status"] .badge');
    if (badge && snapshot.status) {
      badge.className = `badge status-${snapshot.status}`;
      setText(badge, snapshot.status);
    }
  }

  function addLog(data, id) {
    const when = typeof data.timestamp === 'number' ? new Date(data.timestamp * 1000) : new Date();
    log.append(
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
    log.scrollTop = log.scrollHeight;
  }

  function stopCountdown() {
    if (countdown) window.clearInterval(countdown);
    countdown = null;
  }

  // The stream ended (terminal event, or the server refused to stream): show
  // the generation as the server has it now. `reason` is the refusal, if any.
  async function finish(reason) {
    if (finished || !ctx.alive) return;
    finished = true;
    stopCountdown();
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
    showGeneration(ctx, fresh, { banner: reason ? alertBox(reason) : null, log: [...log.children] });
  }

  // initial state from GET
  setProgress(generation.progress);
  markStages(generation.stage, generation.status);
  setStatus({ status: generation.status, stage: generation.stage });

  handle = watchGeneration(generation.id, {
    onFile(path, file) {
      code.update(path, file);
    },
    onEvent(data, id) {
      const previous = checklist.querySelector('[data-state="active"]');
      setProgress(data.progress);
      markStages(data.stage, data.status);
      addLog(data, id);
      const now = checklist.querySelector('[data-state="active"]');
      if (now && now !== previous) announce(`${stageLabel(data.stage)} started.`);
    },
    onStatus(snapshot) {
      setProgress(snapshot.progress);
      if (snapshot.stage && snapshot.stage !== 'connected') markStages(snapshot.stage, snapshot.status);
      setStatus(snapshot);
    },
    onState(state, info) {
      if (finished) return;
      if (state === 'connecting') setText(connection, info.attempt ? `Reconnecting (attempt ${info.attempt} of 5)…` : 'Connecting…');
      else if (state === 'open') setText(connection, 'Live: progress arrives as it happens.');
      else if (state === 'waiting')
        setText(
          connection,
          `Connection lost. Reconnecting in ${(info.delayMs / 1000).toFixed(1)} s (attempt ${info.attempt} of ${info.of}).`,
        );
      connection.dataset.state = state;
    },
    onError(problem) {
      if (finished) return;
      clear(problems);
      connection.dataset.state = 'stopped';
      if (problem.kind === 'refused' && problem.status === 400) {
        // the token was refused because the generation is terminal (it often finishes between our GET
        // and the token request): not an error, read it with GET and show it as it is
        setText(connection, 'Finished before the live view opened.');
        finish(null);
        return;
      }
      setText(connection, 'Live progress stopped.');
      problems.append(alertBox(problem.message));
      if (problem.kind === 'refused') {
        if (problem.status === 409) {
          finish(problem.message);
        } else if (problem.status !== 401) {
          refreshStatus.hidden = false;
        }
        return;
      }
      refreshStatus.hidden = false;
      if (problem.canReconnect) {
        reconnect.hidden = false;
        if (problem.kind === 'rate_limited' && problem.retryAfter) {
          let left = problem.retryAfter;
          reconnect.disabled = true;
          setText(reconnect, `Reconnect (in ${formatWait(left)})`);
          stopCountdown();
          countdown = window.setInterval(() => {
            left -= 1;
            if (left <= 0) {
              stopCountdown();
              reconnect.disabled = false;
              setText(reconnect, 'Reconnect');
            } else {
              setText(reconnect, `Reconnect (in ${formatWait(left)})`);
            }
          }, 1000);
        } else {
          reconnect.disabled = false;
          setText(reconnect, 'Reconnect');
        }
        announce(problem.message);
      }
    },
    onDone(data) {
      setProgress(data.progress);
      markStages(data.stage, data.status);
      setStatus(data);
      announce(
        data.status === 'completed'
          ? 'Generation completed.'
          : data.status === 'failed'
            ? `Generation failed: ${data.message || ''}`
            : 'Generation cancelled.',
      );
      finish(null);
    },
  });
  if (finished) handle.close();
  ctx.onLeave(() => {
    stopCountdown();
    code.stop();
    handle.close();
  });

  reconnect.addEventListener('click', () => {
    clear(problems);
    reconnect.hidden = true;
    refreshStatus.hidden = true;
    handle.reconnect();
  });
  refreshStatus.addEventListener('click', async () => {
    try {
      const fresh = await api.generation(generation.id);
      if (!ctx.alive) return;
      if (isTerminal(fresh.status)) finish(null);
      else {
        setProgress(fresh.progress);
        markStages(fresh.stage, fresh.status);
        setStatus(fresh);
      }
    } catch (err) {
      if (ctx.alive) {
        clear(problems);
        problems.append(alertBox(errorText(err)));
      }
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
      clear(problems);
      problems.append(alertBox(errorText(err)));
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
      checklist,
      h('div', { class: 'progress-row' }, progress, percent),
      statusLine,
      connection,
      problems,
      h('div', { class: 'actions' }, cancel, reconnect, refreshStatus),
      h('h3', {}, 'Messages'),
      log,
    ),
    code.element,
  ]);
}

// ------------------------------------------------ finished: result, failure, cancel

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
        sessionStorage.setItem('codegen.draft', generation.prompt || '');
        go('#/new');
      },
    },
    'Start again with this prompt',
  );
}

function resultView(ctx, generation, body) {
  const treeBox = h('nav', { class: 'file-tree', 'aria-label': 'Files' }, h('p', { class: 'muted' }, 'Loading files…'));
  const viewer = h('section', { class: 'viewer', 'aria-label': 'File viewer' }, h('p', { class: 'muted' }, 'Choose a file.'));
  const downloadErrors = h('div', {});
  const download = h('button', { type: 'button', class: 'primary' }, 'Download zip');
  const wholeDiff = h('div', { class: 'whole-diff' });

  download.addEventListener('click', async () => {
    clear(downloadErrors);
    download.disabled = true;
    setText(download, 'Preparing zip…');
    try {
      const response = await api.download(generation.id);
      const name = `${(generation.project_name || 'codegen').replace(/[^\w.-]+/g, '-').toLowerCase()}-${generation.id.slice(0, 8)}.zip`;
      const saved = await saveResponseAs(response, name);
      announce(`Downloaded ${saved.name}.`);
    } catch (err) {
      if (ctx.alive) downloadErrors.append(alertBox(`The download failed: ${errorText(err)}`));
    } finally {
      download.disabled = false;
      setText(download, 'Download zip');
    }
  });

  append(body, [
    outcomeSummary(generation),
    h(
      'section',
      { class: 'card result', 'aria-labelledby': 'result-heading' },
      h('div', { class: 'result-head' }, h('h2', { id: 'result-heading' }, 'Result'), download),
      downloadErrors,
      h('div', { class: 'result-panes' }, treeBox, viewer),
      wholeDiff,
    ),
    iterateForm(ctx, generation),
  ]);

  const filesPromise = api.files(generation.id);
  const diffPromise =
    generation.is_iteration || generation.parent_generation_id
      ? api.diff(generation.id).catch(() => null)
      : Promise.resolve(null);

  Promise.all([filesPromise, diffPromise])
    .then(([answer, diffText]) => {
      if (!ctx.alive) return;
      const files = ((answer && answer.files) || []).slice().sort((a, b) => a.path.localeCompare(b.path));
      const perFile = diffText ? parseDiff(diffText) : new Map();
      clear(treeBox);
      if (!files.length) {
        treeBox.append(h('p', { class: 'muted' }, 'This generation has no files.'));
        setText(viewer, '');
        return;
      }
      const counts = {};
      for (const f of files) if (f.change) counts[f.change] = (counts[f.change] || 0) + 1;
      const summary = Object.entries(counts)
        .filter(([k]) => k !== 'unchanged')
        .map(([k, n]) => `${n} ${k}`)
        .join(', ');
      append(treeBox, [
        h('h3', {}, `${files.length} file${files.length === 1 ? '' : 's'}`),
        summary ? h('p', { class: 'hint change-summary' }, `Changes: ${summary}`) : null,
        fileTree(files, (file, button) => openFile(viewer, file, perFile.get(file.path), treeBox, button)),
      ]);
      if (files.some((f) => f.path === 'index.html' && f.change !== 'deleted')) {
        body.insertBefore(previewSection(ctx, generation), body.querySelector('section.result'));
      }
      const first = files.find((f) => f.change && f.change !== 'unchanged' && f.change !== 'deleted') || files.find((f) => /readme/i.test(f.path)) || files[0];
      const firstButton = treeBox.querySelector(`button[data-path="${CSS.escape(first.path)}"]`);
      openFile(viewer, first, perFile.get(first.path), treeBox, firstButton);
      if (diffText) {
        wholeDiff.append(
          h(
            'details',
            { class: 'diff-all' },
            h('summary', {}, 'All changes against the previous generation (unified diff)'),
            diffView(diffText),
          ),
        );
      }
    })
    .catch((err) => {
      if (!ctx.alive) return;
      clear(treeBox);
      treeBox.append(alertBox(`The files could not be loaded: ${errorText(err)}`));
    });
}

// A web page runs in a sandboxed iframe (scripts, but no same-origin: no access to this app's storage),
// from a short-lived link whose Content-Security-Policy forbids any network request.
function previewSection(ctx, generation) {
  const frameBox = h('div', { class: 'preview-frame' });
  const problems = h('div', {});
  const reload = h('button', { type: 'button' }, 'Reload preview');
  const load = async () => {
    clear(problems);
    reload.disabled = true;
    try {
      const link = await api.previewToken(generation.id);
      if (!ctx.alive) return;
      clear(frameBox);
      frameBox.append(
        // the sandbox attribute is set before src, and the frame navigates only once attached
        h('iframe', { sandbox: 'allow-scripts', title: 'Preview of the generated page', src: link.preview_url }),
      );
    } catch (err) {
      if (ctx.alive) problems.append(alertBox(`The preview could not be opened: ${errorText(err)}`));
    } finally {
      reload.disabled = false;
    }
  };
  reload.addEventListener('click', load);
  load();
  return h(
    'section',
    { class: 'card preview', 'aria-labelledby': 'preview-heading' },
    h('div', { class: 'result-head' }, h('h2', { id: 'preview-heading' }, 'Preview'), reload),
    h('p', { class: 'hint' }, 'The generated page, running sandboxed: it cannot reach the network or this site.'),
    problems,
    frameBox,
  );
}

const REQUIREMENT_MARKS = {
  met: ['✓', 'met'],
  substituted: ['≈', 'substituted'],
  unmet: ['✗', 'not done'],
};

function requirementItem(item) {
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
function outcomeSummary(generation) {
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

function buildTree(files) {
  const root = { dirs: new Map(), files: [] };
  for (const file of files) {
    const parts = file.path.split('/');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      if (!node.dirs.has(part)) node.dirs.set(part, { dirs: new Map(), files: [] });
      node = node.dirs.get(part);
    }
    node.files.push({ name: parts[parts.length - 1], file });
  }
  return root;
}

function fileTree(files, onOpen) {
  const renderNode = (node) => {
    const ul = h('ul', { role: 'list' });
    for (const [name, child] of [...node.dirs.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      ul.append(h('li', { class: 'dir' }, h('details', { open: true }, h('summary', {}, `${name}/`), renderNode(child))));
    }
    for (const { name, file } of node.files) {
      const button = h(
        'button',
        { type: 'button', class: 'file', dataset: { path: file.path, change: file.change || '' }, title: file.path },
        h('span', { class: 'file-name' }, name),
        file.change && file.change !== 'unchanged' ? h('span', { class: `change change-${file.change}` }, file.change) : null,
      );
      button.addEventListener('click', () => onOpen(file, button));
      ul.append(h('li', {}, button));
    }
    return ul;
  };
  return renderNode(buildTree(files));
}

function codeBlock(content, language) {
  const text = String(content ?? '');
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const gutter = h('pre', { class: 'gutter', 'aria-hidden': 'true' }, lines.map((_, i) => i + 1).join('\n'));
  const code = h('code', { class: `language-${language}` });
  code.append(highlight(text, language));
  return h('div', { class: 'code', tabindex: '0', role: 'region', 'aria-label': 'Code' }, gutter, h('pre', { class: 'source' }, code));
}

async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* fall through to the old way */
  }
  const area = h('textarea', { class: 'visually-hidden', readonly: true });
  area.value = text;
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

function openFile(viewer, file, diffText, treeBox, button) {
  for (const b of treeBox.querySelectorAll('button.file[aria-current]')) b.removeAttribute('aria-current');
  if (button) button.setAttribute('aria-current', 'true');
  const language = languageFor(file.path, file.language);
  const status = h('span', { class: 'copy-status', role: 'status' });
  const copy = h('button', { type: 'button', class: 'copy' }, 'Copy');
  copy.addEventListener('click', async () => {
    const ok = await copyText(file.content || '');
    setText(status, ok ? 'Copied to the clipboard.' : 'Copy failed: select the code and copy it by hand.');
  });
  const pane = h('div', { class: 'viewer-pane' });
  const deleted = file.change === 'deleted';
  const showCode = () => {
    clear(pane);
    if (deleted) pane.append(h('p', { class: 'muted' }, 'This file was deleted in this iteration.'));
    else pane.append(codeBlock(file.content, language));
  };
  const showDiff = () => {
    clear(pane);
    pane.append(diffView(diffText));
  };
  let tabs = null;
  if (diffText) {
    const codeTab = h('button', { type: 'button', 'aria-pressed': 'true' }, 'Code');
    const diffTab = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Changes');
    codeTab.addEventListener('click', () => {
      codeTab.setAttribute('aria-pressed', 'true');
      diffTab.setAttribute('aria-pressed', 'false');
      showCode();
    });
    diffTab.addEventListener('click', () => {
      codeTab.setAttribute('aria-pressed', 'false');
      diffTab.setAttribute('aria-pressed', 'true');
      showDiff();
    });
    tabs = h('div', { class: 'tabs', role: 'group', 'aria-label': 'View' }, codeTab, diffTab);
    if (deleted) {
      codeTab.setAttribute('aria-pressed', 'false');
      diffTab.setAttribute('aria-pressed', 'true');
    }
  }
  clear(viewer);
  viewer.append(
    h(
      'div',
      { class: 'viewer-head' },
      h('h3', { class: 'file-path' }, file.path),
      h('span', { class: 'muted file-meta' }, `${language} · ${formatBytes(file.size ?? (file.content || '').length)}`),
      file.change && file.change !== 'unchanged' ? h('span', { class: `change change-${file.change}` }, file.change) : null,
      tabs,
      copy,
      status,
    ),
    pane,
  );
  if (deleted && diffText) showDiff();
  else showCode();
}

// Split a unified diff into path -> the text of that file's part.
export function parseDiff(text) {
  const result = new Map();
  const lines = String(text).split('\n');
  let section = null;
  const clean = (p) =>
    p
      .replace(/\t.*$/, '')
      .trim()
      .replace(/^"|"$/g, '')
      .replace(/^[ab]\//, '');
  const flush = () => {
    if (section && section.path) {
      const previous = result.get(section.path);
      result.set(section.path, (previous ? previous + '\n' : '') + section.lines.join('\n'));
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('diff --git ')) {
      flush();
      const m = /^diff --git a\/(.+?) b\/(.+)$/.exec(line);
      section = { path: m ? m[2] : null, lines: [line], sawHeader: false };
      continue;
    }
    if (line.startsWith('--- ') && i + 1 < lines.length && lines[i + 1].startsWith('+++ ')) {
      if (!section || section.sawHeader) {
        flush();
        section = { path: null, lines: [], sawHeader: false };
      }
      const minus = clean(line.slice(4));
      const plus = clean(lines[i + 1].slice(4));
      section.path = plus && plus !== '/dev/null' ? plus : minus;
      section.sawHeader = true;
      section.lines.push(line, lines[i + 1]);
      i += 1;
      continue;
    }
    if (section) section.lines.push(line);
  }
  flush();
  return result;
}

function diffView(text) {
  const pre = h('pre', { class: 'diff', tabindex: '0', 'aria-label': 'Changes' });
  for (const line of String(text).replace(/\n$/, '').split('\n')) {
    let cls = 'diff-context';
    if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff ') || line.startsWith('index ')) cls = 'diff-meta';
    else if (line.startsWith('@@')) cls = 'diff-hunk';
    else if (line.startsWith('+')) cls = 'diff-add';
    else if (line.startsWith('-')) cls = 'diff-del';
    pre.append(h('span', { class: cls }, line), '\n');
  }
  return pre;
}

function iterateForm(ctx, generation, { after = null, heading = 'Iterate on this result' } = {}) {
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

// ---------------------------------------------------------------- one project as a conversation

// Every prompt of a project and what became of it, oldest first: the prompt, then the result with its
// checklist, its files or its changes; at the end a follow-up on the newest completed result.
async function conversationScreen(ctx, projectId) {
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

// ---------------------------------------------------------------- history

function generationRow(g, { showProject = false } = {}) {
  const prompt = g.prompt || '';
  const short = prompt.length > 120 ? `${prompt.slice(0, 117)}…` : prompt;
  return h(
    'li',
    { class: 'generation-row', dataset: { generationId: g.id, status: g.status } },
    statusBadge(g.status),
    ' ',
    h('a', { href: `#/g/${g.id}` }, short || g.id),
    h(
      'span',
      { class: 'muted meta' },
      showProject && g.project_name ? `${g.project_name} · ` : '',
      g.generation_mode || '',
      g.is_iteration ? ' · iteration' : '',
      ' · ',
      timeEl(g.created_at),
    ),
    requirementCounts(g.requirement_counts),
  );
}

function requirementCounts(counts) {
  if (!counts || !(counts.unmet || counts.substituted)) return null;
  const parts = [];
  if (counts.unmet) parts.push(`${counts.unmet} not done`);
  if (counts.substituted) parts.push(`${counts.substituted} substituted`);
  return h('span', { class: 'requirement-counts', dataset: { unmet: String(counts.unmet || 0) } }, parts.join(', '));
}

function newestFirst(list) {
  return (list || []).slice().sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
}

function historyScreen(ctx) {
  const projectsBox = h('div', {}, h('p', { class: 'muted' }, 'Loading projects…'));
  const recentList = h('ol', { class: 'generation-list', 'aria-label': 'Recent generations' });
  const recentErrors = h('div', {});
  const more = h('button', { type: 'button', hidden: true }, 'Show older generations');
  let cursor = null;

  screen(
    'History',
    h('section', { class: 'card', 'aria-labelledby': 'projects-heading' }, h('h2', { id: 'projects-heading' }, 'Projects'), projectsBox),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'recent-heading' },
      h('h2', { id: 'recent-heading' }, 'All generations, newest first'),
      recentList,
      recentErrors,
      h('div', { class: 'actions' }, more),
    ),
  );

  const loadRecent = async () => {
    more.disabled = true;
    clear(recentErrors);
    try {
      const page = await api.generations({ limit: 20, cursor });
      if (!ctx.alive) return;
      for (const g of page.items || []) recentList.append(generationRow(g, { showProject: true }));
      if (!recentList.children.length) recentList.append(h('li', { class: 'muted' }, 'No generations yet.'));
      cursor = page.next_cursor || null;
      more.hidden = !cursor;
    } catch (err) {
      if (ctx.alive) recentErrors.append(alertBox(errorText(err)));
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener('click', loadRecent);
  loadRecent();

  api
    .projects()
    .then((answer) => {
      if (!ctx.alive) return;
      clear(projectsBox);
      const items = (answer && answer.items) || [];
      if (!items.length) {
        projectsBox.append(
          h('p', {}, 'No projects yet. ', h('a', { href: '#/new' }, 'Start your first generation'), ': a project is created for it.'),
        );
        return;
      }
      const list = h('ul', { class: 'projects', role: 'list' });
      items
        .slice()
        .sort((a, b) => String(b.updated_at || b.created_at).localeCompare(String(a.updated_at || a.created_at)))
        .forEach((p, index) => {
          const gens = h('div', { class: 'project-generations' }, h('p', { class: 'muted' }, 'Loading…'));
          const details = h(
            'details',
            { dataset: { projectId: p.id } },
            h(
              'summary',
              {},
              h('span', { class: 'project-name' }, p.name),
              h('span', { class: 'muted' }, ` · ${p.domain || 'general'} · ${p.generation_count ?? 0} generation${p.generation_count === 1 ? '' : 's'}`),
            ),
            p.description ? h('p', { class: 'hint' }, p.description) : null,
            gens,
            h(
              'p',
              {},
              h('a', { href: `#/p/${encodeURIComponent(p.id)}` }, 'Open the conversation'),
              ' · ',
              h('a', { href: `#/new?project=${encodeURIComponent(p.id)}` }, `New generation in ${p.name}`),
            ),
          );
          let loaded = false;
          const load = async () => {
            if (loaded || !details.open) return;
            loaded = true;
            try {
              const full = await api.project(p.id);
              if (!ctx.alive) return;
              clear(gens);
              const rows = newestFirst(full.generations);
              gens.append(
                rows.length
                  ? h('ol', { class: 'generation-list' }, rows.map((g) => generationRow(g)))
                  : h('p', { class: 'muted' }, 'No generations in this project.'),
              );
            } catch (err) {
              loaded = false;
              if (ctx.alive) {
                clear(gens);
                gens.append(alertBox(errorText(err)));
              }
            }
          };
          details.addEventListener('toggle', load);
          if (index === 0) details.open = true;
          list.append(h('li', {}, details));
        });
      projectsBox.append(list);
    })
    .catch((err) => {
      if (!ctx.alive) return;
      clear(projectsBox);
      projectsBox.append(alertBox(errorText(err)));
    });
}

// ---------------------------------------------------------------- start

onUnauthorized(() => {
  if (getToken()) signOut('Your session has ended. Sign in again to continue.');
});

document.getElementById('sign-out').addEventListener('click', () => {
  signOut('You are signed out.');
});

document.querySelector('.skip-link').addEventListener('click', (event) => {
  event.preventDefault(); // keep the route in the hash
  main.focus();
});

window.addEventListener('hashchange', render);
render();
