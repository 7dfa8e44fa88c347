/* 个人信息 and the registration wizard: live school and major search (an ARIA combobox; data-search-url), and the red frame as the
   candidate leaves a field that is required and empty or not in its format (the formats and messages come
   from the page: portal/_field_checks.html). No libraries. */
(function () {
  "use strict";
  var config = JSON.parse((document.getElementById("field-checks") || {}).textContent || "{}");
  var formats = (config.formats || []).map(function (f) {
    return {re: new RegExp(f.pattern), ignore: f.ignore ? new RegExp(f.ignore, "g") : null,
            message: f.message, names: f.names};
  });

  function debounce(fn, ms) {
    var t; return function () { var a = arguments, self = this; clearTimeout(t); t = setTimeout(function () { fn.apply(self, a); }, ms); };
  }

  function setupSchool(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var hidden = document.getElementById(input.dataset.schoolId);
    var items = [], active = -1, chosenName = hidden.value ? input.value : null, seq = 0;

    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); active = -1; }
    function highlight(i) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (o, k) { o.setAttribute("aria-selected", k === i ? "true" : "false"); });
      active = i;
      if (i >= 0 && options[i]) { input.setAttribute("aria-activedescendant", options[i].id); options[i].scrollIntoView({block: "nearest"}); }
    }
    function choose(i) {
      var s = items[i]; if (!s) return;
      input.value = s.name; hidden.value = s.id; chosenName = s.name;
      close(); mark();
    }
    function render() {
      list.innerHTML = "";
      items.forEach(function (s, i) {
        var li = document.createElement("li");
        li.id = input.id + "-opt-" + i; li.setAttribute("role", "option"); li.setAttribute("aria-selected", "false");
        li.textContent = s.name;
        var small = document.createElement("span"); small.className = "muted";
        small.textContent = " " + [s.province, s.level, s.category, s.code].filter(Boolean).join(" · ");
        li.appendChild(small);
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      if (items.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); highlight(0); }
      else { close(); }
    }
    var search = debounce(function () {
      var q = input.value.trim(), mine = ++seq;
      if (!q) { items = []; render(); return; }
      var url = (input.dataset.searchUrl || "/api/schools") + "?q=" + encodeURIComponent(q);
      var level = input.dataset.levelField && document.getElementById(input.dataset.levelField);
      if (level && level.value) { url += "&level=" + encodeURIComponent(level.value); }
      fetch(url, {headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (data) { if (mine === seq) { items = data; render(); } })
        .catch(function () {});
    }, 120);
    function mark() {
      input.classList.remove("valid-choice", "empty-choice", "manual-choice");
      if (!input.value.trim()) { input.classList.add("empty-choice"); }
      else if (hidden.value && input.value === chosenName) { input.classList.add("valid-choice"); }
      else { input.classList.add("manual-choice"); }
      check(input);
    }
    input.addEventListener("input", function () {
      if (input.value !== chosenName) { hidden.value = ""; }
      search();
    });
    input.addEventListener("keydown", function (ev) {
      if (list.hidden && ev.key === "ArrowDown") { search(); return; }
      if (list.hidden) return;
      if (ev.key === "ArrowDown") { ev.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (ev.key === "Enter") { if (active >= 0) { ev.preventDefault(); choose(active); } }
      else if (ev.key === "Escape") { ev.preventDefault(); close(); }
    });
    input.addEventListener("blur", function () { setTimeout(function () { close(); mark(); }, 100); });
  }

  // --- the red frame ---------------------------------------------------------------------------
  function labelOf(el) { return el.id ? document.querySelector('label[for="' + el.id + '"]') : null; }
  function isRequired(el) {
    var label = labelOf(el);
    return el.required || el.getAttribute("aria-required") === "true" || !!(label && label.querySelector(".req"));
  }
  function formatOf(el) {
    var name = (el.name || "").split("-").pop();
    return formats.filter(function (f) { return f.names.indexOf(name) >= 0; })[0] || null;
  }
  function problem(el) {
    var value = el.value.trim(), f = formatOf(el);
    if (!value) {
      if (!isRequired(el)) return "";
      var label = labelOf(el) ? labelOf(el).cloneNode(true) : document.createElement("span");
      label.querySelectorAll(".req").forEach(function (r) { r.remove(); });
      var text = el.tagName === "SELECT" ? config.choose : config.required;
      return (text || "").replace("%(label)s", label.textContent.trim());
    }
    return f && !f.re.test(f.ignore ? value.replace(f.ignore, "") : value) ? f.message : "";
  }
  function describe(el, id, on) {
    var ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) { return x && x !== id; });
    if (on) ids.push(id);
    if (ids.length) { el.setAttribute("aria-describedby", ids.join(" ")); } else { el.removeAttribute("aria-describedby"); }
  }
  function show(el, message) {
    // The page's own message slot: <p class="error" id="e-NAME"> on 个人信息, <span class="field-error"
    // id="NAME-error"> in the wizard (made here when the server did not write one).
    var field = el.closest(".field"), slot = field.querySelector(".error, .field-error");
    field.classList.toggle("has-error", !!message);
    if (!message) {
      el.removeAttribute("aria-invalid");
      if (slot) { describe(el, slot.id, false); slot.remove(); }
      return;
    }
    if (!slot) {
      var onProfile = el.id.indexOf("f-") === 0;
      slot = document.createElement(onProfile ? "p" : "span");
      slot.className = onProfile ? "error" : "field-error";
      slot.id = onProfile ? "e-" + el.name : el.id + "-error";
      field.appendChild(slot);
    }
    slot.textContent = message;
    el.setAttribute("aria-invalid", "true");
    describe(el, slot.id, true);
  }
  function check(el) {
    if (!el.dataset.checked) return;
    var message = problem(el);
    // what 提交 refused stays until the value changes (the server checks more than the page can)
    if (!message && el.dataset.serverError && el.value === el.dataset.initial) return;
    delete el.dataset.serverError;
    show(el, message);
  }
  function setupCheck(el) {
    if (!el.closest(".field") || !(isRequired(el) || formatOf(el))) return;
    el.dataset.checked = "1";
    el.dataset.initial = el.value;
    if (el.getAttribute("aria-invalid") === "true") el.dataset.serverError = "1";
    el.addEventListener("blur", function () { check(el); });
    el.addEventListener("change", function () { check(el); });
    el.addEventListener("input", function () { if (el.getAttribute("aria-invalid") === "true") check(el); });
  }

  document.querySelectorAll("[data-school-search]").forEach(setupSchool);
  document.querySelectorAll("form input:not([type=hidden]):not([type=file]):not([type=checkbox]):not([type=radio])" +
                            ":not([type=search]):not([type=submit]), form select, form textarea").forEach(setupCheck);
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  var picker = document.getElementById("picker");
  if (picker && !summary) { picker.scrollIntoView(); var q = document.getElementById("f-picker_q"); if (q) q.focus(); }
})();
