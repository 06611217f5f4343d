#!/usr/bin/env node
/**
 * The build: esbuild bundles the command line and the two worker entries
 * into dist/ as ES modules (one per entry, plus the chunks they share),
 * with the npm packages left as imports (they are `dependencies`,
 * installed next to the package). `npm ci` runs it
 * (`prepare`), and so do `npm pack` and `npm run verify`; it takes a
 * fraction of a second.
 *
 *   dist/dmacheck.mjs     the `dmacheck` bin (src/cli/start.ts)
 *   dist/worker.mjs       verify's worker (src/parallel/worker.ts)
 *   dist/diff-worker.mjs  diff's worker (src/equivalence/diff-worker.ts)
 *
 * A pool in the built CLI loads the built worker next to it
 * (src/parallel/worker-script.ts); run from the sources, it bundles its
 * worker at run time instead, so a test never runs a stale build.
 *
 * Each command is a chunk of its own, which the command table imports when
 * the command runs, so `dmacheck list` loads neither the explorer nor
 * workerpool nor fast-check. Every file lands directly in dist/, so a
 * source's `new URL('<relative path>', import.meta.url)` (a file found next
 * to the source, such as the results schema) is rewritten to the same file
 * seen from dist/. Files are replaced atomically and only when their
 * content changed, so two builds at once (the pack test and the bench under
 * vitest) never let a reader see half a file.
 *
 * Usage: node scripts/build.mjs [--quiet]
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');

/** Output name (in dist/) of each entry, relative to the repository. */
const ENTRIES = {
  dmacheck: 'src/cli/start.ts',
  worker: 'src/parallel/worker.ts',
  'diff-worker': 'src/equivalence/diff-worker.ts',
};

const SOURCE_URL = /new URL\((['"])(\.{1,2}\/[^'"]*)\1, import\.meta\.url\)/g;

/**
 * Rewrites `new URL('./x', import.meta.url)` in the repository's own
 * sources to the same file seen from dist/. Any other use of
 * import.meta.url means the built file itself (worker-script.ts finds the
 * built workers that way).
 */
const sourceUrls = {
  name: 'source-urls',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const contents = text.replace(SOURCE_URL, (_, q, rel) => {
        const target = relative(DIST, resolve(dirname(args.path), rel)).split('\\').join('/');
        return `new URL(${q}${target.startsWith('.') ? target : `./${target}`}${q}, import.meta.url)`;
      });
      return { contents, loader: 'ts' };
    });
  },
};

function writeIfChanged(path, bytes) {
  try {
    if (Buffer.compare(readFileSync(path), bytes) === 0) return false;
  } catch {
    // not there yet
  }
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes, { mode: 0o755 });
  renameSync(tmp, path);
  return true;
}

/** Build dist/; returns the files written (those whose content changed) and removes what the build no longer makes. */
export async function buildDist() {
  const r = await build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([out, src]) => [out, join(ROOT, src)])),
    outdir: DIST,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // a command's modules, and the npm packages they import, load when the command runs
    splitting: true,
    chunkNames: '[name]-[hash]',
    // tells src/parallel/worker-script.ts that the built workers sit next to it
    define: { DMACHECK_BUILD: 'true' },
    banner: { js: '#!/usr/bin/env node' },
    plugins: [sourceUrls],
    logLevel: 'warning',
    write: false,
  });
  mkdirSync(DIST, { recursive: true });
  const written = r.outputFiles.filter((f) => writeIfChanged(f.path, f.contents)).map((f) => relative(ROOT, f.path));
  // chunks are named by content hash: an edit leaves the old ones behind
  const made = new Set(r.outputFiles.map((f) => f.path));
  for (const name of readdirSync(DIST)) if (!made.has(join(DIST, name)) && !name.endsWith('.tmp')) rmSync(join(DIST, name), { force: true });
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  const written = await buildDist();
  if (!process.argv.includes('--quiet')) {
    const what = written.length ? `wrote ${written.length} file(s) to dist/` : 'dist/ up to date';
    process.stderr.write(`build: ${what} (${Math.round(performance.now() - t0)} ms)\n`);
  }
}
