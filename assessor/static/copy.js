"use strict";
// Copy buttons: #copy (data-target) on the invitation page, and [data-copy] buttons whose
// [data-copy-status] element says "Copied".
async function copyFrom(input) {
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
  } catch (e) {
    document.execCommand("copy");
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("copy");
  if (button) {
    button.addEventListener("click", async () => {
      await copyFrom(document.getElementById(button.dataset.target));
      document.getElementById("copy-status").textContent = button.dataset.copied;
    });
  }
  for (const other of document.querySelectorAll("button[data-copy]")) {
    other.addEventListener("click", async () => {
      await copyFrom(document.getElementById(other.dataset.copy));
      const status = document.querySelector(`[data-copy-status="${other.dataset.copy}"]`);
      if (status) status.textContent = other.dataset.copied;
    });
  }
});
