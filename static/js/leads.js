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

// An accepted MQL joins the pipeline table out-of-band; when the pipeline was empty, the
// table was only hidden, so show it and drop the empty-state text.
document.addEventListener("htmx:afterSettle", function () {
  var rows = document.getElementById("working-rows");
  var table = document.getElementById("working-table");
  if (rows && table && table.hidden && rows.children.length > 0) {
    table.hidden = false;
    var empty = document.getElementById("working-empty");
    if (empty) empty.remove();
  }
});

// A move that cannot be taken back asks first (lifecycle.Move.confirm). Rows ask through
// htmx's hx-confirm; plain forms (the lead page) carry the question as data-confirm.
document.addEventListener("submit", function (event) {
  var question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
