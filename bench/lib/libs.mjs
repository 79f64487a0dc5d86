// The libraries a scenario runs against. Each is reduced to the same small surface
// (chan, recv, send, select, go, plus optional introspection) so that every scenario runs
// identical code for both; a child process loads exactly one, so the scenario's call sites
// only ever see one library's objects.

export const LIBS = ["baton", "baseline"];

export async function loadLib(name) {
  if (name === "baton") {
    let m;
    try {
      m = await import("../../dist/index.js");
    } catch (e) {
      if (e?.code === "ERR_MODULE_NOT_FOUND" && /dist\/index\.js/.test(String(e.message)))
        throw new Error("baton is not built: dist/index.js is missing (run `npm run build`)");
      throw e;
    }
    let coreBytesInUse = null;
    try {
      ({ coreBytesInUse } = await import("../../dist/debug.js"));
    } catch (e) {
      if (e?.code !== "ERR_MODULE_NOT_FOUND") throw e;
    }
    return {
      name,
      chan: m.chan, recv: m.recv, send: m.send, select: m.select, go: m.go,
      gosched: m.gosched, numGoroutine: m.numGoroutine, goroutines: m.goroutines,
      setPanicHandler: m.setPanicHandler,
      coreBytesInUse,
    };
  }
  if (name === "baseline") {
    const m = await import("../baselines/promise-chan.mjs");
    return {
      name,
      chan: m.chan, recv: m.recv, send: m.send, select: m.select, go: m.go,
      coreBytesInUse: () => 0,
    };
  }
  throw new Error(`unknown library ${JSON.stringify(name)} (known: ${LIBS.join(", ")})`);
}
