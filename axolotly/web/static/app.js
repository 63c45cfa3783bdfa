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
