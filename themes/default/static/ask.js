/*
 * tryfirst default theme: ask.js
 *
 * Progressive enhancement of the question form (templates/partials/ask.html). Without this
 * script the form still works: it posts url-encoded and the server answers with a page. With it,
 * every form[data-ask-form]:
 *   - checks the fields the way the server does, and marks problems next to each field;
 *   - sends JSON to the form's action and shows the answer under the form, without leaving the page;
 *   - never loses what was typed: drafts live in sessionStorage until a question is answered.
 *
 * No framework, no inline script, no eval; the only HTML inserted is the server's answer_html,
 * which the server builds from an allow-list (see ask-fn's answer_html.rs). Everything else is
 * text nodes. Works under a strict CSP (script-src 'self'). Loaded with `defer` from base.html.
 */
(function () {
  "use strict";

  if (typeof window.fetch !== "function" || typeof window.AbortController !== "function") {
    return; // very old browser: the plain HTML form keeps working
  }

  var TIMEOUT_MS = 45000;
  var QUESTION_MIN = 10;
  var QUESTION_MAX = 2000;
  var COMPANY_MAX = 200;
  /** Fields checked and marked, in form order. */
  var FIELDS = ["question", "email", "company", "consent"];
  /** Fields whose text is kept as a draft. */
  var DRAFT_FIELDS = ["question", "email", "company"];
  var VERDICTS = ["diy", "careful", "bring_us_in"];

  // The words, in the page's language: partials/ask.html's <script type="application/json"
  // id="ask-strings"> (keys of the theme's i18n catalogue). `{name}` placeholders are filled
  // by `fill`, as text; a missing key shows as itself.
  var STRINGS = (function () {
    var block = document.getElementById("ask-strings");
    try {
      return JSON.parse(block ? block.textContent : "{}") || {};
    } catch (e) {
      return {};
    }
  })();

  /** The text of `key` with `{name}` placeholders from `args` (strings or numbers). */
  function fill(key, args) {
    var text = Object.prototype.hasOwnProperty.call(STRINGS, key) ? String(STRINGS[key]) : key;
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return args && Object.prototype.hasOwnProperty.call(args, name) ? String(args[name]) : all;
    });
  }

  var TEXT = {
    asking: fill("ask.asking"),
    working: fill("ask.working"),
    questionRequired: fill("form.question_required"),
    questionShort: fill("form.question_too_short", { min: QUESTION_MIN }),
    questionLong: function (n) {
      return fill("form.question_too_long", { max: QUESTION_MAX, count: n });
    },
    emailRequired: fill("form.email_required"),
    emailInvalid: fill("form.email_invalid"),
    companyRequired: fill("form.company_required"),
    companyLong: fill("form.company_too_long", { max: COMPANY_MAX }),
    consentRequired: fill("form.consent_required"),
    answerHeading: fill("answer.heading"),
    basedOn: fill("answer.based_on"),
    knowledgeBase: fill("answer.knowledge_base"),
    limited: function (time) {
      return time ? fill("limit.reached_at", { time: time }) : fill("limit.reached");
    },
    failed: fill("error.failed"),
    unreachable: fill("error.unreachable")
  };

  // Helpers ---------------------------------------------------------------------------------

  /** Length in characters (code points), as the server counts. */
  function charCount(text) {
    return Array.from(text).length;
  }

  /** Looks like x@y.z: no spaces, one @, a dot in the domain, and a top-level domain of 2+
   *  characters that is not all digits. The server checks more; this catches typos early. */
  function looksLikeEmail(text) {
    if (!/^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(text)) return false;
    var tld = text.slice(text.lastIndexOf(".") + 1);
    return tld.length >= 2 && !/^\d+$/.test(tld);
  }

  /** A local "HH:MM" for an RFC 3339 time, or "" if it cannot be read. */
  function localTime(iso) {
    if (!iso) return "";
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  /** The support address from the page footer (or any mailto link), without "mailto:". */
  function companyEmail() {
    var link = document.querySelector('.site-footer a[href^="mailto:"]') ||
      document.querySelector('footer a[href^="mailto:"]') ||
      document.querySelector('a[href^="mailto:"]');
    if (!link) return "";
    var address = link.getAttribute("href").slice("mailto:".length).split("?")[0];
    try {
      return decodeURIComponent(address);
    } catch (e) {
      return address;
    }
  }

  function storage() {
    try {
      var s = window.sessionStorage;
      var probe = "tryfirst-ask:probe";
      s.setItem(probe, "1");
      s.removeItem(probe);
      return s;
    } catch (e) {
      return null; // storage disabled: drafts only live in the form itself
    }
  }

  // One form --------------------------------------------------------------------------------

  function enhance(form, index) {
    var section = form.closest("section") || form.parentNode;
    var status = section.querySelector(".ask-status");
    var answer = section.querySelector(".ask-answer");
    var button = form.querySelector('button[type="submit"], button:not([type])');
    var buttonText = button ? button.textContent : "";
    var store = storage();
    var draftKey = "tryfirst-ask:" + location.pathname + (index ? "#" + index : "");
    var busy = false;

    if (!status) {
      status = el("div", "ask-status");
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      form.insertAdjacentElement("afterend", status);
    }
    if (!answer) {
      answer = el("div", "ask-answer");
      answer.setAttribute("aria-live", "polite");
      answer.tabIndex = -1;
      answer.hidden = true;
      status.insertAdjacentElement("afterend", answer);
    }

    function field(name) {
      var node = form.elements.namedItem(name);
      return node && node.nodeType === 1 ? node : null;
    }

    function value(name) {
      var node = field(name);
      return node ? node.value : "";
    }

    function errorElement(name) {
      // Scoped to the form, so two forms on one page never mix up their messages.
      var node = field(name);
      var id = node && node.id ? node.id + "-error" : "ask-" + name + "-error";
      return form.querySelector("#" + CSS.escape(id)) || form.querySelector("#ask-" + name + "-error");
    }

    // Drafts: saved on every keystroke, restored on load, cleared after an answer.

    function saveDraft() {
      if (!store) return;
      var draft = {};
      DRAFT_FIELDS.forEach(function (name) {
        draft[name] = value(name);
      });
      try {
        store.setItem(draftKey, JSON.stringify(draft));
      } catch (e) {
        /* storage full: the text is still in the form */
      }
    }

    function restoreDraft() {
      if (!store) return;
      var draft;
      try {
        draft = JSON.parse(store.getItem(draftKey) || "null");
      } catch (e) {
        draft = null;
      }
      if (!draft || typeof draft !== "object") return;
      DRAFT_FIELDS.forEach(function (name) {
        var node = field(name);
        // Never overwrite what is already there (typed before this script ran, or restored by
        // the browser itself).
        if (node && !node.value && typeof draft[name] === "string") node.value = draft[name];
      });
    }

    function clearDraft() {
      if (!store) return;
      try {
        store.removeItem(draftKey);
      } catch (e) {
        /* nothing to do */
      }
    }

    // Field errors.

    function showError(name, message) {
      var node = field(name);
      var box = errorElement(name);
      if (node) node.setAttribute("aria-invalid", "true");
      if (box) {
        box.textContent = message;
        box.hidden = false;
      }
      return !!(node && box);
    }

    function clearError(name) {
      var node = field(name);
      var box = errorElement(name);
      if (node) node.removeAttribute("aria-invalid");
      if (box) {
        box.textContent = "";
        box.hidden = true;
      }
    }

    function clearErrors() {
      FIELDS.forEach(clearError);
    }

    /** Focuses a field with its label, hint and message in view. */
    function focusField(name) {
      var node = field(name);
      if (!node) return;
      node.focus({ preventScroll: true });
      var box = node.closest(".field") || node;
      box.scrollIntoView({ block: "nearest" });
    }

    /** Marks every problem; focuses the first invalid field in form order. */
    function markErrors(problems) {
      var first = null;
      FIELDS.forEach(function (name) {
        if (problems[name]) {
          showError(name, problems[name]);
          if (!first) first = name;
        }
      });
      if (first) focusField(first);
      return first;
    }

    function validate() {
      var problems = {};
      var question = value("question").trim();
      var length = charCount(question);
      if (length === 0) problems.question = TEXT.questionRequired;
      else if (length < QUESTION_MIN) problems.question = TEXT.questionShort;
      else if (length > QUESTION_MAX) problems.question = TEXT.questionLong(length);

      var email = value("email").trim();
      if (!email) problems.email = TEXT.emailRequired;
      else if (!looksLikeEmail(email)) problems.email = TEXT.emailInvalid;

      var company = value("company").trim();
      if (!company) problems.company = TEXT.companyRequired;
      else if (charCount(company) > COMPANY_MAX) problems.company = TEXT.companyLong;

      var consent = field("consent");
      if (consent && !consent.checked) problems.consent = TEXT.consentRequired;
      return problems;
    }

    // Status region.

    function setStatus(parts, kind) {
      status.textContent = "";
      status.classList.toggle("is-error", kind === "error");
      (Array.isArray(parts) ? parts : [parts]).forEach(function (part) {
        status.appendChild(typeof part === "string" ? document.createTextNode(part) : part);
      });
    }

    function failedMessage() {
      var email = companyEmail();
      if (!email) return [TEXT.failed];
      var link = el("a", null, email);
      link.href = "mailto:" + email;
      // The sentence around the link, in the page's language: text, link, text.
      var parts = fill("error.failed_email").split("{email}");
      var out = [parts[0], link];
      if (parts.length > 1) out.push(parts.slice(1).join("{email}"));
      return out;
    }

    // Waiting.

    function setBusy(on) {
      busy = on;
      if (on) {
        form.setAttribute("aria-busy", "true");
      } else {
        form.removeAttribute("aria-busy");
      }
      if (button) {
        button.disabled = on;
        button.textContent = on ? TEXT.asking : buttonText;
      }
    }

    /** Disabling the focused button drops focus to <body>: give it back, unless the visitor
     *  has moved on to something else in the meantime. */
    function restoreFocus() {
      var active = document.activeElement;
      if (button && (!active || active === document.body || active === button)) button.focus();
    }

    // The answer.

    function ctaLink() {
      var cta = document.querySelector(".cta a.button");
      if (!cta) return null;
      var link = el("a", "button", cta.textContent.trim());
      link.href = cta.href;
      return link;
    }

    // The limits only: the function never says how many an address has left, since anyone
    // can type anyone's address (a 429 says when the next question is possible).
    function quotaLine(quota) {
      if (!quota || typeof quota !== "object") return "";
      var hour = quota.per_hour;
      var day = quota.per_day;
      if (typeof hour !== "number" || typeof day !== "number") return "";
      return fill(hour === 1 ? "answer.quota_one" : "answer.quota_other", {
        per_hour: hour,
        per_day: day
      });
    }

    function renderAnswer(data) {
      answer.hidden = true;
      answer.textContent = "";
      answer.appendChild(el("h3", "ask-answer-heading", TEXT.answerHeading));
      // The server's words are in the answer's language, which is the question's when that is
      // not the page's: mark them, so that they are read out in their own language.
      var answerLang = typeof data.lang === "string" && /^[a-z]{2,3}(-[a-z0-9]+)*$/i.test(data.lang) ? data.lang : "";
      var own = function (node) {
        if (answerLang && answerLang !== document.documentElement.lang) node.lang = answerLang;
        return node;
      };

      var verdict = VERDICTS.indexOf(data.verdict) >= 0 ? data.verdict : null;
      if (verdict && data.verdict_label) {
        answer.appendChild(own(el("p", "verdict verdict-" + verdict, String(data.verdict_label))));
      }
      if (verdict === "bring_us_in") {
        var link = ctaLink();
        if (link) {
          var p = el("p", "ask-cta");
          p.appendChild(link);
          answer.appendChild(p);
        }
      }
      if (data.message) answer.appendChild(own(el("p", "ask-message", String(data.message))));
      if (typeof data.answer_html === "string" && data.answer_html) {
        var body = own(el("div", "answer-body"));
        // The one place HTML is inserted: answer_html is built by the server from an allow-list
        // (no raw HTML, no images, links to our own site only).
        body.innerHTML = data.answer_html;
        answer.appendChild(body);
      }
      var cited = Array.isArray(data.cited) ? data.cited.filter(function (c) {
        return c && typeof c.url === "string" && /^(https?:\/\/|\/)/i.test(c.url);
      }) : [];
      if (cited.length) {
        answer.appendChild(el("h4", "ask-cited-heading", TEXT.basedOn));
        var list = el("ul", "ask-cited");
        cited.forEach(function (c) {
          var item = el("li");
          var a = el("a", null, String(c.title || c.url));
          a.href = c.url;
          item.appendChild(a);
          list.appendChild(item);
        });
        answer.appendChild(list);
      }
      if (data.source === "knowledge_base") {
        answer.appendChild(el("p", "ask-source", TEXT.knowledgeBase));
      }
      var quota = quotaLine(data.quota);
      if (quota) answer.appendChild(el("p", "ask-quota", quota));

      answer.hidden = false;
      answer.focus();
    }

    // Sending.

    // One id per question: kept while the same question is sent again (after a timeout or a
    // network failure the first may still have arrived), so the server answers a retry with the
    // first result instead of a second lead and a second place in the visitor's allowance.
    var request = { fields: null, id: null };

    function newRequestId() {
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      return Array.prototype.map.call(bytes, function (b) {
        return (b + 256).toString(16).slice(1);
      }).join("");
    }

    function requestId(fields) {
      if (request.fields !== fields || !request.id) request = { fields: fields, id: newRequestId() };
      return request.id;
    }

    function payload() {
      var body = {};
      var article = value("article");
      var hash = value("content_hash");
      if (article) body.article = article;
      if (hash) body.content_hash = hash;
      var lang = value("lang");
      if (lang) body.lang = lang;
      body.question = value("question");
      body.email = value("email");
      body.company = value("company");
      body.consent = true;
      body.confirm_ref = value("confirm_ref");
      body.request_id = requestId(JSON.stringify(body));
      return JSON.stringify(body);
    }

    /** Resolves to {status, data} (data null if the body is not JSON); rejects on network
     *  failure or timeout. */
    function send() {
      var controller = new AbortController();
      var timer = setTimeout(function () {
        controller.abort();
      }, TIMEOUT_MS);
      return fetch(form.action, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: payload(),
        signal: controller.signal
      })
        .then(function (response) {
          return response.text().then(function (text) {
            var data = null;
            try {
              data = text ? JSON.parse(text) : null;
            } catch (e) {
              data = null;
            }
            return { status: response.status, data: data };
          });
        })
        .finally(function () {
          clearTimeout(timer);
        });
    }

    function handle(result) {
      var data = result.data && typeof result.data === "object" ? result.data : null;
      var code = result.status;

      if (code === 200 && data) {
        setStatus("");
        renderAnswer(data);
        var question = field("question");
        if (question) question.value = "";
        clearDraft();
        return;
      }
      if (code === 429) {
        var time = localTime(data && data.retry_at);
        restoreFocus();
        setStatus(TEXT.limited(time), "error");
        return;
      }
      if ((code === 400 || code === 413 || code === 422) && data && Array.isArray(data.errors) &&
          data.errors.length) {
        var problems = {};
        var general = [];
        data.errors.forEach(function (e) {
          if (!e || !e.message) return;
          if (e.field && FIELDS.indexOf(e.field) >= 0 && field(e.field) && errorElement(e.field)) {
            if (!problems[e.field]) problems[e.field] = String(e.message);
          } else {
            general.push(String(e.message));
          }
        });
        if (!markErrors(problems)) restoreFocus();
        // After moving focus: some screen readers drop queued announcements on a focus change.
        setStatus(general.join(" "), general.length ? "error" : null);
        return;
      }
      restoreFocus();
      setStatus(failedMessage(), "error");
    }

    // Wiring.

    form.addEventListener("input", function (event) {
      var name = event.target && event.target.name;
      if (FIELDS.indexOf(name) >= 0) clearError(name);
      if (DRAFT_FIELDS.indexOf(name) >= 0) saveDraft();
    });
    form.addEventListener("change", function (event) {
      var name = event.target && event.target.name;
      if (name === "consent") clearError(name);
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) return;
      clearErrors();
      setStatus("");
      if (markErrors(validate())) return;

      saveDraft();
      setBusy(true);
      setStatus(TEXT.working);
      send()
        .then(function (result) {
          setBusy(false);
          // A definite answer (not a server failure): the next send is a new question.
          if (result.status < 500) request = { fields: null, id: null };
          handle(result);
        }, function () {
          // fetch rejects only when the server could not be reached (or we gave up waiting).
          setBusy(false);
          restoreFocus();
          setStatus(TEXT.unreachable, "error");
        })
        .catch(function (error) {
          // A bug of ours while showing the outcome: never leave the visitor in silence.
          setBusy(false);
          setStatus(failedMessage(), "error");
          throw error;
        });
    });

    restoreDraft();
  }

  var forms = document.querySelectorAll("form[data-ask-form]");
  for (var i = 0; i < forms.length; i++) enhance(forms[i], i);
})();
