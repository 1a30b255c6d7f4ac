// Leads pages. A row answer (the inbox, the rejected queue) carries its form error inline
// with a 400/403/409 status and is swapped in place (see the htmx-config meta tag).
// django-htmx's debug helper would replace the whole page with any 400/403 answer, so
// row answers stop here, before that document-level listener sees them; real error pages
// still reach it.
document.addEventListener("DOMContentLoaded", function () {
  document.body.addEventListener("htmx:beforeOnLoad", function (event) {
    if (event.detail.xhr.getResponseHeader("X-Smarketing-Row")) {
      event.stopPropagation();
    }
  });
});
