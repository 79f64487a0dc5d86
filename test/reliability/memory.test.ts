// Issue 7, "memory that does not come back": waits parked on a channel that nothing references
// any more can never complete; once the channel is collected, their slots (and the promises and
// closures the slots hold) are let go. A wait that something can still complete is kept: a
// receive on a timer's channel (the timer sends), a select that also waits on a live channel.

import { describe, expect, it } from "vitest";
import { after, chan, recv, select, sleep } from "../../src/index.js";
import { parkedWaits, collectChannels, liveChannels } from "../../src/debug.js";
import { gcAndSettle } from "../helpers/util.js";

async function collect(): Promise<void> {
  await gcAndSettle(4);
  collectChannels();
}

describe("parked waits on dropped channels", () => {
  it("receives, sends and losing Promise.race receives are let go with their channels", async () => {
    await collect();
    const waits = parkedWaits();
    const chans = liveChannels();
    for (let i = 0; i < 2000; i++) {
      void chan<number>().recv();
      void chan<number>(i % 2).recvOk();
      void chan<number>().send(i);
      await Promise.race([chan<number>().recv(), Promise.resolve()]);
    }
    expect(parkedWaits()).toBeGreaterThanOrEqual(waits + 8000);
    await collect();
    expect(parkedWaits()).toBe(waits);
    expect(liveChannels()).toBe(chans);
  });

  // A parked select keeps its cases (it writes the fired case's value into it), and the cases
  // keep their channels: its channels are not dropped while it waits. Its case objects can be
  // repointed, though: a channel no case refers to any more is dropped from the select, which
  // goes on waiting on the others.
  it("a select keeps waiting on its live channel when another of its channels is dropped", async () => {
    await collect();
    const waits = parkedWaits();
    const live = chan<number>();
    const kept: Promise<number>[] = [];
    const cases = [];
    for (let i = 0; i < 20; i++) {
      const c = [recv(chan<number>()), recv(live)];
      kept.push(select(c));
      c[0]!.ch = null; // the only reference to that channel
      cases.push(c);
    }
    await collect();
    expect(parkedWaits()).toBe(waits + 20);
    for (let i = 0; i < 20; i++) await live.send(i);
    expect(await Promise.all(kept)).toEqual(new Array(20).fill(1));
    expect(cases.map((c) => c[1]!.value)).toEqual([...Array(20).keys()]);
    expect(parkedWaits()).toBe(waits);
  });

  it("a receive parked on a timer's channel that nothing else references still completes", async () => {
    const p = after(30).recv();
    const q = (async () => {
      for await (const v of after(30)) return v;
    })();
    await collect();
    await sleep(40);
    await collect();
    expect(typeof (await p)).toBe("number");
    expect(typeof (await q)).toBe("number");
  });
});
