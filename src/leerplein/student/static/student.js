// While the server works (checking can take a few seconds), say so and prevent a double click.
document.querySelectorAll("form.bezig-form").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    var button = event.submitter || form.querySelector("button[type=submit]");
    var status = form.querySelector(".bezig");
    if (button && button.dataset.bezig) {
      if (status) { status.textContent = button.dataset.bezig; }
      // keep the button's value in the request: disable after the browser has read it
      setTimeout(function () {
        form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
        button.textContent = button.dataset.bezig;
      }, 0);
    }
  });
});

// Nothing she types is lost: forms marked data-autosave are saved on her own server a moment
// after she stops typing (same form, same XSRF token, one extra field), right away when she
// leaves the page, and the browser warns before leaving while a save is still open.
document.querySelectorAll("form[data-autosave]").forEach(function (form) {
  var status = document.getElementById(form.dataset.status);
  var extra = form.dataset.autosave.split("=");
  var timer = null, dirty = false, sending = false, leaving = false;

  function body() {
    var data = new FormData(form);
    data.set(extra[0], extra[1]);
    return data;
  }
  function say(text) { if (status) { status.textContent = text; } }
  function save() {
    clearTimeout(timer);
    if (!dirty || sending) { return; }
    dirty = false; sending = true;
    fetch(form.action, {method: "POST", body: body(), credentials: "same-origin",
                        headers: {"Accept": "application/json"}})
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (answer) {
          if (!r.ok) { dirty = true; }
          say(answer.melding || (r.ok ? "Bewaard." : "Bewaren lukte niet. Je tekst staat er nog; probeer het zo opnieuw."));
        });
      })
      .catch(function () { dirty = true; say("Bewaren lukte niet: geen verbinding. Je tekst staat er nog."); })
      .then(function () { sending = false; if (dirty && !leaving) { timer = setTimeout(save, 3000); } });
  }
  function changed() {
    dirty = true;
    say("Nog niet bewaard…");
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function (event) {
    clearTimeout(timer);
    if (form.dataset.stil !== undefined) {  // notes: save in place, the page and its interactive stay
      event.preventDefault();
      dirty = true;
      save();
      return;
    }
    dirty = false; leaving = true;  // the form itself saves everything
  });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty && !sending) { return; }
    leaving = true;
    if (dirty && navigator.sendBeacon) { navigator.sendBeacon(form.action, body()); }
    event.preventDefault();
    event.returnValue = "";
  });
});

// A word counter under each reflection, against the length the question asks for.
document.querySelectorAll("textarea[data-min]").forEach(function (area) {
  var counter = document.getElementById("teller-" + area.id.replace(/^antwoord-/, ""));
  var min = parseInt(area.dataset.min, 10), max = parseInt(area.dataset.max, 10);
  function count() {
    var n = area.value.trim() ? area.value.trim().split(/\s+/).length : 0;
    var text = n + (n === 1 ? " woord" : " woorden") + " (gevraagd: " + min + " tot " + max + ")";
    if (n > 0 && n < min) { text += ". Nog " + (min - n) + " te gaan."; }
    if (n > max) { text += ". Dat is " + (n - max) + " te veel."; }
    counter.textContent = text;
  }
  area.addEventListener("input", count);
  count();
});
