// A "Print" button on the agenda pack and the leaflets (no inline script: the
// Content-Security-Policy forbids it).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
