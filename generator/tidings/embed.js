/*
 * Tidings status banner. Add one tag to any web page:
 *
 *   <script src="https://status.example.com/embed.js" async></script>
 *
 * While an incident or maintenance is active it shows a small, dismissible notice with its
 * title and a link to the status page; otherwise it shows nothing. No dependencies.
 *
 * It reads api/v2/summary.json next to its own src, so it works from any origin and with the
 * status site under a subpath. Another origin needs the status site to send the header
 * "Access-Control-Allow-Origin: *" (GitHub Pages does; configure it on other hosts).
 * A dismissal is remembered per incident and update: a new update shows the notice again.
 */
(function () {
  "use strict";

  var REFRESH_MS = 5 * 60 * 1000;
  var KEY_PREFIX = "tidings-dismissed:";
  // IMPACT_RANK, CLOSED, ACTIVE_MAINTENANCE, COLOURS and STATUS_WORDS: written in by the
  // build from tidings/vocabulary.py (tidings/embed.py), so they match the site.
  /* tidings:vocabulary */
  var STYLE = [
    ":host { all: initial; }",
    ".banner { position: fixed; left: 1rem; right: 1rem; bottom: 1rem; z-index: 2147483000;",
    "  margin: 0 auto; max-width: 40rem; box-sizing: border-box; display: flex;",
    "  align-items: center; gap: .75rem; padding: .625rem .75rem .625rem 1rem;",
    "  border-radius: .5rem; color: #fff; font: 15px/1.4 system-ui, -apple-system,",
    "  'Segoe UI', Roboto, sans-serif; box-shadow: 0 .25rem 1rem rgba(0, 0, 0, .25); }",
    ".text { flex: 1; min-width: 0; }",
    ".kind { font-weight: 700; margin-right: .375rem; }",
    "a { color: inherit; text-decoration: underline; text-underline-offset: 2px; }",
    ".more { margin-left: .375rem; white-space: nowrap; }",
    "button { flex: none; cursor: pointer; border: 0; border-radius: .25rem; color: inherit;",
    "  background: rgba(255, 255, 255, .15); font: inherit; font-size: 1.25rem;",
    "  line-height: 1; width: 2rem; height: 2rem; }",
    "button:hover { background: rgba(255, 255, 255, .3); }",
    "a:focus-visible, button:focus-visible { outline: 2px solid #fff; outline-offset: 2px; }"
  ].join("\n");

  var script = document.currentScript ||
    document.querySelector('script[src$="/embed.js"], script[src="embed.js"]');
  if (!script || !script.src || !window.fetch || !window.URL) return;
  var base = new URL(".", script.src); // the status site's root: where this file lives
  var summaryUrl = new URL("api/v2/summary.json", base).href;
  var host = null; // the element holding the banner, while one is shown
  var shownKey = null;
  var last = null; // the latest summary read

  function dismissKey(item) {
    return KEY_PREFIX + item.id + ":" + item.updated_at;
  }

  function isDismissed(item) {
    try {
      return window.localStorage.getItem(dismissKey(item)) === "1";
    } catch (e) { // storage blocked (privacy settings, sandboxed frames): never dismissed
      return false;
    }
  }

  function rememberDismissal(item) {
    try {
      window.localStorage.setItem(dismissKey(item), "1");
    } catch (e) { /* the notice still closes for this page view */ }
  }

  // Open incidents, worst impact first, then maintenance in progress; minus dismissed ones.
  function activeItems(summary) {
    var incidents = (summary.incidents || []).filter(function (i) {
      return !CLOSED[i.status] && !i.resolved_at;
    });
    incidents.sort(function (a, b) {
      return (IMPACT_RANK[b.impact] || 0) - (IMPACT_RANK[a.impact] || 0);
    });
    var maintenance = (summary.scheduled_maintenances || []).filter(function (m) {
      return ACTIVE_MAINTENANCE[m.status];
    });
    return incidents.map(function (i) { return { kind: "incident", data: i }; })
      .concat(maintenance.map(function (m) { return { kind: "maintenance", data: m }; }))
      .filter(function (item) { return !isDismissed(item.data); });
  }

  function element(name, attributes, text) {
    var node = document.createElement(name);
    Object.keys(attributes || {}).forEach(function (key) {
      node.setAttribute(key, attributes[key]);
    });
    if (text) node.textContent = text; // API data is only ever text, never markup
    return node;
  }

  function remove() {
    if (host && host.parentNode) host.parentNode.removeChild(host);
    host = null;
    shownKey = null;
  }

  function show(item, others) {
    var data = item.data;
    var key = dismissKey(data) + "+" + others;
    if (key === shownKey) return;
    remove();
    host = element("div", { "data-tidings-banner": "" });
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var style = element("style");
    style.textContent = STYLE;
    var banner = element("div", { "class": "banner", role: "status", "aria-live": "polite" });
    var colour = item.kind === "maintenance" ? COLOURS.maintenance :
      (COLOURS[data.impact] || COLOURS.none);
    banner.style.background = colour;
    root.appendChild(style);
    root.appendChild(banner);
    document.body.appendChild(host); // the live region exists before its text: it is announced

    var text = element("span", { "class": "text" });
    var kind = item.kind === "maintenance" ? "Maintenance" : "Incident";
    var words = STATUS_WORDS[data.status];
    text.appendChild(element("span", { "class": "kind" }, words ? kind + " (" + words + "):" :
      kind + ":"));
    var link = element("a", {
      href: new URL("incidents/" + encodeURIComponent(data.id) + "/", base).href,
      target: "_blank", rel: "noopener"
    }, data.name || "Details on our status page");
    text.appendChild(link);
    if (others > 0) {
      text.appendChild(element("a", { "class": "more", href: base.href, target: "_blank",
        rel: "noopener" }, "+" + others + " more"));
    }
    var close = element("button", { type: "button", "aria-label": "Dismiss this status notice",
      title: "Dismiss" }, "\u00d7");
    close.addEventListener("click", function () {
      rememberDismissal(data);
      remove();
      render(last); // the next active item, if any
    });
    banner.appendChild(text);
    banner.appendChild(close);
    shownKey = key;
  }

  function render(summary) {
    var items = activeItems(summary || {});
    if (items.length) show(items[0], items.length - 1);
    else remove();
  }

  function load() {
    window.fetch(summaryUrl, { mode: "cors", credentials: "omit", cache: "no-cache" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (summary) {
        if (!summary) return;
        last = summary;
        render(summary);
      })
      .catch(function () { /* status site unreachable or no CORS: show nothing */ });
  }

  function start() {
    load();
    window.setInterval(load, REFRESH_MS); // long-lived app pages see new incidents too
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
