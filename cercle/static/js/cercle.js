// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Close an open menu with Escape and give focus back to its toggle.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      var toggle = menu.querySelector("summary");
      if (toggle) toggle.focus();
    });
  });
  // Close a menu when a click lands outside it.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  // A table wider than its post scrolls sideways: keyboard users reach it with Tab
  // to scroll it with the arrow keys (the posts' HTML is sanitised, so this is done here).
  function reachScrollingTables() {
    document.querySelectorAll(".post__body table").forEach(function (table) {
      if (table.scrollWidth > table.clientWidth) {
        table.setAttribute("tabindex", "0");
      } else if (table.getAttribute("tabindex") === "0") {
        table.removeAttribute("tabindex");
      }
    });
  }
  reachScrollingTables();
  document.addEventListener("htmx:afterSettle", reachScrollingTables);
  var resizing = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(reachScrollingTables, 150);
  });
  // @mention suggestions for message boxes: type @ and a few letters, choose with the
  // arrow keys and Enter (or a click). Without JavaScript, people type @handle.
  function setUpMentions(textarea) {
    var form = textarea.closest("form[data-mention-url]");
    if (!form || textarea.dataset.mentionsReady) return;
    textarea.dataset.mentionsReady = "1";
    var list = document.createElement("ul");
    list.id = textarea.id + "-mentions";
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", form.getAttribute("data-mention-label") || "Members");
    list.hidden = true;
    textarea.insertAdjacentElement("afterend", list);
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", list.id);
    var active = -1;
    var pending = null;
    function close() {
      list.hidden = true;
      list.innerHTML = "";
      active = -1;
      textarea.removeAttribute("aria-activedescendant");
    }
    function word() {
      var before = textarea.value.slice(0, textarea.selectionStart);
      var match = /(^|[^\w@])@([\w\u00C0-\u024F-]{1,40})$/.exec(before);
      return match ? match[2] : null;
    }
    function choose(handle) {
      var start = textarea.selectionStart;
      var before = textarea.value.slice(0, start).replace(/@[\w\u00C0-\u024F-]*$/, "@" + handle + " ");
      textarea.value = before + textarea.value.slice(start);
      textarea.selectionStart = textarea.selectionEnd = before.length;
      close();
      textarea.focus();
    }
    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      items.forEach(function (item, i) { item.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (items[index]) textarea.setAttribute("aria-activedescendant", items[index].id);
    }
    textarea.addEventListener("input", function () {
      var typed = word();
      if (!typed) { close(); return; }
      window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        fetch(form.getAttribute("data-mention-url") + "?q=" + encodeURIComponent(typed), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            list.innerHTML = "";
            data.results.forEach(function (person, i) {
              var item = document.createElement("li");
              item.id = list.id + "-" + i;
              item.setAttribute("role", "option");
              item.dataset.handle = person.handle;
              item.textContent = person.name + " (@" + person.handle + ")";
              item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(person.handle); });
              list.appendChild(item);
            });
            list.hidden = data.results.length === 0;
            if (!list.hidden) highlight(0);
          });
      }, 150);
    });
    textarea.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      var count = list.querySelectorAll("[role=option]").length;
      if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % count); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight((active - 1 + count) % count); }
      else if (event.key === "Enter" || event.key === "Tab") {
        var item = list.querySelectorAll("[role=option]")[active];
        if (item) { event.preventDefault(); choose(item.dataset.handle); }
      } else if (event.key === "Escape") { event.preventDefault(); close(); }
    });
    textarea.addEventListener("blur", function () { window.setTimeout(close, 100); });
  }
  function setUpAllMentions() {
    document.querySelectorAll("textarea[data-mentions]").forEach(setUpMentions);
  }
  setUpAllMentions();
  document.addEventListener("htmx:afterSettle", setUpAllMentions);

  // htmx requests carry the page's CSRF token, as Django's forms do.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("meta[name=csrf-token]");
    if (token) event.detail.headers["X-CSRFToken"] = token.getAttribute("content");
  });
})();
