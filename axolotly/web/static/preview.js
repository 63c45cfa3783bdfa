// A kid's rules form previews itself: on every change, its fields (the CSRF token among them, as the
// form sends it) go to its data-preview-url, and the server's panel (what would appear in and
// disappear from the kid's launcher, in the reader's language) replaces the one under the form.
// A preset button fills the form with its caps and previews; "Save" keeps them. Without this
// script the "Preview" button and the preset buttons show the same panel on a page of their own.
document.querySelectorAll("form[data-preview-url]").forEach((form) => {
  const panel = document.getElementById(form.dataset.previewPanel);
  if (!panel) return;
  let latest = 0;
  const preview = async () => {
    const asked = (latest += 1);
    let response;
    try {
      response = await fetch(form.dataset.previewUrl, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
    } catch {
      return; // offline for a moment: the "Preview" button still works
    }
    // A refused value (the server says why on the page it sends the form back to) or a newer
    // preview already asked for: this answer is not the form as it stands.
    if (!response.ok || response.redirected || asked !== latest) return;
    const answer = new DOMParser().parseFromString(await response.text(), "text/html");
    if (asked === latest) panel.replaceChildren(...answer.body.childNodes);
  };
  form.addEventListener("change", preview);

  document.querySelectorAll(`form[data-presets-for="${form.id}"]`).forEach((presets) => {
    presets.addEventListener("submit", (event) => {
      const button = event.submitter;
      if (!button || button.dataset.movie === undefined) return;
      event.preventDefault();
      const rulesMode = form.querySelector('input[name="mode"][value="rules"]');
      if (rulesMode) rulesMode.checked = true;
      form.elements.max_movie_rating.value = button.dataset.movie;
      form.elements.max_tv_rating.value = button.dataset.tv;
      form.elements.block_unrated.checked = true;
      preview();
      panel.scrollIntoView({ block: "nearest" });
    });
  });
});

// The title page's "What allowing it for Emma would change": each reads every kid's launcher, so it
// is asked for only when a parent opens it, once (a failed answer is asked again on the next
// opening), with the CSRF token of the form around it. Without this script its "Show what would
// change" link asks for the page with that one filled in.
document.querySelectorAll("details[data-panel-url]").forEach((details) => {
  const panel = details.querySelector(".preview");
  if (!panel) return;
  let asking = false;
  const load = async () => {
    if (!details.open || asking || panel.childElementCount) return;
    asking = true;
    const token = details.closest("form")?.elements.namedItem("csrf_token");
    try {
      const response = await fetch(details.dataset.panelUrl, {
        method: "POST",
        body: new URLSearchParams({ csrf_token: token ? token.value : "" }),
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
      // A refusal goes back to a page with the reason: the link still shows the panel there.
      if (!response.ok || response.redirected) return;
      const answer = new DOMParser().parseFromString(await response.text(), "text/html");
      panel.replaceChildren(...answer.body.childNodes);
      details.querySelector(".allow-preview-show")?.remove();
    } catch {
      // offline for a moment: the link, or the next opening, asks again
    } finally {
      asking = false;
    }
  };
  details.addEventListener("toggle", load);
  load(); // opened before the script ran
});
