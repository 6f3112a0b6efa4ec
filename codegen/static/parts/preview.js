// A generated web page, running in a sandboxed iframe below its result.

import { api } from '../api.js';
import { h, clear } from '../dom.js';
import { alertBox, errorText } from '../ui.js';

// A web page runs in a sandboxed iframe (scripts, but no same-origin: no access to this app's storage),
// from a short-lived link whose Content-Security-Policy forbids any network request.
export function previewSection(ctx, generation) {
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
