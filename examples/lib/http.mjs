// What the two fan-out examples share (fanout-http.mjs, distributed-fanout.mjs): a small HTTP
// server on 127.0.0.1 whose routes answer, fail with a 500 or never answer; a loopback port where
// nothing listens; and one request under its own context deadline.
import { createServer } from "node:http";
import { background, withTimeout } from "batonjs";

/** How long a request may take before its context ends it, ms. */
export const TIMEOUT_MS = 500;

/** Starts an HTTP server on 127.0.0.1 with a few routes; resolves to [server, baseUrl]. */
export async function startServer() {
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
export async function closedPort() {
  const s = createServer();
  await new Promise((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** One request under its own deadline; never throws: errors are results too. */
export async function get(index, url) {
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
