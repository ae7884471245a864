// Phones: the menu folds behind "Menu"; without JavaScript it stays open.
(function () {
  var d = document;
  d.documentElement.classList.add("js");
  d.addEventListener("DOMContentLoaded", function () {
    var t = d.querySelector(".menu-toggle"), m = d.getElementById("site-menu");
    if (t && m) t.addEventListener("click", function () {
      var open = t.getAttribute("aria-expanded") !== "true";
      t.setAttribute("aria-expanded", String(open));
      m.classList.toggle("site-menu--open", open);
    });
  });
})();
