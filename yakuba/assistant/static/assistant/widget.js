/* Yakuba assistant widget: one tag on any city page,
     <script src="https://yakuba.example.jp/assistant/widget.js" defer></script>
   adds a "質問する" button that opens the chat (/assistant/embed/) in a frame. No inline code or style
   is written into the host page (styles are set through the DOM, which a Content-Security-Policy
   allows); the host page's CSP needs script-src and frame-src for Yakuba's origin. Optional
   attributes: data-lang="ja|easy|en", data-label="…". */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || document.getElementById("yakuba-assistant-button")) { return; }
  var origin = new URL(script.src, window.location.href).origin;
  var pageLang = (document.documentElement.lang || "ja").toLowerCase();
  var lang = script.getAttribute("data-lang") || (pageLang.indexOf("en") === 0 ? "en" : "ja");
  var english = lang === "en";
  var label = script.getAttribute("data-label") || (english ? "Ask the AI assistant" : "AIアシスタントに質問する");
  var frameTitle = english ? "AI assistant chat" : "AIアシスタント（チャット）";
  var frame = null;
  var open = false;

  function css(node, rules) { Object.keys(rules).forEach(function (k) { node.style[k] = rules[k]; }); }
  var button = document.createElement("button");
  button.type = "button";
  button.id = "yakuba-assistant-button";
  var icon = document.createElement("span");
  icon.setAttribute("aria-hidden", "true");
  icon.textContent = "💬 ";
  button.appendChild(icon);
  button.appendChild(document.createTextNode(label));
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "yakuba-assistant-frame");
  css(button, {
    position: "fixed", right: "16px", bottom: "16px", zIndex: "2147483000", padding: "12px 18px",
    minHeight: "48px", border: "2px solid #ffffff", borderRadius: "24px", background: "#1d4f91",
    color: "#ffffff", font: "bold 16px/1.4 sans-serif", cursor: "pointer", boxShadow: "0 2px 8px rgba(0,0,0,.35)"
  });

  function layout() {
    if (!frame) { return; }
    var small = window.innerWidth < 600;
    css(frame, small
      ? { right: "0", bottom: "0", width: "100%", height: "100%", borderRadius: "0" }
      : { right: "16px", bottom: "80px", width: "400px", height: "600px", maxHeight: "calc(100vh - 100px)", borderRadius: "12px" });
  }
  function show(state) {
    open = state;
    if (state && !frame) {
      frame = document.createElement("iframe");
      frame.id = "yakuba-assistant-frame";
      frame.title = frameTitle;
      frame.src = origin + "/assistant/embed/?lang=" + encodeURIComponent(lang);
      css(frame, {
        position: "fixed", zIndex: "2147483001", boxSizing: "border-box", border: "1px solid #666666", background: "#ffffff",
        boxShadow: "0 4px 16px rgba(0,0,0,.35)"
      });
      document.body.appendChild(frame);
      layout();
    }
    if (frame) { frame.hidden = !state; }
    button.setAttribute("aria-expanded", state ? "true" : "false");
    if (state && frame) {
      frame.focus();
      frame.addEventListener("load", function () { frame.focus(); }, { once: true });
    } else {
      button.focus();
    }
  }
  button.addEventListener("click", function () { show(!open); });
  window.addEventListener("resize", layout);
  window.addEventListener("message", function (event) {
    if (event.origin === origin && event.data && event.data.type === "yakuba-assistant-close") { show(false); }
  });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape" && open) { show(false); } });
  document.body.appendChild(button);
})();
