(function () {
  "use strict";
  // Anything with data-seek plays its turn's audio (data-audio names the <audio>) from that time.
  var lit = null;
  function seek(el) {
    var audio = document.getElementById(el.getAttribute("data-audio"));
    var t = parseFloat(el.getAttribute("data-seek"));
    if (!audio || !isFinite(t)) { return; }
    audio.currentTime = t;
    if (lit) { lit.classList.remove("now"); }
    el.classList.add("now");
    lit = el;
  }
  document.addEventListener("click", function (e) {
    var target = e.target instanceof Element ? e.target.closest("[data-seek][data-audio]") : null;
    if (target) { seek(target); }
  });
  document.addEventListener("keydown", function (e) {
    var target = e.target instanceof Element ? e.target.closest(".s[data-seek][data-audio]") : null;
    if (target && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); seek(target); }
  });
})();
