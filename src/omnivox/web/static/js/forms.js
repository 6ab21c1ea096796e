// Behaviour the templates ask for by attribute, so no page needs inline script (the
// Content-Security-Policy forbids it, and htmx's hx-on handlers are evaluated code).
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.hasAttribute("data-reset-on-success") && event.detail.successful) {
    form.reset();
  }
});
