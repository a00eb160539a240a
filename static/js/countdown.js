// Keeps the deadline countdowns current between page loads (the server wrote the first text).
(function () {
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }
  function update() {
    document.querySelectorAll("[data-countdown]").forEach(function (element) {
      var seconds = Math.floor((new Date(element.dataset.countdown) - new Date()) / 1000);
      if (isNaN(seconds)) return;
      var text;
      if (seconds <= 0) {
        text = element.dataset.passed;
      } else {
        var days = Math.floor(seconds / 86400), hours = Math.floor((seconds % 86400) / 3600);
        var minutes = Math.floor((seconds % 3600) / 60);
        if (days) text = fill(element.dataset.days, { days: days, hours: hours });
        else if (hours) text = fill(element.dataset.hours, { hours: hours, minutes: minutes });
        else text = fill(element.dataset.minutes, { minutes: Math.max(minutes, 1) });
      }
      element.textContent = text;
      element.classList.toggle("urgent", seconds < 86400);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { update(); setInterval(update, 30000); });
})();
