/* Tidings: progressive enhancement only. Every page is complete without this script. It
   brings the words the build wrote ("12 minutes ago", "for at least 1 h", "Next update by")
   up to the reader's clock in the space the page reserved for them, adds the reader's own
   time when their zone differs, shows the out-of-date note, opens a panel for a day of the
   uptime bars, and switches the light and dark palettes. */
(function () {
  "use strict";
  var relative = typeof Intl !== "undefined" && Intl.RelativeTimeFormat
    ? new Intl.RelativeTimeFormat("en", { numeric: "auto" }) : null;
  var UNITS = [["day", 86400], ["hour", 3600], ["minute", 60]];
  var now = Date.now();

  function ago(ms) {
    var seconds = Math.round((ms - now) / 1000);
    if (Math.abs(seconds) < 60) return "just now";
    for (var i = 0; i < UNITS.length; i++) {
      if (Math.abs(seconds) >= UNITS[i][1] || i === UNITS.length - 1) {
        var value = Math.round(seconds / UNITS[i][1]);
        return relative ? relative.format(value, UNITS[i][0])
          : Math.abs(value) + " " + UNITS[i][0] + "s " + (value < 0 ? "ago" : "from now");
      }
    }
    return "";
  }

  function lasted(ms) {  /* "1 h 10 min", "2 d 3 h", as the page writes durations */
    var minutes = Math.max(0, Math.floor((now - ms) / 60000));
    var days = Math.floor(minutes / 1440), hours = Math.floor(minutes % 1440 / 60);
    if (days) return days + " d" + (hours ? " " + hours + " h" : "");
    if (hours) return hours + " h" + (minutes % 60 ? " " + minutes % 60 + " min" : "");
    return minutes < 1 ? "under a minute" : minutes + " min";
  }

  function localTime(ms) {
    try {
      return new Date(ms).toLocaleTimeString(undefined, {
        hour: "2-digit", minute: "2-digit", timeZoneName: "short"
      });
    } catch (e) {
      return "";
    }
  }

  /* The page's zone is named in the text ("16:15 CET"); the reader's own time is added only
     when their clock would show another hour and minute. */
  function differs(node, ms) {
    var shown = (node.textContent.match(/(\d\d):(\d\d)/) || []);
    var mine = new Date(ms);
    return shown.length === 3 && (+shown[1] !== mine.getHours() || +shown[2] !== mine.getMinutes());
  }

  function each(selector, fn) {
    var nodes = document.querySelectorAll(selector);
    for (var i = 0; i < nodes.length; i++) fn(nodes[i]);
  }

  function times() {
    each("time[datetime]", function (node) {
      var ms = Date.parse(node.getAttribute("datetime"));
      if (isNaN(ms)) return;
      var mine = differs(node, ms) ? localTime(ms) : "";
      if (mine) node.title = "Your time: " + mine;
      var slot = node.nextElementSibling;
      if (slot && slot.classList.contains("tidings-ago")) {
        slot.textContent = " (" + ago(ms) + (mine ? "; " + mine + " your time" : "") + ")";
      }
    });
    each("[data-tidings-since]", function (node) {
      var ms = Date.parse(node.getAttribute("data-tidings-since"));
      if (!isNaN(ms)) node.textContent = "for " + lasted(ms);
    });
    each("[data-tidings-ago]", function (node) {
      var ms = Date.parse(node.getAttribute("data-tidings-ago"));
      if (!isNaN(ms)) node.textContent = ago(ms);
    });
    /* A promise that has passed since the build says so. */
    each(".tidings-next[data-tidings-due]:not(.tidings-next--overdue)", function (node) {
      var ms = Date.parse(node.getAttribute("data-tidings-due"));
      if (isNaN(ms) || ms >= now) return;
      var time = node.querySelector("time");
      node.className += " tidings-next--overdue";
      node.textContent = "An update was due " + ago(ms) + " (by " + (time ? time.textContent : "") +
        ").";
    });
  }

  function staleNote() {
    var note = document.querySelector(".tidings-asof[data-tidings-built]");
    if (!note) return;
    var built = Date.parse(note.getAttribute("data-tidings-built"));
    var minutes = parseInt(note.getAttribute("data-tidings-stale-minutes"), 10) || 30;
    if (!isNaN(built) && now - built > minutes * 60000) {
      note.classList.add("tidings-asof--stale");
      note.textContent = "Updated " + ago(built) + ": this page may be out of date.";
    }
  }

  /* Uptime days: a tap, click or Enter opens a small panel after the bars; Escape, the close
     button or another day closes it, and focus goes back to the day. */
  var open = null;
  function closePanel(refocus) {
    if (!open) return;
    open.panel.parentNode.removeChild(open.panel);
    open.bar.setAttribute("aria-expanded", "false");
    if (refocus) open.bar.focus();
    open = null;
  }
  function openPanel(bar) {
    closePanel(false);
    var label = bar.getAttribute("aria-label") || "";
    var panel = document.createElement("div");
    panel.className = "tidings-daypanel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", bar.getAttribute("data-tidings-component") + ", " + label.split(":")[0]);
    panel.tabIndex = -1;
    var text = document.createElement("p");
    text.textContent = label;
    panel.appendChild(text);
    var entry = document.getElementById(bar.getAttribute("data-tidings-day"));
    var links = entry ? entry.querySelectorAll("a") : [];
    if (links.length) {
      var list = document.createElement("ul");
      for (var i = 0; i < links.length; i++) {
        var item = document.createElement("li");
        item.appendChild(links[i].cloneNode(true));
        list.appendChild(item);
      }
      panel.appendChild(list);
    } else {
      var none = document.createElement("p");
      none.textContent = "No incidents on this day.";
      panel.appendChild(none);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.className = "tidings-daypanel__close";
    close.setAttribute("aria-label", "Close");
    close.textContent = "\u00d7";
    close.addEventListener("click", function () { closePanel(true); });
    panel.appendChild(close);
    var uptime = bar.closest(".tidings-uptime");
    uptime.insertBefore(panel, uptime.querySelector(".tidings-uptime__legend").nextSibling);
    bar.setAttribute("aria-expanded", "true");
    open = { bar: bar, panel: panel };
    panel.focus();
  }
  /* One Tab stop per component (its newest day); the arrow keys, Home and End move between
     its days, so a keyboard is not made to pass 90 stops per component. */
  function shown(list) {
    return [].filter.call(list.querySelectorAll(".tidings-bar"), function (bar) {
      return bar.offsetParent !== null;
    });
  }
  function roving(event) {
    var bar = event.target.closest && event.target.closest(".tidings-bar");
    var keys = { ArrowLeft: -1, ArrowRight: 1, Home: -1e4, End: 1e4 };
    if (!bar || !(event.key in keys)) return;
    var days = shown(bar.closest(".tidings-bars"));
    var next = days[Math.max(0, Math.min(days.length - 1, days.indexOf(bar) + keys[event.key]))];
    event.preventDefault();
    if (!next || next === bar) return;
    bar.tabIndex = -1;
    next.tabIndex = 0;
    next.focus();
  }
  function bars() {
    each(".tidings-bar", function (bar) {
      bar.setAttribute("role", "button");
      bar.setAttribute("aria-expanded", "false");
      bar.tabIndex = bar.parentNode.nextElementSibling ? -1 : 0;
    });
    document.addEventListener("keydown", roving);
    document.addEventListener("click", function (event) {
      var bar = event.target.closest && event.target.closest(".tidings-bar");
      if (bar) {
        event.preventDefault();
        if (open && open.bar === bar) closePanel(true); else openPanel(bar);
      } else if (open && !open.panel.contains(event.target)) {
        closePanel(false);
      }
    });
    document.addEventListener("keydown", function (event) {
      var bar = event.target.closest && event.target.closest(".tidings-bar");
      if (event.key === "Escape" && open) {
        closePanel(true);
      } else if (bar && event.key === " ") {
        event.preventDefault();
        openPanel(bar);
      }
    });
  }

  /* Light and dark: Material's palette form, without Material's script bundle. */
  function palette() {
    var inputs = document.querySelectorAll("[data-md-component=palette] input[name=__palette]");
    if (!inputs.length) return;
    var current = 0;
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].getAttribute("data-md-color-scheme") === document.body.getAttribute("data-md-color-scheme")) current = i;
    }
    function show(index) {
      for (var j = 0; j < inputs.length; j++) {
        inputs[j].checked = j === index;
        var label = inputs[j].nextElementSibling;
        if (label && label.tagName === "LABEL") label.hidden = j !== index;
      }
    }
    show(current);
    for (var k = 0; k < inputs.length; k++) {
      inputs[k].addEventListener("change", function (event) {
        var input = event.target, color = {};
        ["media", "scheme", "primary", "accent"].forEach(function (key) {
          color[key] = input.getAttribute("data-md-color-" + key);
          if (key !== "media") document.body.setAttribute("data-md-color-" + key, color[key]);
        });
        window.__md_set && window.__md_set("__palette", { index: [].indexOf.call(inputs, input), color: color });
        show([].indexOf.call(inputs, input));
      });
    }
  }

  function run() {
    times();
    staleNote();
    bars();
    palette();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
