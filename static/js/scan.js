// Live barcode scan where the browser has the BarcodeDetector API (Chrome on Android, …):
// nothing is uploaded; the decoded text goes to the scan page as ?code=&format=. Elsewhere the
// page keeps its photo form (the phone's camera opens from the file input's `capture`).
(function () {
  "use strict";
  var script = document.currentScript;
  var panel = document.getElementById("live-scan");
  if (!panel || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  var wanted = ["ean_13", "ean_8", "upc_a", "upc_e", "qr_code", "data_matrix"];
  var video = document.getElementById("live-scan-video");
  var status = document.getElementById("live-scan-status");
  var start = document.getElementById("live-scan-start");

  window.BarcodeDetector.getSupportedFormats().then(function (supported) {
    var formats = wanted.filter(function (f) { return supported.indexOf(f) !== -1; });
    if (!formats.length) return;
    var detector = new window.BarcodeDetector({ formats: formats });
    panel.hidden = false;
    var heading = document.getElementById("photo-heading");
    if (heading) heading.textContent = heading.dataset.live;
    start.addEventListener("click", function () {
      status.textContent = script.dataset.starting;
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (stream) {
          video.srcObject = stream;
          start.hidden = true;
          return video.play().then(function () { scan(detector, stream); });
        })
        .catch(function () { status.textContent = script.dataset.denied; });
    });
  });

  function scan(detector, stream) {
    status.textContent = script.dataset.looking;
    function tick() {
      detector.detect(video).then(function (codes) {
        if (codes.length) {
          stream.getTracks().forEach(function (track) { track.stop(); });
          var url = new URL(window.location.href);
          url.search = "";
          url.searchParams.set("code", codes[0].rawValue);
          url.searchParams.set("format", codes[0].format);
          window.location.assign(url.toString());
        } else {
          window.setTimeout(tick, 250);
        }
      }).catch(function () { window.setTimeout(tick, 500); });
    }
    tick();
  }
})();
