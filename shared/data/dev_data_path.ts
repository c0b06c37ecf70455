// Location of the read-only development/test market data: <repo>/../shared/data. The data
// is never copied into the repository; tests and local replays read it from there.
import { fileURLToPath } from "node:url";

const ROOT = new URL("../../../shared/data/", import.meta.url);

/** Absolute path of a file or folder in the shared data folder ("" for the folder itself). */
export function devDataPath(relative = ""): string {
  if (relative.startsWith("/") || relative.split("/").includes("..")) {
    throw new Error(`devDataPath: '${relative}' must be a relative path inside the data folder`);
  }
  return fileURLToPath(new URL(relative, ROOT));
}
