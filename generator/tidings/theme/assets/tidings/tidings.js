/* Tidings: progressive enhancement only. Every page is complete without this script; it adds
   the reader's local time and "12 minutes ago" next to times, and shows the out-of-date note
   when the page was built longer ago than the site's threshold (decision 16). */
(function () {
  "use strict";
  var relative = typeof Intl !== "undefined" && Intl.RelativeTimeFormat
    ? new Intl.RelativeTimeFormat("en", { numeric: "auto" }) : null;
  var UNITS = [["day", 86400], ["hour", 3600], ["minute", 60]];

  function ago(ms) {
    var seconds = Math.round((ms - Date.now()) / 1000);
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

  function localTime(ms) {
    try {
      return new Date(ms).toLocaleString(undefined, {
        day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
      });
    } catch (e) {
      return new Date(ms).toString();
    }
  }

  function enhance(node) {
    var ms = Date.parse(node.getAttribute("datetime"));
    if (isNaN(ms) || node.getAttribute("data-tidings-done")) return;
    node.setAttribute("data-tidings-done", "1");
    node.title = "Your time: " + localTime(ms);
    if (node.hasAttribute("data-tidings-relative")) {
      var span = document.createElement("span");
      span.className = "tidings-local";
      span.textContent = " (" + ago(ms) + ")";
      node.parentNode.insertBefore(span, node.nextSibling);
    }
  }

  function staleNote() {
    var note = document.querySelector(".tidings-stale[data-tidings-built]");
    if (!note) return;
    var built = Date.parse(note.getAttribute("data-tidings-built"));
    var minutes = parseInt(note.getAttribute("data-tidings-stale-minutes"), 10) || 30;
    if (!isNaN(built) && Date.now() - built > minutes * 60000) {
      note.textContent = "This page was last updated " + ago(built) +
        " and may be out of date. Reload it, or check back shortly.";
      note.hidden = false;
    }
  }

  function run() {
    var times = document.querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) enhance(times[i]);
    staleNote();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
