/* The recruiter's review page: show an issue's message and suggestions next to a highlight, on
   hover and on keyboard focus. The text comes from the issue list below the answer (the element
   each highlight's aria-describedby names), so screen readers hear it without this script. */
(function () {
  "use strict";
  var tooltip = document.getElementById("issue-tooltip");
  if (!tooltip) return;
  var current = null;
  var hideTimer = null;

  function fill(mark) {
    tooltip.replaceChildren();
    (mark.getAttribute("aria-describedby") || "").split(/\s+/).forEach(function (id) {
      var item = id && document.getElementById(id);
      var detail = item && item.querySelector(".issue-detail");
      if (!detail) return;
      var block = document.createElement("div");
      block.className = "tooltip-issue";
      block.appendChild(detail.cloneNode(true));
      tooltip.appendChild(block);
    });
  }

  function place(mark) {
    var box = mark.getBoundingClientRect();
    var width = Math.min(tooltip.offsetWidth, window.innerWidth - 16);
    var left = Math.max(8, Math.min(box.left + window.scrollX, window.scrollX + window.innerWidth - width - 8));
    var top = box.bottom + window.scrollY + 6;
    if (box.bottom + tooltip.offsetHeight + 12 > window.innerHeight && box.top > tooltip.offsetHeight + 12) {
      top = box.top + window.scrollY - tooltip.offsetHeight - 6;
    }
    tooltip.style.left = left + "px";
    tooltip.style.top = top + "px";
  }

  function show(mark) {
    clearTimeout(hideTimer);
    if (current && current !== mark) current.classList.remove("active");
    current = mark;
    mark.classList.add("active");
    fill(mark);
    tooltip.hidden = false;
    place(mark);
  }

  function hide() {
    clearTimeout(hideTimer);
    tooltip.hidden = true;
    if (current) current.classList.remove("active");
    current = null;
  }

  function hideSoon() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () {
      if (current && (current === document.activeElement || current.matches(":hover"))) return;
      if (tooltip.matches(":hover")) return;
      hide();
    }, 250);
  }

  function markOf(target) {
    return target && target.closest ? target.closest("mark.issue[aria-describedby]") : null;
  }

  document.addEventListener("focusin", function (event) {
    var mark = markOf(event.target);
    if (mark) show(mark); else if (current) hide();
  });
  document.addEventListener("focusout", function (event) {
    if (markOf(event.target)) hideSoon();
  });
  document.addEventListener("mouseover", function (event) {
    var mark = markOf(event.target);
    if (mark) show(mark);
    else if (tooltip.contains(event.target)) clearTimeout(hideTimer);
  });
  document.addEventListener("mouseout", function (event) {
    if (markOf(event.target) || tooltip.contains(event.target)) hideSoon();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !tooltip.hidden) hide();  // dismissable without moving focus
  });
  window.addEventListener("resize", function () { if (current) place(current); });
})();
