// Irreversible actions ask first: a form (or the button pressed) with data-confirm shows its
// text, and the form is sent only when the person agrees.
(function () {
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var text = button && button.hasAttribute("data-confirm") ? button.dataset.confirm : form.dataset.confirm;
    if (text && !window.confirm(text)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
