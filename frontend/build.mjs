// Copy the files Minqing serves from node_modules into dist/vendor (served by whitenoise).
import { cpSync, mkdirSync, rmSync } from "node:fs";

const files = {
  "bootstrap/dist/css/bootstrap.min.css": "bootstrap.min.css",
  "bootstrap/dist/css/bootstrap.min.css.map": "bootstrap.min.css.map",
  "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap.bundle.min.js",
  "bootstrap/dist/js/bootstrap.bundle.min.js.map": "bootstrap.bundle.min.js.map",
  "bootstrap-icons/font/bootstrap-icons.min.css": "bootstrap-icons.min.css",
  "bootstrap-icons/font/fonts": "fonts",
  "htmx.org/dist/htmx.min.js": "htmx.min.js",
  "echarts/dist/echarts.min.js": "echarts.min.js",
};

rmSync("dist", { recursive: true, force: true });
mkdirSync("dist/vendor", { recursive: true });
for (const [source, target] of Object.entries(files)) {
  cpSync(`node_modules/${source}`, `dist/vendor/${target}`, { recursive: true });
}
console.log(`copied ${Object.keys(files).length} asset(s) into frontend/dist/vendor`);
