// Port of go/test/chan/nonblock.go
//
// Non-blocking channel operations (the old `ok = c <- v` / `v, ok = <-c` forms, today a select with
// a default case; here trySend / tryRecv) on unbuffered and one-slot channels, with values of
// several types: a non-blocking send succeeds once a receiver is parked, a non-blocking receive
// succeeds once a sender is parked or a value is buffered, and both fail on an idle channel.

import { describe, expect, it } from "vitest";
import { chan, go, gosched } from "../../src/index.js";
import type { Chan } from "../../src/index.js";

// nonblock.go's sleep(): two ticks of a fast ticker, then three Goscheds, so that the goroutine just
// started has reached its channel operation and parked.
async function sleep() {
  await new Promise((r) => setTimeout(r, 2));
  await new Promise((r) => setTimeout(r, 2));
  await gosched();
  await gosched();
  await gosched();
}

function receiver<T>(c: Chan<T>, want: T, strobe: Chan<boolean>, errors: string[]) {
  return async () => {
    const [v, ok] = await c.recvOk();
    if (v !== want || !ok) errors.push(`receiver got ${String(v)}/${ok}, want ${String(want)}/true`);
    await strobe.send(true);
  };
}

function sender<T>(c: Chan<T>, v: T, strobe: Chan<boolean>) {
  return async () => {
    await c.send(v);
    await strobe.send(true);
  };
}

// One type's worth of nonblock.go's main loop body.
async function exercise<T>(buffer: number, sent: T, answered: T) {
  const errors: string[] = [];
  const sync = chan<boolean>();
  const c = chan<T>(buffer);

  // Nothing is there: a non-blocking receive fails.
  expect(c.tryRecv()).toBeUndefined();

  // A parked receiver makes a non-blocking send succeed.
  go(receiver(c, sent, sync, errors));
  await sleep();
  expect(c.trySend(sent)).toBe(true);
  await sync.recv();

  // A parked sender (or a buffered value) makes a non-blocking receive succeed.
  go(sender(c, answered, sync));
  if (buffer > 0) await sync.recv();
  else await sleep();
  expect(c.tryRecv()).toEqual([answered, true]);
  if (buffer === 0) await sync.recv();

  expect(errors).toEqual([]);
  expect(c.len).toBe(0);
}

describe("nonblock.go", () => {
  for (const buffer of [0, 1]) {
    it(`buffer=${buffer}: int32-like numbers`, () => exercise(buffer, 123, 234));
    it(`buffer=${buffer}: int64-like bigints`, () => exercise(buffer, 123456n, 234567n));
    it(`buffer=${buffer}: booleans`, () => exercise(buffer, true, true));
    it(`buffer=${buffer}: strings`, () => exercise(buffer, "hello", "hello again"));
    it(`buffer=${buffer}: undefined and null are values too`, async () => {
      await exercise<undefined | null>(buffer, undefined, null);
      await exercise<undefined | null>(buffer, null, undefined);
    });
  }

  it("an idle channel refuses non-blocking sends and receives", () => {
    const unbuffered = chan<number>();
    expect(unbuffered.trySend(1)).toBe(false);
    expect(unbuffered.tryRecv()).toBeUndefined();
    const full = chan<number>(1);
    expect(full.trySend(1)).toBe(true);
    expect(full.trySend(2)).toBe(false);
    expect(full.tryRecv()).toEqual([1, true]);
    expect(full.tryRecv()).toBeUndefined();
  });
});
