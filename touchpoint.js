/* Touchpoint bootstrap (ES5 + import(), never throws into the page): queues
 * window.touchpoint calls and loads the wasm only if a survey can show here. */
(function (w, d) {
  try {
    var tp = w.touchpoint || {}, q = tp.q || [], text, st = 0, want = 0, go, nav, seen, s, at, A, url, N = ['track', 'identify', 'show', 'consent', 'reset'];
    if (tp.__started) return;
    var stub = function (n) {
      return function () {
        try {
          if (st == 2 && w.location.href != seen) nav();
          q.push([n, [].slice.call(arguments)]);
          if (n != N[0]) { want = 1; go && go(); }
        } catch (e) {}
      };
    };
    for (var i = 0; i < 5; i++) tp[N[i]] = stub(N[i]);
    tp.q = q;
    tp.__started = 1;
    tp.__glob = match;
    w.touchpoint = tp;
    s = d.currentScript || d.querySelector('script[src*="touchpoint.js"]');
    if (!s || !s.src || !w.WebAssembly || !w.URL) return;
    at = function (u, b) { return u ? new URL(u, b).href : null; };
    A = function (n) { return s.getAttribute('data-' + n); };
    url = at(A('config'), d.baseURI);
    go = function () {
      if (st == 1 || text === undefined) return;
      var yes = 1;
      try { yes = want || text === null || could(); } catch (e) {} // unexpected: load, the widget explains
      if (yes) {
        st = 1;
        import(at('touchpoint-widget.js', s.src)).then(function (m) {
          return m['default']({ module_or_path: at('touchpoint-widget_bg.wasm', s.src) }).then(function () {
            m.start({ endpoint: at(A('endpoint'), d.baseURI), config: url, inlineConfig: text, locale: A('locale'), queue: q });
          });
        })['catch'](function (e) { w.console && console.warn('touchpoint: the widget could not load', e); });
      } else if (!st) {
        st = 2;
        seen = w.location.href;
        tp.ready = true;
      }
    };
    nav = function () {
      try {
        if (st != 2) return;
        seen = w.location.href;
        for (var j = q.length; j--;) if (q[j][0] == N[0]) q.splice(j, 1);
        go();
      } catch (e) {}
    };
    var h = w.history;
    var wrap = function (n) {
      var f = h && h[n];
      if (typeof f == 'function') h[n] = function () { var r = f.apply(this, arguments); nav(); return r; };
    };
    wrap('pushState');
    wrap('replaceState');
    w.addEventListener('popstate', nav);
    w.addEventListener('hashchange', nav);
    var got = function (t) { text = t; try { go(); } catch (e) {} };
    if (url) {
      w.fetch(url).then(function (r) { return r.ok ? r.text() : null; }).then(got, function () { got(null); });
    } else {
      var inline = function () {
        var el = d.getElementById('touchpoint-config');
        if (!el && d.readyState == 'loading') return 1;
        got(el ? el.textContent : null);
      };
      if (inline()) d.addEventListener('DOMContentLoaded', inline);
    }
  } catch (e) {}
  function could() {
    var l = w.location, t = JSON.parse(text).touchpoints, i, x, u, k;
    if (/[?&]touchpoint_preview=[^&]/.test(l.search) || !t.push || outbox()) return 1;
    for (i = 0; i < t.length; i++) {
      x = t[i] || {};
      u = x.when && x.when.url;
      if (x.enabled === false || x.closed === true) continue;
      if (u == null || !u.push) return 1;
      for (k = 0; k < u.length; k++) if (typeof u[k] != 'string' || match(u[k], l.pathname, l.href)) return 1;
    }
  }
  function outbox() {
    try { return (localStorage.getItem('touchpoint:outbox') || '[]') != '[]'; } catch (e) {}
  }
  function match(p, path, href) {
    var t = p.slice(0, 4) == 'http' ? href : path, pi = 0, ti = 0, sp = -1, sti = 0;
    while (ti < t.length) {
      if (p.charAt(pi) == '*') { sp = pi++; sti = ti; }
      else if (pi < p.length && p.charAt(pi) == t.charAt(ti)) { pi++; ti++; }
      else if (sp >= 0) { pi = sp + 1; ti = ++sti; }
      else return false;
    }
    while (p.charAt(pi) == '*') pi++;
    return pi == p.length;
  }
})(window, document);
