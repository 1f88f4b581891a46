// The dashboard as a user drives it, in a real headless browser (Debian's chromium through
// puppeteer-core; its own browser download is never used), against a running service:
// load, search, open a memory, edit, restore from history, forget and restore, detect duplicates,
// open the graph, read the API reference; then /metrics through a Prometheus text-format parser.
// A failed step saves a screenshot (SCREENSHOT_DIR, default ./screenshots) and exits non-zero.
//
//   BASE_URL=http://127.0.0.1:26262 [CHROMIUM=/usr/bin/chromium] [API_KEY=…] node check.mjs
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { openPage, stepper } from './browser.mjs';

const base = process.env.BASE_URL || 'http://127.0.0.1:26262';
const key = process.env.API_KEY || '';
const ns = 'dashboard-check-' + Date.now().toString(36);
const deadline = setTimeout(() => { console.error('dashboard check: over 240 s'); process.exit(1); }, 240_000);

async function rest(method, path, body) {
  const headers = { 'Content-Type': 'application/json', 'X-Persona': ns };
  if (key) headers.Authorization = 'Bearer ' + key;
  const r = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

// what the user will look at
const editor = await rest('POST', '/api/v1/memories', { content: 'The user prefers the gruvbox theme in Neovim', type: 'preference' });
await rest('POST', '/api/v1/memories', { content: 'ユーザーは毎朝コーヒーを飲む', type: 'preference' });
const server = await rest('POST', '/api/v1/memories', { content: 'The build server is named hydra' });
const hydra2 = await rest('POST', '/api/v1/memories', { content: 'The build server hydra runs Ubuntu 24.04' });
await rest('POST', '/api/v1/relations', { source_id: hydra2.id, target_id: server.id, relation_type: 'related_to' });

const { browser, page } = await openPage();
const consoleErrors = [];
// a 4xx the page asked for on purpose (a deleted memory's 404) is not an error; a script error or a 5xx is
page.on('console', m => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) consoleErrors.push(m.text()); });
page.on('response', r => { if (r.status() >= 500) consoleErrors.push(r.status() + ' ' + r.url()); });
page.on('requestfailed', r => consoleErrors.push('request failed: ' + r.url()));
page.on('pageerror', e => consoleErrors.push(String(e)));
page.on('dialog', d => d.accept());
const { step, failed } = stepper(page);
const timings = {};

const text = sel => page.$eval(sel, e => e.innerText);
async function waitText(sel, needle, timeout = 15000) {
  await page.waitForFunction((s, n) => { const e = document.querySelector(s); return e && e.innerText.includes(n); }, { timeout }, sel, needle);
}

await step('load the overview with the key and namespace', async () => {
  const t0 = Date.now();
  await page.goto(base + '/', { waitUntil: 'domcontentloaded' });
  if (!page.url().endsWith('/ui/')) throw new Error('/ did not lead to /ui/: ' + page.url());
  await page.type('#namespace', ns);
  if (key) await page.type('#key', key);
  await page.click('#session button[type=submit]');
  await waitText('[data-testid=health]', 'healthy');
  await page.waitForSelector('[data-testid=namespaces]');
  timings.overview_ms = Date.now() - t0;
});

await step('list memories, Japanese text shown as written', async () => {
  const t0 = Date.now();
  await page.goto(base + '/ui/#/memories');
  await waitText('[data-testid=memory-list]', 'ユーザーは毎朝コーヒーを飲む');
  timings.memories_ms = Date.now() - t0;
  const t = await text('[data-testid=memory-list]');
  if (!t.includes('gruvbox')) throw new Error('the English memory is missing: ' + t);
});

await step('a page still loading does not paint over the one the user moved to', async () => {
  await page.evaluate(() => { location.hash = '#/'; });
  await page.evaluate(() => { location.hash = '#/memories'; }); // before the overview's data arrives
  await new Promise(r => setTimeout(r, 2000));
  await page.waitForSelector('[data-testid=memory-list]', { timeout: 15000 });
  const heading = await text('main h2');
  if (heading !== 'Memories') throw new Error('the page shows ' + heading);
});

await step('search by meaning', async () => {
  await page.$eval('[data-testid=memory-filters] input[name=query]', e => { e.value = ''; });
  await page.type('[data-testid=memory-filters] input[name=query]', 'which colour scheme does the user like in the editor');
  await page.click('[data-testid=memory-filters] button[type=submit]');
  await page.waitForFunction(() => {
    const row = document.querySelector('[data-testid=memory-list] tbody tr');
    return row && row.innerText.includes('gruvbox');
  }, { timeout: 15000 });
});

await step('open a memory and edit it', async () => {
  await page.click('[data-testid=memory-list] tbody tr');
  await page.waitForSelector('[data-testid=edit-form] textarea');
  if (!page.url().includes(encodeURIComponent(editor.id))) throw new Error('opened ' + page.url());
  await page.$eval('[data-testid=edit-form] textarea', e => { e.value = 'The user prefers the tokyonight theme in Neovim'; });
  await page.click('[data-testid=edit-form] button[type=submit]');
  await waitText('[data-testid=history]', 'UPDATE');
  const stored = await rest('GET', '/api/v1/memories/' + editor.id);
  if (!stored.memory.content.includes('tokyonight')) throw new Error('the edit did not reach the store: ' + stored.memory.content);
});

await step('restore the state before the edit from the history', async () => {
  const history = await rest('GET', '/api/v1/memories/' + editor.id + '/history');
  const update = history.events.filter(e => e.type === 'UPDATE').pop();
  await page.click(`[data-testid=restore-${update.seq}]`);
  await page.waitForFunction(() => document.querySelector('[data-testid=edit-form] textarea')?.value.includes('gruvbox'), { timeout: 15000 });
});

await step('forget it, then restore the deleted memory', async () => {
  await page.click('[data-testid=forget]');
  await page.waitForSelector('[data-testid=restore-deleted]', { timeout: 15000 });
  const gone = await fetch(base + '/api/v1/memories/' + editor.id, { headers: Object.assign({ 'X-Persona': ns }, key ? { Authorization: 'Bearer ' + key } : {}) });
  if (gone.status !== 404) throw new Error('still there after forget: ' + gone.status);
  await page.click('[data-testid=restore-deleted]');
  await page.waitForSelector('[data-testid=edit-form] textarea', { timeout: 15000 });
});

await step('detect duplicates', async () => {
  await page.goto(base + '/ui/#/tools');
  await page.waitForSelector('[data-testid=duplicates-form]');
  await page.$eval('[data-testid=duplicates-form] input[name=threshold]', e => { e.value = '0.75'; });
  await page.click('[data-testid=duplicates-form] button[type=submit]');
  await waitText('[data-testid=duplicate-pairs]', 'hydra');
  await waitText('[data-testid=rebuild]', 'answers recall');
});

await step('open the graph and a memory in it', async () => {
  await page.goto(base + '/ui/#/graph');
  await waitText('[data-testid=graph-info]', 'relations');
  const nodes = await page.$$eval('#graph-svg g.node', n => n.length);
  const edges = await page.$$eval('#graph-svg line', n => n.length);
  if (nodes < 4 || edges < 1) throw new Error(`graph has ${nodes} nodes and ${edges} edges`);
  await page.click(`#graph-svg g.node[data-id="${server.id}"]`);
  await waitText('[data-testid=graph-detail]', 'hydra');
});

await step('read the API reference', async () => {
  await page.goto(base + '/ui/#/api');
  await page.waitForSelector('[data-testid=endpoint]');
  const n = await page.$$eval('[data-testid=endpoint]', e => e.length);
  if (n < 40) throw new Error('only ' + n + ' operations listed');
});

await step('no script errors, no server errors, no request refused', async () => {
  if (consoleErrors.length) throw new Error(consoleErrors.join(' | '));
});

await step('/metrics parses as Prometheus text and counts this traffic', async () => {
  await rest('GET', '/api/v1/memories/' + server.id); // at least one request on a route with a parameter
  const r = await fetch(base + '/metrics', { headers: key ? { Authorization: 'Bearer ' + key } : {} });
  if (!r.ok) throw new Error('/metrics: ' + r.status);
  const families = parsePrometheusTextFormat(await r.text());
  const names = new Set(families.map(f => f.name));
  for (const want of ['vertx_http_server_requests_total', 'memory_search_seconds', 'memory_embedding_model_call_seconds',
    'memory_dedupe_decisions_total', 'memory_store_memories', 'memory_ingest_queue_depth', 'jvm_memory_used_bytes']) {
    if (!names.has(want)) throw new Error('missing ' + want + ' among ' + names.size + ' families');
  }
  const http = families.find(f => f.name === 'vertx_http_server_requests_total');
  if (!http.metrics.some(m => m.labels.route === '/api/v1/memories/:id')) throw new Error('no route label for /api/v1/memories/:id');
});

await browser.close();
clearTimeout(deadline);
console.log('dashboard timings: ' + JSON.stringify(timings));
console.log(`dashboard: ${failed() ? failed() + ' step(s) failed' : 'every step passed'}`);
process.exit(failed() ? 1 : 0);
