// Totals of the dossier entry form, computed as the officer types.
(function () {
  const form = document.getElementById("figures-form");
  if (!form) return;
  const value = (name) => {
    const input = form.querySelector(`[data-count="${name}"]`);
    const number = parseInt(input && input.value, 10);
    return Number.isFinite(number) ? number : 0;
  };
  const format = (number) => number.toLocaleString(document.documentElement.lang === "vi" ? "vi-VN" : "en-GB");
  const show = (name, text) => { form.querySelector(`[data-total="${name}"]`).textContent = text; };
  function update() {
    const received = value("new_received") + value("carried_over");
    const resolved = value("resolved_early") + value("resolved_on_time") + value("resolved_late");
    const accounted = resolved + value("pending_within") + value("pending_overdue") + value("returned");
    show("received", format(received));
    show("resolved", format(resolved));
    const early = value("resolved_early") + value("resolved_on_time");
    show("on_time_rate", resolved ? format(Math.round(early * 10000 / resolved) / 100) + " %" : "–");
    show("unaccounted", format(received - accounted));
  }
  form.addEventListener("input", update);
  update();
})();
