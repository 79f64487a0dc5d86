// The libraries a scenario runs against. Each is reduced to the same small surface so that
// every scenario runs identical code for both; a child process loads exactly one, so the
// scenario's call sites only ever see one library's objects.
//
// "baton" is always dist/. "baseline" is the scenario's own baseline when it names one
// (`export const baseline = "async-mutex"` loads bench/baselines/async-mutex.mjs), else the
// promise channel (bench/baselines/promise-chan.mjs), as for every channel scenario.
//
// A scenario may name peers (`export const peers = [...]`): it then runs for baton and for each
// peer, each in its own child. Two kinds:
//   - "baseline" among them (the channel scenarios: CHANNEL_PEERS): the baseline is still the
//     one baton's ratio and target are judged against, and the other peers (js-csp, @thi.ng/csp,
//     Effect) run beside it. Such a peer cannot share the surface (js-csp's processes are
//     generators, Effect's fibers are Effect programs), so each is written in its own idiom,
//     one file per (library, scenario): bench/peers/<peer>/<scenario>.mjs, whose make(scenario)
//     returns the iteration function, resolving to the scenario's checksum (the child checks it),
//     or whose `notExpressible` says why the library cannot express the scenario.
//   - no "baseline" (the cross-thread ones): a peer's library is just its name (`{ name:
//     "ringbuf" }`); the scenario's own code picks that peer's side
//     (bench/xthread/<scenario>.<peer>.mjs, see lib/xthread.mjs), and `targets` maps a peer to
//     its target.
// A scenario that names no peers has one: "baseline".
//
// The surfaces, by the scenarios that use them:
//   channels (pingpong ... sieve2000)   chan, recv, send, select, go
//   mutex_*                             Mutex (lock() resolves to a key, unlock(key)), go
//   waitgroup_1e5                       WaitGroup (add, done, wait), go
//   timers_1e5                          newTimer(ms) -> handle, stopTimer(handle) -> boolean
//   context_cancel_1e4                  ctxRoot(), ctxChild(parent), ctxCancel(h), ctxCanceled(h)
//   *_xthread, pool_tasks               the side modules import what they use themselves
//   bench/peers/<peer>/*                each imports its own library
// baton's entries are its own exports where the shapes already agree (Mutex, WaitGroup, go,
// newTimer) and one-line adapters where a baseline's idiom differs (stopTimer, ctx*).

export const LIBS = ["baton", "baseline"];

/** The baseline module a scenario runs against: its file name under bench/baselines/. */
export function baselineOf(scenario) {
  return scenario?.baseline ?? "promise-chan";
}

/** The peers of every channel scenario: the promise channel (their baseline) and the CSP libraries. */
export const CHANNEL_PEERS = ["baseline", "jscsp", "thingcsp", "effect"];

/** The libraries baton is compared with in a scenario: its `peers`, else ["baseline"]. */
export function peersOf(scenario) {
  return scenario?.peers ?? ["baseline"];
}

/** Whether baton's ratio and target are judged against a baseline (else against each peer's target). */
export function hasBaseline(scenario) {
  return peersOf(scenario).includes("baseline");
}

/** Every library a scenario runs for, baton first. */
export function libsOf(scenario) {
  return ["baton", ...peersOf(scenario)];
}

/** Where a peer's code lives, relative to the repository root. */
export function peerModule(scenario, peer) {
  if (peer === "baseline") return `bench/baselines/${baselineOf(scenario)}.mjs`;
  if (PEER_INFO[peer]?.inThread) return `bench/peers/${peer}/${scenario.name}.mjs`;
  return `bench/xthread/${scenario.name}.${peer}.mjs`;
}

/**
 * How the table and results.json name a peer; `pkg` is the npm package whose version is
 * recorded; `inThread` peers have their own module per scenario under bench/peers/<peer>/.
 */
export const PEER_INFO = {
  jscsp: { label: "js-csp", pkg: "js-csp", inThread: true },
  thingcsp: { label: "@thi.ng/csp", pkg: "@thi.ng/csp", inThread: true },
  effect: { label: "Effect", pkg: "effect", inThread: true },
  postmessage: { label: "postMessage", pkg: null },
  "postmessage-broker": { label: "postMessage, broker", pkg: null },
  ringbuf: { label: "ringbuf.js", pkg: "ringbuf.js" },
  waitasync: { label: "Atomics.waitAsync", pkg: null },
  piscina: { label: "piscina", pkg: "piscina" },
  nats: { label: "@nats-io/jetstream, raw", pkg: "@nats-io/jetstream" },
};

/** The table's "peer is" cell: the baseline module's name, or the peer's label (a scenario's `peerLabels` first). */
export function peerLabel(scenario, peer) {
  if (peer === "baseline") return baselineOf(scenario);
  return scenario?.peerLabels?.[peer] ?? PEER_INFO[peer]?.label ?? peer;
}

export async function loadLib(name, scenario = null) {
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
    const { withCancel, background, Canceled } = m;
    return {
      name, impl: "baton",
      // shared channels across workers (undefined until dist/ has them)
      attach: m.attach, workers: m.workers,
      chan: m.chan, recv: m.recv, send: m.send, select: m.select, go: m.go,
      gosched: m.gosched, numGoroutine: m.numGoroutine, goroutines: m.goroutines,
      setPanicHandler: m.setPanicHandler,
      coreBytesInUse,
      // sync
      Mutex: m.Mutex, WaitGroup: m.WaitGroup,
      // time: a handle is the Timer itself
      newTimer: m.newTimer,
      stopTimer: (t) => t.stop(),
      // context: a handle is withCancel's [ctx, cancel]
      ctxRoot: () => withCancel(background()),
      ctxChild: (h) => withCancel(h[0]),
      ctxCancel: (h) => h[1](),
      ctxCanceled: (h) => h[0].err() === Canceled,
    };
  }
  if (name === "baseline") {
    if (!hasBaseline(scenario)) throw new Error(`${scenario.name} has no "baseline": its peers are ${scenario.peers.join(", ")}`);
    const which = baselineOf(scenario);
    if (!/^[a-z0-9-]+$/.test(which)) throw new Error(`bad baseline name ${JSON.stringify(which)}`);
    const m = await import(`../baselines/${which}.mjs`);
    if (which === "promise-chan") {
      return {
        name, impl: m.name,
        chan: m.chan, recv: m.recv, send: m.send, select: m.select, go: m.go,
        coreBytesInUse: () => 0,
      };
    }
    return { ...m, name, impl: m.name };
  }
  if (scenario?.peers?.includes(name) && PEER_INFO[name]?.inThread) {
    // The peer's own code for this scenario: make(scenario) / measure(scenario), or notExpressible.
    const module = await import(`../peers/${name}/${scenario.name}.mjs`);
    return { name, impl: PEER_INFO[name].label, module };
  }
  if (scenario?.peers?.includes(name)) return { name, impl: name };
  throw new Error(`unknown library ${JSON.stringify(name)} (known: ${libsOf(scenario).join(", ")})`);
}
