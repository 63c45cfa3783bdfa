// The kid web launcher logs its own viewing time: from opening a title (a link that leaves for the
// service's site or app) until the kid comes back to the launcher, an episode's grace included.
// Only the duration is sent: the server places it on its own clock (POST /kids/<kid>/usage);
// without this script nothing is logged.
(() => {
  const page = document.querySelector("[data-usage-url]");
  if (!page) return;
  const KEY = "axolotly-watching";
  // Which episode starts, for the parent's episode grace: the server notes it on its own clock. A
  // beacon, as the page is being left for the episode; nothing is noted without this script.
  const started = (link) => {
    if (!link.dataset.episode || !page.dataset.playingUrl || !navigator.sendBeacon) return;
    const form = new FormData();
    form.append("csrf_token", page.dataset.csrf);
    form.append("title_id", link.dataset.appId);
    form.append("season", link.dataset.season);
    form.append("episode", link.dataset.episode);
    navigator.sendBeacon(page.dataset.playingUrl, form);
  };
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-app-id]");
    if (!link) return;
    sessionStorage.setItem(KEY, JSON.stringify({ app: link.dataset.appId, name: link.dataset.appName || "", start: Date.now() }));
    started(link);
  });
  const report = () => {
    const watching = JSON.parse(sessionStorage.getItem(KEY) || "null");
    if (!watching || document.visibilityState !== "visible") return;
    sessionStorage.removeItem(KEY);
    const seconds = Math.round((Date.now() - watching.start) / 1000);
    if (seconds < 5) return; // a mis-tap, not watching
    const form = new FormData();
    form.append("csrf_token", page.dataset.csrf);
    form.append("app_id", watching.app);
    form.append("app_name", watching.name);
    form.append("seconds", String(Math.min(seconds, 24 * 3600)));
    fetch(page.dataset.usageUrl, { method: "POST", body: form, credentials: "same-origin" })
      .then(() => { if (page.dataset.reload) location.reload(); });  // the time left may have run out
  };
  document.addEventListener("visibilitychange", report);
  window.addEventListener("pageshow", report);
  report();
})();
