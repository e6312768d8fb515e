// Code blocks get a "Copy" button. Progressive enhancement: without JavaScript, or in a browser
// without the asynchronous clipboard, there is no button and the code is selected as usual.
(() => {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) return;
  // The words, in the page's language: the page's <script type="application/json" id="copy-strings">.
  const block = document.getElementById("copy-strings");
  let strings = {};
  try {
    strings = JSON.parse(block ? block.textContent : "{}");
  } catch {
    // A broken block: the keys show instead, which a check of the page makes visible.
  }
  const text = (key) => (key in strings ? strings[key] : key);
  for (const pre of document.querySelectorAll(".kb-article pre")) {
    const code = pre.querySelector("code") || pre;
    const wrap = document.createElement("div");
    wrap.className = "code-block";
    pre.replaceWith(wrap);
    wrap.append(pre);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = text("copy.button");
    button.setAttribute("aria-label", text("copy.button_label"));
    // Announces the outcome to screen readers; the button's own label stays the same.
    const status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    wrap.append(button, status);
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(code.textContent.replace(/\n$/, ""));
        button.textContent = text("copy.copied");
        status.textContent = text("copy.copied_status");
      } catch {
        button.textContent = text("copy.failed_button");
        status.textContent = text("copy.failed_status");
      }
      setTimeout(() => {
        button.textContent = text("copy.button");
        status.textContent = "";
      }, 2000);
    });
  }
})();
