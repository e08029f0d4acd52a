// Accessibility fixes for the theme's header buttons: their visible text must be part
// of their accessible name (axe rule label-content-name-mismatch).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("button[aria-label], a[aria-label]").forEach((el) => {
    const visible = (el.innerText || "").trim();
    const label = el.getAttribute("aria-label") || "";
    if (visible && !label.toLowerCase().includes(visible.toLowerCase())) {
      el.setAttribute("aria-label", `${visible} ${label}`.trim());
    }
  });
});
