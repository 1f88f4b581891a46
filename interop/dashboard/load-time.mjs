// How long the dashboard's pages take to show, in a real headless browser, for one namespace:
// from navigation to the page's data on screen, median of RUNS visits each (first visit not
// counted: it warms the server's and the browser's caches).
//
//   BASE_URL=http://127.0.0.1:26262 NAMESPACE=alice [API_KEY=…] [RUNS=5] node load-time.mjs
import { openPage } from './browser.mjs';

const base = process.env.BASE_URL || 'http://127.0.0.1:26262';
const namespace = process.env.NAMESPACE;
const runs = Number(process.env.RUNS || 5);
if (!namespace) {
  console.error('NAMESPACE is required');
  process.exit(2);
}
const pages = [
  ['overview', '#/', '[data-testid=namespaces] + h3 + div table'],
  ['memories', '#/memories', '[data-testid=memory-list] tbody tr'],
  ['graph (300 memories)', '#/graph', '#graph-svg g.node'],
  ['api reference', '#/api', '[data-testid=endpoint]'],
];
const { browser, page } = await openPage();
await page.goto(base + '/ui/');
await page.evaluate((n, k) => { sessionStorage.setItem('memory.namespace', n); sessionStorage.setItem('memory.key', k); },
  namespace, process.env.API_KEY || '');
const out = {};
for (const [name, hash, ready] of pages) {
  const times = [];
  for (let i = 0; i <= runs; i++) {
    await page.goto('about:blank');
    const t0 = Date.now();
    await page.goto(base + '/ui/' + hash, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector(ready, { timeout: 60000 });
    if (i > 0) times.push(Date.now() - t0);
  }
  times.sort((a, b) => a - b);
  out[name] = { median_ms: times[Math.floor(times.length / 2)], max_ms: times[times.length - 1] };
  console.log(`${name}: median ${out[name].median_ms} ms, max ${out[name].max_ms} ms (${runs} visits)`);
}
await browser.close();
console.log(JSON.stringify(out));
