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
