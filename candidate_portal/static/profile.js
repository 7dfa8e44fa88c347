/* 个人信息: live school search (an ARIA combobox) and year-month format hints. No libraries. */
(function () {
  "use strict";
  var YM = /^\d{4}-(0[1-9]|1[0-2])$/;

  function debounce(fn, ms) {
    var t; return function () { var a = arguments, self = this; clearTimeout(t); t = setTimeout(function () { fn.apply(self, a); }, ms); };
  }

  function setupSchool(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var hidden = document.getElementById(input.dataset.schoolId);
    var field = input.closest(".field");
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
        small.textContent = " " + [s.province, s.level, s.code].filter(Boolean).join(" · ");
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
      fetch("/api/schools?q=" + encodeURIComponent(q), {headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (data) { if (mine === seq) { items = data; render(); } })
        .catch(function () {});
    }, 120);
    function mark() {
      field.classList.remove("has-error");
      input.classList.remove("valid-choice", "empty-choice", "manual-choice");
      if (!input.value.trim()) { input.classList.add("empty-choice"); }
      else if (hidden.value && input.value === chosenName) { input.classList.add("valid-choice"); }
      else { input.classList.add("manual-choice"); }
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

  function setupYm(input) {
    input.addEventListener("blur", function () {
      var field = input.closest(".field"), v = input.value.trim();
      var bad = v !== "" && !YM.test(v);
      field.classList.toggle("has-error", bad);
      input.setAttribute("aria-invalid", bad ? "true" : "false");
    });
  }

  document.querySelectorAll("[data-school-search]").forEach(setupSchool);
  document.querySelectorAll("[data-ym]").forEach(setupYm);
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  var picker = document.getElementById("picker");
  if (picker && !summary) { picker.scrollIntoView(); var q = document.getElementById("f-picker_q"); if (q) q.focus(); }
})();
