// The dashboard: plain JavaScript, no build step, no network beyond this server. Every request
// carries the API key (kept in sessionStorage, never in localStorage or a cookie) and the chosen
// namespace; the server's access control decides what each key may see and do. Memory text is
// only ever put into the page as text (textContent), never as HTML.
(function () {
  'use strict';
  const main = document.getElementById('main');
  const state = {
    key: sessionStorage.getItem('memory.key') || '',
    namespace: sessionStorage.getItem('memory.namespace') || '',
  };

  // ---- DOM helpers ----
  function h(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (k === 'class') e.className = v;
      else if (k === 'style') e.style.cssText = v; // CSSOM: allowed by the page's Content-Security-Policy
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }
  // Each navigation gets its own show(): a page still loading when the user has moved on must not
  // paint over the page they moved to.
  let navigation = 0;
  function showFor(token) {
    return (...nodes) => {
      if (token === navigation) main.replaceChildren(...nodes);
    };
  }
  function toast(text, error) {
    const box = document.getElementById('toast');
    const m = h('div', { class: 'msg' + (error ? ' error' : ''), 'data-testid': error ? 'error' : 'notice' }, text);
    box.appendChild(m);
    setTimeout(() => m.remove(), error ? 8000 : 4000);
  }
  const fmt = iso => iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '') : '';

  // ---- the API ----
  async function api(method, path, body, raw) {
    const headers = { 'Accept': 'application/json' };
    if (state.key) headers['Authorization'] = 'Bearer ' + state.key;
    if (state.namespace) headers['X-Persona'] = encodeURIComponent(state.namespace);
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (raw) {
      if (!r.ok) throw new Error(method + ' ' + path + ': HTTP ' + r.status);
      return r;
    }
    const text = await r.text();
    const json = text ? JSON.parse(text) : {};
    if (!r.ok) {
      const e = json.error || {};
      const field = e.details && e.details.field ? ' (' + e.details.field + ')' : '';
      throw new Error((e.code || 'HTTP ' + r.status) + ': ' + (e.message || text) + field);
    }
    return json;
  }
  function guard(fn) {
    return async (...args) => {
      try {
        await fn(...args);
      } catch (err) {
        toast(err.message, true);
      }
    };
  }
  function qs(params) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== '' && v !== null && v !== undefined) p.set(k, v);
    const s = p.toString();
    return s ? '?' + s : '';
  }

  // ---- session: key and namespace ----
  const keyInput = document.getElementById('key');
  const nsInput = document.getElementById('namespace');
  keyInput.value = state.key;
  nsInput.value = state.namespace;
  document.getElementById('session').addEventListener('submit', ev => {
    ev.preventDefault();
    state.key = keyInput.value.trim();
    state.namespace = nsInput.value.trim();
    sessionStorage.setItem('memory.key', state.key);
    sessionStorage.setItem('memory.namespace', state.namespace);
    route();
  });

  // ---- pages ----
  const pages = {};

  pages.overview = guard(async (_, show) => {
    show(h('h2', {}, 'Overview'), h('p', { class: 'muted' }, 'Loading…'));
    const health = await fetch('/health').then(r => r.json());
    const cards = h('div', { class: 'cards', 'data-testid': 'health' },
      card('Status', health.status, health.version ? 'version ' + health.version : ''),
      card('Memories', health.memories, 'every namespace'),
      card('Model', health.model, (health.dimension || '') + ' dimensions'),
      card('Backend', health.backend, ''),
      card('Ingest jobs', health.ingest_jobs ? health.ingest_jobs.queued + ' queued' : '', health.ingest_jobs ? health.ingest_jobs.failed + ' failed, ' + health.ingest_jobs.done + ' done' : ''));
    const parts = [h('h2', {}, 'Overview'), cards];
    if (health.rebuild) parts.push(h('p', {}, 'Rebuilding embeddings: ' + health.rebuild.done + ' / ' + health.rebuild.total + ' → ' + health.rebuild.to));
    if (health.cluster) {
      parts.push(h('h3', {}, 'Cluster members'), table(['member', 'roles', 'address'],
        (health.cluster.members || []).map(m => [m.node_id || m.id || '', (m.roles || []).join(', '), m.host ? m.host + ':' + (m.http_port || '') : ''])));
    }
    show(...parts);
    try {
      const ns = await api('GET', '/api/v1/namespaces');
      const list = document.getElementById('namespaces');
      list.replaceChildren(...ns.namespaces.map(n => h('option', { value: n.namespace })));
      parts.push(h('h3', {}, 'Namespaces'), table(['namespace', 'memories'], ns.namespaces.map(n => [
        h('a', { href: '#/memories', onclick: () => { state.namespace = n.namespace; nsInput.value = n.namespace; sessionStorage.setItem('memory.namespace', n.namespace); } }, n.namespace),
        n.memories]), 'namespaces'));
      const stats = await api('GET', '/api/v1/stats');
      parts.push(h('h3', {}, 'This namespace: ' + (state.namespace || stats.namespace)), h('div', { class: 'row' },
        h('div', {}, h('h3', {}, 'By type'), table(['type', 'memories'], Object.entries(stats.by_type))),
        h('div', {}, h('h3', {}, 'By scope'), table(['scope', 'memories'], Object.entries(stats.by_scope)),
          h('h3', {}, 'By source'), table(['source', 'memories'], Object.entries(stats.by_source))),
        h('div', {}, h('h3', {}, 'Growth (memories created per day)'), bars(stats.growth.map(g => g.created)),
          h('p', { class: 'muted' }, stats.growth.length ? stats.growth[0].day + ' … ' + stats.growth[stats.growth.length - 1].day : 'none yet'))),
        h('h3', {}, 'Recalled most'), table(['memory', 'recalls', 'last'], stats.top_accessed.map(m => [
          h('a', { href: '#/memory/' + encodeURIComponent(m.id) }, m.content), m.access_count, fmt(m.last_accessed)])));
      show(...parts);
    } catch (err) {
      parts.push(h('p', { class: 'muted' }, err.message));
      show(...parts);
    }
  });

  function card(title, value, sub) {
    return h('div', { class: 'card' }, h('div', { class: 'muted' }, title), h('div', { class: 'big' }, value ?? '—'), h('div', { class: 'muted' }, sub));
  }
  function table(headers, rows, testid, onRow) {
    return h('table', { 'data-testid': testid || null },
      h('thead', {}, h('tr', {}, headers.map(t => h('th', {}, t)))),
      h('tbody', {}, rows.map((r, i) => h('tr', onRow ? { class: 'clickable', onclick: () => onRow(i) } : {},
        r.map(c => h('td', { class: typeof c === 'string' && c.length > 40 ? 'content' : null }, c))))));
  }
  function bars(values) {
    const max = Math.max(1, ...values);
    return h('div', { class: 'bars' }, values.slice(-90).map(v => h('div', { style: 'height:' + Math.max(2, 80 * v / max) + 'px', title: String(v) })));
  }
  function tags(list) {
    return h('span', {}, (list || []).map(t => h('span', { class: 'tag' }, t)));
  }

  // memories: search or browse, with filters
  pages.memories = guard(async (_, show) => {
    const f = h('form', { class: 'filters', 'data-testid': 'memory-filters' },
      h('label', {}, 'Search', h('input', { name: 'query', type: 'search', size: 30, placeholder: 'by meaning and keywords' })),
      h('label', {}, 'Type', select('type', ['', 'fact', 'preference', 'decision', 'rule', 'note', 'knowledge', 'work', 'person', 'project', 'concept', 'event'])),
      h('label', {}, 'Scope', select('scope', ['', 'global', 'team', 'project'])),
      h('label', {}, 'Scope id', h('input', { name: 'scope_id', size: 10 })),
      h('label', {}, 'Tag', h('input', { name: 'tags', size: 10 })),
      h('label', {}, 'Category', h('input', { name: 'category', size: 10 })),
      h('label', {}, 'Since', h('input', { name: 'since', type: 'date' })),
      h('label', {}, 'Until', h('input', { name: 'until', type: 'date' })),
      h('button', { type: 'submit' }, 'Show'));
    const results = h('div', { id: 'results' });
    show(h('h2', {}, 'Memories'), f, results);
    let cursor = null;
    const load = guard(async (more) => {
      const d = Object.fromEntries(new FormData(f).entries());
      const filters = {};
      for (const k of ['type', 'scope', 'scope_id', 'category']) if (d[k]) filters[k] = d[k];
      if (d.tags) filters.tags = d.tags.split(',').map(s => s.trim()).filter(Boolean);
      if (d.since) filters.since = d.since + 'T00:00:00Z';
      if (d.until) filters.until = d.until + 'T23:59:59Z';
      let memories, next = null;
      if (d.query) {
        const r = await api('POST', '/api/v1/search', { query: d.query, limit: 50, filters });
        memories = r.results;
      } else {
        const p = Object.assign({}, filters, { tags: filters.tags ? filters.tags.join(',') : '', limit: 50, cursor: more ? cursor : '' });
        const r = await api('GET', '/api/v1/memories' + qs(p));
        memories = r.memories;
        next = r.next_cursor;
      }
      cursor = next;
      const rows = memories.map(m => [m.content, m.type, m.scope_id || m.scope, tags(m.tags), m.category || '', fmt(m.created_at)]);
      const t = table(['content', 'type', 'scope', 'tags', 'category', 'created'], rows, 'memory-list', i => { location.hash = '#/memory/' + encodeURIComponent(memories[i].id); });
      const nodes = [h('p', { class: 'muted' }, memories.length + ' shown'), t];
      if (next) nodes.push(h('button', { class: 'secondary', onclick: () => load(true) }, 'More'));
      if (more) results.append(...nodes.slice(1)); else results.replaceChildren(...nodes);
    });
    f.addEventListener('submit', ev => { ev.preventDefault(); load(false); });
    await load(false);
  });

  function select(name, values, current) {
    return h('select', { name }, values.map(v => h('option', { value: v, selected: v === current }, v || 'any')));
  }

  // one memory: fields, edit, forget, history with restore, relations
  pages.memory = guard(async (id, show) => {
    show(h('p', { class: 'muted' }, 'Loading…'));
    let memory = null;
    try {
      memory = (await api('GET', '/api/v1/memories/' + encodeURIComponent(id))).memory;
    } catch (err) {
      if (!/NOT_FOUND/.test(err.message)) throw err;
    }
    const history = await api('GET', '/api/v1/memories/' + encodeURIComponent(id) + '/history').catch(() => ({ events: [] }));
    const parts = [h('h2', {}, memory ? 'Memory' : 'Deleted memory'), h('p', { class: 'muted' }, id)];
    if (memory) {
      const form = h('form', { 'data-testid': 'edit-form' },
        h('label', {}, 'Content', h('textarea', { name: 'content' }, memory.content)),
        h('div', { class: 'row' },
          h('label', {}, 'Type ', select('type', ['fact', 'preference', 'decision', 'rule', 'note', 'knowledge', 'work', 'person', 'project', 'concept', 'event'], memory.type)),
          h('label', {}, 'Tags ', h('input', { name: 'tags', value: (memory.tags || []).join(', ') })),
          h('label', {}, 'Category ', h('input', { name: 'category', value: memory.category || '' })),
          h('label', {}, 'Importance ', h('input', { name: 'importance', type: 'number', min: 0, max: 1, step: 0.05, value: memory.importance }))),
        h('p', {}, h('button', { type: 'submit' }, 'Save'), ' ',
          h('button', { type: 'button', class: 'danger', 'data-testid': 'forget', onclick: guard(async () => {
            if (!confirm('Forget this memory? Its history is kept and it can be restored.')) return;
            await api('DELETE', '/api/v1/memories/' + encodeURIComponent(id));
            toast('Forgotten; restore it from its history.');
            route();
          }) }, 'Forget')));
      form.addEventListener('submit', guard(async ev => {
        ev.preventDefault();
        const d = Object.fromEntries(new FormData(form).entries());
        const patch = { content: d.content, type: d.type, category: d.category || null, importance: Number(d.importance),
          tags: d.tags.split(',').map(s => s.trim()).filter(Boolean) };
        const r = await api('PATCH', '/api/v1/memories/' + encodeURIComponent(id), patch);
        toast(r.changed ? 'Saved: ' + Object.keys(r.changes).join(', ') : 'Nothing changed');
        route();
      }));
      parts.push(h('dl', { class: 'fields' },
        ['scope', 'scope_id', 'source', 'session_id', 'created_at', 'updated_at', 'expires_at', 'access_count', 'embedding_model']
          .flatMap(k => [h('dt', {}, k), h('dd', {}, String(memory[k] ?? '—'))])), form);
    } else {
      parts.push(h('p', {}, h('button', { 'data-testid': 'restore-deleted', onclick: guard(async () => {
        await api('POST', '/api/v1/memories/' + encodeURIComponent(id) + '/restore');
        toast('Restored');
        route();
      }) }, 'Restore')));
    }
    const relations = memory ? await api('GET', '/api/v1/memories/' + encodeURIComponent(id) + '/relations').catch(() => ({ relations: [] })) : { relations: [] };
    parts.push(h('h3', {}, 'Relations'), relations.relations.length ? table(['from', 'relation', 'to'], relations.relations.map(r => [
      h('a', { href: '#/memory/' + encodeURIComponent(r.source_id) }, r.source_id), r.relation_type || r.type, h('a', { href: '#/memory/' + encodeURIComponent(r.target_id) }, r.target_id)]), 'relations')
      : h('p', { class: 'muted' }, 'none'));
    parts.push(h('h3', {}, 'History'), table(['#', 'event', 'by', 'at', 'what', ''], history.events.map(e => [
      e.seq, e.type, e.actor || '', fmt(e.at), describe(e),
      memory && (e.type === 'UPDATE' || (e.type === 'MERGE' && e.data && e.data.previous))
        ? h('button', { class: 'secondary', 'data-testid': 'restore-' + e.seq, onclick: guard(async () => {
          const r = await api('POST', '/api/v1/memories/' + encodeURIComponent(id) + '/restore', { event_seq: e.seq });
          toast('Restored ' + r.restored.join(', '));
          route();
        }) }, 'Restore before this') : '']), 'history'));
    show(...parts);
  });

  function describe(e) {
    const d = e.data || {};
    if (e.type === 'UPDATE' && d.changes) return Object.entries(d.changes).map(([k, v]) => k + ': ' + short(v.from) + ' → ' + short(v.to)).join('; ');
    if (e.type === 'MERGE') return (d.action || 'merged') + (d.merged ? ' ' + d.merged.length + ' memories' : '') + (d.reason ? ' (' + d.reason + ')' : '');
    if (e.type === 'CREATE') return d.restored_from_event ? 'restored from event ' + d.restored_from_event : 'created';
    if (e.type === 'DELETE') return 'deleted';
    if (e.type === 'ACCESS') return 'recalled';
    return '';
  }
  function short(v) {
    const s = v === null || v === undefined ? '∅' : typeof v === 'string' ? v : JSON.stringify(v);
    return s.length > 60 ? s.slice(0, 59) + '…' : s;
  }

  // ingest jobs
  pages.ingest = guard(async (_, show) => {
    const r = await api('GET', '/api/v1/ingest' + qs({ limit: 50 }));
    show(h('h2', {}, 'Recent ingest jobs'), r.jobs.length ? table(['job', 'status', 'messages', 'attempts', 'created', 'finished', 'error'],
      r.jobs.map(j => [j.job_id, j.status, j.messages, j.attempts, fmt(j.created_at), fmt(j.finished_at), j.error || '']), 'ingest-jobs')
      : h('p', { class: 'muted' }, 'No ingest jobs in this namespace.'));
  });

  // admin tools: duplicates + merge, clean, rebuild, migrate
  pages.tools = guard(async (_, show) => {
    const dupForm = h('form', { class: 'filters', 'data-testid': 'duplicates-form' },
      h('label', {}, 'Threshold', h('input', { name: 'threshold', type: 'number', step: 0.01, min: 0, max: 1, value: 0.9 })),
      h('label', {}, 'Pairs', h('input', { name: 'limit', type: 'number', min: 1, max: 500, value: 50 })),
      h('button', { type: 'submit' }, 'Detect duplicates'));
    const dupOut = h('div', { 'data-testid': 'duplicates' });
    dupForm.addEventListener('submit', guard(async ev => {
      ev.preventDefault();
      dupOut.replaceChildren(h('p', { class: 'muted' }, 'Looking…'), h('div', { class: 'progress' }, h('div', { style: 'width:50%' })));
      const d = Object.fromEntries(new FormData(dupForm).entries());
      const r = await api('GET', '/api/v1/duplicates' + qs({ threshold: d.threshold, limit: d.limit }));
      const chosen = new Set();
      const rows = r.pairs.map((p, i) => [
        h('input', { type: 'checkbox', 'aria-label': 'merge pair ' + (i + 1), onchange: ev2 => ev2.target.checked ? chosen.add(i) : chosen.delete(i) }),
        h('span', { class: 'badge ' + p.verdict }, p.verdict), p.score, p.newer.content, p.older.content, p.reason]);
      dupOut.replaceChildren(h('p', { class: 'muted' }, r.pairs.length + ' pair(s) among ' + r.scanned + ' memories' + (r.truncated ? ' (more exist)' : '')),
        table(['', 'verdict', 'score', 'newer', 'older', 'why'], rows, 'duplicate-pairs'),
        h('p', {}, h('button', { 'data-testid': 'merge-selected', onclick: guard(async () => {
          if (!chosen.size) { toast('Choose a pair first', true); return; }
          for (const i of chosen) {
            const p = r.pairs[i];
            await api('POST', '/api/v1/memories:merge', { ids: [p.older.id, p.newer.id], into: p.older.id });
          }
          toast('Merged ' + chosen.size + ' pair(s); undo from the memory\'s history.');
          dupForm.requestSubmit();
        }) }, 'Merge selected (newer into older)')));
    }));

    const cleanOut = h('div', { 'data-testid': 'clean' });
    const cleanRun = confirmIt => guard(async () => {
      const r = await api('POST', '/api/v1/admin/clean', { confirm: confirmIt });
      cleanOut.replaceChildren(h('p', {}, r.duplicates + ' exact duplicate(s) in ' + r.groups.length + ' group(s)' + (r.dry_run ? ' — nothing changed yet.' : ' merged.')),
        table(['keep', 'duplicates', 'text'], r.groups.map(g => [g.keep, g.duplicates.join(', '), g.content])),
        r.dry_run && r.groups.length ? h('button', { class: 'danger', onclick: cleanRun(true) }, 'Merge these') : '');
    });

    const rebuildOut = h('div', { 'data-testid': 'rebuild' });
    const rebuildShow = s => {
      const pct = s.total ? Math.round(100 * s.done / s.total) : 0;
      rebuildOut.replaceChildren(h('p', {}, 'Status: ' + s.status + (s.to ? ' (' + s.from + ' → ' + s.to + ')' : '') + '; ' + s.serving_model + ' answers recall.'),
        h('div', { class: 'progress' }, h('div', { style: 'width:' + pct + '%' })), h('p', { class: 'muted' }, (s.done || 0) + ' / ' + (s.total || 0) + (s.error ? ' — ' + s.error : '')));
      if (s.status === 'running') setTimeout(guard(async () => { if (location.hash === '#/tools') rebuildShow(await api('GET', '/api/v1/admin/rebuild')); }), 1000);
    };

    const migrateOut = h('div', {});
    const migrateForm = h('form', { class: 'filters' },
      h('label', {}, 'From', select('source', ['sqlite', 'qdrant'])), h('label', {}, 'To', select('target', ['qdrant', 'sqlite'])),
      h('label', {}, h('span', {}, 'Dry run'), h('input', { type: 'checkbox', name: 'dry_run', checked: true })),
      h('button', { type: 'submit' }, 'Migrate'));
    migrateForm.addEventListener('submit', guard(async ev => {
      ev.preventDefault();
      const d = Object.fromEntries(new FormData(migrateForm).entries());
      let s = await api('POST', '/api/v1/admin/migrate', { source: d.source, target: d.target, dry_run: !!d.dry_run });
      const poll = guard(async () => {
        s = await api('GET', '/api/v1/admin/migrate/' + encodeURIComponent(s.job_id));
        const pct = s.total ? Math.round(100 * s.done / s.total) : 0;
        migrateOut.replaceChildren(h('p', {}, 'Job ' + s.job_id + ': ' + s.status), h('div', { class: 'progress' }, h('div', { style: 'width:' + pct + '%' })),
          s.error ? h('p', { class: 'muted' }, s.error.message || JSON.stringify(s.error)) : '');
        if (s.status === 'running' || s.status === 'verifying') setTimeout(poll, 1000);
      });
      poll();
    }));

    show(h('h2', {}, 'Tools'),
      h('h3', {}, 'Duplicates'), h('p', { class: 'muted' }, 'Pairs that look alike, with what the dedupe would decide and why. Merging keeps every text; undo from the history.'), dupForm, dupOut,
      h('h3', {}, 'Clean exact duplicates'), h('p', {}, h('button', { class: 'secondary', 'data-testid': 'clean-dry-run', onclick: cleanRun(false) }, 'Find exact duplicates')), cleanOut,
      h('h3', {}, 'Rebuild embeddings'), h('p', {}, h('button', { class: 'secondary', 'data-testid': 'rebuild-start', onclick: guard(async () => rebuildShow(await api('POST', '/api/v1/admin/rebuild', {}))) }, 'Re-embed every memory')), rebuildOut,
      h('h3', {}, 'Migrate between backends'), migrateForm, migrateOut,
      h('h3', {}, 'Export'), h('p', {}, h('button', { class: 'secondary', onclick: guard(async () => download('/api/v1/export' + qs({ namespace: state.namespace }), 'memory-export.jsonl')) }, 'Download this namespace (JSON Lines)')));
    api('GET', '/api/v1/admin/rebuild').then(rebuildShow, () => rebuildOut.replaceChildren(h('p', { class: 'muted' }, 'Needs an admin key.')));
  });

  async function download(path, name) {
    const r = await api('GET', path, undefined, true);
    const url = URL.createObjectURL(await r.blob());
    const a = h('a', { href: url, download: name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // the knowledge graph
  pages.graph = guard(async (_, show) => {
    const f = h('form', { class: 'filters' },
      h('label', {}, 'Scope id', h('input', { name: 'scope_id', size: 12 })),
      h('label', {}, 'Memories', h('input', { name: 'limit', type: 'number', min: 1, max: 2000, value: 300 })),
      h('button', { type: 'submit' }, 'Draw'),
      h('button', { type: 'button', class: 'secondary', onclick: guard(async () => download('/api/v1/graph' + qs(Object.assign(Object.fromEntries(new FormData(f).entries()), { format: 'html' })), 'memory-graph.html')) }, 'Download HTML'),
      h('button', { type: 'button', class: 'secondary', onclick: guard(async () => download('/api/v1/graph' + qs(Object.fromEntries(new FormData(f).entries())), 'memory-graph.json')) }, 'Download JSON'));
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.id = 'graph-svg';
    const info = h('p', { class: 'muted', 'data-testid': 'graph-info' }, '');
    const detail = h('div', { class: 'card content', 'data-testid': 'graph-detail' }, 'Click a memory.');
    show(h('h2', {}, 'Knowledge graph'), f, info, svg, detail);
    const draw = guard(async () => {
      const g = await api('GET', '/api/v1/graph' + qs(Object.fromEntries(new FormData(f).entries())));
      const c = MemoryGraph.drawGraph(svg, g, d => {
        detail.replaceChildren(h('div', {}, h('strong', {}, d.type), ' · ', d.category || '', ' · ', h('a', { href: '#/memory/' + encodeURIComponent(d.id) }, d.id)), h('div', {}, d.content));
      });
      info.textContent = c.nodes + ' memories, ' + c.edges + ' relations';
    });
    f.addEventListener('submit', ev => { ev.preventDefault(); draw(); });
    await draw();
  });

  // the API reference, from /openapi.json
  pages.api = guard(async (_, show) => {
    const doc = await fetch('/openapi.json').then(r => r.json());
    const items = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        const params = (op.parameters || []).map(p => h('li', {}, h('code', {}, p.name), ' (' + p.in + (p.required ? ', required' : '') + ') ', p.description || ''));
        items.push(h('div', { class: 'endpoint', 'data-testid': 'endpoint' },
          h('div', {}, h('span', { class: 'method' }, method.toUpperCase()), h('code', {}, path), ' ', op.summary || ''),
          op.description ? h('p', { class: 'muted' }, op.description) : '',
          op['x-role'] ? h('p', {}, 'Who may call: ', h('strong', {}, op['x-role'])) : '',
          params.length ? h('ul', {}, params) : ''));
      }
    }
    show(h('h2', {}, doc.info.title + ' ' + doc.info.version), h('p', { class: 'muted' }, doc.info.description || ''), ...items);
  });

  // ---- routing ----
  function route() {
    const hash = location.hash || '#/';
    const [, page, arg] = hash.match(/^#\/([a-z]*)\/?(.*)$/) || [null, '', ''];
    const name = page || 'overview';
    for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.page === (name === 'memory' ? 'memories' : name));
    (pages[name] || pages.overview)(decodeURIComponent(arg || ''), showFor(++navigation));
  }
  window.addEventListener('hashchange', route);
  route();
})();
