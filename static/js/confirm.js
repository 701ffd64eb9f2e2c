// Irreversible actions ask first: a form with data-confirm="…" submits only once the officer
// agrees to that question. Loaded from a file (the Content-Security-Policy allows no inline
// script); without JavaScript the form submits as it is, and the server's rules still apply.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const button = event.submitter;
  const question = (button && button.dataset.confirm) || form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// "Select all on this page" for the bulk actions of a list.
document.addEventListener("change", (event) => {
  const all = event.target;
  if (!all.matches("input[data-select-all]")) return;
  for (const box of document.querySelectorAll(`input[name="${all.dataset.selectAll}"]`)) {
    box.checked = all.checked;
  }
});
