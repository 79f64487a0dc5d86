// Port of go/test/chan/select4.go
//
// Only the case that fires delivers its value: a receive case on an idle channel must not touch
// its destination. In Go the destination is an lvalue; here it is the case object's .value/.ok.

import { describe, expect, it } from "vitest";
import { chan, recv, select } from "../../src/index.js";

describe("select4.go", () => {
  it("the case that did not fire is left untouched; the one that did holds the value", async () => {
    const c = chan<number>(1);
    const c1 = chan<number>();
    await c.send(42);
    const idle = recv(c1);
    const ready = recv(c);
    const before = [idle.value, idle.ok];
    expect(await select([idle, ready])).toBe(1);
    expect(ready.value).toBe(42);
    expect(ready.ok).toBe(true);
    expect([idle.value, idle.ok]).toEqual(before);
  });
});
