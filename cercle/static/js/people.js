/* A small profile card on hover or focus of a person's link ({% person %}, the faces of
   a topic's posters): the card is an HTML fragment from /people/<handle>/card/, which
   answers only to readers who may see the person. Without JavaScript the link simply
   leads to the profile. Escape or leaving the link and the card closes it. */
(function () {
  "use strict";

  var PROFILE = /^\/people\/([a-z0-9_-]+)\/$/i;
  var SHOW_DELAY = 350;
  var HIDE_DELAY = 250;
  var cache = {};
  var card = null;
  var owner = null;
  var showTimer = null;
  var hideTimer = null;

  function profileLink(element) {
    var link = element && element.closest ? element.closest("a[href]") : null;
    if (!link || link.closest(".person-card")) return null;
    var url;
    try {
      url = new URL(link.href, window.location.href);
    } catch (error) {
      return null;
    }
    if (url.origin !== window.location.origin || !PROFILE.test(url.pathname)) return null;
    if (url.pathname === window.location.pathname) return null;
    return link;
  }

  function ensureCard() {
    if (card) return card;
    card = document.createElement("div");
    card.className = "person-card";
    card.id = "person-card";
    card.hidden = true;
    card.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
    card.addEventListener("mouseleave", scheduleHide);
    card.addEventListener("focusout", function (event) {
      if (!card.contains(event.relatedTarget) && event.relatedTarget !== owner) scheduleHide();
    });
    document.body.appendChild(card);
    return card;
  }

  function place(link) {
    var rect = link.getBoundingClientRect();
    var width = card.offsetWidth;
    var left = Math.min(rect.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - width - 8);
    card.style.left = Math.max(8, left) + "px";
    card.style.top = rect.bottom + window.scrollY + 6 + "px";
  }

  function fetchCard(url) {
    if (!cache[url]) {
      cache[url] = fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .catch(function () { return ""; });
    }
    return cache[url];
  }

  function show(link) {
    var url = new URL(link.href, window.location.href).pathname + "card/";
    fetchCard(url).then(function (html) {
      if (!html || owner !== link) return;
      ensureCard();
      card.innerHTML = html;
      if (window.htmx) window.htmx.process(card);
      card.hidden = false;
      place(link);
      link.setAttribute("aria-describedby", "person-card");
    });
  }

  function hide() {
    clearTimeout(showTimer);
    if (card) card.hidden = true;
    if (owner) owner.removeAttribute("aria-describedby");
    owner = null;
  }

  function scheduleHide() {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, HIDE_DELAY);
  }

  function scheduleShow(link) {
    clearTimeout(hideTimer);
    if (owner === link) return;
    clearTimeout(showTimer);
    if (card) card.hidden = true;
    owner = link;
    showTimer = setTimeout(function () { show(link); }, SHOW_DELAY);
  }

  document.addEventListener("mouseover", function (event) {
    var link = profileLink(event.target);
    if (link) scheduleShow(link);
  });
  document.addEventListener("mouseout", function (event) {
    var link = profileLink(event.target);
    if (link && !link.contains(event.relatedTarget)) scheduleHide();
  });
  document.addEventListener("focusin", function (event) {
    var link = profileLink(event.target);
    if (link) scheduleShow(link);
  });
  document.addEventListener("focusout", function (event) {
    var link = profileLink(event.target);
    if (link && !(card && card.contains(event.relatedTarget))) scheduleHide();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && card && !card.hidden) {
      var back = owner;
      hide();
      if (back && card.contains(document.activeElement)) back.focus();
    }
  });
})();
