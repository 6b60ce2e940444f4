// The dashboard's "Compare selected": enabled only while 2 to 4 candidates are ticked.
// Without this script the button always submits and the server names the problem.
(function () {
  "use strict";
  var button = document.getElementById("compare-button");
  if (!button) return;
  var boxes = document.querySelectorAll('input[type="checkbox"][form="compare-form"]');

  function update() {
    var ticked = 0;
    boxes.forEach(function (box) { if (box.checked) ticked += 1; });
    button.disabled = ticked < 2 || ticked > 4;
  }

  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
})();
