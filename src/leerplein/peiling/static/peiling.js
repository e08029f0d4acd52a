// Peiling's live part: follow the session over server-sent events and draw the results.
// Everything is built with textContent, never with HTML from answers.
(function () {
  var root = document.getElementById("peiling");
  if (!root || !window.EventSource) { return; }
  var role = root.dataset.rol;
  var target = document.getElementById("uitslag");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function table(rows, head) {
    var t = el("table", "tabel");
    var cap = el("caption", null, "Uitslag in een tabel");
    t.appendChild(cap);
    var tr = el("tr");
    tr.appendChild(el("th", null, head)); tr.appendChild(el("th", null, "Aantal"));
    tr.children[0].scope = "col"; tr.children[1].scope = "col";
    var thead = el("thead"); thead.appendChild(tr); t.appendChild(thead);
    var body = el("tbody");
    rows.forEach(function (r) {
      var row = el("tr");
      var th = el("th", null, r[0]); th.scope = "row";
      row.appendChild(th); row.appendChild(el("td", null, String(r[1])));
      body.appendChild(row);
    });
    t.appendChild(body);
    return t;
  }

  function draw(res) {
    if (!target) { return; }
    target.textContent = "";
    if (res.soort === "open") {
      if (!res.teksten.length) { target.appendChild(el("p", "klein", "Nog geen antwoorden op het scherm.")); }
      var list = el("ul", "open-antwoorden");
      res.teksten.forEach(function (t) { list.appendChild(el("li", null, t)); });
      target.appendChild(list);
      return;
    }
    var max = Math.max.apply(null, res.rijen.map(function (r) { return r[1]; }).concat([1]));
    if (res.soort === "woorden") {
      var cloud = el("div", "wolk");
      cloud.setAttribute("aria-hidden", "true");
      res.rijen.forEach(function (r) {
        var w = el("span", "woord", r[0]);
        w.style.fontSize = (1 + 2.5 * r[1] / max).toFixed(2) + "em";
        cloud.appendChild(w);
      });
      if (!res.rijen.length) { target.appendChild(el("p", "klein", "Nog geen woorden.")); }
      target.appendChild(cloud);
      target.appendChild(table(res.rijen, "Woord"));
      return;
    }
    var chart = el("div", "grafiek");
    chart.setAttribute("aria-hidden", "true");
    res.rijen.forEach(function (r) {
      var row = el("div", "rij");
      row.appendChild(el("span", "label", r[0]));
      var bar = el("span", "balk");
      bar.style.width = (100 * r[1] / max).toFixed(1) + "%";
      var holder = el("span", "balk-vak"); holder.appendChild(bar);
      row.appendChild(holder);
      row.appendChild(el("span", "n", String(r[1])));
      chart.appendChild(row);
    });
    target.appendChild(chart);
    if (res.gemiddelde !== null && res.gemiddelde !== undefined) {
      target.appendChild(el("p", "gemiddelde", "Gemiddeld: " + String(res.gemiddelde).replace(".", ",")));
    }
    target.appendChild(table(res.rijen, res.soort === "schaal" ? "Score" : "Antwoord"));
  }

  function update(data) {
    var s = data.sessie, res = data.resultaten;
    if (role === "deelnemer" && (String(s.huidige) !== root.dataset.vraag || s.status !== root.dataset.status)) {
      window.location.reload();
      return;
    }
    var stand = document.getElementById("stand");
    if (stand) {
      var text = res.aantal + (res.aantal === 1 ? " antwoord" : " antwoorden");
      if (res.wachtend) { text += " · " + res.wachtend + " wachten op goedkeuring"; }
      if (s.status !== "open") { text += " · de peiling is gesloten"; }
      stand.textContent = text;
    }
    var vraag = document.getElementById("vraag");
    if (vraag && role === "scherm") { vraag.textContent = s.vraag.tekst; }
    draw(res);
  }

  if (root.dataset.eerste) { try { update(JSON.parse(root.dataset.eerste)); } catch (e) { /* wait for the stream */ } }
  var source = new EventSource(root.dataset.stroom);
  source.onmessage = function (event) { update(JSON.parse(event.data)); };
})();
