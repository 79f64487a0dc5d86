// Port of go/test/chan/select6.go (Go issue 2075)
//
// A select that fails on a channel where it waits behind another waiter must remove itself from
// that channel's queue without corrupting it: later waiters on the channel must still be woken.

import { describe, expect, it } from "vitest";
import { chan, go, recv, select } from "../../src/index.js";
import { waiters } from "../../src/debug.js";

describe("select6.go", () => {
  it("a failed select case does not corrupt the queue of a channel with other waiters", async () => {
    const c1 = chan<boolean>();
    const c2 = chan<boolean>();
    const c3 = chan<boolean>();
    const wokeFirst = chan<string>(2);
    go(async () => {
      await c1.recv();
      await wokeFirst.send("plain receiver");
    });
    go(async () => {
      const k = await select([recv(c1), recv(c2)]);
      if (k === 0) throw new Error("dummy"); // unreachable: c1 is not sent to before c3
      await c3.send(true);
      await c1.recv();
      await wokeFirst.send("select goroutine");
    });
    go(async () => {
      await c2.send(true);
    });
    expect(await c3.recv()).toBe(true);
    await c1.send(true);
    await c1.send(true);
    const woken = [await wokeFirst.recv(), await wokeFirst.recv()];
    expect(woken.sort()).toEqual(["plain receiver", "select goroutine"]);
    expect(waiters(c1)).toEqual({ recv: 0, send: 0 });
  });
});
