// The NATS client packages, which batonjs/nats needs and the user installs: @nats-io/transport-node
// (the user's code makes the connection with it) and @nats-io/jetstream (baton manages the
// channel's stream and publishes with it). They are peer dependencies, optional so that users of
// baton's main entry never install them; the main entry never loads this file.
//
// checkClient runs when batonjs/nats is loaded: where the runtime can resolve a specifier
// synchronously (require.resolve in the CommonJS build, which Node's `import` goes through too;
// import.meta.resolve in an ES module build), a missing package throws there, naming what to
// install. loadJetStream loads @nats-io/jetstream on the first natsChan() call (a dynamic import,
// so that this module has no top-level await and can be require()d), with the same message if it
// is missing after all.

import type * as JetStream from "@nats-io/jetstream";

const PACKAGES = ["@nats-io/transport-node", "@nats-io/jetstream"];

function missing(names: string[]): Error {
  return new Error(
    `batonjs/nats needs the NATS client, which is not installed (${names.join(", ")} not found). ` +
      `Install it beside batonjs: npm install @nats-io/transport-node @nats-io/jetstream`,
  );
}

function notFound(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND";
}

// The CommonJS build's module-scoped require (undefined in an ES module build).
declare const require: ((id: string) => unknown) & { resolve?: (specifier: string) => string };

/** A synchronous resolver of package specifiers, where the runtime has one. */
function resolver(): ((specifier: string) => string) | undefined {
  if (typeof require === "function" && typeof require.resolve === "function") return require.resolve;
  // (typeof: in an ES module build there is no binding named require at all.)
  const meta = import.meta as { resolve?: (specifier: string) => string };
  return typeof meta.resolve === "function" ? (specifier) => meta.resolve!(specifier) : undefined;
}

/** Throws an Error naming the packages to install if a client package cannot be found. */
export function checkClient(): void {
  const resolve = resolver();
  if (resolve === undefined) return;
  const absent: string[] = [];
  for (const name of PACKAGES) {
    try {
      resolve(name);
    } catch (e) {
      if (notFound(e)) absent.push(name);
    }
  }
  if (absent.length > 0) throw missing(absent);
}

let loading: Promise<typeof JetStream> | null = null;

/** The @nats-io/jetstream module. */
export function loadJetStream(): Promise<typeof JetStream> {
  loading ??= import("@nats-io/jetstream").catch((e: unknown) => {
    loading = null;
    throw notFound(e) ? missing(["@nats-io/jetstream"]) : e;
  });
  return loading;
}
