/**
 * A headless Chromium for the HTML report test, on any machine that has
 * Node and npm: the system's browser where there is one, otherwise the
 * Chromium that the npm package @sparticuz/chromium ships inside itself
 * (a devDependency, so `npm ci` brings it from the registry and nothing
 * is downloaded from anywhere else). That build is statically linked but
 * for libc, libgcc and libexpat, so it runs on a bare Debian or Ubuntu.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Browsers used as they are when present; CHROMIUM_PATH names another. */
const SYSTEM_BROWSERS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * The package's Chromium, unpacked once per package version under
 * node_modules/.cache (the package unpacks into os.tmpdir(), so it is
 * pointed at a fresh directory that is renamed into place only when
 * complete: a run cut short never leaves half a browser to be reused).
 */
async function packagedChromium(): Promise<string> {
  // The package exports no package.json: find its folder above its entry point.
  const manifest = (dir: string) => (existsSync(join(dir, 'package.json')) ? (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version: string }) : undefined);
  let root = dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium'));
  while (manifest(root)?.name !== '@sparticuz/chromium') {
    if (root === dirname(root)) throw new Error('@sparticuz/chromium is not installed: run npm ci');
    root = dirname(root);
  }
  const { version } = manifest(root)!;
  const dir = join(root, '..', '..', '.cache', 'dmacheck-chromium', version);
  const exe = join(dir, 'chromium');
  const { default: packaged } = await import('@sparticuz/chromium');
  if (!existsSync(exe)) {
    const partial = `${dir}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    const tmp = process.env['TMPDIR'];
    process.env['TMPDIR'] = partial;
    try {
      await packaged.executablePath();
    } catch (e) {
      rmSync(partial, { recursive: true, force: true });
      throw e;
    } finally {
      if (tmp === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = tmp;
    }
    if (!existsSync(exe)) renameSync(partial, dir);
    else rmSync(partial, { recursive: true, force: true });
  }
  return exe;
}

export async function launchChromium(): Promise<Browser> {
  const system = [process.env['CHROMIUM_PATH'], ...SYSTEM_BROWSERS].find((p): p is string => !!p && existsSync(p));
  return chromium.launch({ executablePath: system ?? (await packagedChromium()), headless: true, args: ARGS });
}
