// Port of go/test/chan/select.go
//
// A select with default over send cases on buffered channels: each iteration sends to one ready
// channel, a fired channel is then replaced by nil, and the loop ends on the default case. Every
// case's value is evaluated on every iteration (Go evaluates all send expressions on entry).

import { describe, expect, it } from "vitest";
import { chan, send, select } from "../../src/index.js";
import type { Chan } from "../../src/index.js";

describe("select.go", () => {
  it("sends with default on buffered channels, nil-ing out each one that fired", async () => {
    let counter = 0;
    let shift = 0;
    const getValue = () => {
      counter++;
      return 1 << shift;
    };

    async function sendLoop(a: Chan<number> | null, b: Chan<number> | null): Promise<number> {
      let i = 0;
      for (;;) {
        const k = await select([send(a, getValue()), send(b, getValue())], { default: true });
        if (k === 0) {
          i++;
          a = null;
        } else if (k === 1) {
          i++;
          b = null;
        } else {
          expect(k).toBe(-1);
          break;
        }
        shift++;
      }
      return i;
    }

    const a = chan<number>(1);
    const b = chan<number>(1);
    expect(await sendLoop(a, b)).toBe(2);
    const av = (await a.recv()) as number;
    const bv = (await b.recv()) as number;
    expect(av | bv).toBe(3);
    expect(await sendLoop(a, null)).toBe(1);
    expect(counter).toBe(10);
  });
});
