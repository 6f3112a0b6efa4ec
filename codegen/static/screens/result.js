// A completed generation: what was built, the preview of a web page, its files and changes, the
// download, and the iterate form.

import { api, saveResponseAs } from '../api.js';
import { h, append, clear, setText } from '../dom.js';
import { outcomeSummary } from '../parts/checklist.js';
import { diffView, parseDiff } from '../parts/diff.js';
import { fileTree, openFile } from '../parts/files.js';
import { previewSection } from '../parts/preview.js';
import { iterateForm } from '../parts/prompt-form.js';
import { alertBox, announce, errorText } from '../ui.js';

export function resultView(ctx, generation, body) {
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
