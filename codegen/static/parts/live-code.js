// The live view's second card: the code of a running generation (screens/live.js).

import { h, setText } from '../dom.js';

// The code as it is written: a tree that fills as files start (finished ones marked) and the
// open file growing as it arrives. Follow mode shows the file being written and keeps its end in
// view; scrolling up or choosing a file leaves it, Follow (or scrolling back to the end) returns.
// The DOM changes at most once a frame, and by appending to one text node, so a fast model
// (50 updates a second and more) never blocks the page.
// `headingId`: the card's heading id (one per page: the conversation names it after its turn).
export function liveCode({ headingId = 'live-code-heading' } = {}) {
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
    { class: 'card live-code-card', 'aria-labelledby': headingId },
    h('div', { class: 'result-head' }, h('h2', { id: headingId }, 'Code'), follow),
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
