// The README's quick start, as it is there: `node examples/quickstart.mjs` after `npm run build`,
// or in a project of your own after `npm install batonjs`.
import { chan, go, recv, select, after, sleep } from "batonjs";

// Some work that takes n × 10 ms: a stand-in for a request or a computation.
async function work(n) {
  await sleep(n * 10);
  return n * n;
}

const results = chan(3); // buffered: no worker waits to hand in its result, even after we stop listening
for (const n of [1, 2, 30]) {
  go(async () => {
    await results.send(await work(n));
  });
}

const timeout = recv(after(150)); // like Go's `case <-time.After(150 * time.Millisecond):`
for (let i = 0; i < 3; i++) {
  const result = recv(results);
  if ((await select([result, timeout])) === 1) {
    console.log("timed out");
    break;
  }
  console.log("got", result.value);
}
