// The print view's "Print or save as PDF" button (hidden when scripts do not run: the browser's
// own print command works the same).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
