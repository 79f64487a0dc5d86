// Cancellation: a slow request abandoned at its context's deadline, a select with after() as a
// timeout, and a leaked goroutine caught by batonjs/testing's leak check (Uber's goleak), then
// released so the program exits cleanly.
import {
  chan, go, recv, select, sleep, after, newTimer, background, withTimeout, DeadlineExceeded,
} from "batonjs";
import { leakCheck, LeakError } from "batonjs/testing";

/** A request that takes 500 ms unless its context ends first; sends its outcome on `out`. */
async function slowRequest(ctx, out) {
  const work = newTimer(500);
  const done = recv(work.c);
  const cancelled = recv(ctx.done());
  if ((await select([done, cancelled])) === 0) {
    await out.send({ value: "response after 500 ms" });
  } else {
    work.stop(); // give up: stop the work's timer so nothing is left pending
    await out.send({ error: ctx.err() });
  }
}

async function deadline() {
  console.log("── withTimeout: a 500 ms request abandoned at a 50 ms deadline");
  const [ctx, cancel] = withTimeout(background(), 50);
  const out = chan(1); // buffered: the request can always hand in its outcome and finish
  go(slowRequest, ctx, out);
  const r = recv(out);
  const gaveUp = recv(ctx.done());
  if ((await select([r, gaveUp])) === 0) console.log(`   got ${r.value.value ?? r.value.error}`);
  else console.log(`   deadline reached: ctx.err() is "${ctx.err().message}"`);
  console.log(`   ctx.err() === DeadlineExceeded: ${ctx.err() === DeadlineExceeded}`);
  console.log(`   ctx.signal.aborted: ${ctx.signal.aborted}, reason: ${ctx.signal.reason.message}`);
  const outcome = await out.recv(); // the request noticed too, and stopped
  console.log(`   the request itself returned: ${outcome.error.message}`);
  cancel(); // always release a context's resources
  console.log();
}

async function selectWithAfter() {
  console.log("── select with after(40) as a timeout, against a reply that takes 120 ms");
  const reply = chan(1);
  go(async () => {
    await sleep(120);
    await reply.send("pong");
  });
  const r = recv(reply);
  const timeout = recv(after(40));
  switch (await select([r, timeout])) {
    case 0:
      console.log(`   reply: ${r.value}`);
      break;
    case 1:
      console.log("   timed out after 40 ms: the after() case fired");
      break;
  }
  console.log(`   the late reply still arrives, into a buffered channel: ${await reply.recv()}\n`);
}

async function leak() {
  console.log("── leak check: a goroutine left waiting on a channel nobody sends to");
  const check = leakCheck({ timeoutMs: 50 });
  const forgotten = chan();
  go(async () => {
    await forgotten.recv(); // nobody sends: this goroutine would wait forever
  });
  try {
    await check();
    console.log("   no leaks (unexpected)");
  } catch (err) {
    if (!(err instanceof LeakError)) throw err;
    console.log(`   LeakError: ${err.leaked.length} leaked goroutine(s)`);
    const here = new URL(".", import.meta.url).href;
    for (const g of err.leaked) {
      const site = g.createdAt.replace(here, "examples/").replace(/^at /, "");
      console.log(`   goroutine [${g.state}], created at ${site}`);
    }
  }
  forgotten.close(); // release it: its recv() returns undefined and the goroutine ends
  await check();
  console.log("   after close(): the leak check passes\n");
}

await deadline();
await selectWithAfter();
await leak();
