// A goroutine that parks several waits in its synchronous start owns them all: none is shown as
// the program's own (goroutine 0), and once one completes, the goroutine is "waiting", not in the
// other wait.

import { expect, it } from "vitest";
import { chan, go, goroutines } from "../../src/index.js";
import { formatDump } from "../../src/diag.js";
import { yields } from "../helpers/wait.js";

it("Promise.all of two receives in a goroutine's start: both its own", async () => {
  const a = chan<number>(), b = chan<number>();
  let id = 0;
  go(() => Promise.all([a.recv(), b.recv()]));
  await yields(1);
  id = Math.max(...goroutines().map((g) => g.id));
  const me = goroutines().find((g) => g.id === id)!;
  expect(me.state).toBe("chan receive");
  expect(formatDump()).not.toContain("goroutine 0 [");
  await a.send(1);
  expect(goroutines().find((g) => g.id === id)!.state).toBe("waiting");
  await b.send(2);
  await yields(1);
  expect(goroutines().find((g) => g.id === id)).toBeUndefined();
});
