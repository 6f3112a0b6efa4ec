// Unified diffs: split into each file's part, and shown with its lines marked.

import { h } from '../dom.js';

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

export function diffView(text) {
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
