// Drag and drop reordering of a collection's resources and sub-collections.
// Progressive enhancement only: the Move up and Move down buttons of each row stay,
// for the keyboard, touch screens and browsers without JavaScript. A list opts in with
// data-reorder-url (where the new order is posted), data-reorder-items ("resources" or
// "collections") and data-reorder-status (the id of the aria-live region that reads out
// the result); its rows carry data-reorder-id, and data-reorder-movable when the person
// may move them (the server checks again).
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    if (meta && meta.getAttribute("content")) return meta.getAttribute("content");
    var match = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function rowsOf(list) {
    return Array.prototype.filter.call(list.children, function (element) {
      return element.hasAttribute("data-reorder-id");
    });
  }

  function idsOf(list) {
    return rowsOf(list).map(function (row) {
      return Number(row.getAttribute("data-reorder-id"));
    });
  }

  function rowFor(list, target) {
    var row = target && target.closest ? target.closest("[data-reorder-id]") : null;
    return row && row.parentElement === list ? row : null;
  }

  var timers = {};
  function announce(list, text) {
    var id = list.getAttribute("data-reorder-status");
    var status = id ? document.getElementById(id) : null;
    if (!status) return;
    window.clearTimeout(timers[id]);
    status.textContent = "";
    // Emptied first, then filled: screen readers read a message again even when it repeats.
    timers[id] = window.setTimeout(function () {
      status.textContent = text;
    }, 50);
  }

  // The first row cannot go up, the last cannot go down: those buttons are not offered.
  function refreshMoveButtons(list) {
    var rows = rowsOf(list);
    rows.forEach(function (row, index) {
      var up = row.querySelector(":scope > .move-form button[value=up]");
      var down = row.querySelector(":scope > .move-form button[value=down]");
      if (up) up.hidden = index === 0;
      if (down) down.hidden = index === rows.length - 1;
    });
  }

  function restore(list, order) {
    var rows = {};
    rowsOf(list).forEach(function (row) {
      rows[row.getAttribute("data-reorder-id")] = row;
    });
    order.forEach(function (id) {
      if (rows[String(id)]) list.appendChild(rows[String(id)]);
    });
    refreshMoveButtons(list);
  }

  function clearMarks(list) {
    rowsOf(list).forEach(function (row) {
      row.classList.remove("is-drop-before", "is-drop-after");
    });
  }

  function dropsAfter(row, event) {
    var box = row.getBoundingClientRect();
    return event.clientY > box.top + box.height / 2;
  }

  function save(list, moved, previous) {
    var order = idsOf(list);
    if (order.join(",") === previous.join(",")) return;
    var failed = list.getAttribute("data-reorder-error") || "";
    list.classList.add("is-saving");
    list.setAttribute("aria-busy", "true");
    announce(list, list.getAttribute("data-reorder-saving") || "");
    window
      .fetch(list.getAttribute("data-reorder-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Accept": "application/json",
          "Content-Type": "application/json",
          "X-CSRFToken": csrfToken(),
        },
        body: JSON.stringify({
          items: list.getAttribute("data-reorder-items"),
          moved: Number(moved.getAttribute("data-reorder-id")),
          order: order,
        }),
      })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (data) {
            if (!response.ok) throw new Error(data.message || "");
            refreshMoveButtons(list);
            announce(list, data.message || "");
          });
      })
      .catch(function (error) {
        restore(list, previous);
        announce(list, error && error.message ? error.message + " " + failed : failed);
      })
      .finally(function () {
        list.classList.remove("is-saving");
        list.removeAttribute("aria-busy");
      });
  }

  function setUp(list) {
    var dragged = null;
    var previous = [];
    var movable = rowsOf(list).filter(function (row) {
      return row.hasAttribute("data-reorder-movable");
    });
    if (!movable.length) return;
    movable.forEach(function (row) {
      row.setAttribute("draggable", "true");
      // Links and images would start their own drag: the whole row moves instead.
      row.querySelectorAll("a, img").forEach(function (inner) {
        inner.setAttribute("draggable", "false");
      });
    });
    var hint = document.getElementById("reorder-hint");
    if (hint) hint.hidden = false;

    list.addEventListener("dragstart", function (event) {
      var row = rowFor(list, event.target);
      if (!row || !row.hasAttribute("data-reorder-movable") || list.getAttribute("aria-busy")) {
        return;
      }
      dragged = row;
      previous = idsOf(list);
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.getAttribute("data-reorder-id"));
      row.classList.add("is-dragging");
    });
    list.addEventListener("dragover", function (event) {
      if (!dragged) return;
      var row = rowFor(list, event.target);
      if (!row) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      clearMarks(list);
      if (row !== dragged) row.classList.add(dropsAfter(row, event) ? "is-drop-after" : "is-drop-before");
    });
    list.addEventListener("dragleave", function (event) {
      if (!list.contains(event.relatedTarget)) clearMarks(list);
    });
    list.addEventListener("drop", function (event) {
      if (!dragged) return;
      event.preventDefault();
      var row = rowFor(list, event.target);
      var moved = dragged;
      clearMarks(list);
      if (!row || row === moved) return;
      list.insertBefore(moved, dropsAfter(row, event) ? row.nextSibling : row);
      save(list, moved, previous);
    });
    list.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("is-dragging");
      clearMarks(list);
      dragged = null;
    });
  }

  document.querySelectorAll("[data-reorder-url]").forEach(setUp);
})();
