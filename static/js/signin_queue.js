// The sign-in queue (xuncha/accounts/signin_queue.py), in the browser.
//
// The sign-in form is posted from here, so that when the server answers
// "please wait your turn" (429 with data-signin-queue) the page stays, shows
// the place and a countdown, and posts the same form again, with its ticket,
// when the wait is over. The password stays in the page's own field: nothing
// stores it. Without this script the form posts as usual and the person
// clicks again.
(function () {
  "use strict";

  var form = document.querySelector("form[data-signin-form]");
  if (!form || !window.fetch || !window.FormData || !window.DOMParser) {
    return;
  }
  var timer = null;

  function card() {
    return document.querySelector("[data-login-card]");
  }

  function showWaiting(alert) {
    var countdown = alert.querySelector("[data-signin-countdown]");
    var due = Date.now() + parseInt(alert.getAttribute("data-retry-ms"), 10);
    function tick() {
      var left = Math.max(0, Math.ceil((due - Date.now()) / 1000));
      if (countdown) {
        countdown.textContent =
          left > 0
            ? countdown.getAttribute("data-counting").replace("{s}", left)
            : countdown.getAttribute("data-sending");
      }
      if (left > 0) {
        timer = window.setTimeout(tick, Math.min(1000, due - Date.now()));
      } else {
        send();
      }
    }
    tick();
  }

  // Put the server's card in place of ours, keeping what was typed.
  function takeCard(newCard) {
    var username = form.querySelector("[name=username]").value;
    var password = form.querySelector("[name=password]").value;
    card().replaceWith(newCard);
    form = newCard.querySelector("form[data-signin-form]");
    form.addEventListener("submit", onSubmit);
    form.querySelector("[name=username]").value = username;
    form.querySelector("[name=password]").value = password;
  }

  function send() {
    var button = form.querySelector("[type=submit]");
    if (button) {
      button.disabled = true;
    }
    window
      .fetch(window.location.href, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Signin-Queue": "1" },
      })
      .then(function (response) {
        var next = response.headers.get("X-Signin-Next");
        if (next) {
          window.location.assign(next);
          return null;
        }
        return response.text().then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var newCard = page.querySelector("[data-login-card]");
          if (!newCard || !page.querySelector("form[data-signin-form]")) {
            // Another page (the lock-out notice, a CSRF failure): show it.
            document.title = page.title;
            document.body.innerHTML = page.body.innerHTML;
            return;
          }
          takeCard(newCard);
          var alert = newCard.querySelector("[data-signin-queue]");
          if (response.status === 429 && alert) {
            showWaiting(alert);
          } else {
            form.querySelector("[name=password]").value = "";
          }
        });
      })
      .catch(function () {
        // The network failed: let the person try again by hand.
        if (button) {
          button.disabled = false;
        }
      });
  }

  function onSubmit(event) {
    event.preventDefault();
    if (timer) {
      window.clearTimeout(timer);
      timer = null;
    }
    send();
  }

  form.addEventListener("submit", onSubmit);
})();
