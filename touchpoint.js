/* Touchpoint bootstrap: queues window.touchpoint calls and loads the wasm only
 * when a survey can show on this page. Never throws into the page. Syntax up to
 * ES2018 (browsers without import() cannot run the widget anyway). Readable
 * source: Trunk minifies it into dist/ in release builds (see index.html). */
(function (w, d) {
  var tp = w.touchpoint || {}, q = tp.q || [], L = w.location,
    st = 0, // 0 deciding, 1 loading the wasm, 2 nothing can fire at `seen`
    want, text, seen, s, url;

  var at = (u, base) => u ? new URL(u, base).href : null;
  var attr = (n) => s.getAttribute('data-' + n);
  var get = (k) => { try { return localStorage['touchpoint:' + k]; } catch (e) {} };

  // when.url glob, pinned to protocol/src/glob.rs by tests/vectors/url-glob.json.
  var match = (p, path, href) => {
    var t = p.slice(0, 4) == 'http' ? href : path, pi = 0, ti = 0, sp = -1, sti = 0;
    while (ti < t.length) {
      if (p[pi] == '*') { sp = pi++; sti = ti; }
      else if (p[pi] == t[ti]) { pi++; ti++; }
      else if (sp >= 0) { pi = sp + 1; ti = ++sti; }
      else return false;
    }
    while (p[pi] == '*') pi++;
    return pi == p.length;
  };

  // Whether a touchpoint can fire on this page, or the widget has other work
  // (preview, undelivered answers, a config it must explain).
  var could = () => {
    try {
      var t = JSON.parse(text).touchpoints, i, x, u, k;
      // The outbox is a JSON array of objects: a `{` means answers wait.
      if (/[?&]touchpoint_preview=[^&]/.test(L.search) || !t.push || /{/.test(get('outbox'))) return 1;
      for (i = 0; i < t.length; i++) {
        x = t[i];
        if (x.enabled === false || x.closed === true) continue;
        u = x.when.url; // no `when` (or a touchpoint that is not an object): throws, so loads
        if (!u || !u.push) return 1;
        for (k = 0; k < u.length; k++) if (typeof u[k] != 'string' || match(u[k], L.pathname, L.href)) return 1;
      }
    } catch (e) {
      return 1;
    }
  };

  // Decides once the config text is in (null: missing or unreadable).
  var go = () => {
    if (st == 1 || text === undefined) return;
    if (want || text === null || could()) {
      st = 1;
      // The wasm downloads while the glue does (not after it).
      var w = fetch(at('touchpoint-widget_bg.wasm', s.src));
      import(at('touchpoint-widget.js', s.src)).then((m) => m.default({ module_or_path: w }).then(() => m.start({
        endpoint: at(attr('endpoint'), d.baseURI), config: url, inlineConfig: text, locale: attr('locale'), queue: q,
      }))).catch((e) => console.warn('touchpoint: the widget could not load', e));
    } else if (!st) {
      st = 2;
      seen = L.href;
      tp.ready = true;
    }
  };

  // SPA navigation: decide again for the new page; events queued on the old one cannot fire.
  var nav = () => {
    try {
      if (st == 2 && L.href != seen) {
        seen = L.href;
        for (var j = q.length; j--;) if (q[j][0] == 'track') q.splice(j, 1);
        go();
      }
    } catch (e) {}
  };

  // Whether the wasm would not act on this call on this page, as hosts repeat
  // calls on every page view: events (nothing listens here); identify() of
  // attributes already stored with these values (the wasm's JSON, keys sorted;
  // any difference, a null or a non-object loads it); consent it already has,
  // or refused with nothing stored to clear.
  var idle = (n, a) => {
    try {
      if (n == 'track') return 1;
      if (n == 'consent') return a === true ? get('consent') == 'granted' : a === false && !/touchpoint:/.test(Object.keys(localStorage) + Object.keys(sessionStorage));
      var o = get('attributes');
      if (n == 'identify' && typeof a == 'object' && !a.push) return JSON.stringify(Object.assign(JSON.parse(o), a)) == o;
    } catch (e) {}
  };

  var got = (t) => { text = t; go(); };
  var inline = () => {
    var el = d.getElementById('touchpoint-config');
    if (!el && d.readyState == 'loading') return 1;
    got(el ? el.textContent : null);
  };

  try {
    if (tp.__started) return;
    ['track', 'identify', 'show', 'consent', 'reset'].forEach((n) => {
      tp[n] = (...args) => {
        try {
          nav();
          q.push([n, args]);
          if (!idle(n, args[0])) { want = 1; go(); }
        } catch (e) {}
      };
    });
    tp.q = q;
    tp.__started = 1;
    tp.__glob = match;
    w.touchpoint = tp;
    s = d.currentScript || d.querySelector('script[src*="touchpoint.js"]');
    if (!s || !s.src || !w.WebAssembly) return;
    url = at(attr('config'), d.baseURI);
    ['pushState', 'replaceState'].forEach((n) => {
      var h = w.history, f = h[n];
      h[n] = function () { var r = f.apply(this, arguments); nav(); return r; };
    });
    w.addEventListener('popstate', nav);
    w.addEventListener('hashchange', nav);
    if (url) w.fetch(url).then((r) => r.ok ? r.text() : null).then(got, () => got(null));
    else if (inline()) d.addEventListener('DOMContentLoaded', inline);
  } catch (e) {}
})(window, document);
