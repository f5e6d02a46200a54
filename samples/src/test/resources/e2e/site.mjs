// Walks the sample site as a viewer would, in Debian's headless Chromium driven by playwright-core,
// and prints ONE JSON line with what happened:
//   { login: {...}, plays: {FORMAT: {currentTime, fatal, errors, events, url, requests:[{url,status}]}},
//     tickets: {...}, catalog: {...}, signedOut: {...}, harnessError }
// The steps: sign in through the form (/signin -> login.html -> j_security_check), open the player
// of each format and wait until video.currentTime passes `until` (or `maxWait` ms pass), open the
// first playback URL again as if from `otherAddress` (X-Forwarded-For), read the
// "my tickets" page and the catalog's event counts, sign out, and open a player once more.
//
//   node site.mjs '{"base":"http://127.0.0.1:PORT/","user":"alice","password":"alice",
//                   "formats":["hls-ts","hls-fmp4","dash","mp4"],"until":1.5,"maxWait":20000,
//                   "otherAddress":"203.0.113.9"}'
// playwright-core comes from $USHER_NODE_MODULES (the repository root's node_modules).
import { createRequire } from 'node:module';
import path from 'node:path';

const opts = JSON.parse(process.argv[2] || '{}');
const base = opts.base;
const until = opts.until ?? 1.5;
const maxWait = opts.maxWait ?? 20000;
const requireFrom = createRequire(process.env.USHER_NODE_MODULES
  ? path.join(process.env.USHER_NODE_MODULES, '_resolve_from_here.js')
  : import.meta.url);

const out = { login: null, plays: {}, fromOtherAddress: null, tickets: null, catalog: null, signedOut: null, harnessError: null };
const sleep = ms => new Promise(r => setTimeout(r, ms));

function track(page) {
  const requests = [];
  const byRequest = new Map();
  page.on('request', r => {
    const e = { url: r.url(), status: 0, failure: null };
    byRequest.set(r, e);
    requests.push(e);
  });
  page.on('response', r => { const e = byRequest.get(r.request()); if (e) e.status = r.status(); });
  page.on('requestfailed', r => { const e = byRequest.get(r); if (e) e.failure = r.failure()?.errorText ?? 'failed'; });
  return requests;
}

async function waitFor(page, predicate, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await page.evaluate(predicate).catch(() => false);
    if (v || Date.now() >= deadline) return v;
    await sleep(100);
  }
}

async function play(page, requests, format) {
  requests.length = 0;
  const started = Date.now();
  // Reached from the catalog, as a viewer does: the player page's document.referrer is the catalog.
  await page.goto(base + 'player.html?format=' + encodeURIComponent(format),
    { waitUntil: 'load', timeout: 15000, referer: base });
  const deadline = Date.now() + maxWait;
  let s;
  for (;;) {
    s = await page.evaluate(() => {
      const v = document.getElementById('video');
      return { t: v ? v.currentTime : 0, fatal: !!window.usher.fatal, noTicket: !!window.usher.noTicket };
    });
    if (s.fatal || s.noTicket || s.t > until || Date.now() >= deadline) break;
    await sleep(100);
  }
  const state = await page.evaluate(() => window.usher);
  return {
    currentTime: s.t, fatal: s.fatal, noTicket: s.noTicket, ticketStatus: state.ticketStatus ?? null,
    url: state.url ?? null, errors: state.errors, events: state.events, elapsedMs: Date.now() - started,
    requests: requests.map(r => ({ ...r })),
  };
}

// Opens watch.xhtml and waits until its <video> (if the server rendered one) passes `until`.
async function watchRendered(page, requests) {
  requests.length = 0;
  await page.goto(base + 'watch.xhtml', { waitUntil: 'load', timeout: 15000 });
  const deadline = Date.now() + maxWait;
  let s;
  for (;;) {
    s = await page.evaluate(() => {
      const v = document.getElementById('video');
      return v ? { src: v.getAttribute('src'), t: v.currentTime, error: v.error ? v.error.code : null }
               : { src: null, t: 0, error: null };
    });
    if (!s.src || s.error || s.t > until || Date.now() >= deadline) break;
    await sleep(100);
  }
  return {
    src: s.src, currentTime: s.t, error: s.error,
    noTicketPanel: await page.evaluate(() => !!document.getElementById('no-ticket')),
    requests: requests.map(r => ({ ...r })),
  };
}

let browser;
try {
  const { chromium } = requireFrom('playwright-core');
  browser = await chromium.launch({
    executablePath: opts.chromium ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required'],
  });
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests = track(page);

  // Sign in through the form.
  await page.goto(base + 'signin', { waitUntil: 'load', timeout: 15000 });
  const loginPage = page.url();
  await page.fill('#j_username', opts.user);
  await page.fill('#j_password', opts.password);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: 15000 }), page.click('#login')]);
  await waitFor(page, () => !!document.getElementById('user') || !!document.getElementById('signin'), 5000);
  out.login = {
    loginPage, landedOn: page.url(),
    user: await page.evaluate(() => document.getElementById('user')?.textContent ?? null),
  };

  for (const format of opts.formats ?? []) {
    out.plays[format] = await play(page, requests, format);
  }

  // The first playback URL opened again from another client address (a proxy the server trusts says
  // so in X-Forwarded-For): the ticket's IP rule refuses it, and the refusal is in its attempt log.
  const first = out.plays[opts.formats?.[0]];
  if (opts.otherAddress && first && first.url) {
    const r = await context.request.get(new URL(first.url, base).href,
      { headers: { 'X-Forwarded-For': opts.otherAddress }, maxRedirects: 0 });
    out.fromOtherAddress = { status: r.status(), body: (await r.text()).slice(0, 200) };
  }

  // My tickets.
  await page.goto(base + 'tickets.html', { waitUntil: 'load', timeout: 15000 });
  await waitFor(page, () => window.usher.ready, 10000);
  out.tickets = await page.evaluate(() => ({
    tickets: [...document.querySelectorAll('h3.ticket')].map(h => h.textContent),
    attempts: [...document.querySelectorAll('tr.attempt')].map(tr => [...tr.children].map(td => td.textContent)),
  }));

  // The catalog, with the observer's counts.
  await page.goto(base, { waitUntil: 'load', timeout: 15000 });
  await waitFor(page, () => window.usher.ready, 10000);
  out.catalog = await page.evaluate(() => ({
    stats: document.getElementById('stats').textContent,
    links: [...document.querySelectorAll('#catalog a')].map(a => a.id),
  }));

  // The server-rendered page (after "my tickets" was read, so that its ticket is not counted there):
  // its <video src> was written by #{usher.url(...)} in a Facelets view.
  out.rendered = await watchRendered(page, requests);

  // Sign out, then try to play again.
  await page.goto(base + 'logout', { waitUntil: 'load', timeout: 15000 });
  await waitFor(page, () => !!document.getElementById('signin'), 5000);
  out.signedOut = await play(page, requests, opts.formats?.[0] ?? 'hls-ts');
  out.renderedSignedOut = await watchRendered(page, requests);
  out.signedOut.header = await page.evaluate(() => document.getElementById('who')?.textContent ?? null);
} catch (e) {
  out.harnessError = String((e && e.stack) || e);
} finally {
  if (browser) await browser.close().catch(() => {});
}
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
