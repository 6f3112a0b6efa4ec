// #/history: the projects, each opening to its generations, and every generation, newest first.

import { api } from '../api.js';
import { h, clear, timeEl } from '../dom.js';
import { alertBox, errorText, newestFirst, screen, statusBadge } from '../ui.js';

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

export function historyScreen(ctx) {
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
