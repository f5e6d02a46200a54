// The operator console (operator.html): four pages over /api/operator/ (OperatorResource) and the
// publisher log (/api/live/log). Every value from the server is set as text, never as markup: ticket
// videos, encoder user names and reasons are chosen by others. window.usher is what the tests read.
const Console = {
  page: null,
  timers: {},
  tickets: { page: 0, rows: [], selected: null, extending: null },
  // The last request of each kind: an answer to an older one (a search typed over a slower one, a
  // poll overtaken by a click) is dropped, so the page never shows what was no longer asked.
  asked: {},
  async latest(kind, url) {
    const n = (Console.asked[kind] || 0) + 1;
    Console.asked[kind] = n;
    const r = await Site.json(url);
    return Console.asked[kind] === n ? r : null;
  },

  // A change: POST with a JSON body and the console's header (OperatorResource's CSRF rule).
  async post(url, body) {
    const r = await fetch(url, {
      method: 'POST', credentials: 'same-origin', cache: 'no-store',
      headers: { 'Content-Type': 'application/json', 'X-Usher-Console': '1' }, body: JSON.stringify(body || {}),
    });
    let json = null;
    try { json = await r.json(); } catch (e) { /* not JSON */ }
    return { status: r.status, body: json };
  },
  cell(tr, value, cls) {
    const td = document.createElement('td');
    if (value instanceof Node) td.append(value); else td.textContent = value == null ? '' : String(value);
    if (cls) td.className = cls;
    tr.append(td);
    return td;
  },
  // Gives every cell of a table's body the name of its column (data-label), for the phone layout.
  fill(tbodyOrSelector, rows) {
    const tbody = typeof tbodyOrSelector === 'string' ? document.querySelector(tbodyOrSelector) : tbodyOrSelector;
    const heads = [...tbody.closest('table').querySelectorAll('thead th')].map(th => th.textContent);
    for (const tr of rows) [...tr.children].forEach((td, i) => { if (td.colSpan === 1) td.dataset.label = heads[i] || ''; });
    tbody.replaceChildren(...rows);
  },
  button(text, cls, onclick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'button small ' + (cls || '');
    b.textContent = text;
    b.addEventListener('click', onclick);
    return b;
  },
  // An API failure in the page's message panel: the server's "error", or the HTTP status.
  failed(what, r) {
    const why = r.body && r.body.error ? r.body.error : 'HTTP ' + r.status;
    Site.say(what + ': ' + why);
    window.usher.lastError = { what, status: r.status, error: why };
  },
  // How a stream user's recordings are cut (segment_type, segment_value of sevu.addstreamuser).
  cuts(u) {
    const v = u.segment_value;
    return { duration: `a part every ${v} min`, size: `a part every ${v} MB`, schedule: `cut at ${v}` }[u.segment_type]
      || 'one per session';
  },
  bytes(n) {
    if (n == null) return '';
    return n < 1024 * 1024 ? (n / 1024).toFixed(0) + ' KiB' : (n / 1024 / 1024).toFixed(1) + ' MiB';
  },

  // ---- pages: one shown at a time (the URL's #hash), each refreshing itself while shown
  show(name) {
    if (!['tickets', 'refusals', 'live', 'viewers'].includes(name)) name = 'tickets';
    Console.page = name;
    for (const s of document.querySelectorAll('section.page')) s.hidden = s.id !== name;
    for (const a of document.querySelectorAll('#tabs a')) {
      if (a.getAttribute('href') === '#' + name) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    document.getElementById('message').hidden = true;
    const load = { tickets: Console.loadTickets, refusals: Console.loadRefusals, live: Console.loadLive, viewers: Console.loadViewers }[name];
    const every = { refusals: 5000, live: 3000, viewers: 3000 }[name];
    Console.repeat(name, load, every);
  },
  repeat(name, load, every) {
    for (const t of Object.values(Console.timers)) clearTimeout(t);
    Console.timers = {};
    const run = async () => {
      if (Console.page !== name) return;
      if (document.visibilityState === 'visible') {
        try { await load(); } catch (e) { Site.error(name + ': ' + e, false); }
      }
      if (every && Console.page === name) Console.timers[name] = setTimeout(run, every);
    };
    run();
  },

  // ---- tickets
  query() {
    const q = new URLSearchParams();
    for (const [id, name] of [['f-video', 'video'], ['f-user', 'user'], ['f-active', 'active'], ['f-expiry', 'expiry'], ['f-size', 'size']]) {
      const v = document.getElementById(id).value.trim();
      if (v) q.set(name, v);
    }
    q.set('page', String(Console.tickets.page));
    return q.toString();
  },
  async loadTickets() {
    const r = await Console.latest('tickets', 'api/operator/tickets?' + Console.query());
    if (!r) return;
    window.usher.ticketsStatus = r.status;
    if (r.status !== 200) { Console.failed('The tickets cannot be shown', r); return; }
    const p = r.body;
    Console.tickets.rows = p.tickets;
    window.usher.tickets = p;
    const rows = p.tickets.map(t => Console.ticketRow(t));
    if (rows.length === 0) {
      const tr = document.createElement('tr');
      Console.cell(tr, 'No ticket matches.').colSpan = 7;
      rows.push(tr);
    }
    Console.fill('#ticket-list tbody', rows);
    const pages = Math.max(1, Math.ceil(p.matching / p.size));
    Site.text('page-info', `page ${p.page + 1} of ${pages} · ${p.matching} matching` +
      (p.searched >= 1000 ? ' (of the newest 1000)' : ''));
    document.getElementById('page-prev').disabled = p.page === 0;
    document.getElementById('page-next').disabled = !p.more;
  },
  ticketRow(t) {
    const tr = document.createElement('tr');
    tr.className = 'ticket';
    tr.dataset.key = t.key;
    if (Console.tickets.selected === t.key) tr.classList.add('selected');
    Console.cell(tr, t.key, 'key');
    Console.cell(tr, t.app + '/' + t.video, 'video');
    Console.cell(tr, t.user || '—', 'user');
    Console.cell(tr, t.uses, 'uses');
    const state = !t.active ? 'revoked' : t.expired ? 'expired' : 'active';
    Console.cell(tr, state, 'state state-' + state);
    const exp = Console.cell(tr, Site.when(t.expires), 'expires');
    exp.dataset.iso = t.expires;
    const actions = Console.cell(tr, null, 'actions');
    actions.append(
      Console.button('Attempts', 'quiet attempts', () => Console.showAttempts(t.key)),
      Console.button('Extend', 'quiet extend', () => Console.askExtend(t.key)));
    const revoke = Console.button('Revoke', 'danger revoke', () => Console.revoke(t.key));
    revoke.disabled = !t.active;
    actions.append(revoke);
    return tr;
  },
  replaceRow(t) {
    const rows = [...document.querySelectorAll('#ticket-list tbody tr')].map(tr => tr.dataset.key === t.key ? Console.ticketRow(t) : tr);
    Console.fill('#ticket-list tbody', rows);
  },
  async revoke(key) {
    const r = await Console.post('api/operator/tickets/' + encodeURIComponent(key) + '/revoke');
    window.usher.revoked = { key, status: r.status };
    if (r.status !== 200) { Console.failed('Not revoked', r); return; }
    Console.replaceRow(r.body);
    Site.say('Revoked ' + key + ': its playbacks are refused from their next request.');
  },
  askExtend(key) {
    Console.tickets.extending = key;
    Site.text('extend-key', key);
    document.getElementById('extend-panel').hidden = false;
    document.getElementById('extend-value').focus();
  },
  async extend() {
    const key = Console.tickets.extending;
    if (!key) return;
    const r = await Console.post('api/operator/tickets/' + encodeURIComponent(key) + '/extend',
      { expire: document.getElementById('extend-value').value });
    window.usher.extended = { key, status: r.status, expires: r.body && r.body.expires };
    if (r.status !== 200) { Console.failed('Expiry not changed', r); return; }
    document.getElementById('extend-panel').hidden = true;
    Console.replaceRow(r.body);
    Site.say('The ticket ' + key + ' now expires ' + Site.when(r.body.expires) + '.');
  },
  async showAttempts(key, all) {
    Console.tickets.selected = key;
    for (const tr of document.querySelectorAll('#ticket-list tr.ticket')) tr.classList.toggle('selected', tr.dataset.key === key);
    const r = await Console.latest('attempts', 'api/operator/tickets/' + encodeURIComponent(key) + '/attempts');
    if (!r) return;
    if (r.status !== 200) { Console.failed('No attempt log', r); return; }
    Site.text('attempts-key', key);
    // The newest 20 at first (a live player's reloads are one attempt each); all the API answered on asking.
    const shown = all ? r.body.attempts : r.body.attempts.slice(0, 20);
    const rows = shown.map(a => {
      const tr = document.createElement('tr');
      tr.className = 'attempt';
      Console.cell(tr, Site.when(a.datetime));
      Console.cell(tr, a.ip);
      Console.cell(tr, a.app + '/' + a.video);
      Console.cell(tr, a.reason + (a.count > 1 ? ' ×' + a.count : ''), a.success ? 'granted' : 'refused');
      Console.cell(tr, a.pageurl || '');
      return tr;
    });
    if (rows.length === 0) {
      const tr = document.createElement('tr');
      Console.cell(tr, 'not used yet').colSpan = 5;
      rows.push(tr);
    }
    Console.fill('#attempt-list tbody', rows);
    const more = document.getElementById('attempts-more');
    more.hidden = shown.length === r.body.attempts.length;
    more.textContent = `Show all ${r.body.attempts.length}`;
    more.onclick = () => Console.showAttempts(key, true);
    document.getElementById('attempts').hidden = false;
    window.usher.attempts = r.body;
  },

  // ---- refusals: a stacked bar per minute, drawn as SVG
  colors: ['#b3261e', '#e8710a', '#f2b705', '#7cb342', '#00897b', '#1e88e5', '#5e35b1', '#d81b60',
    '#6d4c41', '#546e7a', '#c0ca33', '#8e24aa', '#3949ab', '#00acc1', '#43a047', '#fb8c00'],
  color(reason, reasons) {
    return Console.colors[Math.max(0, reasons.indexOf(reason)) % Console.colors.length];
  },
  async loadRefusals() {
    const r = await Console.latest('refusals', 'api/operator/refusals');
    if (!r) return;
    if (r.status !== 200) { Console.failed('The refusals cannot be shown', r); return; }
    window.usher.refusals = r.body;
    Console.drawChart(r.body);
    const rows = Object.entries(r.body.totals).map(([reason, n]) => {
      const tr = document.createElement('tr');
      tr.className = 'reason';
      tr.dataset.reason = reason;
      const name = document.createElement('span');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = Console.color(reason, r.body.reasons);
      name.append(swatch, reason);
      Console.cell(tr, name);
      Console.cell(tr, n, 'count');
      return tr;
    });
    Console.fill('#refusal-totals tbody', rows);
    document.getElementById('refusals-none').hidden = rows.length > 0;
  },
  drawChart(data) {
    const svg = document.getElementById('refusal-chart');
    const NS = 'http://www.w3.org/2000/svg';
    const el = (name, attrs, text) => {
      const e = document.createElementNS(NS, name);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
      if (text != null) e.textContent = text;
      return e;
    };
    // Drawn at the width it is shown (300 to 720 units), so its labels stay legible on a phone.
    const W = Math.round(Math.min(720, Math.max(300, svg.clientWidth || 720))), H = 240, left = 40, right = 10, top = 10, bottom = 28;
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    const every = W < 500 ? 20 : 10;
    const minutes = data.minutes;
    const sums = minutes.map(m => Object.values(m.refused).reduce((a, b) => a + b, 0));
    const max = Math.max(1, ...sums);
    const step = max <= 5 ? 1 : Math.ceil(max / 4 / Math.pow(10, Math.floor(Math.log10(max / 4)))) * Math.pow(10, Math.floor(Math.log10(max / 4)));
    const top2 = Math.ceil(max / step) * step;
    const y = v => top + (H - top - bottom) * (1 - v / top2);
    const slot = (W - left - right) / minutes.length;
    const parts = [];
    for (let v = 0; v <= top2; v += step) {
      parts.push(el('line', { x1: left, x2: W - right, y1: y(v), y2: y(v), stroke: '#e3e6ec' }));
      parts.push(el('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, String(v)));
    }
    minutes.forEach((m, i) => {
      let base = 0;
      const x = left + i * slot + 1;
      for (const reason of data.reasons) {
        const n = m.refused[reason];
        if (!n) continue;
        const rect = el('rect', { x, width: Math.max(1, slot - 2), y: y(base + n), height: y(base) - y(base + n),
          fill: Console.color(reason, data.reasons), class: 'bar' });
        rect.dataset.reason = reason;
        rect.dataset.count = n;
        rect.append(el('title', {}, `${Site.when(m.minute)}: ${n} × ${reason}`));
        parts.push(rect);
        base += n;
      }
      if (i % every === 0 || i === minutes.length - 1) {
        const d = new Date(m.minute);
        const label = i === minutes.length - 1 ? 'now' : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
        parts.push(el('text', { x: x + slot / 2, y: H - 8, 'text-anchor': 'middle' }, label));
      }
    });
    parts.push(el('line', { x1: left, x2: W - right, y1: y(0), y2: y(0), stroke: '#5d6677' }));
    svg.replaceChildren(...parts);
  },

  // ---- live streams
  async loadLive() {
    const [live, log, recordings, viewers] = await Promise.all([Site.json('api/operator/live'), Site.json('api/live/log'),
      Site.json('api/operator/recordings'), Site.json('api/operator/viewers')]);
    if (live.status !== 200) { Console.failed('The live streams cannot be shown', live); return; }
    window.usher.live = live.body;
    const counts = {};
    if (viewers.status === 200 && viewers.body.available) {
      for (const app of viewers.body.apps) for (const row of app.rows) counts[app.app + '/' + row.url] = row.count;
    }
    const streams = live.body.streams.map(s => {
      const tr = document.createElement('tr');
      tr.className = 'stream';
      tr.dataset.stream = s.stream;
      Console.cell(tr, s.stream);
      Console.cell(tr, s.state, s.state === 'publishing' ? 'granted' : '');
      Console.cell(tr, s.manifest || '');
      Console.cell(tr, s.dvr ? `${s.dvrSegments} segments; resumes within ${s.dvrTimeoutSeconds} s` : 'off');
      Console.cell(tr, s.record ? 'on' : 'off');
      const n = counts[s.app + '/' + s.stream];
      Console.cell(tr, n == null ? '—' : n, 'count');
      return tr;
    });
    Console.fill('#stream-list tbody', streams);
    document.getElementById('streams-none').hidden = streams.length > 0;

    const users = live.body.users.map(u => {
      const tr = document.createElement('tr');
      tr.className = 'stream-user';
      tr.dataset.stream = u.stream;
      Console.cell(tr, u.stream);
      Console.cell(tr, u.user == null ? '(open: no password)' : u.user, 'user');
      Console.cell(tr, u.record ? 'on, ' + Console.cuts(u) : 'off');
      Console.cell(tr, u.enable_dvr ? `${u.playlist_count} segments, ${u.playlist_timeout} s` : 'off');
      Console.cell(tr, u.created_date);
      const actions = Console.cell(tr, null, 'actions');
      actions.append(Console.button('New password', 'quiet rotate', () => Console.rotate(u.stream)),
        Console.button('Remove', 'danger remove', () => Console.removeUser(u.stream)));
      return tr;
    });
    if (!live.body.commands) {
      const tr = document.createElement('tr');
      Console.cell(tr, 'The site\'s issuing account is not an API account: stream users need one.').colSpan = 6;
      users.push(tr);
    }
    Console.fill('#user-list tbody', users);

    Console.showLog(log);
    Console.showRecordings(recordings);
    window.usher.liveReady = true;
  },
  showLog(r) {
    window.usher.logStatus = r.status;
    if (r.status !== 200) return;
    window.usher.log = r.body.entries;
    Site.text('publog-limit', String(r.body.limit));
    const field = (name, value) => {
      const span = document.createElement('span');
      span.dataset.field = name;
      span.textContent = value == null ? '' : String(value);
      return span;
    };
    const rows = r.body.entries.map(e => {
      const tr = document.createElement('tr');
      tr.className = 'entry';
      Console.cell(tr, field('time', Site.when(e.time)));
      const upload = document.createElement('span');
      upload.append(field('method', e.method), ' ', field('app', e.app), '/', field('stream', e.stream), '/', field('file', e.file));
      Console.cell(tr, upload);
      Console.cell(tr, field('status', e.status), 'refused');
      Console.cell(tr, field('reason', e.reason));
      const by = document.createElement('span');
      by.append(field('user', e.user || '(no user)'), ' from ', field('ip', e.ip));
      Console.cell(tr, by);
      return tr;
    });
    Console.fill('#publog-entries tbody', rows);
    document.getElementById('publog-none').hidden = rows.length > 0;
  },
  showRecordings(r) {
    if (r.status !== 200) return;
    const rows = r.body.recordings.map(rec => {
      const tr = document.createElement('tr');
      tr.className = 'recording';
      Console.cell(tr, rec.name + (rec.finished ? '' : ' (recording)'));
      Console.cell(tr, rec.stream);
      Console.cell(tr, rec.start);
      Console.cell(tr, rec.duration + ' s');
      Console.cell(tr, Console.bytes(rec.size));
      const play = Console.button('Play', 'quiet play', () => Console.playRecording(rec.folder));
      Console.cell(tr, play);
      return tr;
    });
    Console.fill('#recording-list tbody', rows);
    document.getElementById('recordings-none').hidden = rows.length > 0;
    document.getElementById('recordings-table').hidden = rows.length === 0;
  },
  async playRecording(folder) {
    const r = await Site.json('api/operator/recordings/play?folder=' + encodeURIComponent(folder));
    if (r.status !== 200) { Console.failed('The recording cannot be played', r); return; }
    document.getElementById('preview').hidden = false;
    const video = document.getElementById('preview-video');
    Site.watch(video);
    Site.attach(video, r.body.player, r.body.url);
  },
  async addUser(event) {
    event.preventDefault();
    const body = { stream: document.getElementById('u-stream').value.trim(), user: document.getElementById('u-user').value.trim(),
      record: document.getElementById('u-record').checked, enable_dvr: document.getElementById('u-dvr').checked };
    const pass = document.getElementById('u-pass').value;
    if (pass) body.pass = pass;
    Console.userChanged(await Console.post('api/operator/live/users', body), 'added');
  },
  async rotate(stream) {
    Console.userChanged(await Console.post('api/operator/live/users/rotate', { stream }), 'has a new password');
  },
  async removeUser(stream) {
    Console.userChanged(await Console.post('api/operator/live/users/remove', { stream }), 'removed');
  },
  userChanged(r, what) {
    const p = document.getElementById('user-result');
    window.usher.userChange = { status: r.status, body: r.body };
    p.hidden = false;
    p.className = 'note';
    if (r.status !== 200) {
      p.textContent = 'Refused: ' + (r.body && (r.body.error || r.body.message) || 'HTTP ' + r.status);
      p.classList.add('error');
      return;
    }
    p.textContent = `The stream user of ${r.body.stream} ${what} (${r.body.code}, ${r.body.message}).`;
    if (r.body.pass) {
      p.classList.add('made');
      const code = document.createElement('code');
      code.id = 'made-pass';
      code.textContent = r.body.pass;
      p.append(' Its password, shown this once: ', code);
    }
    for (const id of ['u-stream', 'u-user', 'u-pass']) document.getElementById(id).value = '';
    Console.loadLive();
  },

  // ---- viewers
  async loadViewers() {
    const r = await Console.latest('viewers', 'api/operator/viewers');
    if (!r) return;
    window.usher.viewers = r.body;
    window.usher.viewersStatus = r.status;
    if (r.status !== 200) { Console.failed('The viewer counts cannot be shown', r); return; }
    const box = document.getElementById('viewer-apps');
    const off = document.getElementById('viewers-unavailable');
    off.hidden = r.body.available;
    off.textContent = r.body.available ? '' : 'Viewer counts are not served here (vsn.viewercount: ' + r.body.message + ').';
    const parts = [];
    for (const app of r.body.apps) {
      const h = document.createElement('h3');
      const total = app.rows.length ? app.rows[0].total : 0;
      h.append(app.app + ': ');
      const t = document.createElement('span');
      t.className = 'viewer-total';
      t.dataset.app = app.app;
      t.textContent = String(total);
      h.append(t, total === 1 ? ' viewer' : ' viewers');
      const wrap = document.createElement('div');
      wrap.className = 'table-wrap';
      const table = document.createElement('table');
      table.className = 'viewer-list console';
      const head = document.createElement('thead');
      head.innerHTML = '<tr><th>Video or stream</th><th>Viewers</th><th>HLS</th><th>DASH</th><th>MP4</th><th>IPv4</th><th>IPv6</th></tr>';
      const body = document.createElement('tbody');
      table.append(head, body);
      Console.fill(body, app.rows.map(row => {
        const tr = document.createElement('tr');
        tr.className = 'viewer-row';
        tr.dataset.app = app.app;
        tr.dataset.url = row.url;
        const f = row.formats || {}, n = row.networks || {};
        Console.cell(tr, row.url);
        Console.cell(tr, row.count, 'count');
        for (const v of [f.hls, f.dash, f.mp4, n.ipv4, n.ipv6]) Console.cell(tr, v == null ? '—' : v);
        return tr;
      }));
      wrap.append(table);
      parts.push(h, wrap);
    }
    box.replaceChildren(...parts);
    Site.text('viewers-at', Site.when(r.body.at));
  },
};

(async () => {
  const me = await Site.header();
  if (!me.operator) {
    Site.say('The console is for operators (sign in as admin).');
    window.usher.ready = true;
    return;
  }
  document.getElementById('ticket-filter').addEventListener('submit', e => {
    e.preventDefault();
    Console.tickets.page = 0;
    Console.loadTickets();
  });
  document.getElementById('page-prev').addEventListener('click', () => { Console.tickets.page--; Console.loadTickets(); });
  document.getElementById('page-next').addEventListener('click', () => { Console.tickets.page++; Console.loadTickets(); });
  document.getElementById('extend-apply').addEventListener('click', Console.extend);
  document.getElementById('extend-cancel').addEventListener('click', () => { document.getElementById('extend-panel').hidden = true; });
  document.getElementById('user-add').addEventListener('submit', Console.addUser);
  window.addEventListener('hashchange', () => Console.show(location.hash.slice(1)));
  window.addEventListener('resize', () => { if (window.usher.refusals) Console.drawChart(window.usher.refusals); });
  Console.show(location.hash.slice(1));
  window.usher.ready = true;
})().catch(e => Site.error('page: ' + e, true));
