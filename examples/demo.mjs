// baton's demo: `npm start`. Ping-pong over unbuffered channels, a select with a default case,
// and Go's concurrent prime sieve — each printing what it does.
import { chan, go, recv, select, trySelect, numGoroutine } from "batonjs";

async function pingPong() {
  console.log("── ping-pong: two goroutines hand a ball back and forth over unbuffered channels");
  const ping = chan(), pong = chan();
  go(async () => {
    for await (const ball of ping) {
      console.log(`   pong ← ${ball.hits} hits`);
      await pong.send({ hits: ball.hits + 1 });
    }
    pong.close();
  });
  let ball = { hits: 0 };
  for (let i = 0; i < 3; i++) {
    console.log(`   ping → ${ball.hits} hits`);
    await ping.send(ball);
    ball = await pong.recv();
  }
  ping.close();
  await pong.recv(); // closed once the other side has left its loop
  console.log(`   the ball came back ${ball.hits} times\n`);
}

async function selectWithDefault() {
  console.log("── select with a default case: never waits");
  const numbers = chan(1), words = chan(1);
  const n = recv(numbers), w = recv(words);
  const show = (i) => (i === 0 ? `number ${n.value}` : i === 1 ? `word "${w.value}"` : "nothing ready (default)");
  console.log(`   ${show(await select([n, w], { default: true }))}`);
  await words.send("hello");
  console.log(`   ${show(await select([n, w], { default: true }))}`);
  await numbers.send(42);
  console.log(`   ${show(trySelect([n, w]))}`);
  console.log(`   ${show(trySelect([n, w]))}\n`);
}

async function primeSieve(count) {
  console.log(`── prime sieve: the first ${count} primes through a chain of filter goroutines`);
  const generate = async (out) => {
    for (let i = 2; ; i++) await out.send(i);
  };
  const filter = async (input, out, prime) => {
    for (;;) {
      const i = await input.recv();
      if (i % prime !== 0) await out.send(i);
    }
  };
  let ch = chan();
  go(generate, ch);
  const primes = [];
  for (let i = 0; i < count; i++) {
    const prime = await ch.recv();
    primes.push(prime);
    const next = chan();
    go(filter, ch, next, prime);
    ch = next;
  }
  console.log(`   ${primes.join(" ")}`);
  console.log(`   ${numGoroutine()} goroutines are still parked in the chain (a Go program would exit here)\n`);
}

await pingPong();
await selectWithDefault();
await primeSieve(25);
console.log("done");
