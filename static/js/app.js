/* Behaviour that used to sit in inline handlers: the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  function bindAutosubmit(root) {
    // <select data-autosubmit> sends its form as soon as a choice is made (hotel and language switchers).
    root.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  function bindPrint(root) {
    root.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function (event) { event.preventDefault(); window.print(); });
    });
  }

  // Grouped menus are <details class="menu">: they open without script; this only closes the
  // other menus, and closes on a click outside or on Escape.
  function bindMenus() {
    var menus = Array.prototype.slice.call(document.querySelectorAll("details.menu"));
    menus.forEach(function (menu) {
      menu.addEventListener("toggle", function () {
        if (!menu.open) { return; }
        menus.forEach(function (other) { if (other !== menu && !other.contains(menu)) { other.open = false; } });
      });
    });
    document.addEventListener("click", function (event) {
      menus.forEach(function (menu) { if (menu.open && !menu.contains(event.target)) { menu.open = false; } });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      menus.forEach(function (menu) {
        if (menu.open) { menu.open = false; menu.querySelector("summary").focus(); }
      });
    });
  }

  // Search as you type: arrow keys move through the result rows, Enter opens the chosen one.
  // The results are swapped in by htmx into [data-search-results]; the box keeps the focus.
  function bindSearch() {
    document.querySelectorAll("[data-search-box]").forEach(function (box) {
      var target = document.querySelector(box.getAttribute("data-search-box"));
      if (!target) { return; }
      var active = -1;
      function rows() { return Array.prototype.slice.call(target.querySelectorAll("tr[data-href]")); }
      function show(index) {
        var all = rows();
        all.forEach(function (row) { row.classList.remove("is-active"); row.removeAttribute("aria-selected"); });
        if (!all.length) { active = -1; box.removeAttribute("aria-activedescendant"); return; }
        active = Math.max(0, Math.min(index, all.length - 1));
        all[active].classList.add("is-active");
        all[active].setAttribute("aria-selected", "true");
        if (all[active].id) { box.setAttribute("aria-activedescendant", all[active].id); }
        all[active].scrollIntoView({block: "nearest"});
      }
      box.addEventListener("keydown", function (event) {
        if (event.key === "ArrowDown") { event.preventDefault(); show(active + 1); }
        else if (event.key === "ArrowUp") { event.preventDefault(); show(active - 1); }
        else if (event.key === "Enter" && active >= 0 && rows()[active]) {
          event.preventDefault();
          window.location.assign(rows()[active].getAttribute("data-href"));
        }
      });
      // New results keep the highlighted position (a late answer must not lose the choice); after
      // settling, because htmx puts the class attributes of rows with the same id back when it settles.
      document.body.addEventListener("htmx:afterSettle", function (event) {
        if (event.detail.target !== target) { return; }
        if (active >= 0) { show(active); } else { box.removeAttribute("aria-activedescendant"); }
      });
    });
  }

  // Tabs are links to the panels' ids (CSS shows the panel in the address); mark the current one.
  function bindTabs() {
    document.querySelectorAll("[data-tabs]").forEach(function (tabs) {
      var links = Array.prototype.slice.call(tabs.querySelectorAll("a[href^='#']"));
      function mark() {
        var target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
        var current = links.filter(function (link) {
          var panel = document.getElementById(link.getAttribute("href").slice(1));
          return target && panel && panel.contains(target);
        })[0] || links[0];
        links.forEach(function (link) {
          if (link === current) { link.setAttribute("aria-current", "page"); } else { link.removeAttribute("aria-current"); }
        });
      }
      window.addEventListener("hashchange", mark);
      mark();
    });
  }

  function bind() {
    bindAutosubmit(document);
    bindPrint(document);
    bindMenus();
    bindSearch();
    bindTabs();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bind);
  } else {
    bind();
  }
})();
