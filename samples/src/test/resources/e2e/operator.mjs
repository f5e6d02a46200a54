// The operator console (operator.html) in Debian's headless Chromium driven by playwright-core, with a
// live stream published by stock ffmpeg and viewers in browser contexts of their own. Prints ONE JSON
// line with what happened (see OperatorConsoleIT, which asserts on it):
//   { streamUser, published, badPush, log, recording, plays, viewers, tickets, extend, attempts, revoke, afterRevoke,
//     refusals, screenshots, harnessError }
// The walk: the operator signs in and adds the stream user of "cam" on the Live page; ffmpeg publishes
// cam with it; ffmpeg pushes with a wrong password and the refusal appears in the console's publisher
// log; the recording of the session plays from the console's link; alice watches cam (live.html) in a second context; the Viewers page counts her, then bob starts
// a second player and the count rises; the operator finds alice's ticket (filter: user alice, video
// cam), extends it and reads its attempt log, revokes it, and alice's player is refused from then on;
// her segment URL replayed from another address and a wrong pass make refusals the chart shows.
//   node operator.mjs '{"base":"http://127.0.0.1:PORT/","chromium":"/usr/bin/chromium","ffmpeg":"/usr/bin/ffmpeg",
//                       "screenshots":"DIR","otherAddress":"203.0.113.7"}'
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import path from 'node:path';

const opts = JSON.parse(process.argv[2] || '{}');
const base = opts.base;
const requireFrom = createRequire(process.env.USHER_NODE_MODULES
  ? path.join(process.env.USHER_NODE_MODULES, '_resolve_from_here.js')
  : import.meta.url);
const out = { streamUser: null, published: null, badPush: null, log: null, plays: {}, viewers: null, tickets: null,
  extend: null, attempts: null, revoke: null, afterRevoke: null, refusals: null, screenshots: [], harnessError: null };
const sleep = ms => new Promise(r => setTimeout(r, ms));
const encoders = [];

async function until(what, fn, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() >= deadline) throw new Error('timed out waiting for ' + what);
    await sleep(200);
  }
}

function ffmpeg(url, seconds) {
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=25',
    '-f', 'lavfi', '-i', 'sine', '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    '-g', '25', '-keyint_min', '25', '-sc_threshold', '0', '-c:a', 'aac',
    '-f', 'hls', '-hls_time', '1', '-hls_list_size', '5', '-method', 'PUT', url];
  const p = spawn(opts.ffmpeg ?? 'ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', d => { if (err.length < 2000) err += d; });
  const done = new Promise(r => p.on('exit', code => r({ code, err })));
  encoders.push(p);
  return { process: p, done };
}

function track(page) {
  const requests = [];
  const byRequest = new Map();
  page.on('request', r => { const e = { url: r.url(), status: 0, at: Date.now() }; byRequest.set(r, e); requests.push(e); });
  page.on('response', r => { const e = byRequest.get(r.request()); if (e) { e.status = r.status(); e.answeredAt = Date.now(); } });
  page.on('requestfailed', r => { const e = byRequest.get(r); if (e) e.failure = r.failure()?.errorText ?? 'failed'; });
  return requests;
}

async function signIn(context, user) {
  const page = await context.newPage();
  await page.goto(base + 'signin', { waitUntil: 'load', timeout: 15000 });
  await page.fill('#j_username', user);
  await page.fill('#j_password', user);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: 15000 }), page.click('#login')]);
  return page;
}

async function shoot(page, name) {
  if (!opts.screenshots) return;
  for (const [w, h] of [[1280, 800], [390, 844]]) {
    await page.setViewportSize({ width: w, height: h });
    await sleep(300);
    const file = path.join(opts.screenshots, `operator-${name}-${w}x${h}.png`);
    await page.screenshot({ path: file, fullPage: true });
    out.screenshots.push(file);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function tab(page, name) {
  await page.click('#tab-' + name);
  await page.waitForFunction(n => !document.getElementById(n).hidden, name, { timeout: 5000 });
}

// A viewer watching cam on live.html; answers when the player has advanced past its start.
async function watch(browser, user) {
  const context = await browser.newContext();
  const page = await signIn(context, user);
  const requests = track(page);
  await page.goto(base + 'live.html?stream=cam', { waitUntil: 'load', timeout: 15000 });
  let started = null;
  const s = await until(user + ' playing cam', async () => {
    const v = await page.evaluate(() => ({ t: document.getElementById('video').currentTime, fatal: !!window.usher.fatal,
      events: window.usher.events, url: window.usher.url ?? null, errors: window.usher.errors }));
    const playing = v.events.find(e => e.startsWith('playing@'));
    if (started === null && playing) started = parseFloat(playing.substring(8));
    if (v.fatal) throw new Error(user + ': ' + v.errors.join('; '));
    return started !== null && v.t > started + 1 ? v : null;
  }, 40000);
  out.plays[user] = { started, currentTime: s.t, url: s.url };
  return { context, page, requests };
}

// A second page of a viewer's context playing a demo video (VOD: a master playlist whose variants carry the credential).
async function watchVod(context, user, format) {
  const page = await context.newPage();
  await page.goto(base + 'player.html?format=' + format, { waitUntil: 'load', timeout: 15000 });
  const t = await until(user + ' playing ' + format, () => page.evaluate(() => {
    const v = document.getElementById('video');
    if (window.usher.fatal) throw new Error(window.usher.errors.join('; '));
    return v && v.currentTime > 1 ? v.currentTime : null;
  }), 30000);
  out.plays[user + ' ' + format] = { currentTime: t };
  return page;
}

async function viewerCount(page, app = 'demo-live', url = 'cam') {
  return page.evaluate(([app, url]) => {
    const v = window.usher.viewers;
    if (!v) return null;
    const row = document.querySelector(`tr.viewer-row[data-app="${app}"][data-url="${url}"]`);
    return { available: v.available, message: v.message, count: row ? Number(row.querySelector('.count').textContent) : null };
  }, [app, url]);
}

// Waits until the console shows `app`/`url` with a count above `above` (or says counts are not served).
async function countAbove(page, above, app, url) {
  return until(`${app}/${url} above ${above}`, async () => {
    const c = await viewerCount(page, app, url);
    return c && (!c.available || c.count > above) ? c : null;
  }, 20000).catch(async () => viewerCount(page, app, url));
}

let browser;
try {
  const { chromium } = requireFrom('playwright-core');
  browser = await chromium.launch({
    executablePath: opts.chromium ?? '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
  const operatorContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const op = await signIn(operatorContext, 'admin');
  await op.goto(base + 'operator.html#live', { waitUntil: 'load', timeout: 15000 });
  await until('the console', () => op.evaluate(() => window.usher.ready && window.usher.liveReady), 15000);

  // The stream user of cam, added on the console.
  await op.fill('#u-stream', 'cam');
  await op.fill('#u-user', 'cam_user');
  await op.fill('#u-pass', 'cam_password_123');
  await op.check('#u-record');
  await op.click('#u-add');
  await until('the stream user in the list', () => op.evaluate(() =>
    !!document.querySelector('#user-list tr.stream-user[data-stream="cam"]')), 10000);
  out.streamUser = await op.evaluate(() => ({
    result: document.getElementById('user-result').textContent,
    row: [...document.querySelector('#user-list tr.stream-user[data-stream="cam"]').children].map(td => td.textContent),
  }));

  // ffmpeg publishes cam with it; the console shows it publishing.
  const host = base.replace('http://', '');
  ffmpeg(`http://cam_user:cam_password_123@${host}usher/ingest/demo-live/cam/playlist.m3u8`, 150);
  out.published = await until('cam publishing on the console', () => op.evaluate(() => {
    const tr = document.querySelector('#stream-list tr.stream[data-stream="cam"]');
    return tr && tr.children[1].textContent === 'publishing' ? [...tr.children].map(td => td.textContent) : null;
  }), 40000);

  // ffmpeg with a wrong password: refused, and the refusal appears in the console's publisher log.
  const before = await op.evaluate(() => document.querySelectorAll('#publog-entries tr.entry').length);
  const bad = ffmpeg(`http://intruder:not_the_password@${host}usher/ingest/demo-live/cam/playlist.m3u8`, 3);
  const badDone = await Promise.race([bad.done, sleep(20000).then(() => null)]);
  out.badPush = { exited: badDone ? badDone.code : null, stderr: badDone ? badDone.err.slice(0, 500) : null };
  out.log = await until('the refusal in the publisher log', () => op.evaluate(n => {
    const rows = [...document.querySelectorAll('#publog-entries tr.entry')];
    if (rows.length <= n) return null;
    return { before: n, rows: rows.map(tr => Object.fromEntries([...tr.querySelectorAll('[data-field]')]
      .map(f => [f.dataset.field, f.textContent]))) };
  }, before), 20000);

  // The recording of the session (the stream user records), played from its link.
  out.recording = await until('a recording listed', () => op.evaluate(() => {
    const tr = document.querySelector('#recording-list tr.recording');
    return tr ? [...tr.children].map(td => td.textContent) : null;
  }), 30000);
  await op.click('#recording-list tr.recording button.play');
  out.recording.push(String(await until('the recording playing', () => op.evaluate(() => {
    const v = document.getElementById('preview-video');
    return v.currentTime > 0.5 ? v.currentTime : null;
  }), 30000)));
  await shoot(op, 'live');

  // alice watches cam; the Viewers page counts her; bob starts a second player: the count rises.
  const alice = await watch(browser, 'alice');
  await tab(op, 'viewers');
  const first = await countAbove(op, 0, 'demo-live', 'cam');
  const bob = await watch(browser, 'bob');
  const second = first && first.available ? await countAbove(op, first.count, 'demo-live', 'cam') : first;
  // The same with a video of the catalog: alice and bob each start a player of hls-fmp4.
  const vodPages = [await watchVod(alice.context, 'alice', 'hls-fmp4')];
  const vodFirst = await countAbove(op, 0, 'demo-vod', 'hls-fmp4');
  vodPages.push(await watchVod(bob.context, 'bob', 'hls-fmp4'));
  const vodSecond = vodFirst && vodFirst.available ? await countAbove(op, vodFirst.count, 'demo-vod', 'hls-fmp4') : vodFirst;
  out.vodViewers = { first: vodFirst, second: vodSecond };
  await vodPages[0].close();
  out.viewers = { first, second };
  await shoot(op, 'viewers');
  await bob.context.close();

  // Tickets: alice's ticket for cam, by user and video.
  await tab(op, 'tickets');
  await op.fill('#f-user', 'alice');
  await op.fill('#f-video', 'cam');
  await op.click('#f-search');
  await until('alice\'s ticket', () => op.evaluate(() => document.querySelectorAll('#ticket-list tr.ticket').length === 1
    && [...document.querySelectorAll('#ticket-list tr.ticket .user')].every(td => td.textContent === 'alice')), 10000);
  const rowOf = () => op.evaluate(() => {
    const tr = document.querySelector('#ticket-list tr.ticket');
    return { key: tr.dataset.key, video: tr.querySelector('.video').textContent, user: tr.querySelector('.user').textContent,
      state: tr.querySelector('.state').textContent, expires: tr.querySelector('.expires').textContent,
      expiresIso: tr.querySelector('.expires').dataset.iso };
  });
  out.tickets = { found: await rowOf(), page: await op.evaluate(() => window.usher.tickets) };
  const key = out.tickets.found.key;

  // Extend: the expiry shown changes.
  await op.click(`#ticket-list tr.ticket[data-key="${key}"] button.extend`);
  await op.fill('#extend-value', '+2 days');
  await op.click('#extend-apply');
  await until('the new expiry', () => op.evaluate(k => window.usher.extended && window.usher.extended.key === k, key), 10000);
  out.extend = { answer: await op.evaluate(() => window.usher.extended), row: await rowOf() };

  // Its attempt log.
  await op.click(`#ticket-list tr.ticket[data-key="${key}"] button.attempts`);
  await until('the attempt log', () => op.evaluate(() => !document.getElementById('attempts').hidden), 10000);
  out.attempts = await op.evaluate(() => [...document.querySelectorAll('#attempt-list tr.attempt')]
    .map(tr => [...tr.children].map(td => td.textContent)));
  await shoot(op, 'tickets');

  // Revoke: alice's player is refused from its next request on.
  await op.click(`#ticket-list tr.ticket[data-key="${key}"] button.revoke`);
  await until('the revocation', () => op.evaluate(() => window.usher.revoked && window.usher.revoked.status === 200), 10000);
  const revokedAt = Date.now();
  out.revoke = { key, row: await rowOf(), at: revokedAt };
  const cam = r => r.url.includes('/media/demo-live/cam/');
  const refusal = await until('a refused request of alice\'s player', async () =>
    alice.requests.find(r => cam(r) && r.at >= revokedAt && r.status === 403), 30000).catch(() => null);
  await sleep(4000); // watching what the player asks for after the refusal (not a synchronization)
  const t0 = await alice.page.evaluate(() => document.getElementById('video').currentTime);
  out.afterRevoke = {
    refusal,
    later: alice.requests.filter(r => cam(r) && refusal && r.at > (refusal.answeredAt ?? refusal.at) + 2500)
      .map(r => ({ url: r.url, status: r.status, failure: r.failure ?? null })),
    granted: alice.requests.filter(r => cam(r) && r.at >= revokedAt).map(r => r.status),
    currentTime: t0,
  };
  await op.click(`#ticket-list tr.ticket[data-key="${key}"] button.attempts`);
  await sleep(500);
  out.afterRevoke.attempts = await op.evaluate(() => [...document.querySelectorAll('#attempt-list tr.attempt')]
    .map(tr => [...tr.children].map(td => td.textContent)));

  // A segment URL of alice's player replayed from another address (a child credential refused), and a
  // wrong pass on the entry: both on the refusal chart, with the revocation's.
  const segment = alice.requests.find(r => cam(r) && r.url.includes('uc=') && r.status === 200);
  if (segment && opts.otherAddress) {
    const r = await operatorContext.request.get(segment.url, { headers: { 'X-Forwarded-For': opts.otherAddress } });
    out.replayed = { status: r.status(), body: (await r.text()).slice(0, 120) };
  }
  const wrong = await operatorContext.request.get(`${base}media/demo-live/cam/playlist.m3u8?key=${encodeURIComponent(key)}&pass=nope`);
  out.wrongPass = { status: wrong.status() };
  await tab(op, 'refusals');
  out.refusals = await until('the refusals on the chart', () => op.evaluate(() => {
    const totals = Object.fromEntries([...document.querySelectorAll('#refusal-totals tr.reason')]
      .map(tr => [tr.dataset.reason, Number(tr.querySelector('.count').textContent)]));
    const bars = [...new Set([...document.querySelectorAll('#refusal-chart rect.bar')].map(r => r.dataset.reason))];
    return totals['Token Revoked'] && totals['credential wrong_network'] && totals['Invalid Auth Token'] ? { totals, bars } : null;
  }), 15000).catch(() => op.evaluate(() => ({ timedOut: true, data: window.usher.refusals && window.usher.refusals.totals })));
  await shoot(op, 'refusals');
  await alice.context.close();
} catch (e) {
  out.harnessError = String((e && e.stack) || e);
} finally {
  for (const p of encoders) p.kill('SIGTERM');
  if (browser) await browser.close().catch(() => {});
}
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
