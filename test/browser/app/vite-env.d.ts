// vite's `?worker&url` import: the URL of the module's worker bundle (what vite/client declares).
declare module "*?worker&url" {
  const url: string;
  export default url;
}
