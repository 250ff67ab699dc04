// Runs Miaobu's edge routine the way Alibaba's EdgeRoutine runtime does (a service-worker "fetch" event), with Node's
// own fetch/Request/Response, against the OSS stand-in. Usage:
//   node edge-harness.js <edge-routine.js> <origin> <prefix> <sites domain> <requests json>
// Prints one JSON line per request: {"status", "headers", "body"}.
const fs = require("fs");
const [, , script, origin, prefix, sitesDomain, requestsJson] = process.argv;
let handler = null;
globalThis.addEventListener = (type, listener) => {
  if (type === "fetch") {
    handler = listener;
  }
};
const source = fs.readFileSync(script, "utf8")
  .replace(/^const ORIGIN = .*$/m, "const ORIGIN = " + JSON.stringify(origin) + ";")
  .replace(/^const PREFIX = .*$/m, "const PREFIX = " + JSON.stringify(prefix) + ";")
  .replace(/^const SITES_DOMAIN = .*$/m, "const SITES_DOMAIN = " + JSON.stringify(sitesDomain) + ";");
new Function(source)();
if (!handler) {
  console.error("the edge routine registered no fetch listener");
  process.exit(2);
}
(async () => {
  for (const r of JSON.parse(requestsJson)) {
    const response = await new Promise((resolve, reject) => handler({
      request: new Request(r.url, { headers: r.headers || {} }),
      respondWith: (answer) => Promise.resolve(answer).then(resolve, reject),
    }));
    const body = response.body ? Buffer.from(await response.arrayBuffer()).toString("utf8") : "";
    const headers = {};
    response.headers.forEach((value, name) => { headers[name] = value; });
    console.log(JSON.stringify({ status: response.status, headers, body }));
  }
})().catch((e) => { console.error(e); process.exit(1); });
