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
