// The reply box of the staff ticket page: choosing a canned reply fetches its text, filled in for
// this ticket by the server (tickets.admin.tickets.TicketAdmin.canned_view), and inserts it at
// the cursor of the reply. No inline script: the page's CSP allows only our own files.
(function () {
  "use strict";
  function insert(area, text) {
    var start = area.selectionStart || 0;
    var end = area.selectionEnd || 0;
    area.value = area.value.slice(0, start) + text + area.value.slice(end);
    area.selectionStart = area.selectionEnd = start + text.length;
    area.focus();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("canned-reply");
    if (!select) { return; }
    select.addEventListener("change", function () {
      var url = select.value;
      var area = document.getElementById(select.dataset.target);
      if (!url || !area) { return; }
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && typeof data.text === "string") { insert(area, data.text); }
          select.value = "";
          select.dispatchEvent(new Event("canned-inserted"));
          area.dataset.cannedInserted = "1";
        });
    });
  });
})();
