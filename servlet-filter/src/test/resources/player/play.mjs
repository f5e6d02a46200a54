// Drives Debian's headless Chromium with playwright-core to open player pages and reports what a
// real viewer's browser did, as ONE JSON line per page:
//   {"currentTime":2.6,"fatal":false,"seekPending":false,"errors":[],"events":[],"console":[],
//    "requests":[{"method":"GET","url":"...","status":206,"range":"bytes=0-","failure":null,"type":"media"}],
//    "elapsedMs":3300,"harnessError":null}
// For each page it polls video.currentTime until it reaches `until` seconds (and any seek the page
// planned is done), the page reports a fatal player error, or `maxWait` ms of real time pass: a real
// client observation, not a test synchronisation sleep. Every page gets a fresh browser context (no
// cookies, cache or storage shared with the previous page).
//
// One page:  node play.mjs --url PAGE_URL [--until 2.5] [--max-wait 10000] [--chromium /usr/bin/chromium]
// Session:   node play.mjs --serve [--chromium ...]   then one JSON command per stdin line,
//            {"url":"...","until":2.5,"maxWait":10000}; one JSON result line each; EOF ends it.
// playwright-core is taken from $USHER_NODE_MODULES (the repository root's node_modules), else
// resolved from this file's location.
import { createRequire } from 'node:module';
import readline from 'node:readline';
import path from 'node:path';

const args = {};
for (let i = 2; i < process.argv.length; i++) {
  const k = process.argv[i].replace(/^--/, '');
  if (k === 'serve') { args.serve = true; continue; }
  args[k] = process.argv[++i];
}
const executablePath = args.chromium ?? '/usr/bin/chromium';

const requireFrom = createRequire(process.env.USHER_NODE_MODULES
  ? path.join(process.env.USHER_NODE_MODULES, '_resolve_from_here.js')
  : import.meta.url);

async function launch() {
  const { chromium } = requireFrom('playwright-core');
  // Playwright gives the browser a fresh temporary user-data-dir and removes it on close.
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required'],
  });
}

async function watch(browser, { url, until = 2.5, maxWait = 10000 }) {
  const started = Date.now();
  const out = {
    currentTime: 0, fatal: false, seekPending: false, errors: [], events: [], console: [],
    requests: [], elapsedMs: 0, harnessError: null,
  };
  const entries = new Map();
  let context;
  try {
    if (!url) throw new Error('no page url');
    context = await browser.newContext();
    const page = await context.newPage();
    page.on('request', r => {
      entries.set(r, {
        method: r.method(), url: r.url(), status: null, range: r.headers()['range'] ?? null,
        failure: null, type: r.resourceType(),
      });
    });
    page.on('response', r => {
      const e = entries.get(r.request());
      if (e) e.status = r.status();
    });
    page.on('requestfailed', r => {
      const e = entries.get(r);
      if (e) e.failure = r.failure()?.errorText ?? 'failed';
    });
    page.on('console', m => {
      if (m.type() === 'error' || m.type() === 'warning') out.console.push(m.type() + ': ' + m.text());
    });
    page.on('pageerror', e => out.errors.push('pageerror: ' + e.message));

    await page.goto(url, { waitUntil: 'load', timeout: 15000 });
    const deadline = Date.now() + maxWait;
    for (;;) {
      const s = await page.evaluate(() => {
        const v = document.querySelector('video');
        const u = window.usher || {};
        return { t: v ? v.currentTime : 0, fatal: !!u.fatal, seekPending: !!u.seekPending };
      });
      out.currentTime = s.t;
      out.fatal = s.fatal;
      out.seekPending = s.seekPending;
      if (s.fatal || (s.t >= until && !s.seekPending) || Date.now() >= deadline) break;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    const state = await page.evaluate(() => window.usher || {});
    out.errors.push(...(state.errors || []));
    out.events = state.events || [];
  } catch (e) {
    out.harnessError = String((e && e.stack) || e);
  } finally {
    out.requests = [...entries.values()].map(e => ({ ...e, status: e.status ?? 0 }));
    try { if (context) await context.close(); } catch (e) { /* already gone */ }
  }
  out.elapsedMs = Date.now() - started;
  return out;
}

const emit = o => process.stdout.write(JSON.stringify(o) + '\n');
let browser;
try {
  browser = await launch();
} catch (e) {
  // Report the failure the same way a page result is reported, then stop.
  emit({ currentTime: 0, fatal: false, seekPending: false, errors: [], events: [], console: [], requests: [],
    elapsedMs: 0, harnessError: 'cannot launch ' + executablePath + ': ' + String((e && e.stack) || e) });
  process.exit(0);
}
try {
  if (args.serve) {
    const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    emit({ ready: true });
    for await (const line of lines) {
      if (!line.trim()) continue;
      let cmd;
      try { cmd = JSON.parse(line); } catch (e) { cmd = {}; }
      emit(await watch(browser, cmd));
    }
  } else {
    emit(await watch(browser, {
      url: args.url, until: Number(args.until ?? '2.5'), maxWait: Number(args['max-wait'] ?? '10000'),
    }));
  }
} finally {
  await browser.close().catch(() => {});
}
process.exit(0);
