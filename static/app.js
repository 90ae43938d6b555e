// Small enhancements only: every page works without this file.
"use strict";

function copyText(source) {
  const text = source.value;
  if (navigator.clipboard && window.isSecureContext) {
    return navigator.clipboard.writeText(text);
  }
  // Older browsers and plain-http hosts: copy the selection instead.
  source.select();
  document.execCommand("copy");
  return Promise.resolve();
}

function setUpCopyButtons() {
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    const source = document.getElementById(button.dataset.copy);
    if (!source) return;
    button.hidden = false;
    const label = button.textContent;
    button.addEventListener("click", () => {
      const status = button.closest(".draft, .card, .field")?.querySelector(".copy-status");
      copyText(source).then(
        () => {
          button.textContent = "Copied";
          if (status) status.textContent = "Copied to the clipboard.";
          setTimeout(() => { button.textContent = label; }, 2000);
        },
        () => {
          source.select();
          if (status) status.textContent = "Couldn't copy: the text is selected, press Ctrl+C.";
        },
      );
    });
  });
}

// On sign-up, start from the browser's own timezone rather than UTC.
function guessTimezone() {
  const form = document.querySelector("form[data-detect-timezone]");
  const select = form?.querySelector("select[name=timezone]");
  if (!select || select.value !== "UTC") return;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && [...select.options].some((o) => o.value === zone)) select.value = zone;
}

// After a failed submit, take keyboard and screen-reader users to the list of problems.
function focusErrorSummary() {
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
}

document.addEventListener("DOMContentLoaded", () => {
  setUpCopyButtons();
  guessTimezone();
  focusErrorSummary();
});
