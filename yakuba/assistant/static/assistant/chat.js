/* The assistant's chat: asks through the JSON endpoint without reloading the page, and rates answers.
   Without JavaScript the same form posts and the page shows the conversation. No inline code, no eval:
   safe under the site's Content-Security-Policy. Text is always inserted as text, never as HTML. */
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root) { return; }
  var form = document.getElementById("chat-form");
  var log = document.getElementById("chat-log");
  var input = document.getElementById("chat-question");
  var send = document.getElementById("chat-send");
  var statusEl = document.getElementById("chat-status");
  var errorEl = document.getElementById("chat-error");
  var conversation = document.getElementById("chat-conversation");
  var strings = JSON.parse(document.getElementById("chat-strings").textContent);
  var embed = root.getAttribute("data-embed") === "1";

  function lang() {
    var checked = form.querySelector("input[name=lang]:checked");
    return checked ? checked.value : "ja";
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }
  function hidden(text) { return el("span", "visually-hidden", text); }
  function showError(message) {
    errorEl.textContent = message;
    errorEl.hidden = !message;
  }
  function postJSON(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      credentials: "omit",
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.error || strings.failed); }
        return data;
      });
    });
  }
  /* "…[1]…" -> text nodes and links to the numbered sources. */
  function answerText(container, text, id) {
    text.split("\n").forEach(function (line, i) {
      if (i > 0) { container.appendChild(document.createElement("br")); }
      var parts = line.split(/(\[\d{1,2}\])/);
      parts.forEach(function (part) {
        var m = /^\[(\d{1,2})\]$/.exec(part);
        if (m) {
          var a = el("a", "chat__cite", part);
          a.href = "#x-" + id + "-c" + m[1];
          container.appendChild(a);
        } else if (part) {
          container.appendChild(document.createTextNode(part));
        }
      });
    });
  }
  function rateForm(id) {
    var f = el("form", "chat__rate");
    f.method = "post";
    f.action = root.getAttribute("data-feedback-url");
    f.setAttribute("data-exchange", String(id));
    var label = el("span", "chat__rate-label", strings.rate_question);
    label.id = "x-" + id + "-rate";
    f.appendChild(label);
    [["1", "👍 ", strings.good], ["-1", "👎 ", strings.bad]].forEach(function (pair) {
      var b = el("button", "button button--secondary button--small");
      var icon = el("span", "", pair[1]);
      icon.setAttribute("aria-hidden", "true");
      b.appendChild(icon);
      b.appendChild(document.createTextNode(pair[2]));
      b.type = "submit"; b.name = "rating"; b.value = pair[0];
      b.setAttribute("aria-describedby", label.id);
      f.appendChild(b);
    });
    return f;
  }
  /* A titled list of links to pages: the cited sources (numbered), or the pages offered with a
     refusal. In the widget's frame the links open a new tab. */
  function sourceList(parent, items, tag, titleText, titleId, itemId) {
    if (!items.length) { return; }
    var title = el("p", "chat__sources-title", titleText); title.id = titleId;
    parent.appendChild(title);
    var list = el(tag, "chat__sources"); list.setAttribute("aria-labelledby", titleId);
    items.forEach(function (c) {
      var li = el("li");
      if (itemId) { li.id = itemId(c); }
      var link = el("a", "", c.title); link.href = c.url;
      if (embed) { link.target = "_blank"; link.rel = "noopener"; }
      li.appendChild(link);
      if (embed) { li.appendChild(hidden(strings.new_tab)); }
      if (c.updated_label) { li.appendChild(el("span", "chat__updated", " （" + c.updated_label + "）")); }
      list.appendChild(li);
    });
    parent.appendChild(list);
  }
  function render(question, data) {
    var id = data.exchange;
    var item = el("li", "chat__item"); item.id = "x-" + id;
    var q = el("div", "chat__q"); q.appendChild(hidden(strings.question)); q.appendChild(document.createTextNode(question));
    var a = el("div", "chat__a chat__a--" + data.status);
    a.lang = data.lang === "en" ? "en" : "ja";
    a.appendChild(hidden(strings.answer));
    if (data.notice) { a.appendChild(el("p", "chat__notice", data.notice)); }
    var p = el("p", "chat__text");
    if (data.ruby && data.ruby.length) {
      /* やさしい日本語: ruby readings over the kanji, built as elements. */
      var plain = "";
      var flush = function () { if (plain) { answerText(p, plain, id); plain = ""; } };
      data.ruby.forEach(function (piece) {
        if (!piece[1]) { plain += piece[0]; return; }
        flush();
        var ruby = document.createElement("ruby");
        ruby.appendChild(document.createTextNode(piece[0]));
        ruby.appendChild(el("rp", "", "（"));
        ruby.appendChild(el("rt", "", piece[1]));
        ruby.appendChild(el("rp", "", "）"));
        p.appendChild(ruby);
      });
      flush();
    } else {
      answerText(p, data.text, id);
    }
    a.appendChild(p);
    sourceList(a, data.citations, "ol", strings.sources, "x-" + id + "-sources", function (c) {
      return "x-" + id + "-c" + c.number;
    });
    sourceList(a, data.suggestions || [], "ul", strings.suggestions, "x-" + id + "-maybe", null);
    if (data.contact && data.contact.name) {
      var c = el("p", "chat__contact", strings.contact + data.contact.name);
      if (data.contact.phone) {
        c.appendChild(document.createTextNode(" "));
        var tel = el("a", "", data.contact.phone); tel.href = "tel:" + data.contact.phone; c.appendChild(tel);
      }
      if (data.contact.email) {
        c.appendChild(document.createTextNode(" "));
        var mail = el("a", "", data.contact.email); mail.href = "mailto:" + data.contact.email; c.appendChild(mail);
      }
      if (data.contact.hours) { c.appendChild(document.createTextNode("（" + data.contact.hours + "）")); }
      a.appendChild(c);
    }
    a.appendChild(rateForm(id));
    item.appendChild(q); item.appendChild(a);
    log.appendChild(item);
    item.scrollIntoView({ block: "nearest" });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var question = input.value.trim();
    if (!question) { showError(strings.empty); input.focus(); return; }
    showError("");
    send.disabled = true;
    statusEl.textContent = strings.thinking;
    postJSON(root.getAttribute("data-ask-url"), { question: question, lang: lang(), conversation: conversation.value })
      .then(function (data) {
        conversation.value = data.conversation;
        render(question, data);
        input.value = "";
        statusEl.textContent = strings.answered;
      })
      .catch(function (error) { statusEl.textContent = ""; showError(error.message || strings.failed); })
      .then(function () { send.disabled = false; input.focus(); });
  });

  log.addEventListener("submit", function (event) {
    var f = event.target;
    if (!f.classList || !f.classList.contains("chat__rate")) { return; }
    event.preventDefault();
    var button = event.submitter;
    var rating = button && button.value ? Number(button.value) : 0;
    postJSON(root.getAttribute("data-feedback-url"), {
      conversation: conversation.value, exchange: Number(f.getAttribute("data-exchange")), rating: rating
    }).then(function (data) {
      var thanks = el("p", "chat__thanks", data.message);
      thanks.tabIndex = -1;
      f.replaceWith(thanks);
      thanks.focus();
    }).catch(function (error) { showError(error.message || strings.failed); });
  });

  /* Enter sends, Shift+Enter starts a new line. While a Japanese input method is converting, Enter
     only confirms the conversion (isComposing, or keyCode 229 in older browsers): never send then. */
  input.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) { return; }
    event.preventDefault();
    form.requestSubmit();
  });

  if (embed && window.parent !== window) {
    var close = document.getElementById("chat-close");
    var tell = function () { window.parent.postMessage({ type: "yakuba-assistant-close" }, "*"); };
    close.hidden = false;
    close.addEventListener("click", tell);
    document.addEventListener("keydown", function (event) { if (event.key === "Escape") { tell(); } });
  }
})();
