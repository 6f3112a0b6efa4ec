// What every screen shares: the page's fixed elements, drawing a screen, moving to another route,
// the announcer, and the small pieces each screen shows (alerts, status badges, stage names).

import { api, ApiError } from './api.js';
import { h, append, clear } from './dom.js';

// sessionStorage keys: where to go after signing in, the sign-in screen's notice, a prompt to prefill
export const NEXT_KEY = 'codegen.next';
export const NOTICE_KEY = 'codegen.notice';
export const DRAFT_KEY = 'codegen.draft';

export const STAGES = {
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

export const main = document.getElementById('main');
const announcer = document.getElementById('announcer');

// GET /api/generator, asked once: example prompts and placeholders that work with the configured generator
let generatorInfo = null;
export function generatorDescription() {
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

// The router (app.js) draws the route on every hashchange; going to the route already shown draws it again.
export function go(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

export function screen(title, ...children) {
  const heading = h('h1', { tabindex: '-1' }, title);
  clear(main);
  append(main, [heading, ...children]);
  document.title = `${typeof title === 'string' ? title : heading.textContent} · codegen`;
  return heading;
}

export function focusHeading() {
  const heading = main.querySelector('h1');
  if (heading) heading.focus({ preventScroll: false });
}

export function errorText(err) {
  if (err instanceof ApiError) return err.message;
  if (err && typeof err.message === 'string' && err.message) return err.message;
  return 'Something went wrong. Please try again.';
}

export function alertBox(message, extra = []) {
  return h('div', { class: 'alert', role: 'alert' }, h('p', {}, message), extra);
}

export function noticeBox(message) {
  return h('div', { class: 'notice', role: 'status' }, h('p', {}, message));
}

export function statusBadge(status) {
  return h('span', { class: `badge status-${status || 'unknown'}` }, status || 'unknown');
}

export function stageLabel(stage) {
  return STAGE_LABELS[stage] || String(stage || '');
}

export function newestFirst(list) {
  return (list || []).slice().sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
}
