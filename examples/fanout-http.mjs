// Fan-out: one goroutine per HTTP request, every response (or error) sent back over one channel
// and collected into a list — Go's "WaitGroup + closer goroutine + range over results" pattern.
// The example starts its own small server on 127.0.0.1 (port 0: any free port); one route fails
// with a 500, one never answers (the request's context times it out), and one URL points at a
// port where nothing listens. Only loopback addresses are used.
import { chan, go, WaitGroup } from "batonjs";
import { startServer, closedPort, get } from "./lib/http.mjs";

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
