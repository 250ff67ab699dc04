// Miaobu edge routine for Alibaba CDN (EdgeRoutine, service-worker style). Serves sites published by Miaobu's
// aliyun plugin from the OSS bucket: live pointer (or preview pointer) -> manifest -> objects/<sha256>.
// Configure the four constants below, then publish it on the CDN domain(s) that serve your sites.

const ORIGIN = "https://BUCKET.oss-cn-hangzhou.aliyuncs.com"; // the bucket, readable by the CDN (see the guide)
const PREFIX = "miaobu/";                                   // the plugin's key prefix, with a trailing slash
const SITES_DOMAIN = "sites.example.com";                   // <site>.<SITES_DOMAIN>, <preview>--<site>.<SITES_DOMAIN>
const HOSTS = {};                                           // custom domains: { "www.example.org": "blog" }

addEventListener("fetch", (event) => event.respondWith(handle(event.request)));

async function handle(request) {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return new Response("Method not allowed", { status: 405, headers: { Allow: "GET, HEAD" } });
  }
  const url = new URL(request.url);
  const route = siteOf(url.hostname);
  if (!route) {
    return new Response("Site not found", { status: 404 });
  }
  // pointers and manifests change on every go-live: always fetched fresh from the origin
  const pointer = await fetchJson(route.pointer);
  if (!pointer) {
    return new Response("Site not found", { status: 404 });
  }
  // a manifest never changes once written: it may be cached
  const manifest = await fetchJson(pointer.manifest);
  if (!manifest) {
    return new Response("Deployment not found", { status: 502 });
  }
  let path = decodeURIComponent(url.pathname);
  if (path.endsWith("/")) {
    path += "index.html";
  }
  let entry = manifest.files[path];
  let status = 200;
  if (!entry && manifest.files[path + "/index.html"]) {
    return new Response(null, { status: 301, headers: { Location: path + "/" + url.search } });
  }
  if (!entry && manifest.spa) {
    entry = manifest.files["/index.html"];
  } else if (!entry && manifest.notFound) {
    entry = manifest.files[manifest.notFound];
    status = 404;
  }
  if (!entry) {
    return new Response("Not found", { status: 404 });
  }
  const headers = new Headers({ "Content-Type": entry.contentType, "Cache-Control": entry.cacheControl });
  let hash = entry.hash;
  if (entry.encodings) {
    headers.set("Vary", "Accept-Encoding");
    const accepted = request.headers.get("Accept-Encoding") || "";
    for (const encoding of ["br", "gzip"]) {
      if (entry.encodings[encoding] && accepted.includes(encoding)) {
        hash = entry.encodings[encoding];
        headers.set("Content-Encoding", encoding);
        break;
      }
    }
  }
  headers.set("ETag", '"' + hash + '"');
  if (request.headers.get("If-None-Match") === '"' + hash + '"' && status === 200) {
    return new Response(null, { status: 304, headers });
  }
  const object = await fetch(ORIGIN + "/" + route.site + "objects/" + hash);
  if (!object.ok) {
    return new Response("Missing content " + hash, { status: 502 });
  }
  return new Response(request.method === "HEAD" ? null : object.body, { status, headers });
}

function siteOf(hostname) {
  let site = HOSTS[hostname];
  let preview = null;
  if (!site && hostname.endsWith("." + SITES_DOMAIN)) {
    const label = hostname.slice(0, -SITES_DOMAIN.length - 1);
    const split = label.indexOf("--");
    site = split > 0 ? label.slice(split + 2) : label;
    preview = split > 0 ? label : null;
  }
  if (!site || !/^[a-z0-9][a-z0-9-]*$/.test(site)) {
    return null;
  }
  const root = PREFIX + site + "/";
  return { site: root, pointer: preview ? root + "previews/" + preview + ".json" : root + "live.json" };
}

async function fetchJson(key) {
  const response = await fetch(ORIGIN + "/" + key);
  return response.ok ? response.json() : null;
}
