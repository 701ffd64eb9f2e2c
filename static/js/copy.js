// A "Copy" button: <button data-copy="id-of-the-field">. The field stays selectable by hand
// when the clipboard is not available (an insecure origin, a refused permission).
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  field.select();
  try {
    await navigator.clipboard.writeText(field.value);
    button.textContent = "Copied";
  } catch {
    button.textContent = "Press Ctrl+C to copy";
  }
});
