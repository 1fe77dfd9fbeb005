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
  var resizing = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(reachScrollingTables, 150);
  });
  // htmx requests carry the page's CSRF token, as Django's forms do.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("meta[name=csrf-token]");
    if (token) event.detail.headers["X-CSRFToken"] = token.getAttribute("content");
  });
})();
