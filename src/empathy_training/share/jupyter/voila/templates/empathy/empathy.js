/* Kept by the practice, dashboard and grading pages (empathy-training).
 * 1. Watches the kernel connection: when it is lost (the server stopped or restarted), a
 *    banner says so, the page's buttons stop, and a Reload button appears once the server
 *    answers again.
 * 2. Keeps drafts in this browser: a text box inside an element with the class "et-draft"
 *    and a class "et-draft-KEY" is saved under KEY as it is typed, and put back into the box
 *    (if it is empty) when a box with that key appears again, after a reload for example.
 */
(function () {
  "use strict";
  var PREFIX = "empathy-training:draft:";
  var KEEP_DAYS = 30;
  var leaving = false;
  var lost = false;

  window.addEventListener("beforeunload", function () { leaving = true; });

  function baseUrl() {
    var base = document.body && document.body.getAttribute("data-base-url");
    return base || "/voila/";
  }

  function banner() {
    var box = document.getElementById("et-connection");
    if (box) { return box; }
    box = document.createElement("div");
    box.id = "et-connection";
    box.setAttribute("role", "alert");
    document.body.appendChild(box);
    return box;
  }

  function showLost() {
    if (leaving || lost) { return; }
    lost = true;
    document.body.classList.add("et-offline");
    var box = banner();
    box.textContent = "The connection to the server was lost, so nothing you do here is " +
      "saved just now. What you typed is kept in this browser. Waiting for the server…";
    waitForServer();
  }

  function showBack() {
    var box = banner();
    box.textContent = "The server is back. Reload the page to carry on: what you typed " +
      "will be back in the box. ";
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "Reload";
    button.addEventListener("click", function () { window.location.reload(); });
    box.appendChild(button);
    button.focus();
  }

  function waitForServer() {
    var probe = baseUrl() + "static/voila.js";
    var tries = 0;
    function again() {
      tries += 1;
      fetch(probe, { cache: "no-store" }).then(function (reply) {
        if (reply.ok) { showBack(); } else { later(); }
      }, later);
    }
    function later() { window.setTimeout(again, Math.min(10000, 1000 * tries)); }
    later();
  }

  var NativeWebSocket = window.WebSocket;
  function WatchedWebSocket(url, protocols) {
    var socket = protocols === undefined ? new NativeWebSocket(url)
      : new NativeWebSocket(url, protocols);
    if (String(url).indexOf("/channels") !== -1) {
      socket.addEventListener("close", function () { window.setTimeout(showLost, 300); });
    }
    return socket;
  }
  WatchedWebSocket.prototype = NativeWebSocket.prototype;
  ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (name) {
    WatchedWebSocket[name] = NativeWebSocket[name];
  });
  window.WebSocket = WatchedWebSocket;

  function draftKey(element) {
    var holder = element.closest(".et-draft");
    if (!holder) { return null; }
    for (var i = 0; i < holder.classList.length; i += 1) {
      var name = holder.classList[i];
      if (name.indexOf("et-draft-") === 0) { return PREFIX + name.slice(9); }
    }
    return null;
  }

  function save(box) {
    var key = draftKey(box);
    if (!key) { return; }
    try {
      if (box.value.trim()) {
        localStorage.setItem(key, JSON.stringify({ text: box.value, at: Date.now() }));
      } else {
        localStorage.removeItem(key);
      }
    } catch (error) { /* storage full or refused: the kernel still has the text */ }
  }

  function stored(key) {
    try {
      var entry = JSON.parse(localStorage.getItem(key) || "null");
      return entry && typeof entry.text === "string" ? entry.text : null;
    } catch (error) { return null; }
  }

  function restore() {
    var boxes = document.querySelectorAll(".et-draft textarea");
    for (var i = 0; i < boxes.length; i += 1) {
      var box = boxes[i];
      var key = draftKey(box);
      if (!key || box.getAttribute("data-et-key") === key) { continue; }
      box.setAttribute("data-et-key", key);
      var text = stored(key);
      if (text && !box.value) {
        box.value = text;
        box.dispatchEvent(new Event("input", { bubbles: true }));
        box.dispatchEvent(new Event("change", { bubbles: true }));
      } else if (box.value) {
        save(box);  // typed before the key arrived: keep it under the key now
      }
    }
  }

  function forgetOld() {
    var cutoff = Date.now() - KEEP_DAYS * 24 * 3600 * 1000;
    try {
      for (var i = localStorage.length - 1; i >= 0; i -= 1) {
        var key = localStorage.key(i);
        if (key && key.indexOf(PREFIX) === 0) {
          var entry = JSON.parse(localStorage.getItem(key) || "null");
          if (!entry || entry.at < cutoff) { localStorage.removeItem(key); }
        }
      }
    } catch (error) { /* nothing to tidy */ }
  }

  document.addEventListener("input", function (event) {
    if (event.target && event.target.tagName === "TEXTAREA") { save(event.target); }
  }, true);

  document.addEventListener("DOMContentLoaded", function () {
    forgetOld();
    new MutationObserver(restore).observe(document.body, {
      subtree: true, childList: true, attributes: true, attributeFilter: ["class"]
    });
  });
})();
