/* Touchpoint bootstrap: the one script a host page embeds.
 * <script async src=".../touchpoint.js" data-endpoint="..." data-config="..."></script>
 * It queues window.touchpoint calls, loads the widget (wasm-bindgen glue and
 * wasm) from its own folder, and hands over to Rust's start(), which replaces
 * the queueing methods and replays the queue in order. Plain ES5 apart from
 * import(); nothing here may throw into the host page. */
(function (w, d) {
  try {
    var tp = w.touchpoint || {};
    if (tp.__started) return; // a second copy of the tag
    var q = tp.q || [];
    var names = ['track', 'identify', 'show', 'consent', 'reset'];
    var stub = function (n) {
      return function () { q.push([n, [].slice.call(arguments)]); };
    };
    for (var i = 0; i < names.length; i++) tp[names[i]] = stub(names[i]);
    tp.q = q;
    tp.__started = 1;
    w.touchpoint = tp;

    var s = d.currentScript || d.querySelector('script[src*="touchpoint.js"]');
    if (!s || !s.src || !w.WebAssembly || !w.URL) return;
    var at = function (u, base) { return u ? new URL(u, base).href : null; };
    var attr = function (n) { return s.getAttribute('data-' + n); };
    var options = {
      endpoint: at(attr('endpoint'), d.baseURI),
      config: at(attr('config'), d.baseURI),
      locale: attr('locale'),
      queue: q
    };
    import(at('touchpoint-widget.js', s.src)).then(function (m) {
      return m['default']({ module_or_path: at('touchpoint-widget_bg.wasm', s.src) }).then(function () {
        m.start(options);
      });
    })['catch'](function (e) {
      if (w.console) w.console.warn('touchpoint: the widget could not load', e);
    });
  } catch (e) { /* never break the host page */ }
})(window, document);
