/*
 * The clinician app's service worker (scope /app/): keeps the app's own files, and the shared
 * modules it imports from /shared/dist/ (web/shared), on the phone so the app opens with no signal. Network first (a deploy is picked up at once), the saved copy when the
 * network fails or is slower than 4 seconds. The API, the live stream and sign-in are never cached
 * here: the day and the actions waiting to be sent are kept by the app itself (localStorage).
 */
const CACHE = "carerelay-app-v2"; // v2: the shared modules moved to /shared/dist/
const SHELL = [
  "./",
  "./index.html",
  "./styles.css",
  "./manifest.webmanifest",
  "./icon.svg",
  "./dist/app.js",
  "./dist/api.js",
  "./dist/day.js",
  "./dist/day-view.js",
  "./dist/episode-view.js",
  "./dist/forms.js",
  "./dist/labels.js",
  "./dist/model.js",
  "./dist/news2.js",
  "./dist/queue.js",
  "./dist/sign-in.js",
  "./dist/visit-view.js",
  "../shared/dist/auth.js",
  "../shared/dist/dom.js",
  "../shared/dist/json.js",
  "../shared/dist/live.js",
  "../shared/dist/sse.js",
  "../shared/dist/words.js",
];
/** Where the app's own files and the shared modules are served: all this worker keeps. */
const KEPT = ["/app/", "/shared/dist/"];
const NETWORK_WAIT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

function fromNetwork(request) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("slow network")), NETWORK_WAIT_MS);
    fetch(request).then(
      (response) => {
        clearTimeout(timer);
        resolve(response);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!KEPT.some((prefix) => url.pathname.startsWith(prefix))) return;
  // The page itself (with or without ?code&state from sign-in) is index.html.
  const key = request.mode === "navigate" ? "./index.html" : request;
  event.respondWith(
    fromNetwork(request)
      .then((response) => {
        if (response.ok && response.type === "basic") {
          const copy = response.clone();
          void caches.open(CACHE).then((cache) => cache.put(key, copy));
        }
        return response;
      })
      .catch(() =>
        caches.open(CACHE).then((cache) => cache.match(key)).then((saved) => saved || Response.error()),
      ),
  );
});
