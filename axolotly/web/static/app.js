// Pairing codes count down to their expiry; the page works without this script. Every word this
// file writes comes from the page (data-*-text attributes, in the reader's language): none here.
document.querySelectorAll(".countdown[data-expires]").forEach((element) => {
  const expires = Date.parse(element.dataset.expires);
  const tick = () => {
    const left = Math.max(0, Math.round((expires - Date.now()) / 1000));
    const clock = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
    element.textContent = left ? clock : element.dataset.expiredText || clock;
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

// Copy buttons (data-copy names the element whose text to copy); hidden without this script,
// where the text itself is selectable (it selects whole on a click: user-select: all).
document.querySelectorAll("button[data-copy]").forEach((button) => {
  const source = document.getElementById(button.dataset.copy);
  const status = document.querySelector(`[data-copy-status="${button.dataset.copy}"]`);
  if (!source) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    const text = source.textContent.trim();
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      window.getSelection().selectAllChildren(source);
      document.execCommand("copy");
    }
    if (status && button.dataset.copiedText) status.textContent = button.dataset.copiedText;
  });
});

// Time-zone pickers: a filter field over the grouped list (the first match is picked, since some
// phones show hidden options anyway), and on sign-up the browser's own zone, or an older name of it.
const zoneMatches = (option, zone) =>
  option.value === zone || (option.dataset.aliases || "").split(" ").includes(zone);
document.querySelectorAll("input[data-zone-filter]").forEach((input) => {
  const select = document.getElementById(input.dataset.zoneFilter);
  const box = input.closest("[data-zone-filter-box]");
  if (!select) return;
  if (box) box.hidden = false;
  input.addEventListener("input", () => {
    const words = input.value.trim().toLowerCase().replaceAll(" ", "_");
    let first = null;
    select.querySelectorAll("option").forEach((option) => {
      const haystack = `${option.value} ${option.dataset.aliases || ""}`.toLowerCase();
      option.hidden = Boolean(words) && !haystack.includes(words);
      if (!option.hidden && words && !first) first = option;
    });
    select.querySelectorAll("optgroup").forEach((group) => {
      group.hidden = ![...group.querySelectorAll("option")].some((option) => !option.hidden);
    });
    if (first) select.value = first.value;
  });
});
document.querySelectorAll("select[data-browser-zone]").forEach((select) => {
  const hint = document.querySelector("[data-zone-hint]");
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return;
  }
  const option = [...select.options].find((candidate) => zoneMatches(candidate, zone));
  if (option) {
    select.value = option.value;
    // The page gives the words in its language, with "{zone}" where the zone goes.
    if (hint && hint.dataset.pickedText) hint.textContent = hint.dataset.pickedText.replace("{zone}", option.value);
  } else if (hint && zone && hint.dataset.missingText) {
    hint.textContent = hint.dataset.missingText.replace("{zone}", zone);
  }
});

// After a change is saved, the message under it follows the family's launchers until each holds
// the change (proof of delivery: /family/delivery, the server's words); about once a second, for
// half a minute at most, and not while the page is hidden.
document.querySelectorAll("[data-delivery-url]").forEach((element) => {
  let tries = 30;
  const show = (answer) => {
    element.replaceChildren(
      ...answer.devices.map((device) => {
        const line = document.createElement("span");
        line.className = device.up_to_date ? "delivered" : "pending";
        line.textContent = device.text;
        return line;
      }),
    );
    element.hidden = answer.devices.length === 0;
    return answer.all_up_to_date;
  };
  const ask = () => {
    tries -= 1;
    if (document.hidden) return setTimeout(ask, 1000);
    fetch(element.dataset.deliveryUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((answer) => {
        if (!show(answer) && tries > 0) setTimeout(ask, 1000);
      })
      .catch(() => {
        if (tries > 0) setTimeout(ask, 3000);
      });
  };
  ask();
});
