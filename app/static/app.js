// Dates in the reader's time zone, with a relative form ("3 min ago"); runs on every htmx swap.
(function () {
  "use strict";
  var relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  var absolute = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  var steps = [["second", 60], ["minute", 60], ["hour", 24], ["day", 30], ["month", 12], ["year", Infinity]];

  function describe(date) {
    var amount = (date.getTime() - Date.now()) / 1000;
    for (var i = 0; i < steps.length; i++) {
      if (Math.abs(amount) < steps[i][1]) {
        return relative.format(Math.round(amount), steps[i][0]);
      }
      amount /= steps[i][1];
    }
    return absolute.format(date);
  }

  function localise(root) {
    root.querySelectorAll("time[data-local]").forEach(function (el) {
      var date = new Date(el.getAttribute("datetime"));
      if (isNaN(date)) { return; }
      el.textContent = describe(date);
      el.title = absolute.format(date);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    localise(document);
    htmx.onLoad(function (el) { if (el.querySelectorAll) { localise(el); } });
  });
})();
