// vite's `?worker&url` import: the URL of the module's worker bundle (what vite/client declares).
declare module "*?worker&url" {
  const url: string;
  export default url;
}

// A dependency of the test app that bundles its own copy of baton (app.mjs writes it).
declare module "baton-user-lib" {
  export const libChan: typeof import("batonjs").chan;
  export const libNumGoroutine: typeof import("batonjs").numGoroutine;
}
