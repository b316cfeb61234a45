// @ts-check
// Starts the real `dashboard serve --demo` (bin/dashboard, serving the web/dist build embedded in it) for one
// browser test: on a free 127.0.0.1 port, with its own temporary data folder, a random JWT_SECRET and none of
// the caller's service settings (no Stripe, marketplace, DynamoDB or queue), so it talks to nothing outside
// this machine.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const webDist = join(repoRoot, 'web', 'dist');
const binary = process.env.DASHBOARD_BIN ?? join(repoRoot, 'bin', 'dashboard');

// Both bound waits for a condition (the sign-in link printed, the process gone); they only turn a server that
// never starts or never stops into a failure, so they are far above what a loaded machine needs. A slow stop
// is not a failure at all: the server is then killed.
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;

/** Servers still running; killed when this process exits however it exits. */
const live = new Set();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * scripts/e2e.sh sets E2E_PID_DIR and kills any pid left in it, in case this process itself is killed before
 * it can stop its servers.
 * @param {number} pid
 * @param {boolean} running
 */
export function recordPid(pid, running) {
  const dir = process.env.E2E_PID_DIR;
  if (!dir) return;
  const file = join(dir, String(pid));
  try {
    if (running) writeFileSync(file, '');
    else if (existsSync(file)) unlinkSync(file);
  } catch {
    // Only a safety net; the servers are stopped by the tests themselves.
  }
}

export class DashboardServer {
  /**
   * @param {import('node:child_process').ChildProcess} child
   * @param {{origin: string, signInUrl: string, addr: string, dataDir: string, secret: string, output: string[]}} info
   */
  constructor(child, info) {
    this.child = child;
    /** http://127.0.0.1:PORT */
    this.origin = info.origin;
    /** The demo sign-in link: origin + /#demo-token=<JWT>. */
    this.signInUrl = info.signInUrl;
    /** 127.0.0.1:PORT, for starting the server again on the same address. */
    this.addr = info.addr;
    this.dataDir = info.dataDir;
    this.secret = info.secret;
    /** Everything the server printed (stdout and stderr lines), for failure reports. */
    this.output = info.output;
    /** @type {Promise<void>} */
    this.exited = new Promise((res) => {
      if (child.exitCode !== null || child.signalCode !== null) res();
      else child.once('exit', () => res());
    });
  }

  get running() {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** kill stops the server at once (SIGKILL), as a crash would, and waits until it is gone. */
  async kill() {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** stop shuts the server down (SIGTERM, then SIGKILL after a while) and waits until it is gone. */
  async stop() {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    /** @type {NodeJS.Timeout | undefined} */
    let timer;
    const timeout = new Promise((res) => {
      timer = setTimeout(res, STOP_TIMEOUT_MS);
    });
    await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    await this.kill();
  }

  /** The last lines the server printed, tokens left out. */
  tail(n = 20) {
    return this.output
      .slice(-n)
      .join('\n')
      .replace(/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, '<token>');
  }
}

/**
 * startDashboard starts `dashboard serve --demo` and resolves once it has printed its address and the demo
 * sign-in link. Pass addr, dataDir and secret of a stopped server to start it again in its place (the
 * browser's demo session stays valid: same secret, same store).
 * env adds variables to the clean environment (e.g. STRIPE_API_BASE of a local Stripe fake).
 * @param {{addr?: string, dataDir?: string, secret?: string, env?: Record<string, string>}} [opts]
 * @returns {Promise<DashboardServer>}
 */
export async function startDashboard(opts = {}) {
  if (!existsSync(binary)) {
    throw new Error(`${binary} is missing: build it with \`go build -o bin/dashboard ./cmd/dashboard\` (scripts/e2e.sh does)`);
  }
  if (!existsSync(join(webDist, 'index.html'))) {
    throw new Error(`${webDist}/index.html is missing: build the dashboard with \`scripts/web.sh build\` (scripts/e2e.sh does)`);
  }
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'dashboard-e2e-data-'));
  const secret = opts.secret ?? randomBytes(32).toString('hex');
  // No --web: the browser gets the build embedded in bin/dashboard, as a user of the binary does.
  const args = ['serve', '--demo', '--addr', opts.addr ?? '127.0.0.1:0', '--data', dataDir];
  // A clean environment: nothing from the caller's shell turns on a real outside service.
  /** @type {NodeJS.ProcessEnv} */
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, JWT_SECRET: secret, ...opts.env };
  const child = spawn(binary, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  if (child.pid !== undefined) recordPid(child.pid, true);
  child.once('exit', () => {
    live.delete(child);
    if (child.pid !== undefined) recordPid(child.pid, false);
  });

  /** @type {string[]} */
  const output = [];
  let stdout = '';
  return new Promise((res, rej) => {
    let settled = false;
    const fail = (/** @type {string} */ why) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      rej(new Error(`dashboard serve ${why}; it printed:\n${output.slice(-30).join('\n')}`));
    };
    const timer = setTimeout(() => fail(`did not print its sign-in link within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    const lines = (/** @type {import('node:stream').Readable | null} */ stream, /** @type {(s: string) => void} */ onText) => {
      stream?.setEncoding('utf8');
      stream?.on('data', (/** @type {string} */ chunk) => {
        output.push(...chunk.split('\n').filter(Boolean));
        if (output.length > 500) output.splice(0, output.length - 500);
        onText(chunk);
      });
    };
    lines(child.stderr, () => {});
    lines(child.stdout, (chunk) => {
      stdout += chunk;
      const origin = /Serving the dashboard API on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      const signIn = /^\s*Sign in:\s+(\S+#demo-token=\S+)\s*$/m.exec(stdout)?.[1];
      if (settled || !origin || !signIn) return;
      settled = true;
      clearTimeout(timer);
      res(new DashboardServer(child, { origin, signInUrl: signIn, addr: origin.slice('http://'.length), dataDir, secret, output }));
    });
    child.once('error', (err) => fail(`could not be started (${err.message})`));
    child.once('exit', (code, signal) => fail(`exited early (${signal ?? `code ${code}`})`));
  });
}

/** removeDataDir deletes a server's temporary data folder (after it has stopped). */
export function removeDataDir(/** @type {string} */ dir) {
  rmSync(dir, { recursive: true, force: true });
}
