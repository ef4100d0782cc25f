// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // The phone header's menu button (the menu is always shown on wide screens, and on phones
  // without JavaScript: css/portal-nojs.css).
  var toggle = document.querySelector("[data-menu-toggle]");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var bar = toggle.closest(".topbar");
      var open = !bar.classList.contains("open");
      bar.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // Tables become lists of cards on phones: each cell carries its column's heading.
  document.querySelectorAll("table.list").forEach(function (table) {
    var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (!headings.length) { return; }
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (headings[index] && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", headings[index]);
        }
      });
    });
  });

  // Selects that submit their form on change (the language switcher).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // The new-ticket form: show only the versions of the chosen contract, and highlight the
  // definition of the chosen priority.
  var contract = document.querySelector("select[data-contract-select]");
  var version = document.querySelector("select[data-version-select]");
  if (contract && version) {
    var filterVersions = function () {
      var chosen = contract.value;
      Array.prototype.forEach.call(version.querySelectorAll("option"), function (option) {
        if (!option.value) { return; }
        var contracts = (option.getAttribute("data-contracts") || "").split(" ");
        var visible = !chosen || contracts.indexOf(chosen) !== -1;
        option.hidden = !visible;
        option.disabled = !visible;
        if (!visible && option.selected) { version.value = ""; }
      });
      Array.prototype.forEach.call(version.querySelectorAll("optgroup"), function (group) {
        var any = group.querySelector("option:not([hidden])");
        group.hidden = !any;
      });
      document.querySelectorAll("[data-for-contract]").forEach(function (node) {
        node.hidden = !!chosen && node.getAttribute("data-for-contract") !== chosen;
      });
      // The on-duty contact is asked for 7x24 contracts only.
      var onDuty = document.querySelector("[data-on-duty]");
      if (onDuty) {
        var alwaysOpen = (onDuty.getAttribute("data-always-open") || "").split(" ").filter(Boolean);
        onDuty.hidden = chosen ? alwaysOpen.indexOf(chosen) === -1 : alwaysOpen.length === 0;
      }
    };
    contract.addEventListener("change", filterVersions);
    filterVersions();
  }

  var guide = document.querySelector("[data-priority-guide]");
  if (guide) {
    var mark = function () {
      var checked = document.querySelector("input[name=priority]:checked");
      guide.querySelectorAll("li[data-priority]").forEach(function (item) {
        item.classList.toggle("selected", !!checked && item.getAttribute("data-priority") === checked.value);
      });
    };
    document.querySelectorAll("input[name=priority]").forEach(function (input) {
      input.addEventListener("change", mark);
    });
    mark();
  }
})();

// Forms that ask before they submit (removing a named contact, declining an agreement).
document.querySelectorAll("form[data-confirm]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
});
