// What a person types is not lost by leaving the page: a form whose text changed and was not
// sent asks before the page is left. Sending the form (or htmx saving it) makes it clean.
(function () {
  var dirty = new Set();
  function tracked(element) {
    var form = element.form || (element.closest && element.closest("form"));
    if (!form || form.method.toLowerCase() === "get" || form.hasAttribute("data-no-unsaved")) return null;
    return form;
  }
  document.addEventListener("input", function (event) {
    var form = tracked(event.target);
    if (form) dirty.add(form);
  });
  document.addEventListener("submit", function (event) {
    dirty.clear();  // the page is being sent: what was typed goes with it
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form");
    if (form && event.detail.successful) dirty.delete(form);
  });
  window.addEventListener("beforeunload", function (event) {
    dirty.forEach(function (form) { if (!document.body.contains(form)) dirty.delete(form); });
    if (dirty.size) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
