"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("copy");
  if (!button) return;
  button.addEventListener("click", async () => {
    const input = document.getElementById(button.dataset.target);
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
    } catch (e) {
      document.execCommand("copy");
    }
    document.getElementById("copy-status").textContent = button.dataset.copied;
  });
});
