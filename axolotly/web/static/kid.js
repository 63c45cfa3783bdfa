// The kid PIN pad: tap (mouse, touch) or type (keyboard) 4 numbers. Without this script the
// digit keys stay hidden and the PIN field takes typing alone.
document.querySelectorAll("form[data-pin-pad]").forEach((form) => {
  const input = form.querySelector("#pin");
  const keys = form.querySelectorAll(".pin-key[hidden]");
  keys.forEach((key) => { key.hidden = false; });
  // The pad replaces the phone's own keyboard on touch screens; a real keyboard still types.
  input.setAttribute("inputmode", "none");
  const type = (digit) => { if (input.value.length < 4) input.value += digit; };
  const erase = () => { input.value = input.value.slice(0, -1); };
  form.querySelectorAll("[data-digit]").forEach((key) => key.addEventListener("click", () => type(key.dataset.digit)));
  form.querySelector("[data-delete]").addEventListener("click", erase);
  // Typing reaches the PIN wherever the focus is (on a pad key after a tap, say).
  document.addEventListener("keydown", (event) => {
    if (event.target === input || event.ctrlKey || event.metaKey || event.altKey) return;
    if (/^[0-9]$/.test(event.key)) { type(event.key); event.preventDefault(); }
    else if (event.key === "Backspace") { erase(); event.preventDefault(); }
  });
});

// The kid page reloads itself as soon as what it shows changes (a parent's pause, bonus or rules,
// a new title, a bedtime's end): it long-polls the address in <meta name="axolotly-live">, which
// the server holds up to 25 s. Only while the page is visible; after an error it waits longer
// each time (up to a minute, with jitter so that many screens do not return at once).
(() => {
  const meta = document.querySelector('meta[name="axolotly-live"]');
  if (!meta || !window.fetch) return;
  const url = meta.content;
  const MAX_BACKOFF_MS = 60000;
  let polling = false;
  let failures = 0;
  let controller = null;
  const visible = () => document.visibilityState === "visible";
  const pause = (ms) => new Promise((done) => setTimeout(done, ms));
  const backoff = (retryAfterSeconds) => {
    failures += 1;
    const wanted = Math.max(retryAfterSeconds * 1000, Math.min(MAX_BACKOFF_MS, 1000 * 2 ** failures));
    return pause(wanted / 2 + Math.random() * wanted / 2);
  };
  const poll = async () => {
    if (polling) return;
    polling = true;
    while (visible()) {
      controller = new AbortController();
      try {
        const response = await fetch(url, { credentials: "same-origin", cache: "no-store", signal: controller.signal });
        if (!response.ok) {
          await backoff(Number(response.headers.get("Retry-After")) || 0);
          continue;
        }
        const answer = await response.json();
        failures = 0;
        if (answer.reload) {
          location.reload();
          return; // polling stays true: this page is going away
        }
      } catch (error) {
        if (controller.signal.aborted) break; // hidden: the next visibilitychange starts again
        await backoff(0);
      }
    }
    polling = false;
  };
  document.addEventListener("visibilitychange", () => {
    if (visible()) poll();
    else if (controller) controller.abort();
  });
  window.addEventListener("pageshow", poll); // back from the browser's page cache
  poll();
})();
