/* 长辈版 in the desk: larger text, spacing and targets, remembered on this browser. Loaded
   in <head> before anything paints, so a page never flashes at the small size first. */
(function () {
  var KEY = "louyu-elder", root = document.documentElement;
  try { if (localStorage.getItem(KEY) === "1") root.classList.add("elder"); } catch (e) { /* private mode */ }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("elder-switch");
    if (!button) return;
    function show() {
      var on = root.classList.contains("elder");
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "标准版" : "长辈版";
      button.title = on ? "回到标准字号" : "大字、宽行距、大按钮";
    }
    show();
    button.addEventListener("click", function () {
      var on = !root.classList.contains("elder");
      root.classList.toggle("elder", on);
      try { localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* not remembered */ }
      show();
    });
  });
})();
