// An open inbox page follows its inbox: the server sends it again (server-sent
// events) whenever it changes, and the rows are rebuilt from it.
(function () {
  "use strict";
  var table = document.querySelector("[data-inbox]");
  if (!table || !window.EventSource) return;
  var target = table.getAttribute("data-target") || "";
  function cell(row, text, cls) {
    var td = document.createElement("td");
    if (cls) td.className = cls;
    td.textContent = text;
    row.appendChild(td);
    return td;
  }
  function button(row, action, label, extra) {
    var td = document.createElement("td");
    var form = document.createElement("form");
    form.method = "post"; form.action = action; form.className = "inline";
    var hidden = document.createElement("input");
    hidden.type = "hidden"; hidden.name = "target"; hidden.value = target;
    form.appendChild(hidden);
    if (extra) form.appendChild(extra);
    var b = document.createElement("button");
    b.type = "submit"; b.textContent = label;
    form.appendChild(b); td.appendChild(form); row.appendChild(td);
  }
  function render(view) {
    var body = table.querySelector("tbody");
    body.textContent = "";
    view.deliveries.forEach(function (d) {
      var row = document.createElement("tr");
      var prec = d.precedence.toLowerCase();
      row.className = "prec-" + prec + (d.read_at ? "" : " unread");
      cell(row, String(d.id), "mono");
      var p = cell(row, "");
      var badge = document.createElement("span");
      badge.className = "prec prec-" + prec;
      badge.textContent = (d.niact ? "NIACT " : "") + d.precedence;
      p.appendChild(badge);
      var c = cell(row, "", "mono");
      var a = document.createElement("a");
      a.href = "/cables/" + encodeURIComponent(d.cable_id); a.textContent = d.cable_id;
      c.appendChild(a);
      cell(row, d.subject); cell(row, d.role);
      cell(row, d.received_at.slice(0, 16).replace("T", " "), "mono");
      cell(row, d.due_at.slice(0, 16).replace("T", " "), "mono");
      if (d.ack_required && !d.acked_at) button(row, "/inbox/" + d.id + "/ack", "Acknowledge");
      else cell(row, d.acked_at ? "by " + d.acked_by : "—");
      if (d.role === "action") {
        var select = document.createElement("select");
        select.name = "action";
        ["will-comply", "have-complied", "cannot-comply"].forEach(function (v) {
          var o = document.createElement("option"); o.textContent = v; select.appendChild(o);
        });
        button(row, "/inbox/" + d.id + "/action", "Record", select);
      } else cell(row, "info");
      body.appendChild(row);
    });
    var unread = document.querySelector("[data-unread]");
    var total = document.querySelector("[data-total]");
    if (unread) unread.textContent = String(view.unread);
    if (total) total.textContent = String(view.deliveries.length);
  }
  var source = new EventSource(table.getAttribute("data-events"));
  source.addEventListener("inbox", function (e) { render(JSON.parse(e.data)); });
})();
