// Starts the Balai demo server for the browser tests.
//
// The binary is `target/debug/balai` under the repository root (override with
// the environment variable BALAI_BIN: an absolute path, or one relative to the
// repository root). It runs as
//
//   balai demo --reset --data-dir <fresh temp dir> \
//     --listen 127.0.0.1:<free port> --metrics-listen 127.0.0.1:<free port>
//
// and is ready when GET /readyz answers 200 (waited for at most 60 s).
// Its stdout and stderr go to tests/browser/artifacts/server-<name>.log, which
// tests can read (for example to check that no NIK ever reaches the logs).
//
// Node's test runner runs every test file in its own process, so each file
// starts one server (see `sharedServer`) and stops it in an `after` hook.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** tests/browser */
export const browserTestsDir = path.resolve(here, '..');
/** The repository root (tests/browser/../..). */
export const repoRoot = path.resolve(browserTestsDir, '..', '..');
/** Screenshots, accessibility reports and server logs (git-ignored). */
export const artifactsDir = path.join(browserTestsDir, 'artifacts');

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

/** The server binary: $BALAI_BIN or target/debug/balai, resolved against the repository root. */
export function serverBinary() {
  const configured = process.env.BALAI_BIN;
  return configured
    ? path.resolve(repoRoot, configured)
    : path.join(repoRoot, 'target', 'debug', 'balai');
}

/** A TCP port on 127.0.0.1 that is free right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Start a fresh demo server.
 *
 * @param {{ name?: string, port?: number, env?: Record<string, string> }} [options]
 *   name: used in the log file name; port: listen there (default: a free port);
 *   env: extra environment, e.g. BALAI_OIDC_* settings.
 * @returns {Promise<{ baseUrl: string, metricsUrl: string, logPath: string,
 *   dataDir: string, readLog(): string, stop(): Promise<number|null> }>}
 */
export async function startServer({ name = 'balai', port: wantedPort, env: extraEnv = {} } = {}) {
  const bin = serverBinary();
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    throw new Error(
      `server binary not found or not executable: ${bin}\n` +
        'Build it first with `cargo build -p balai` (or point BALAI_BIN at it).',
    );
  }

  fs.mkdirSync(artifactsDir, { recursive: true });
  const tempRoot = await fsp.mkdtemp(path.join(os.tmpdir(), 'balai-browser-'));
  const dataDir = path.join(tempRoot, 'data');
  const port = wantedPort ?? await freePort();
  let metricsPort = await freePort();
  while (metricsPort === port) metricsPort = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const metricsUrl = `http://127.0.0.1:${metricsPort}`;

  const safeName = name.replace(/[^A-Za-z0-9_.-]+/g, '-');
  const logPath = path.join(artifactsDir, `server-${safeName}.log`);
  // The child writes straight into the file: nothing is buffered in Node, so
  // readLog() always sees everything the server has written so far.
  const logFd = fs.openSync(logPath, 'w');

  const args = [
    'demo',
    '--reset',
    '--data-dir', dataDir,
    '--listen', `127.0.0.1:${port}`,
    '--metrics-listen', `127.0.0.1:${metricsPort}`,
  ];
  const env = { ...process.env };
  // The demo must use its own fresh data, whatever the developer's shell says.
  delete env.BALAI_DATABASE_URL;
  delete env.BALAI_DATA_DIR;
  delete env.BALAI_LISTEN;
  delete env.BALAI_METRICS_LISTEN;
  Object.assign(env, extraEnv);

  const child = spawn(bin, args, {
    cwd: tempRoot,
    env,
    stdio: ['ignore', logFd, logFd],
  });
  fs.closeSync(logFd);

  let exitInfo = null;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
    child.on('error', (err) => {
      exitInfo = { code: null, signal: null, error: err };
      resolve(exitInfo);
    });
  });

  // Never leave a server behind if the test process ends abruptly.
  const killOnExit = () => {
    if (!exitInfo) {
      try {
        child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };
  process.once('exit', killOnExit);

  let stopped = null;
  async function stop() {
    if (!stopped) {
      stopped = (async () => {
        if (!exitInfo) {
          child.kill('SIGTERM');
          const timedOut = await Promise.race([
            exited.then(() => false),
            sleep(STOP_TIMEOUT_MS).then(() => true),
          ]);
          if (timedOut) {
            child.kill('SIGKILL');
            await exited;
          }
        }
        process.removeListener('exit', killOnExit);
        await fsp.rm(tempRoot, { recursive: true, force: true });
        return exitInfo?.code ?? null;
      })();
    }
    return stopped;
  }

  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastProblem = 'no answer yet';
  for (;;) {
    if (exitInfo) {
      await stop();
      const why = exitInfo.error
        ? `could not start: ${exitInfo.error.message}`
        : `exited early (code ${exitInfo.code}, signal ${exitInfo.signal})`;
      throw new Error(`balai ${why}\n--- ${logPath} (tail) ---\n${tail(logPath)}`);
    }
    try {
      const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
      lastProblem = `GET /readyz answered ${res.status}`;
    } catch (err) {
      lastProblem = `GET /readyz failed: ${err.cause?.code ?? err.message}`;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `balai was not ready within ${READY_TIMEOUT_MS / 1000} s (${lastProblem})\n` +
          `--- ${logPath} (tail) ---\n${tail(logPath)}`,
      );
    }
    await sleep(250);
  }

  return {
    baseUrl,
    metricsUrl,
    logPath,
    dataDir,
    /** Everything the server has written to stdout and stderr so far. */
    readLog: () => fs.readFileSync(logPath, 'utf8'),
    stop,
  };
}

let shared = null;

/**
 * One server per test file (per process): every caller gets the same one.
 * Stop it in an `after` hook: `after(() => server?.stop())`.
 */
export function sharedServer(options) {
  if (!shared) {
    shared = startServer(options);
    // A failed start is reported to every caller, not retried.
  }
  return shared;
}
