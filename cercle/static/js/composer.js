// The composer (conversations/_composer.html), as an enhancement: every part of it has
// a way without JavaScript (the "Preview" button posts the form; the draft is shown
// again by the server; files go through "Attachments"; the "Quote" link of each post).
// Here: the preview without leaving the page, the draft saved as one types, files
// dropped or pasted into the text, and quoting the text selected in a post.
(function () {
  if (window.cercleComposer) return; // the reply form may bring this script in again
  window.cercleComposer = true;

  var SAVE_AFTER_MS = 2000;

  function text(form, name, values) {
    var template = form.getAttribute("data-text-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      template = template.replace("{" + key + "}", values[key]);
    });
    return template;
  }

  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(form, url, data, options) {
    data.append("csrfmiddlewaretoken", csrf(form));
    return fetch(url, Object.assign({
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(form) },
    }, options || {}));
  }

  function insertAt(textarea, start, end, inserted) {
    textarea.focus();
    textarea.setRangeText(inserted, start, end, "end");
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function setUp(form) {
    if (form.dataset.composerReady) return;
    form.dataset.composerReady = "1";
    var textarea = form.querySelector("textarea[name=body]");
    if (!textarea) return;
    var title = form.querySelector("input[name=title]");
    var status = form.querySelector("[data-composer-status]");
    var preview = form.querySelector("[data-composer-preview]");
    var previewBody = form.querySelector("[data-composer-preview-body]");
    var previewButton = form.querySelector("[data-composer-preview-button]");
    var timer = null;
    var dirty = false;
    var published = false;

    function say(message) {
      if (status) status.textContent = message;
    }

    // --- The draft, kept on the server ---------------------------------------------------
    function save(leaving) {
      window.clearTimeout(timer);
      if (!dirty || published) return;
      dirty = false;
      var data = new FormData();
      data.append("body", textarea.value);
      if (title) data.append("title", title.value);
      if (!leaving) say(text(form, "saving"));
      post(form, form.getAttribute("data-draft-url"), data, { keepalive: !!leaving })
        .then(function (response) {
          if (leaving) return;
          say(response.ok ? text(form, "saved") : text(form, "unsaved"));
          if (!response.ok) dirty = true;
        })
        .catch(function () { if (!leaving) { dirty = true; say(text(form, "unsaved")); } });
    }
    function changed() {
      dirty = true;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { save(false); }, SAVE_AFTER_MS);
    }
    textarea.addEventListener("input", changed);
    if (title) title.addEventListener("input", changed);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && document.contains(form)) save(true);
    });
    window.addEventListener("pagehide", function () { if (document.contains(form)) save(true); });
    form.addEventListener("submit", function (event) {
      if (event.submitter && event.submitter.name === "preview") return;
      // Publishing deletes the draft on the server: nothing must write it back.
      published = true;
      window.clearTimeout(timer);
    });

    // --- The preview, rendered by the server ---------------------------------------------
    if (previewButton && preview && previewBody) {
      previewButton.addEventListener("click", function (event) {
        event.preventDefault();
        var data = new FormData();
        data.append("body", textarea.value);
        post(form, form.getAttribute("data-preview-url"), data)
          .then(function (response) { return response.ok ? response.text() : Promise.reject(); })
          .then(function (html) {
            previewBody.innerHTML = html;
            preview.hidden = false;
            preview.scrollIntoView({ block: "nearest" });
          })
          .catch(function () { form.requestSubmit(previewButton); });
      });
    }

    // --- Files dropped or pasted into the text -------------------------------------------
    function upload(file) {
      var name = file.name || "image.png";
      var placeholder = "[" + text(form, "uploading", { name: name }) + "]()";
      var start = textarea.selectionStart;
      var before = start > 0 && textarea.value.charAt(start - 1) !== "\n" ? "\n" : "";
      insertAt(textarea, start, textarea.selectionEnd, before + placeholder + "\n");
      say(text(form, "uploading", { name: name }));
      var data = new FormData();
      data.append("file", file, name);
      post(form, form.getAttribute("data-upload-url"), data)
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (answer) {
          var at = textarea.value.indexOf(placeholder);
          var markdown = answer.ok ? answer.body.markdown : "";
          if (at >= 0) insertAt(textarea, at, at + placeholder.length, markdown);
          say(answer.ok ? text(form, "uploaded", { name: answer.body.name }) : answer.body.error);
        })
        .catch(function () {
          var at = textarea.value.indexOf(placeholder);
          if (at >= 0) insertAt(textarea, at, at + placeholder.length, "");
          say(text(form, "upload-failed"));
        });
    }
    textarea.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
        event.preventDefault();
        textarea.classList.add("composer__text--drop");
      }
    });
    textarea.addEventListener("dragleave", function () { textarea.classList.remove("composer__text--drop"); });
    textarea.addEventListener("drop", function (event) {
      textarea.classList.remove("composer__text--drop");
      var files = event.dataTransfer ? event.dataTransfer.files : [];
      if (!files.length) return;
      event.preventDefault();
      Array.prototype.forEach.call(files, upload);
    });
    textarea.addEventListener("paste", function (event) {
      var files = event.clipboardData ? event.clipboardData.files : [];
      if (!files.length) return;
      event.preventDefault();
      Array.prototype.forEach.call(files, upload);
    });
  }

  // --- Quote the text selected in a post -------------------------------------------------
  var quoteButton = null;
  var selected = null;

  function replyForm() {
    var reply = document.getElementById("reply");
    return reply ? reply.querySelector("form[data-composer]") : null;
  }

  function authorOf(article) {
    var name = article.querySelector(".post__meta .person__name, .post__meta .post__author");
    if (!name) return "";
    var first = name.childNodes.length ? name.childNodes[0].textContent : name.textContent;
    return first.trim();
  }

  function hideQuote() {
    if (quoteButton) quoteButton.hidden = true;
    selected = null;
  }

  function offerQuote() {
    var form = replyForm();
    var selection = window.getSelection();
    if (!form || !selection || selection.isCollapsed || !selection.rangeCount) return hideQuote();
    var range = selection.getRangeAt(0);
    var node = range.commonAncestorContainer;
    var element = node.nodeType === 1 ? node : node.parentElement;
    var body = element ? element.closest(".post__body") : null;
    var words = selection.toString().trim();
    if (!body || !words) return hideQuote();
    selected = { words: words, author: authorOf(body.closest("article.post") || body) };
    if (!quoteButton) {
      quoteButton = document.createElement("button");
      quoteButton.type = "button";
      quoteButton.className = "button button--small composer__quote";
      quoteButton.textContent = text(form, "quote");
      // Keep the selection when the button is pressed.
      quoteButton.addEventListener("mousedown", function (event) { event.preventDefault(); });
      quoteButton.addEventListener("click", quoteSelection);
      document.body.appendChild(quoteButton);
    }
    var box = range.getBoundingClientRect();
    quoteButton.style.top = window.scrollY + box.bottom + 6 + "px";
    quoteButton.style.left = Math.max(8, Math.min(window.scrollX + box.left, window.scrollX + document.documentElement.clientWidth - 120)) + "px";
    quoteButton.hidden = false;
  }

  function quoteSelection() {
    var form = replyForm();
    if (!form || !selected) return;
    var textarea = form.querySelector("textarea[name=body]");
    var lines = selected.words.split(/\r?\n/).map(function (line) { return "> " + line; });
    var head = selected.author ? "> **" + selected.author + "**:\n" : "";
    var current = textarea.value.replace(/\s+$/, "");
    var quoted = (current ? "\n\n" : "") + head + lines.join("\n") + "\n\n";
    insertAt(textarea, current.length, textarea.value.length, quoted);
    hideQuote();
    var status = form.querySelector("[data-composer-status]");
    if (status) status.textContent = text(form, "quoted");
    textarea.scrollIntoView({ block: "center" });
  }

  document.addEventListener("mouseup", function (event) {
    if (quoteButton && event.target === quoteButton) return;
    window.setTimeout(offerQuote, 0);
  });
  document.addEventListener("keyup", function (event) {
    if (event.shiftKey || event.key === "Shift") window.setTimeout(offerQuote, 0);
    if (event.key === "Escape") hideQuote();
  });

  function setUpAll() {
    document.querySelectorAll("form[data-composer]").forEach(setUp);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpAll);
  else setUpAll();
  document.addEventListener("htmx:afterSettle", setUpAll);
})();
