// Shared by the player pages. The Node driver (play.mjs) reads window.usher and the <video>.
// Page parameters: src = media URL; append = a query string the page adds to every request the
// player makes (hls.js xhrSetup / dash.js request interceptor), for users who cannot rewrite manifests.
window.usher = { errors: [], fatal: false, seekPending: false, events: [] };

window.Usher = {
  params() {
    const p = new URLSearchParams(location.search);
    return { src: p.get('src'), append: p.get('append') || '', seek: Number(p.get('seek') || '0') };
  },
  withQuery(url, query) {
    if (!query) return url;
    return url + (url.includes('?') ? '&' : '?') + query;
  },
  error(message, fatal) {
    window.usher.errors.push((fatal ? 'FATAL ' : '') + message);
    if (fatal) window.usher.fatal = true;
  },
  video() {
    const v = document.getElementById('video');
    v.muted = true;
    v.addEventListener('error', () => {
      const e = v.error;
      Usher.error('video element: ' + (e ? e.code + ' ' + e.message : 'unknown'), true);
    });
    for (const name of ['loadedmetadata', 'playing', 'seeking', 'seeked', 'waiting', 'ended']) {
      v.addEventListener(name, () => window.usher.events.push(name + '@' + v.currentTime.toFixed(2)));
    }
    return v;
  },
  play(v) {
    v.play().catch(e => Usher.error('play(): ' + e, false));
  },
};

window.addEventListener('error', e => Usher.error('page: ' + e.message, true));
window.addEventListener('unhandledrejection', e => Usher.error('unhandled rejection: ' + e.reason, false));
