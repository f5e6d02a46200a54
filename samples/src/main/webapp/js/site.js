// Shared by the sample's pages: who is signed in, and the header's links. Every URL is relative, so the
// site works under any context path. window.usher is what the end-to-end tests read.
window.usher = { errors: [], fatal: false, noTicket: false, events: [], ready: false };

const Site = {
  async json(url) {
    const r = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
    let body = null;
    try { body = await r.json(); } catch (e) { /* not JSON */ }
    return { status: r.status, body };
  },
  async header() {
    const me = await Site.json('api/me');
    const who = document.getElementById('who');
    if (me.body && me.body.signedIn) {
      who.innerHTML = '';
      const name = document.createElement('span');
      name.id = 'user';
      name.textContent = 'Signed in as ' + me.body.user;
      who.append(name, Site.link('tickets.html', 'My tickets', 'my-tickets'));
      if (me.body.operator) who.append(Site.link('operator.html', 'Console', 'console'));
      who.append(Site.link('logout', 'Sign out', 'logout'));
    } else {
      who.innerHTML = '';
      const name = document.createElement('span');
      name.textContent = 'Not signed in';
      who.append(name, Site.link('signin', 'Sign in', 'signin'));
    }
    return me.body || { signedIn: false };
  },
  link(href, text, id) {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = text;
    if (id) a.id = id;
    return a;
  },
  text(id, value) {
    document.getElementById(id).textContent = value;
  },
  // An instant from the API (ISO-8601, maybe with nanoseconds) as the viewer's local date and time.
  when(iso) {
    if (!iso) return '—';
    const d = new Date(String(iso).replace(/(\.\d{3})\d+/, '$1'));
    if (isNaN(d)) return String(iso);
    return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  },
  error(message, fatal) {
    window.usher.errors.push((fatal ? 'FATAL ' : '') + message);
    if (fatal) window.usher.fatal = true;
  },
  // Asks the site for a playback URL (api already has its query; the usher bean issues the ticket),
  // telling how the viewer reached this page (refurl; the page itself reaches Usher as the Referer,
  // pageurl). Signed out it says so, with a sign-in button, and answers null; else the API's answer.
  async playback(api, verb) {
    const issued = await Site.json(api + (document.referrer ? '&refurl=' + encodeURIComponent(document.referrer) : ''));
    window.usher.ticketStatus = issued.status;
    if (issued.status === 401) {
      window.usher.noTicket = true;
      const signin = Site.link('signin', 'Sign in');
      signin.className = 'button';
      Site.say('Sign in to watch: your viewing pass is made for you when you press ' + verb + '.', signin);
      return null;
    }
    return issued;
  },
  // A muted video element whose playback events the browser tests read (window.usher.events).
  watch(video) {
    video.muted = true;
    for (const name of ['loadedmetadata', 'playing', 'waiting', 'ended']) {
      video.addEventListener(name, () => window.usher.events.push(name + '@' + video.currentTime.toFixed(2)));
    }
  },
  // Replaces the page's message panel (#message) with a text and, after it, the elements given.
  say(text, ...extra) {
    const m = document.getElementById('message');
    m.innerHTML = '';
    const p = document.createElement('p');
    p.textContent = text;
    m.append(p);
    for (const e of extra) m.append(e);
    m.hidden = false;
  },
  // Plays a playback URL in the video element with the player its format needs: hls.js, dash.js,
  // or the element itself (MP4). Player errors go to window.usher.errors.
  attach(video, player, url, hlsConfig) {
    const play = () => video.play().catch(e => Site.error('play(): ' + e, false));
    if (player === 'hls') {
      if (!Hls.isSupported()) { Site.error('hls.js: Media Source Extensions not supported', true); return; }
      const hls = new Hls(hlsConfig || {});
      hls.on(Hls.Events.ERROR, (event, d) => {
        const code = d.response && d.response.code !== undefined ? ' HTTP ' + d.response.code : '';
        Site.error('hls.js ' + d.type + ' ' + d.details + code, d.fatal);
      });
      hls.on(Hls.Events.MANIFEST_PARSED, play);
      hls.loadSource(url);
      hls.attachMedia(video);
    } else if (player === 'dash') {
      const dash = dashjs.MediaPlayer().create();
      dash.on(dashjs.MediaPlayer.events.ERROR, e => {
        const err = e.error || e;
        Site.error('dash.js error ' + (err.code !== undefined ? err.code + ' ' : '') + (err.message || ''), true);
      });
      dash.initialize(video, url, true);
    } else {
      video.src = url;
      play();
    }
  },
};
