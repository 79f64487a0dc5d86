// Port of go/src/runtime/chan_test.go: TestChan, TestNonblockRecvRace, TestNonblockSelectRace,
// TestNonblockSelectRace2, TestSelfSelect, TestSelectStress, TestSelectFairness,
// TestChanSendInterface, TestPseudoRandomSend, TestMultiConsumer, TestSelectDuplicateChannel.
//
// sync.WaitGroup is replaced by a done channel received from N times. Sizes follow Go's -short
// mode where the full size would make the suite slow. time.Sleep(time.Millisecond), used by Go to
// let a goroutine park, becomes a short setTimeout; a correct implementation never completes a
// blocked operation, so those sleeps only bound how long we watch, they cannot fail a correct run.

import { describe, expect, it } from "vitest";
import { chan, go, gosched, recv, select, send, trySelect } from "../../src/index.js";
import type { Chan, RecvChan } from "../../src/index.js";
import { waiters } from "../../src/debug.js";
import { sleep } from "../helpers/wait.js";

/** Receives n times from done (Go's wg.Wait()). */
async function join(done: RecvChan<unknown>, n: number) {
  for (let i = 0; i < n; i++) await done.recv();
}

describe("TestChan", () => {
  const N = 20; // Go: 200, or 20 with -short
  for (let chanCap = 0; chanCap < N; chanCap++) {
    it(`chan[${chanCap}]`, async () => {
      {
        // Receive from an empty channel blocks.
        const c = chan<number>(chanCap);
        let recv1 = false;
        let recv2 = false;
        const done = chan<boolean>(2);
        go(async () => {
          await c.recv();
          recv1 = true;
          await done.send(true);
        });
        go(async () => {
          await c.recvOk();
          recv2 = true;
          await done.send(true);
        });
        await sleep(2);
        expect([recv1, recv2], `chan[${chanCap}]: receive from empty chan`).toEqual([false, false]);
        // A non-blocking receive does not block.
        expect(trySelect([recv(c)])).toBe(-1);
        expect(await select([recv(c)], { default: true })).toBe(-1);
        await c.send(0);
        await c.send(0);
        await join(done, 2);
        expect([recv1, recv2]).toEqual([true, true]);
      }

      {
        // Send to a full channel blocks.
        const c = chan<number>(chanCap);
        for (let i = 0; i < chanCap; i++) await c.send(i);
        let sent = false;
        go(async () => {
          await c.send(0);
          sent = true;
        });
        await sleep(2);
        expect(sent, `chan[${chanCap}]: send to full chan`).toBe(false);
        // A non-blocking send does not block.
        expect(trySelect([send(c, 0)])).toBe(-1);
        expect(await select([send(c, 0)], { default: true })).toBe(-1);
        expect(await c.recv()).toBe(0);
      }

      {
        // Receive the zero value from a closed channel.
        const c = chan<number>(chanCap);
        for (let i = 0; i < chanCap; i++) await c.send(i);
        c.close();
        for (let i = 0; i < chanCap; i++) expect(await c.recv()).toBe(i);
        expect(await c.recv()).toBeUndefined();
        expect(await c.recvOk()).toEqual([undefined, false]);
      }

      {
        // Close unblocks a receive.
        const c = chan<number>(chanCap);
        const done = chan<boolean>();
        go(async () => {
          const [v, ok] = await c.recvOk();
          await done.send(v === undefined && ok === false);
        });
        await sleep(2);
        c.close();
        expect(await done.recv(), `chan[${chanCap}]: received non zero from closed chan`).toBe(true);
      }

      {
        // Send 100 integers, receive them uncorrupted in FIFO order.
        const c = chan<number>(chanCap);
        go(async () => {
          for (let i = 0; i < 100; i++) await c.send(i);
        });
        for (let i = 0; i < 100; i++) expect(await c.recv()).toBe(i);

        // Same, using recvOk.
        go(async () => {
          for (let i = 0; i < 100; i++) await c.send(i);
        });
        for (let i = 0; i < 100; i++) expect(await c.recvOk()).toEqual([i, true]);

        // Send 1000 integers in 4 goroutines, receive what was sent.
        const P = 4;
        const L = 1000;
        for (let p = 0; p < P; p++) {
          go(async () => {
            for (let i = 0; i < L; i++) await c.send(i);
          });
        }
        const done = chan<Map<number, number>>();
        for (let p = 0; p < P; p++) {
          go(async () => {
            const got = new Map<number, number>();
            for (let i = 0; i < L; i++) {
              const v = (await c.recv()) as number;
              got.set(v, (got.get(v) ?? 0) + 1);
            }
            await done.send(got);
          });
        }
        const total = new Map<number, number>();
        for (let p = 0; p < P; p++) {
          for (const [k, v] of (await done.recv())!) total.set(k, (total.get(k) ?? 0) + v);
        }
        expect(total.size).toBe(L);
        for (const [k, v] of total) if (v !== P) expect.fail(`chan[${chanCap}]: value ${k} received ${v} times, expected ${P}`);
      }

      {
        // len / cap.
        const c = chan<number>(chanCap);
        expect([c.len, c.cap]).toEqual([0, chanCap]);
        for (let i = 0; i < chanCap; i++) await c.send(i);
        expect([c.len, c.cap]).toEqual([chanCap, chanCap]);
      }
    });
  }
});

describe("non-blocking races", () => {
  it("TestNonblockRecvRace: a non-blocking receive on a buffered-then-closed channel never takes default", async () => {
    const n = 1000;
    const results = chan<boolean>(n);
    for (let i = 0; i < n; i++) {
      const c = chan<number>(1);
      await c.send(1);
      go(async () => {
        const k = trySelect([recv(c)]);
        await results.send(k === 0);
      });
      c.close();
      await c.recv();
    }
    let notReady = 0;
    for (let i = 0; i < n; i++) if (!(await results.recv())) notReady++;
    expect(notReady, "chan is not ready").toBe(0);
  });

  for (const closeC2 of [false, true]) {
    it(`TestNonblockSelectRace${closeC2 ? "2" : ""}: a select acts on one moment's state, never a smeared window`, async () => {
      const n = 1000;
      const done = chan<boolean>(1);
      for (let i = 0; i < n; i++) {
        const c1 = chan<number>(1);
        const c2 = chan<number>(closeC2 ? 0 : 1);
        await c1.send(1);
        go(async () => {
          const k = await select([recv(c1), recv(c2)], { default: true });
          await done.send(k !== -1);
        });
        if (closeC2) c2.close();
        else await c2.send(1);
        await select([recv(c1)], { default: true });
        expect(await done.recv(), "no chan is ready").toBe(true);
      }
    });
  }
});

describe("TestSelfSelect", () => {
  for (const chanCap of [0, 10]) {
    it(`send and receive on the same channel in one select, cap ${chanCap}: no self receive, no deadlock`, async () => {
      const c = chan<number>(chanCap);
      const done = chan<string[]>();
      for (let p = 0; p < 2; p++) {
        go(async () => {
          const errors: string[] = [];
          for (let i = 0; i < 1000; i++) {
            const s = send(c, p);
            const r = recv(c);
            const cases = p === 0 || i % 2 === 0 ? [s, r] : [r, s];
            const k = await select(cases);
            if (cases[k] === r && chanCap === 0 && r.value === p) errors.push(`self receive at ${i}`);
          }
          await done.send(errors);
        });
      }
      expect(await done.recv()).toEqual([]);
      expect(await done.recv()).toEqual([]);
      if (chanCap === 0) expect(waiters(c)).toEqual({ recv: 0, send: 0 });
    });
  }
});

describe("TestSelectStress", () => {
  it("plain and select senders and receivers on 4 channels interact without deadlock", async () => {
    const c = [chan<number>(), chan<number>(), chan<number>(2), chan<number>(3)];
    const N = 10000; // Go: 1e5, or 1e4 with -short
    const done = chan<number[]>(10);
    for (let k = 0; k < 4; k++) {
      go(async () => {
        for (let i = 0; i < N; i++) await c[k].send(0);
        await done.send([]);
      });
      go(async () => {
        for (let i = 0; i < N; i++) await c[k].recv();
        await done.send([]);
      });
    }
    go(async () => {
      const n = [0, 0, 0, 0];
      const c1: (Chan<number> | null)[] = [...c];
      const order = [3, 2, 0, 1];
      for (let i = 0; i < 4 * N; i++) {
        const k = order[await select(order.map((j) => send(c1[j], 0)))];
        if (++n[k] === N) c1[k] = null;
      }
      await done.send(n);
    });
    go(async () => {
      const n = [0, 0, 0, 0];
      const c1: (Chan<number> | null)[] = [...c];
      for (let i = 0; i < 4 * N; i++) {
        const k = await select(c1.map((ch) => recv(ch)));
        if (++n[k] === N) c1[k] = null;
      }
      await done.send(n);
    });
    const counts: number[][] = [];
    for (let i = 0; i < 10; i++) counts.push((await done.recv())!);
    expect(counts.filter((x) => x.length === 4)).toEqual([
      [N, N, N, N],
      [N, N, N, N],
    ]);
    for (const ch of c) expect(waiters(ch)).toEqual({ recv: 0, send: 0 });
  });
});

describe("TestSelectFairness", () => {
  it("a select over two always-ready channels picks each about half the time (six-nines bound)", async () => {
    const trials = 10000;
    const c1 = chan<number>(trials + 1);
    const c2 = chan<number>(trials + 1);
    for (let i = 0; i < trials + 1; i++) {
      await c1.send(1);
      await c2.send(2);
    }
    const c3 = chan<number>();
    const c4 = chan<number>();
    const out = chan<number>();
    const done = chan<void>();
    const finished = chan<boolean>();
    go(async () => {
      const cases = [recv(c3), recv(c4), recv(c1), recv(c2)];
      const outCase = send(out, 0);
      const doneCase = recv(done);
      for (;;) {
        const k = await select(cases);
        outCase.value = cases[k].value as number;
        if ((await select([outCase, doneCase])) === 1) break;
      }
      await finished.send(true);
    });
    let cnt1 = 0;
    let cnt2 = 0;
    for (let i = 0; i < trials; i++) {
      const b = await out.recv();
      if (b === 1) cnt1++;
      else if (b === 2) cnt2++;
      else expect.fail(`unexpected value ${b} on channel`);
    }
    done.close();
    expect(await finished.recv()).toBe(true);
    // With a fair select, cnt1/trials ~ Binomial(trials, 1/2)/trials; 4.891676 is the two-sided
    // 1e-6 quantile of the normal distribution, sd = 1/(2*sqrt(n)).
    const p = cnt1 / trials;
    expect(cnt1 + cnt2).toBe(trials);
    expect(Math.abs(p - 0.5), `cnt1=${cnt1} cnt2=${cnt2}`).toBeLessThanOrEqual(4.891676 / (2 * Math.sqrt(trials)));
    expect(waiters(c3)).toEqual({ recv: 0, send: 0 });
    expect(waiters(c4)).toEqual({ recv: 0, send: 0 });
  });
});

describe("TestChanSendInterface", () => {
  it("select send cases with object values on a full channel take default", async () => {
    const m = { mt: true };
    const c = chan<object>(1);
    await c.send(m);
    expect(await select([send(c, m)], { default: true })).toBe(-1);
    expect(await select([send(c, m), send(c, {})], { default: true })).toBe(-1);
    expect(await c.recv()).toBe(m); // the same object, not a copy
  });
});

describe("TestPseudoRandomSend", () => {
  for (const chanCap of [0, 100]) {
    it(`a select over two sends to one channel picks both, cap ${chanCap}`, async () => {
      const n = 100;
      const c = chan<number>(chanCap);
      const l: number[] = new Array(n).fill(-1);
      const done = chan<void>();
      go(async () => {
        for (let i = 0; i < n; i++) {
          await gosched();
          l[i] = (await c.recv()) as number;
        }
        done.close();
      });
      for (let i = 0; i < n; i++) await select([send(c, 1), send(c, 0)]);
      await done.recv();
      const n1 = l.filter((x) => x === 1).length;
      const n0 = l.filter((x) => x === 0).length;
      expect(n0 + n1).toBe(n);
      expect(n0 > n / 10 && n1 > n / 10, `want pseudorandom, got ${n0} zeros and ${n1} ones (chan cap ${chanCap})`).toBe(true);
    });
  }
});

describe("TestMultiConsumer", () => {
  it("23 workers ranging over one queue lose and duplicate nothing (checksum)", async () => {
    const nwork = 23;
    const niter = 271828;
    const pn = [2, 3, 7, 11, 13, 17, 19, 23, 27, 31];
    const q = chan<number>(nwork * 3);
    const r = chan<number>(nwork * 3);
    const wg = chan<void>(nwork);

    // workers
    for (let i = 0; i < nwork; i++) {
      go(async (w: number) => {
        for await (const v of q) {
          // mess with the fifo-ish nature of range
          if (pn[w % pn.length] === v) await gosched();
          await r.send(v);
        }
        await wg.send();
      }, i);
    }

    // feeder & closer
    let expectSum = 0;
    go(async () => {
      for (let i = 0; i < niter; i++) {
        const v = pn[i % pn.length];
        expectSum += v;
        await q.send(v);
      }
      q.close(); // no more work
      await join(wg, nwork); // workers done
      r.close(); // ... so there can be no more results
    });

    // consume & check
    let n = 0;
    let s = 0;
    for await (const v of r) {
      n++;
      s += v;
    }
    expect([n, s]).toEqual([niter, expectSum]);
  });
});

describe("TestSelectDuplicateChannel", () => {
  it("one goroutine queued twice on a channel by a select does not corrupt its wait queue", async () => {
    const c = chan<number>();
    const d = chan<number>();
    const e = chan<number>();

    // goroutine A
    go(async () => {
      await select([recv(c), recv(c), recv(d)]);
      await e.send(9);
    });
    await sleep(1); // make sure A gets queued first on c

    // goroutine B
    const bGot = chan<number>(1);
    go(async () => {
      await bGot.send((await c.recv()) as number);
    });
    await sleep(1); // make sure B gets queued on c before continuing

    await d.send(7); // wake up A, it dequeues itself from c
    expect(await e.recv()).toBe(9); // A tells us it's done
    expect(waiters(c)).toEqual({ recv: 1, send: 0 }); // only B is left on c
    await c.send(8); // wake up B
    expect(await bGot.recv()).toBe(8);
    expect(waiters(c)).toEqual({ recv: 0, send: 0 });
  });
});
