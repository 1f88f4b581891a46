// The dashboard on a server with keys, in headless chromium: without a key the page shows the
// server's 401; with a viewer key it lists memories but an edit is refused (403) and nothing
// changes; with the admin key the same edit is saved. A failed step saves a screenshot.
//
//   BASE_URL=http://127.0.0.1:26263 ADMIN_KEY=… [CHROMIUM=/usr/bin/chromium] node roles.mjs
import { openPage, stepper } from './browser.mjs';

const base = process.env.BASE_URL;
const admin = process.env.ADMIN_KEY;
if (!base || !admin) {
  console.error('BASE_URL and ADMIN_KEY are required');
  process.exit(2);
}
const ns = 'roles-check';
const deadline = setTimeout(() => { console.error('roles check: over 120 s'); process.exit(1); }, 120_000);

async function rest(key, method, path, body) {
  const r = await fetch(base + path, { method, body: body ? JSON.stringify(body) : undefined,
    headers: { 'Content-Type': 'application/json', 'X-Persona': ns, Authorization: 'Bearer ' + key } });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : {};
}
const memory = await rest(admin, 'POST', '/api/v1/memories', { content: 'Roles check: the wiki lives at wiki.internal' });
const viewer = (await rest(admin, 'POST', '/api/v1/admin/keys', { name: 'dashboard-viewer', role: 'viewer', namespaces: [ns] })).key;

const { browser, page } = await openPage();
page.on('dialog', d => d.accept());
const { step, failed } = stepper(page, 'roles-');
const toast = code => page.waitForFunction(c => [...document.querySelectorAll('[data-testid=error]')].some(e => e.innerText.includes(c)),
  { timeout: 15000 }, code);
async function use(key) {
  await page.goto(base + '/ui/#/memories');
  await page.$eval('#namespace', e => { e.value = ''; });
  await page.type('#namespace', ns);
  await page.$eval('#key', e => { e.value = ''; });
  if (key) await page.type('#key', key);
  await page.click('#session button[type=submit]');
}

await step('no key: the page shows the 401', async () => {
  await use('');
  await toast('UNAUTHORIZED');
});

await step('viewer: lists, but an edit is refused and nothing changes', async () => {
  await use(viewer);
  await page.waitForFunction(() => document.querySelector('[data-testid=memory-list]')?.innerText.includes('wiki.internal'), { timeout: 15000 });
  await page.goto(base + '/ui/#/memory/' + encodeURIComponent(memory.id));
  await page.waitForSelector('[data-testid=edit-form] textarea');
  await page.$eval('[data-testid=edit-form] textarea', e => { e.value = 'Roles check: changed by a viewer'; });
  await page.click('[data-testid=edit-form] button[type=submit]');
  await toast('FORBIDDEN');
  const stored = await rest(admin, 'GET', '/api/v1/memories/' + memory.id);
  if (stored.memory.content !== 'Roles check: the wiki lives at wiki.internal') throw new Error('changed: ' + stored.memory.content);
});

await step('admin: the same edit is saved', async () => {
  await use(admin);
  await page.goto(base + '/ui/#/memory/' + encodeURIComponent(memory.id));
  await page.waitForSelector('[data-testid=edit-form] textarea');
  await page.$eval('[data-testid=edit-form] textarea', e => { e.value = 'Roles check: the wiki moved to docs.internal'; });
  await page.click('[data-testid=edit-form] button[type=submit]');
  await page.waitForFunction(() => document.querySelector('[data-testid=history]')?.innerText.includes('UPDATE'), { timeout: 15000 });
  const stored = await rest(admin, 'GET', '/api/v1/memories/' + memory.id);
  if (!stored.memory.content.includes('docs.internal')) throw new Error('not saved: ' + stored.memory.content);
});

await browser.close();
clearTimeout(deadline);
console.log(`dashboard roles: ${failed() ? failed() + ' step(s) failed' : 'every step passed'}`);
process.exit(failed() ? 1 : 0);
