// The drafting form's live validation: while the drafter types, the form is
// posted to its data-check URL (nothing is stored) and each finding is shown
// beside its field; the telegram preview shows what release would send.
(function () {
  "use strict";
  const form = document.getElementById("draft-form");
  if (!form) return;
  const state = document.getElementById("check-state");
  const preview = document.getElementById("preview");
  const note = document.getElementById("preview-note");
  let timer = null;
  let asked = 0;

  function show(list, findings) {
    list.replaceChildren();
    for (const f of findings) {
      const item = document.createElement("li");
      item.className = "finding " + f.severity;
      const code = document.createElement("code");
      code.textContent = f.code;
      item.append(code, " " + f.message);
      list.append(item);
    }
    const field = list.closest(".draft-field");
    if (field) field.classList.toggle("has-error", findings.some((f) => f.severity === "error"));
  }

  async function check() {
    const mine = ++asked;
    state.textContent = "checking…";
    try {
      const answer = await fetch(form.dataset.check, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { Accept: "application/json" },
      });
      if (!answer.ok) throw new Error("HTTP " + answer.status);
      const result = await answer.json();
      if (mine !== asked) return; // a later check is on its way
      for (const list of form.querySelectorAll("[data-findings-for]")) {
        show(list, result.by_field[list.dataset.findingsFor] || []);
      }
      const errors = result.findings.filter((f) => f.severity === "error").length;
      state.textContent = errors ? errors + " error" + (errors > 1 ? "s" : "") : "no errors";
      state.dataset.errors = String(errors);
      if (preview) preview.textContent = result.telegram || "";
      if (note) note.textContent = result.unassembled || "Numbers shown are the next ones; release takes them.";
    } catch (error) {
      if (mine === asked) state.textContent = "could not check (" + error.message + ")";
    }
  }

  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  });
  form.addEventListener("change", () => {
    clearTimeout(timer);
    timer = setTimeout(check, 50);
  });
})();
