// The live demo (`npm run demo:web`): vite's dev server over demo/, cross-origin isolated (the
// COOP/COEP headers: SharedArrayBuffer, shared channels, workers()), with baton as the package
// builds it (dist/esm, `npm run build` first) and a small API that the fan-out program fetches.
import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("..", import.meta.url));
const headers = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

/** GET /api/item?id=N answers { id, ms } after a random 20–300 ms, as a slow backend would. */
function itemApi() {
  const handle = (req, res) => {
    const id = Number(new URL(req.url ?? "", "http://demo").searchParams.get("id"));
    const ms = Math.round(20 + Math.random() * 280);
    setTimeout(() => {
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ id, ms }));
    }, ms);
  };
  return {
    name: "baton-demo-api",
    configureServer: (server) => void server.middlewares.use("/api/item", handle),
    configurePreviewServer: (server) => void server.middlewares.use("/api/item", handle),
  };
}

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  // The demo imports "batonjs" as an app does; here it is this repository's build.
  resolve: { alias: { batonjs: fileURLToPath(new URL("../dist/esm/index.js", import.meta.url)) } },
  server: { headers, fs: { allow: [repo] } },
  preview: { headers },
  plugins: [itemApi()],
});
