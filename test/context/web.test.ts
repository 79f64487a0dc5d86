// Contexts as Web code sees them (API.md, context): `Canceled` is named "AbortError" and
// `DeadlineExceeded` "TimeoutError", as the Web names an abort and AbortSignal.timeout()'s reason,
// while staying the Go singletons (identity, message, instanceof Error). A real fetch to a local
// HTTP server that answers slowly, given ctx.signal, rejects with exactly ctx.err().

import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { background, withCancel, withTimeout, Canceled, DeadlineExceeded } from "../../src/index.js";

describe("the context errors' names", () => {
  it("Canceled is an Error named AbortError, with Go's message", () => {
    expect(Canceled).toBeInstanceOf(Error);
    expect(Canceled.name).toBe("AbortError");
    expect(Canceled.message).toBe("context canceled");
    expect(String(Canceled)).toBe("AbortError: context canceled");
    expect(Object.keys(Canceled)).toEqual([]); // the name is not an enumerable own field
  });

  it("DeadlineExceeded is an Error named TimeoutError, with Go's message", () => {
    expect(DeadlineExceeded).toBeInstanceOf(Error);
    expect(DeadlineExceeded.name).toBe("TimeoutError");
    expect(DeadlineExceeded.message).toBe("context deadline exceeded");
    expect(String(DeadlineExceeded)).toBe("TimeoutError: context deadline exceeded");
  });

  it("are what err() and signal.reason give", async () => {
    const [c, cancel] = withCancel(background());
    cancel();
    expect(c.err()).toBe(Canceled);
    expect(c.signal.reason).toBe(Canceled);
    const [t, cancelT] = withTimeout(background(), 1);
    await t.done().recv();
    expect(t.err()).toBe(DeadlineExceeded);
    expect((t.signal.reason as Error).name).toBe("TimeoutError");
    cancelT();
  });
});

describe("fetch with ctx.signal", () => {
  let server: Server;
  let url: string;
  const pending = new Set<() => void>();

  beforeAll(async () => {
    // Answers /slow only when the test ends; /fast at once.
    server = createServer((req, res) => {
      if (req.url === "/fast") {
        res.end("fast");
        return;
      }
      const finish = () => {
        if (!res.writableEnded) res.end("late");
      };
      pending.add(finish);
      req.on("close", () => pending.delete(finish));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const f of pending) f();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("rejects with Canceled (name AbortError) when the context is cancelled", async () => {
    const [ctx, cancel] = withCancel(background());
    const p = fetch(`${url}/slow`, { signal: ctx.signal });
    setTimeout(cancel, 20);
    const e = await p.then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBe(Canceled);
    expect((e as Error).name).toBe("AbortError");
  });

  it("rejects with DeadlineExceeded (name TimeoutError) when the deadline passes", async () => {
    const [ctx, cancel] = withTimeout(background(), 30);
    const e = await fetch(`${url}/slow`, { signal: ctx.signal }).then(
      () => null,
      (err: unknown) => err,
    );
    cancel();
    expect(e).toBe(DeadlineExceeded);
    expect((e as Error).name).toBe("TimeoutError");
  });

  it("completes as usual when the answer comes first", async () => {
    const [ctx, cancel] = withTimeout(background(), 10_000);
    const r = await fetch(`${url}/fast`, { signal: ctx.signal });
    expect(await r.text()).toBe("fast");
    cancel();
    expect(ctx.err()).toBe(Canceled);
  });
});
