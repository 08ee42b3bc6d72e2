// Live statuses: while a row shows a server that is changing (building, stopping, rebooting),
// ask the dashboard for the table's statuses every two seconds and update the rows in place.
// Without this script the page still works; it only needs a reload to show the new state.
"use strict";
(function () {
  var PERIOD = 2000;
  function changingRows() {
    return document.querySelectorAll("[data-changing]");
  }
  function update(row) {
    var holder = document.querySelector('[data-id="' + row.id + '"]');
    if (!holder) { return; }
    var status = holder.querySelector('[data-field="status"]');
    if (status) {
      status.textContent = row.status;
      status.className = "badge " + row["class"];
    }
    var task = holder.querySelector('[data-field="task"]');
    if (task) { task.textContent = row.task === "None" && holder.tagName !== "TR" ? "" : row.task; }
    var power = holder.querySelector('[data-field="power"]');
    if (power) { power.textContent = row.power; }
    // The stylesheet shows only the actions the new status allows.
    holder.setAttribute("data-status", row.status);
    if (row.changing) { holder.setAttribute("data-changing", ""); }
    else { holder.removeAttribute("data-changing"); }
  }
  // A changing server the answer no longer lists has finished deleting: its row goes (on the
  // detail page, where the answer is a 404, the status says so) and nothing polls for it.
  function gone(listed) {
    Array.prototype.forEach.call(changingRows(), function (holder) {
      if (listed[holder.getAttribute("data-id")]) { return; }
      holder.removeAttribute("data-changing");
      if (holder.tagName === "TR") { holder.parentNode.removeChild(holder); return; }
      update({ id: holder.getAttribute("data-id"), status: "DELETED", task: "None", power: "",
               "class": "off", changing: false });
    });
  }
  function poll(source) {
    if (changingRows().length === 0) { return; }
    fetch(source, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (answer) {
        if (answer.status === 404) { return { rows: [] }; }
        return answer.ok ? answer.json() : null;
      })
      .then(function (body) {
        if (body) {
          var listed = {};
          body.rows.forEach(function (row) { listed[row.id] = true; update(row); });
          gone(listed);
        }
        window.setTimeout(function () { poll(source); }, PERIOD);
      })
      .catch(function () { window.setTimeout(function () { poll(source); }, PERIOD * 2); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var table = document.querySelector("[data-rows]");
    if (table) { window.setTimeout(function () { poll(table.getAttribute("data-rows")); }, PERIOD); }
  });
})();
