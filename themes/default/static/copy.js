// Code blocks get a "Copy" button. Progressive enhancement: without JavaScript, or in a browser
// without the asynchronous clipboard, there is no button and the code is selected as usual.
(() => {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) return;
  for (const pre of document.querySelectorAll(".kb-article pre")) {
    const code = pre.querySelector("code") || pre;
    const wrap = document.createElement("div");
    wrap.className = "code-block";
    pre.replaceWith(wrap);
    wrap.append(pre);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy the code to the clipboard");
    // Announces the outcome to screen readers; the button's own label stays the same.
    const status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    wrap.append(button, status);
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(code.textContent.replace(/\n$/, ""));
        button.textContent = "Copied";
        status.textContent = "Copied to the clipboard";
      } catch {
        button.textContent = "Select and copy";
        status.textContent = "Copying failed: select the text and copy it";
      }
      setTimeout(() => {
        button.textContent = "Copy";
        status.textContent = "";
      }, 2000);
    });
  }
})();
