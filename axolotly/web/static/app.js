// Pairing codes count down to their expiry; the page works without this script.
document.querySelectorAll(".countdown[data-expires]").forEach((element) => {
  const expires = Date.parse(element.dataset.expires);
  const tick = () => {
    const left = Math.max(0, Math.round((expires - Date.now()) / 1000));
    element.textContent = left ? `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}` : "expired";
    if (left) setTimeout(tick, 1000);
  };
  tick();
});

// Forms that ask before they act carry their question in data-confirm (escaped like any attribute
// text). Never an inline onsubmit: user data inside an event attribute is script, whatever the
// escaping, and the Content-Security-Policy refuses inline handlers anyway.
document.querySelectorAll("form[data-confirm]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});

// A link to share (an invitation) selects itself when focused, ready to copy.
document.querySelectorAll("input[data-select-on-focus]").forEach((input) => {
  input.addEventListener("focus", () => input.select());
});
