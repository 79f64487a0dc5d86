// Fan-out: one goroutine per HTTP request, every response (or error) sent back over one channel
// and collected into a list — Go's "WaitGroup + closer goroutine + range over results" pattern.
// The example starts its own small server on 127.0.0.1 (port 0: any free port); one route fails
// with a 500, one never answers (the request's context times it out), and one URL points at a
// port where nothing listens. Only loopback addresses are used.
import { createServer } from "node:http";
import { chan, go, WaitGroup, background, withTimeout } from "batonjs";

const TIMEOUT_MS = 500;

/** Starts an HTTP server on 127.0.0.1 with a few routes; resolves to [server, baseUrl]. */
async function startServer() {
  const routes = {
    "/users": () => [200, { users: ["ada", "grace", "linus"] }],
    "/orders": () => [200, { orders: 3 }],
    "/inventory": () => [200, { widgets: 42, gadgets: 7 }],
    "/broken": () => [500, { error: "database on fire" }],
  };
  const server = createServer((req, res) => {
    if (req.url === "/slow") return; // never answers: the client gives up at its deadline
    const route = routes[req.url];
    const [status, body] = route ? route() : [404, { error: "not found" }];
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return [server, `http://127.0.0.1:${server.address().port}`];
}

/** A loopback port where nothing listens: bind one, then close it. */
async function closedPort() {
  const s = createServer();
  await new Promise((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** One request under its own deadline; never throws: errors are results too. */
async function get(index, url) {
  const [ctx, cancel] = withTimeout(background(), TIMEOUT_MS);
  try {
    const res = await fetch(url, { signal: ctx.signal });
    const text = await res.text();
    if (!res.ok) return { index, url, error: `HTTP ${res.status} ${text}` };
    return { index, url, body: text };
  } catch (err) {
    // fetch rejects with the signal's reason, i.e. ctx.err(), when the context ends first.
    const code = err?.cause?.code;
    return { index, url, error: code ? `${err.message} (${code})` : err.message };
  } finally {
    cancel();
  }
}

const [server, base] = await startServer();
const deadPort = await closedPort();
const urls = [
  `${base}/users`,
  `${base}/orders`,
  `${base}/broken`,
  `${base}/inventory`,
  `${base}/slow`,
  `http://127.0.0.1:${deadPort}/users`,
];
console.log(`── fan-out: ${urls.length} concurrent requests, one goroutine each, answers over one channel`);

const results = chan();
const wg = new WaitGroup();
urls.forEach((url, i) => {
  wg.add(1);
  go(async () => {
    try {
      await results.send(await get(i, url));
    } finally {
      wg.done();
    }
  });
});
go(async () => {
  await wg.wait();
  results.close(); // ends the for-await below once every answer is in
});

const collected = [];
for await (const r of results) collected.push(r);
collected.sort((a, b) => a.index - b.index); // arrival order varies; print in request order

const show = (url) => url.replace(base, "server").replace(`http://127.0.0.1:${deadPort}`, "nothing-listening");
for (const r of collected) {
  if (r.error) console.log(`   ✗ ${show(r.url)} → error: ${r.error}`);
  else console.log(`   ✓ ${show(r.url)} → ${r.body}`);
}
const failed = collected.filter((r) => r.error).length;
console.log(`   ${collected.length} answers: ${collected.length - failed} ok, ${failed} errors`);

server.closeAllConnections(); // the /slow request's socket, and idle keep-alive ones
await new Promise((resolve) => server.close(resolve));
console.log("   server closed\n");
