// The language switch submits itself (no inline handler, so the Content Security Policy can forbid them).
document.addEventListener("change", (event) => {
  if (event.target.id === "lang-select") event.target.form.submit();
});
