// Counters: three goroutines each send their own increasing sequence into one shared channel;
// the receiver sees every number exactly once, each sender's numbers in the order sent. Then
// Go's classic select over an int channel and a string channel, printing which case fired; a
// channel that is closed is set to null (Go's nil channel), so its case never fires again.
import { chan, go, recv, select, WaitGroup } from "batonjs";

async function countersIntoOneChannel() {
  const senders = ["a", "b", "c"];
  const perSender = 5;
  console.log(`── counters: ${senders.length} goroutines each send ${perSender} numbers into one channel`);
  const numbers = chan();
  const wg = new WaitGroup();
  senders.forEach((name, k) => {
    wg.go(async () => {
      for (let i = 1; i <= perSender; i++) await numbers.send({ from: name, n: (k + 1) * 100 + i });
    });
  });
  go(async () => {
    await wg.wait();
    numbers.close(); // every sender is done: end the receiver's loop
  });

  const bySender = new Map(senders.map((s) => [s, []]));
  let total = 0;
  for await (const { from, n } of numbers) {
    bySender.get(from).push(n);
    total++;
  }
  // Arrival order across senders may interleave; per sender it is the order sent.
  for (const [name, ns] of bySender) console.log(`   from ${name}: ${ns.join(" ")}`);
  console.log(`   received ${total} numbers, channel closed\n`);
}

async function selectIntOrString() {
  console.log("── select over an int channel and a string channel: whichever is ready fires");
  let ints = chan();
  let strs = chan();
  go(async () => {
    await ints.send(42);
    ints.close();
  });
  go(async () => {
    await strs.send("hello");
    strs.close();
  });
  const fired = [];
  while (ints !== null || strs !== null) {
    const i = recv(ints);
    const s = recv(strs);
    switch (await select([i, s])) {
      case 0:
        if (i.ok) fired.push(`int case fired: ${i.value}`);
        else ints = null; // closed: a nil channel is never ready
        break;
      case 1:
        if (s.ok) fired.push(`string case fired: "${s.value}"`);
        else strs = null;
        break;
    }
  }
  // Which fires first is up to the scheduler (Go picks at random among ready cases): sort.
  for (const line of fired.sort()) console.log(`   ${line}`);
  console.log("   both channels closed and set to null: loop over\n");
}

await countersIntoOneChannel();
await selectIntOrString();
