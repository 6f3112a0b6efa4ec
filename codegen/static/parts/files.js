// A generation's files: the tree, and the viewer of one file (highlighted code, its changes, Copy).

import { h, clear, setText, formatBytes } from '../dom.js';
import { highlight, languageFor } from '../highlight.js';
import { diffView } from './diff.js';

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

export function fileTree(files, onOpen) {
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

export function openFile(viewer, file, diffText, treeBox, button) {
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
