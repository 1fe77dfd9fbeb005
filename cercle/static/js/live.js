// Live pages by short polling (docs/live.md): progressive enhancement only.
//
// - A topic page's last page carries `[data-live-topic]`: every `data-live-seconds` it
//   asks its `data-live-url` (GET /t/<topic>/since/<position>/) how many replies came
//   since; when some did, a polite bar says "2 new replies"; pressing it appends them
//   to the thread (and moves focus to the first), without reloading the page.
// - An element with `[data-live-notifications]` (the header's unread figure) gets the
//   count of unread notifications from `data-live-url` (default /notifications/count/)
//   every `data-live-seconds` (default 60), hidden when there are none.
//
// Both only read: any web worker answers from the database, so this works behind a
// load balancer with several workers and needs no long-lived connection.
(function () {
  "use strict";

  var SINCE = /\/since\/\d+\/$/;

  function seconds(element, fallback) {
    var value = parseInt(element.getAttribute("data-live-seconds") || "", 10);
    return value > 0 ? value : fallback;
  }

  function getJSON(url) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Requested-With": "fetch" },
    }).then(function (response) {
      if (response.status !== 200) {
        var error = new Error("HTTP " + response.status);
        error.status = response.status;
        throw error;
      }
      return response.json();
    });
  }

  // 286: the server asks the page to stop asking (the session ended); 403 and 404: the
  // reader may no longer see this. Anything else (a network hiccup, a busy server) is
  // tried again later, less often each time.
  function final(error) {
    return error && (error.status === 286 || error.status === 403 || error.status === 404);
  }

  // --- New replies on a topic page --------------------------------------------------------

  var waitingCount = 0;

  function liveBar() {
    // Read again each time: posting a reply with htmx replaces the whole main area.
    return document.querySelector("[data-live-topic]");
  }

  function label(bar, count) {
    if (count === 1) return bar.getAttribute("data-live-one");
    return (bar.getAttribute("data-live-many") || "{count}").replace("{count}", String(count));
  }

  function showCount(bar, count) {
    var button = bar.querySelector(".live-bar__button");
    if (!button) return;
    if (count > 0) {
      button.textContent = label(bar, count);
      button.hidden = false;
    } else {
      button.hidden = true;
      button.textContent = "";
    }
  }

  function appendNew(bar) {
    var url = bar.getAttribute("data-live-url");
    return getJSON(url + "?posts=1").then(function (answer) {
      if (answer.more && answer.first_url) {
        // More than one answer carries: read them on their page.
        window.location.assign(answer.first_url);
        return;
      }
      var thread = document.getElementById("thread");
      if (!thread || !answer.html) return;
      var holder = document.createElement("div");
      holder.innerHTML = answer.html;
      var first = null;
      while (holder.firstElementChild) {
        var node = holder.firstElementChild;
        thread.appendChild(node);
        if (!first && node.matches("article.post")) first = node;
      }
      if (window.htmx) window.htmx.process(thread);
      bar.setAttribute("data-live-url", url.replace(SINCE, "/since/" + answer.last + "/"));
      waitingCount = 0;
      showCount(bar, 0);
      if (first) {
        first.focus({ preventScroll: true });
        first.scrollIntoView({ block: "start" });
      }
    });
  }

  var topicDelay = 0;

  function pollTopic() {
    var bar = liveBar();
    if (!bar) return;
    var every = seconds(bar, 15) * 1000;
    if (document.hidden) {
      // Nobody is looking: ask again when they come back.
      window.setTimeout(pollTopic, 1000);
      return;
    }
    var asked = bar.getAttribute("data-live-url");
    getJSON(asked)
      .then(function (answer) {
        topicDelay = 0;
        var current = liveBar();
        if (!current) return;
        // An answer about an older position (replies appended meanwhile) is stale.
        if (current.getAttribute("data-live-url") === asked && answer.count !== waitingCount) {
          waitingCount = answer.count;
          showCount(current, answer.count);
        }
        window.setTimeout(pollTopic, every);
      })
      .catch(function (error) {
        if (final(error)) return;
        topicDelay = Math.min((topicDelay || every) * 2, 300000);
        window.setTimeout(pollTopic, topicDelay);
      });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".live-bar__button");
    if (!button) return;
    var bar = button.closest("[data-live-topic]");
    if (bar) appendNew(bar).catch(function () { window.location.reload(); });
  });

  // After htmx replaced the main area (a reply posted), the new bar starts from its own
  // last position: forget the figure shown for the old one.
  document.addEventListener("htmx:afterSettle", function () {
    waitingCount = 0;
  });

  // --- The unread notifications figure ----------------------------------------------------

  function pollNotifications() {
    var element = document.querySelector("[data-live-notifications]");
    if (!element || document.hidden) {
      if (element) window.setTimeout(pollNotifications, 5000);
      return;
    }
    getJSON(element.getAttribute("data-live-url") || "/notifications/count/")
      .then(function (answer) {
        var unread = answer.unread || 0;
        element.textContent = unread > 99 ? "99+" : String(unread);
        element.hidden = unread === 0;
        window.setTimeout(pollNotifications, seconds(element, 60) * 1000);
      })
      .catch(function (error) {
        if (!final(error)) window.setTimeout(pollNotifications, seconds(element, 60) * 2000);
      });
  }

  function start() {
    var bar = liveBar();
    if (bar) window.setTimeout(pollTopic, seconds(bar, 15) * 1000);
    var figure = document.querySelector("[data-live-notifications]");
    if (figure) window.setTimeout(pollNotifications, seconds(figure, 60) * 1000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
