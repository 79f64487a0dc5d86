// Distributed fan-out: fanout-http.mjs's HTTP requests, spread over two worker processes through
// channels kept by a NATS server (batonjs/nats). The coordinator (this process) puts one job per
// URL on the `jobs` channel and closes it; each worker process runs three goroutines that take
// jobs, fetch, and send every answer (or error) back on the `results` channel; the coordinator
// collects one result per job. The channels are the same Chan API as in fanout-http.mjs: only
// where they are made changes.
//
// Delivery is at least once: a job a worker had fetched but not yet taken when it died goes to
// the other worker. Jobs here are idempotent GET requests, so a repeat would do no harm.
//
// The example starts its own nats-server with JetStream (127.0.0.1, a free port, a temporary
// store) and its own HTTP server, and stops both at the end; set NATS_URL to use a running
// server instead. Without nats-server installed it says how to install it, and exits.
import { spawn, fork } from "node:child_process";
import { mkdtempSync, rmSync, accessSync, constants } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { WaitGroup } from "batonjs";
import { natsChan, removeNatsChan } from "batonjs/nats";
import { startServer, closedPort, get } from "./lib/http.mjs";

const CAPACITY = 16;

if (process.argv[2] === "worker") await worker(...process.argv.slice(3));
else await coordinator();

// ---- the worker processes ----------------------------------------------------------------

/** Takes jobs until the jobs channel is closed and drained, three at a time. */
async function worker(id, natsUrl, jobsName, resultsName) {
  const nc = await connect({ servers: natsUrl });
  const jobs = await natsChan(nc, jobsName, { capacity: CAPACITY });
  const results = await natsChan(nc, resultsName, { capacity: CAPACITY });
  const wg = new WaitGroup();
  for (let g = 0; g < 3; g++) {
    wg.go(async () => {
      for await (const job of jobs) await results.send({ ...(await get(job.index, job.url)), worker: Number(id) });
    });
  }
  await wg.wait();
  await nc.drain();
}

// ---- the coordinator ---------------------------------------------------------------------

async function coordinator() {
  let nats = null;
  let natsUrl = process.env.NATS_URL;
  if (!natsUrl) {
    const bin = findNatsServer();
    if (bin === null) {
      console.log("── distributed fan-out: skipped, nats-server is not installed.");
      console.log("   Install it with `apt-get install -y nats-server` (Debian, Ubuntu), `brew install nats-server` (macOS),");
      console.log("   or see https://docs.nats.io/running-a-nats-service/introduction/installation; or set NATS_URL to a server with JetStream.\n");
      return;
    }
    nats = await startNats(bin);
    natsUrl = nats.url;
  }
  const [server, base] = await startServer();
  const deadPort = await closedPort();
  const urls = [
    `${base}/users`,
    `${base}/orders`,
    `${base}/broken`,
    `${base}/inventory`,
    `${base}/slow`,
    `http://127.0.0.1:${deadPort}/users`,
  ];
  console.log(`── distributed fan-out: ${urls.length} requests, 2 worker processes, jobs and results over NATS channels`);

  const nc = await connect({ servers: natsUrl });
  const jobsName = `fanout_jobs_${process.pid}`, resultsName = `fanout_results_${process.pid}`;
  const jobs = await natsChan(nc, jobsName, { capacity: CAPACITY });
  const results = await natsChan(nc, resultsName, { capacity: CAPACITY });
  const me = fileURLToPath(import.meta.url);
  const workers = [1, 2].map((id) => fork(me, ["worker", String(id), natsUrl, jobsName, resultsName]));
  const exited = workers.map((w) => new Promise((resolve) => w.on("exit", resolve)));

  for (const [index, url] of urls.entries()) await jobs.send({ index, url });
  jobs.close(); // the workers' for-await loops end once every job is taken

  const collected = [];
  for (let i = 0; i < urls.length; i++) collected.push(await results.recv());
  collected.sort((a, b) => a.index - b.index);

  const show = (url) => url.replace(base, "server").replace(`http://127.0.0.1:${deadPort}`, "nothing-listening");
  for (const r of collected) {
    if (r.error) console.log(`   ✗ ${show(r.url)} → error: ${r.error}`);
    else console.log(`   ✓ ${show(r.url)} → ${r.body}`);
  }
  const failed = collected.filter((r) => r.error).length;
  console.log(`   ${collected.length} answers: ${collected.length - failed} ok, ${failed} errors`);
  const by = [1, 2].map((id) => collected.filter((r) => r.worker === id).length);
  console.log(`   worker 1 answered ${by[0]}, worker 2 answered ${by[1]}`);

  const codes = await Promise.all(exited);
  console.log(`   workers exited (${codes.join(", ")})`);
  await removeNatsChan(nc, jobsName);
  await removeNatsChan(nc, resultsName);
  await nc.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  if (nats) await nats.stop();
  console.log("   servers closed\n");
}

/** The nats-server binary on PATH or where Debian puts it, or null. */
function findNatsServer() {
  for (const dir of [...(process.env.PATH ?? "").split(path.delimiter), "/usr/sbin", "/usr/local/bin"]) {
    const p = path.join(dir || ".", "nats-server");
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** Starts nats-server with JetStream on a free port and a temporary store; resolves once it is
 *  ready, to { url, stop }. */
async function startNats(bin) {
  const port = await closedPort();
  const dir = mkdtempSync(path.join(tmpdir(), "baton-example-"));
  const proc = spawn(bin, ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", dir], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  const ready = new Promise((resolve, reject) => {
    proc.stderr.on("data", (d) => {
      log += d;
      if (/Server is ready/.test(log)) resolve();
    });
    proc.on("exit", (code) => reject(new Error(`nats-server exited (${code}):\n${log}`)));
  });
  await ready;
  const exited = new Promise((resolve) => proc.on("exit", resolve));
  return {
    url: `127.0.0.1:${port}`,
    async stop() {
      proc.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
