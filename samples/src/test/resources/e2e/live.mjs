// The sample's live page in Debian's headless Chromium (playwright-core): sign in, read the list of
// live streams on live.html, then watch each stream given and report how far playback got past the
// position it started at (a live player starts near the live edge, not at 0). Prints ONE JSON line:
//   { listing: [{stream, state, format}], plays: {STREAM: {started, currentTime, fatal, errors, events,
//     url, requests:[{url,status}]}}, signedOutLog: {status, panelHidden}, badPush: {status},
//     log: {before, after:[{time, app, stream, file, method, status, reason, user, ip}], imgs, pwned}, harnessError }
// With "badPush": {"url", "user", "password"} it PUTs a playlist there with those (wrong) credentials
// once the signed-in page shows its publisher log, then waits for the refusal to appear in the panel
// (the page refreshes it by itself). With "screenshots": DIR it saves the page at 1280x800 and 390x844.
//   node live.mjs '{"base":"http://127.0.0.1:PORT/","user":"alice","password":"alice","streams":["cam"],
//                   "advance":2,"maxWait":25000}'
import { createRequire } from 'node:module';
import path from 'node:path';

const opts = JSON.parse(process.argv[2] || '{}');
const base = opts.base;
const requireFrom = createRequire(process.env.USHER_NODE_MODULES
  ? path.join(process.env.USHER_NODE_MODULES, '_resolve_from_here.js')
  : import.meta.url);
const out = { listing: null, plays: {}, signedOutLog: null, badPush: null, log: null, harnessError: null };
const sleep = ms => new Promise(r => setTimeout(r, ms));

let browser;
try {
  const { chromium } = requireFrom('playwright-core');
  browser = await chromium.launch({
    executablePath: opts.chromium ?? '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
  const page = await (await browser.newContext()).newPage();
  const requests = [];
  const byRequest = new Map();
  page.on('request', r => { const e = { url: r.url(), status: 0 }; byRequest.set(r, e); requests.push(e); });
  page.on('response', r => { const e = byRequest.get(r.request()); if (e) e.status = r.status(); });

  // Signed out: the log's API refuses, the page shows no panel.
  await page.goto(base + 'live.html', { waitUntil: 'load', timeout: 15000 });
  for (let i = 0; i < 100 && !(await page.evaluate(() => window.usher.ready)); i++) await sleep(100);
  out.signedOutLog = await page.evaluate(async () => ({
    status: (await fetch('api/live/log', { credentials: 'same-origin', cache: 'no-store' })).status,
    panelHidden: document.getElementById('publog').hidden,
  }));

  await page.goto(base + 'signin', { waitUntil: 'load', timeout: 15000 });
  await page.fill('#j_username', opts.user);
  await page.fill('#j_password', opts.password);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: 15000 }), page.click('#login')]);

  await page.goto(base + 'live.html', { waitUntil: 'load', timeout: 15000 });
  for (let i = 0; i < 100 && !(await page.evaluate(() => window.usher.ready)); i++) await sleep(100);
  out.listing = await page.evaluate(() => [...document.querySelectorAll('#streams tr.stream')]
    .map(tr => [...tr.children].slice(0, 3).map(td => td.textContent)));

  if (opts.badPush) {
    const rows = () => page.evaluate(() => [...document.querySelectorAll('#publog-entries tr.entry')]
      .map(tr => Object.fromEntries([...tr.querySelectorAll('[data-field]')].map(f => [f.dataset.field, f.textContent]))));
    for (let i = 0; i < 100 && (await page.evaluate(() => document.getElementById('publog').hidden)); i++) await sleep(100);
    const before = await rows();
    // An encoder with the wrong password, as ffmpeg sends it: a PUT of a playlist with Basic credentials.
    const r = await fetch(opts.badPush.url, { method: 'PUT', headers: {
      authorization: 'Basic ' + Buffer.from(opts.badPush.user + ':' + opts.badPush.password).toString('base64'),
      'content-type': 'application/vnd.apple.mpegurl' }, body: '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n' });
    out.badPush = { status: r.status };
    let after = before;
    for (let i = 0; i < 150 && after.length === before.length; i++) { await sleep(100); after = await rows(); }
    out.log = { before, after, imgs: await page.evaluate(() => document.querySelectorAll('#publog img').length),
      pwned: await page.evaluate(() => !!window.pwned) };
    if (opts.screenshots) {
      for (const [w, h] of [[1280, 800], [390, 844]]) {
        await page.setViewportSize({ width: w, height: h });
        await page.screenshot({ path: path.join(opts.screenshots, `live-${w}x${h}.png`), fullPage: true });
      }
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  }

  for (const stream of opts.streams ?? []) {
    requests.length = 0;
    await page.click('#watch-' + stream);
    await page.waitForURL(u => u.search.includes('stream='), { timeout: 15000 });
    const deadline = Date.now() + (opts.maxWait ?? 25000);
    let started = null;
    let s;
    for (;;) {
      s = await page.evaluate(() => ({ t: document.getElementById('video').currentTime, fatal: !!window.usher.fatal,
        events: window.usher.events }));
      const playing = s.events.find(e => e.startsWith('playing@'));
      if (started === null && playing) started = parseFloat(playing.substring(8));
      if (s.fatal || (started !== null && s.t > started + (opts.advance ?? 2)) || Date.now() >= deadline) break;
      await sleep(100);
    }
    const state = await page.evaluate(() => window.usher);
    out.plays[stream] = { started, currentTime: s.t, fatal: s.fatal, errors: state.errors, events: state.events,
      url: state.url ?? null, requests: requests.map(r => ({ ...r })) };
    await page.goto(base + 'live.html', { waitUntil: 'load', timeout: 15000 });
    for (let i = 0; i < 100 && !(await page.evaluate(() => window.usher.ready)); i++) await sleep(100);
  }
} catch (e) {
  out.harnessError = String((e && e.stack) || e);
} finally {
  if (browser) await browser.close().catch(() => {});
}
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
