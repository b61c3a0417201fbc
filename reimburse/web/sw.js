// App-shell cache so that the capture page opens without signal; API calls always go to the network.
// Network first for the shell too (a deploy shows at once); the cache answers only when offline.
const CACHE = "reimburse-shell-v16";
const SHELL = ["/", "/app/app.js", "/app/api.js", "/app/dom.js", "/app/i18n.js", "/app/offline.js", "/app/capture.js",
  "/app/claims.js", "/app/claimview.js", "/app/inbox.js", "/app/finance.js", "/app/admin.js", "/app/dashboard.js", "/app/adminorg.js", "/app/admindepts.js", "/app/adminpayroll.js",
  "/app/policycaps.js", "/app/budgetpanel.js", "/app/category.js", "/app/vouchers.js", "/app/itemfields.js", "/app/advances.js", "/app/itemextras.js", "/app/home.js",
  "/app/adminrates.js", "/app/admindims.js", "/app/paidlist.js",
  "/app/style.css",
  "/app/manifest.json", "/app/icon-192.png", "/app/icon-512.png", "/app/icon-maskable-512.png", "/app/apple-touch-icon.png"];

self.addEventListener("install", (e) => e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting())));
self.addEventListener("activate", (e) => e.waitUntil(
  caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim())));
self.addEventListener("fetch", (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== "GET" || url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  e.respondWith(fetch(e.request).then((res) => {
    if (res.ok) {
      const copy = res.clone();
      caches.open(CACHE).then((c) => c.put(e.request, copy));
    }
    return res;
  }).catch(() => caches.match(e.request, { ignoreSearch: true }).then((hit) => hit || (e.request.mode === "navigate" ? caches.match("/") : Response.error()))));
});
