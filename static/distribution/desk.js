// The hand-over desk, keyboard first: a barcode scanner types and presses Enter, so Enter moves
// to the next field instead of sending a half-filled form; Enter on the charter box confirms.
// Suggestions while a name is typed; a camera button where the browser can read barcodes.
// Without this script the form still works: the server resolves what was typed.
(function () {
  "use strict";

  function focusFirst() {
    var target = document.querySelector("[data-focus]");
    if (target) {
      target.focus();
      if (target.select && target.type === "text") target.select();
    }
  }

  function nextOnEnter(field, next) {
    if (!field || !next) return;
    field.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.isComposing) return;
      if (!field.value.trim()) { event.preventDefault(); return; }
      event.preventDefault();
      next.focus();
    });
  }

  function suggestions(form, field) {
    var url = form.getAttribute("data-students-url");
    var list = document.getElementById("desk-students");
    if (!url || !list || !window.fetch) return;
    var timer = null, last = "";
    field.addEventListener("input", function () {
      var chosen = document.getElementById("id_student_pk");
      if (chosen) chosen.remove();  // another student is being typed
      var text = field.value.trim();
      clearTimeout(timer);
      if (text.length < 2 || text === last) return;
      timer = setTimeout(function () {
        last = text;
        fetch(url + "?q=" + encodeURIComponent(text), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { students: [] }; })
          .then(function (data) {
            list.textContent = "";
            data.students.forEach(function (student) {
              var option = document.createElement("option");
              option.value = student.value;
              option.label = student.label;
              option.textContent = student.label;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 200);
    });
  }

  function camera(button) {
    var input = document.getElementById(button.getAttribute("data-target"));
    var video = document.querySelector(".desk-video");
    if (!input || !video || !navigator.mediaDevices) return;
    button.hidden = false;
    var stream = null;
    function stop() {
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
      video.hidden = true;
    }
    button.addEventListener("click", function () {
      if (stream) { stop(); return; }
      var detector = new window.BarcodeDetector();
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        video.play();
        (function look() {
          if (!stream) return;
          detector.detect(video).then(function (codes) {
            if (codes.length) {
              input.value = codes[0].rawValue;
              stop();
              input.focus();
              input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
            } else {
              setTimeout(look, 200);
            }
          }).catch(function () { setTimeout(look, 400); });
        })();
      }).catch(stop);
    });
  }

  function channel(form) {
    var box = document.getElementById("desk-carrier");
    if (!box) return;
    function show() {
      var picked = form.querySelector("input[name=channel]:checked");
      box.hidden = !(picked && picked.value === "carrier");
    }
    form.querySelectorAll("input[name=channel]").forEach(function (radio) { radio.addEventListener("change", show); });
    show();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("desk-form");
    if (form) {
      var student = document.getElementById("id_student");
      var device = document.getElementById("id_device");
      var charter = document.getElementById("id_charter_signed");
      nextOnEnter(student, device);
      nextOnEnter(device, charter);
      if (charter) {
        charter.addEventListener("keydown", function (event) {
          if (event.key !== "Enter") return;
          event.preventDefault();
          if (form.requestSubmit) form.requestSubmit(); else form.submit();
        });
      }
      suggestions(form, student);
      channel(form);
    }
    if ("BarcodeDetector" in window) {
      document.querySelectorAll(".desk-camera").forEach(camera);
    }
    focusFirst();
  });
})();
