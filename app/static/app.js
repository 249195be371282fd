// Small enhancements on top of pages that work without JavaScript:
// dates in the reader's time zone with a relative form, a filter and an empty-selection check
// on the order form, plain form buttons disabled while their request is in flight, messages
// that go when their order moves on, open drafts told when they moved on elsewhere, and no
// console errors for polls cut short by leaving the page.
(function () {
  "use strict";
  // Dates and times as the server writes them (app/formatting.py), in the page's language and
  // the browser's time zone, the year only when it is not this one: "Dec 7, 01:28",
  // "7 дек. 2025 г., 01:28 (1 год назад)".
  // The browser's zone goes to the server in a cookie, so its next pages (and the account, for
  // pages read later without JavaScript) use it too.
  var lang = document.documentElement.lang || undefined;
  var relative = new Intl.RelativeTimeFormat(lang, { numeric: "always" });
  var day = new Intl.DateTimeFormat(lang, { year: "numeric", month: "short", day: "numeric" });
  var dayThisYear = new Intl.DateTimeFormat(lang, { month: "short", day: "numeric" });
  var clock = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  var plurals = new Intl.PluralRules(lang);
  var steps = [["second", 60], ["minute", 60], ["hour", 24], ["day", 30], ["month", 12], ["year", Infinity]];
  var JUST_NOW_SECONDS = 10;

  function reportTimeZone() {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!/^[A-Za-z0-9_\/+-]+$/.test(zone || "") || zone === document.body.dataset.timeZone) { return; }
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax" + secure;
  }

  function whenText(date) {
    var thisYear = date.getFullYear() === new Date().getFullYear();
    var written = (thisYear ? dayThisYear : day).format(date) + ", " + clock.format(date);
    return written.replace(/\u202f/g, " ");
  }

  function describe(date) {
    var amount = (date.getTime() - Date.now()) / 1000;
    if (Math.abs(amount) < JUST_NOW_SECONDS) { return document.body.dataset.justNow; }
    for (var i = 0; i < steps.length; i++) {
      if (Math.abs(amount) < steps[i][1]) { break; }
      amount /= steps[i][1];
    }
    return relative.format(Math.round(amount), steps[i][0]);
  }

  // <time data-local> shows "3 minutes ago"; <time data-local="full"> the date and time, then
  // that; <time data-local="absolute"> only the date and time; <time data-local="time"> only
  // the time (a timeline's line, under its day).
  function localise(scope) {
    scope.querySelectorAll("time[data-local]").forEach(function (el) {
      var date = new Date(el.getAttribute("datetime"));
      if (isNaN(date)) { return; }
      var when = whenText(date);
      var styles = { full: when + " (" + describe(date) + ")", absolute: when, time: clock.format(date) };
      var text = styles[el.dataset.local] || describe(date);
      if (el.textContent !== text) { el.textContent = text; }
      el.title = when;
    });
  }

  // "3 of 45 services match.", from the template the page gives for the count's plural form.
  function matchesText(tools, matches, total) {
    var template = tools.getAttribute("data-matches-" + plurals.select(matches)) ||
      tools.getAttribute("data-matches-other");
    return template.replace("{num}", matches).replace("{total}", total);
  }

  function setUpFilter(form) {
    var tools = form.querySelector("[data-picker-tools]");
    if (!tools) { return; }
    var input = tools.querySelector("input");
    var status = tools.querySelector("[role=status]");
    var picks = Array.prototype.slice.call(form.querySelectorAll(".pick[data-search]"));
    var empty = form.querySelector("[data-filter-empty]");
    tools.hidden = false;
    function apply() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var matches = 0;
      picks.forEach(function (pick) {
        var match = words.every(function (w) { return pick.dataset.search.indexOf(w) !== -1; });
        (pick.closest(".pick-chosen") || pick).hidden = !match && !pick.querySelector("input").checked;
        if (match) { matches += 1; }
      });
      empty.hidden = matches > 0;
      status.textContent = words.length ? matchesText(tools, matches, picks.length) : "";
    }
    input.addEventListener("input", apply);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // Enter filters; it does not submit
    });
  }

  // The chosen services' Remove buttons untick their box (the totals follow, through htmx);
  // without JavaScript the buttons stay hidden and the boxes do the same.
  function setUpRemove(form) {
    form.querySelectorAll("[data-remove]").forEach(function (button) { button.hidden = false; });
    form.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove]");
      if (!button) { return; }
      var box = form.querySelector(
        'input[name=services][value="' + CSS.escape(button.dataset.remove) + '"]');
      box.checked = false;
      box.dispatchEvent(new Event("change", { bubbles: true }));
      box.focus();
    });
  }

  // Without a ticked service the server would refuse the order; say so before sending it.
  function checkSelection(event) {
    var form = event.target;
    if (!form.matches("[data-order-form]") || form.querySelector("input[name=services]:checked")) {
      return true;
    }
    event.preventDefault();
    var hint = form.querySelector("#totals-hint");
    hint.textContent = form.dataset.nothingChosen;
    hint.classList.add("hint-error");
    hint.setAttribute("role", "alert");
    var first = form.querySelector(".pick:not([hidden]) input[name=services]");
    if (first) { first.focus(); }
    return false;
  }

  // A plain (non-htmx) form: its button says "busy" and cannot be pressed twice.
  function markBusy(event) {
    var form = event.target;
    var button = event.submitter;
    if (event.defaultPrevented || !button || form.hasAttribute("hx-post") || form.hasAttribute("hx-boost")) {
      return;
    }
    window.setTimeout(function () {
      button.disabled = true;
      button.classList.add("is-busy");
    }, 0);
  }

  // A message about an order's progress holds only while the order is in the status it
  // describes ("Sending…"); once the page shows that order in another status, it goes.
  function dropStaleMessages() {
    document.querySelectorAll(".flash[data-about-order]").forEach(function (message) {
      var shown = document.querySelectorAll(
        '[data-order-id="' + CSS.escape(message.dataset.aboutOrder) + '"][data-status]');
      var holds = Array.prototype.some.call(shown, function (element) {
        return element.dataset.status === message.dataset.whileStatus;
      });
      if (shown.length && !holds) { message.remove(); }
    });
  }

  // An action that cannot be undone (a form with data-confirm-* words) asks first, in the
  // page's <dialog>: the same words as the confirmation page readers without JavaScript get.
  // The dialog is modal (the rest of the page is inert, so focus stays inside), its safe
  // choice has the focus, and Escape or that choice closes it. Confirmed, an htmx action goes
  // on as asked; a form that would open the confirmation page posts the action itself.
  var asking = null;
  function ask(form, goOn) {
    var dialog = document.getElementById("confirm-dialog");
    var words = form.dataset;
    dialog.querySelector("#confirm-heading").textContent = words.confirmHeading;
    dialog.querySelector("[data-confirm-summary]").textContent = words.confirmSummary || "";
    dialog.querySelector("[data-confirm-detail]").textContent = words.confirmDetail || "";
    dialog.querySelector("[data-confirm-yes]").textContent = words.confirmButton;
    dialog.querySelector("[data-confirm-no]").textContent = words.confirmKeep;
    asking = { form: form, goOn: goOn, opener: document.activeElement };
    dialog.showModal();
    dialog.querySelector("[data-confirm-no]").focus();
  }
  function postFromDialog(dialogForm, form) {
    dialogForm.action = form.dataset.confirmAction;
    dialogForm.querySelectorAll("[data-carried]").forEach(function (input) { input.remove(); });
    form.querySelectorAll("input[type=hidden]:not([name=csrf_token])").forEach(function (input) {
      var copy = input.cloneNode();
      copy.setAttribute("data-carried", "");
      dialogForm.appendChild(copy);
    });
  }
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.detail.elt.closest && event.detail.elt.closest("form[data-confirm-heading]");
    if (!form || !event.detail.triggeringEvent) { return; }
    event.preventDefault();
    // A form that would open the confirmation page (boosted, method get) posts from the dialog.
    var byPage = !form.hasAttribute("hx-post") && form.method.toLowerCase() === "get";
    ask(form, byPage ? null : function () { event.detail.issueRequest(true); });
  });
  document.addEventListener("submit", function (event) {
    var dialogForm = event.target.closest("#confirm-dialog form");
    if (!dialogForm || !asking) { return; }
    var current = asking;
    if (current.goOn) {
      event.preventDefault();
      dialogForm.closest("dialog").close();
      current.goOn();
    } else {
      postFromDialog(dialogForm, current.form);
    }
  }, true);
  document.addEventListener("click", function (event) {
    var no = event.target.closest && event.target.closest("#confirm-dialog [data-confirm-no]");
    if (no) { no.closest("dialog").close(); }
  });
  // Tab and Shift+Tab go round the dialog's two buttons, never out of it.
  document.addEventListener("keydown", function (event) {
    var dialog = event.key === "Tab" && event.target.closest && event.target.closest("#confirm-dialog");
    if (!dialog) { return; }
    var buttons = dialog.querySelectorAll("button");
    var first = buttons[0], last = buttons[buttons.length - 1];
    if (event.shiftKey ? event.target === first : event.target === last) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    }
  });
  document.addEventListener("close", function (event) {
    if (event.target.id !== "confirm-dialog" || !asking) { return; }
    var opener = asking.opener;
    asking = null;
    if (opener && document.contains(opener) && !opener.disabled) { opener.focus(); }
  }, true);

  // A done action in a list row (Send, Cancel, Delete) is confirmed by a toast beside its
  // button, which screen readers announce; the message at the top of the page (the one readers
  // without JavaScript get) still shows, but is not announced a second time.
  var toastFor = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (event.detail.requestConfig.verb !== "post" || !elt.closest || !elt.closest("tr")) { return; }
    var box = (elt.querySelector("button") || elt).getBoundingClientRect();
    toastFor = { top: box.bottom + window.scrollY, right: box.right + window.scrollX };
  });
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    if (toastFor && event.detail.target.id === "flash") {
      event.detail.target.setAttribute("aria-live", "off");
    }
  });
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var region = event.detail.target;
    if (region.id !== "flash" || !toastFor) { return; }
    var where = toastFor;
    toastFor = null;
    var messages = region.querySelectorAll(".flash");
    messages.forEach(function (message) { message.setAttribute("aria-live", "off"); });
    if (messages.length) { showToast(messages[messages.length - 1], where); }
    window.setTimeout(function () { region.setAttribute("aria-live", "polite"); }, 0);
  });
  function showToast(message, where) {
    document.querySelectorAll(".toast").forEach(function (old) { old.remove(); });
    var toast = document.createElement("div");
    toast.className = "toast toast-" + (message.classList.contains("flash-error") ? "error" : "success");
    toast.setAttribute("aria-live", "polite");  // announced; not a second "status" on the page
    document.body.appendChild(toast);
    toast.style.top = where.top + 6 + "px";
    toast.style.left = Math.max(8, Math.min(where.right - 280, window.innerWidth - 288)) + "px";
    window.setTimeout(function () { toast.textContent = message.querySelector("span").textContent; }, 50);
    window.setTimeout(function () { toast.remove(); }, 6000);
  }

  // A message's close button (no inline handlers: the Content-Security-Policy forbids them).
  document.addEventListener("click", function (event) {
    var close = event.target.closest && event.target.closest(".flash-close");
    if (close) { close.parentElement.remove(); }
  });
  document.addEventListener("htmx:afterSettle", dropStaleMessages);
  document.addEventListener("submit", function (event) {
    if (checkSelection(event)) { markBusy(event); }
  });
  // Coming back to a page from the history cache: its buttons are usable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("button.is-busy").forEach(function (button) {
      button.disabled = false;
      button.classList.remove("is-busy");
    });
  });

  // A region that reloads itself (the orders list) also answers the reader's clicks and
  // typing. Its own reload never replaces it while the reader's request for it (or for a part
  // of it, such as a row) is on its way: that answer would then have nowhere to land. And of
  // the reader's requests for one region, an older answer gives way to a newer request.
  var requestsSent = 0;
  var readersRequests = [];
  document.addEventListener("htmx:beforeRequest", function (event) {
    var detail = event.detail;
    if (!detail.target || detail.elt === detail.target) { return; }  // a region's own reload
    var request = { sequence: ++requestsSent, target: detail.target, done: false };
    detail.xhr.addEventListener("loadend", function () { request.done = true; });
    detail.xhr.readersRequest = request;
    readersRequests = readersRequests.filter(function (r) { return !r.done; }).concat([request]);
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var mine = detail.xhr.readersRequest;
    var waitFor = readersRequests.some(function (r) {
      if (r === mine || r.done) { return false; }
      return mine ? r.target === detail.target && r.sequence > mine.sequence
                  : detail.target.contains(r.target);
    });
    if (waitFor) { detail.shouldSwap = false; }
  });

  // A page whose login ended (a logout elsewhere, a new password, an expired login) goes to
  // the login page: its stream's last event, login-ended, has closed the stream (sse-close),
  // and the reload is answered with the way there. Unless the page is being left already (its
  // own Log out button, whose answer says "You are logged out."): then the reload would
  // overtake that navigation.
  var leaving = false;
  window.addEventListener("beforeunload", function () { leaving = true; });
  window.addEventListener("pageshow", function () { leaving = false; });
  document.addEventListener("htmx:sseClose", function (event) {
    if (event.detail.type === "message" && !leaving) { window.location.reload(); }
  });

  // A region that reloads itself on a timer (the orders list, an order's summary) skips the
  // timer's reload while its page's live stream is open: the stream brings every change, and
  // the region reloads once whenever the stream (re)connects. So the timer stands in only
  // while the stream is down. (A reload the timer asks for has no triggering event.)
  var liveStreams = new WeakMap();
  document.addEventListener("htmx:sseOpen", function (event) {
    liveStreams.set(event.target, event.detail.source);
  });
  document.addEventListener("htmx:confirm", function (event) {
    if (event.detail.triggeringEvent) { return; }
    var holder = event.detail.elt.closest && event.detail.elt.closest("[sse-connect]");
    var stream = holder && liveStreams.get(holder);
    if (stream && stream.readyState === EventSource.OPEN) { event.preventDefault(); }
  });

  // An open draft (its order page, its edit form) follows its stream: when a change says the
  // draft moved on from the revision the page shows (edited, sent or deleted elsewhere), its
  // watch asks the server, which answers with the notice. A change the page is making itself
  // (a request from one of the draft's forms in flight) is left to that request's answer.
  var acting = {};
  function movedOn(change, watch) {
    return change.deleted || change.status !== "draft" ||
      String(change.revision) !== watch.dataset.revision;
  }
  document.addEventListener("htmx:sseOpen", function (event) {
    var source = event.detail.source;
    if (source.followsDrafts) { return; }
    source.followsDrafts = true;
    source.addEventListener("order-changed", function (message) {
      var change = JSON.parse(message.data);
      if (leaving || acting[change.order_id]) { return; }
      document.querySelectorAll("[data-draft-watch]:not([data-stale])").forEach(function (watch) {
        if (watch.dataset.orderId === change.order_id && movedOn(change, watch)) {
          htmx.trigger(watch, "order-moved");
        }
      });
    });
  });
  function draftForm(event) {
    return event.detail.elt.closest && event.detail.elt.closest("form[data-revision-of]");
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = draftForm(event);
    if (form) { acting[form.dataset.revisionOf] = true; }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = draftForm(event);
    if (form) { delete acting[form.dataset.revisionOf]; }
  });
  // Once a watch says its draft moved on, the page's forms of that draft cannot be sent: the
  // server would refuse them.
  function disableStaleForms() {
    document.querySelectorAll("[data-draft-watch][data-stale]").forEach(function (watch) {
      var forms = document.querySelectorAll(
        'form[data-revision-of="' + CSS.escape(watch.dataset.orderId) + '"]');
      forms.forEach(function (form) {
        form.classList.add("is-stale");
        form.querySelectorAll("button[type=submit]").forEach(function (button) {
          button.disabled = true;
        });
      });
    });
  }
  document.addEventListener("htmx:afterSettle", disableStaleForms);

  // A live part (the table, an order's summary) reloads when told of a change. A change told
  // while it reloads waits on the element that the reload then replaces, and is lost with it;
  // so a part swapped in reloads once more if a change came after its own request left.
  var changedAt = {};
  document.addEventListener("sse:order-changed", function (event) {
    if (event.target.id) { changedAt[event.target.id] = Date.now(); }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    event.detail.xhr.asker = event.detail.elt;
    event.detail.xhr.leftAt = Date.now();
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var xhr = event.detail.xhr, part = xhr && xhr.asker;  // the element that asked, now gone
    var fresh = part && part.id && document.getElementById(part.id);
    if (fresh && fresh === event.target && fresh !== part && changedAt[part.id] >= xhr.leftAt) {
      htmx.trigger(fresh, "sse:order-changed");
    }
  });

  // A request is aborted only on purpose (a newer one replaced it, as the totals do, or the page
  // is being left), and a page being left cuts short its requests in flight: neither is an error
  // worth reporting, but htmx logs both with console.error. Its own clean-up still runs.
  var inFlight = new Set();
  function quietly(handler) {
    return function () {
      var report = console.error;
      console.error = function () {};
      try { return handler && handler.apply(this, arguments); } finally { console.error = report; }
    };
  }
  document.addEventListener("htmx:beforeSend", function (event) {
    event.detail.xhr.onabort = quietly(event.detail.xhr.onabort);
    inFlight.add(event.detail.xhr);
  });
  document.addEventListener("htmx:afterRequest", function (event) { inFlight.delete(event.detail.xhr); });
  window.addEventListener("pagehide", function () {
    inFlight.forEach(function (xhr) { xhr.onerror = quietly(xhr.onerror); });
  });

  document.addEventListener("DOMContentLoaded", function () {
    reportTimeZone();
    localise(document);
    dropStaleMessages();
    document.querySelectorAll("[data-order-form]").forEach(function (form) {
      setUpFilter(form);
      setUpRemove(form);
    });
    htmx.onLoad(function (el) { if (el.querySelectorAll) { localise(el); } });
    window.setInterval(function () { localise(document); }, 30000);
  });
})();
