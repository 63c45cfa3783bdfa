// The pairing page asks every second whether a shown code was used; when it was, it goes straight
// to "Who uses this device?". Without this script the page says to reload it.
const POLL_MS = 1000;

document.querySelectorAll(".pairing-code[data-status-url]").forEach((box) => {
  const status = box.querySelector(".pairing-status");
  const poll = async () => {
    let answer;
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, cache: "no-store" });
      // Revoked or cleaned up (404), or the session ended (401): the page itself says what now.
      if (response.status === 404 || response.status === 401) { window.location.reload(); return; }
      if (!response.ok) throw new Error(String(response.status));
      answer = await response.json();
    } catch (error) {
      setTimeout(poll, POLL_MS * 3);  // a hiccup (offline, restart): keep trying, slower
      return;
    }
    if (answer.state === "paired") {
      // The words come from the page, in the reader's language (data-paired-text).
      if (status && status.dataset.pairedText) status.textContent = status.dataset.pairedText;
      window.location.assign(answer.next);
    } else if (answer.state === "expired") {
      // An unused code that expired is gone: no "Waiting for the device…" under a dead code.
      const note = document.querySelector(".pairing-expired");
      box.remove();
      if (note) note.hidden = false;
    } else {
      setTimeout(poll, POLL_MS);
    }
  };
  setTimeout(poll, POLL_MS);
});
