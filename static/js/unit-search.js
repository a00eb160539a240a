// Unit choosers: suggestions from /don-vi/tim/ as the person types; choosing one fills the
// hidden key. Keyboard: arrows move, Enter chooses, Escape closes. Without JavaScript the
// text typed is searched by the server when the form is sent.
(function () {
  function setUp(input) {
    const box = input.closest(".unit-search");
    const hidden = box.querySelector("input[type=hidden]");
    const list = box.querySelector(".unit-search-list");
    const url = input.dataset.url || "/don-vi/tim/";
    let items = [], active = -1, timer = null;
    list.id = list.id || input.id + "-list";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; }
    function choose(index) {
      const item = items[index];
      if (!item) return;
      input.value = item.label; hidden.value = item.id; close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function show() {
      list.replaceChildren(...items.map((item, index) => {
        const option = document.createElement("span");
        option.setAttribute("role", "option");
        option.id = `${list.id}-${index}`;
        option.className = "unit-search-option" + (index === active ? " active" : "");
        option.textContent = item.label;
        option.addEventListener("mousedown", (event) => { event.preventDefault(); choose(index); });
        return option;
      }));
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", String(items.length > 0));
      if (active >= 0) input.setAttribute("aria-activedescendant", `${list.id}-${active}`);
    }
    input.addEventListener("input", () => {
      hidden.value = "";
      clearTimeout(timer);
      const text = input.value.trim();
      if (text.length < 2) { items = []; show(); return; }
      timer = setTimeout(async () => {
        const response = await fetch(`${url}?q=${encodeURIComponent(text)}`, { headers: { Accept: "application/json" } });
        if (!response.ok) return;
        items = (await response.json()).results; active = -1; show();
      }, 150);
    });
    input.addEventListener("keydown", (event) => {
      if (list.hidden) return;
      if (event.key === "ArrowDown") { active = Math.min(active + 1, items.length - 1); show(); event.preventDefault(); }
      else if (event.key === "ArrowUp") { active = Math.max(active - 1, 0); show(); event.preventDefault(); }
      else if (event.key === "Enter" && active >= 0) { choose(active); event.preventDefault(); }
      else if (event.key === "Escape") { close(); }
    });
    input.addEventListener("blur", () => setTimeout(close, 100));
  }
  document.querySelectorAll("input[data-unit-search]").forEach(setUp);
  document.addEventListener("htmx:afterSwap", (event) => {
    event.target.querySelectorAll("input[data-unit-search]").forEach(setUp);
  });
})();
