// Live countdown to SLA due times. Markup:
//   <span data-countdown="2026-11-30T02:30:00+00:00"
//         data-label-left="%(time)s left" data-label-overdue="overdue by %(time)s"
//         data-units="d h min"></span>
// The server renders the translated labels; this script only fills in the numbers.
(function () {
  "use strict";

  function format(ms, units) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    var u = (units || "d h min").split(" ");
    if (days > 0) { return days + u[0] + " " + hours + u[1]; }
    if (hours > 0) { return hours + u[1] + " " + mins + u[2]; }
    // Under an hour: minutes and seconds as mm:ss, which reads the same in every language.
    var seconds = Math.floor(Math.abs(ms) / 1000) % 60;
    return mins + ":" + (seconds < 10 ? "0" : "") + seconds;
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (node) {
      var due = Date.parse(node.getAttribute("data-countdown"));
      if (isNaN(due)) { return; }
      var left = due - now;
      var label = left >= 0 ? node.getAttribute("data-label-left") : node.getAttribute("data-label-overdue");
      node.textContent = (label || "%(time)s").replace("%(time)s", format(left, node.getAttribute("data-units")));
      node.classList.toggle("overdue", left < 0);
    });
  }

  tick();
  window.setInterval(tick, 1000);
})();
