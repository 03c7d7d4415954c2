// Solves the reporting point's proof-of-work challenge while the reporter writes (DESIGN §11), as the
// GlobaLeaks client does: the smallest decimal answer for which SHA-256("challenge:answer") starts with the
// asked number of zero bits. Nothing leaves the page but the answer; without this script the form works.
(function () {
  "use strict";
  if (!window.crypto || !window.crypto.subtle || !window.TextEncoder) {
    return;
  }
  var encoder = new TextEncoder();

  function zeroBits(bytes) {
    var count = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) {
        count += 8;
        continue;
      }
      for (var mask = 0x80; (bytes[i] & mask) === 0; mask >>= 1) {
        count += 1;
      }
      return count;
    }
    return count;
  }

  async function solve(challenge, answer) {
    var bits = parseInt(challenge.getAttribute("data-bits"), 10) || 0;
    for (var n = 0; ; n++) {
      var digest = await window.crypto.subtle.digest("SHA-256", encoder.encode(challenge.value + ":" + n));
      if (zeroBits(new Uint8Array(digest)) >= bits) {
        answer.value = String(n);
        return;
      }
    }
  }

  // Each form has its own challenge (an answer works once); they are solved one after the other.
  async function solveAll() {
    var challenges = document.querySelectorAll("input[name=challenge][data-bits]");
    for (var i = 0; i < challenges.length; i++) {
      var answer = challenges[i].form && challenges[i].form.querySelector("input[name=answer]");
      if (answer) {
        await solve(challenges[i], answer);
      }
    }
  }

  solveAll();
})();
