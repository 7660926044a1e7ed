import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePng, type RgbaImage } from './png.js';
import { main } from './program.js';
import type { CliIo } from './terminal.js';

/** The package directory (where `tsx` resolves from). */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The CLI entry point, run from source. */
export const CLI_SOURCE = join(PACKAGE_DIR, 'src', 'cli.ts');

/** What a run of the CLI produced. */
export interface CliRun {
  readonly code: number | null;
  /** The signal that ended the process (e.g. `SIGKILL`), or null. */
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Spawns the real `deepbelief` program (`node --import tsx src/cli.ts`, resolving the
 * workspace packages' TypeScript sources) with `args`. The environment is the test's minus
 * colour settings, plus `env`.
 */
export function runCli(
  args: readonly string[],
  options: {
    env?: Record<string, string | undefined>;
    timeoutMs?: number;
    /** Called with the stderr text so far whenever it grows (e.g. to send a signal). */
    onStderr?: (text: string, child: ReturnType<typeof spawn>) => void;
    /** Polled every 10 ms while the program runs: once true, the program is killed (SIGKILL). */
    killWhen?: () => boolean;
  } = {},
): Promise<CliRun> {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.FORCE_COLOR;
  delete env.NO_COLOR;
  Object.assign(env, options.env);
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=deepbelief-source', '--import', 'tsx', CLI_SOURCE, ...args],
      { cwd: PACKAGE_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      options.onStderr?.(stderr, child);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    const poll = options.killWhen
      ? setInterval(() => {
          if (options.killWhen!()) child.kill('SIGKILL');
        }, 10)
      : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Runs the same program in this process (`main` with captured output and `env`): the code
 * path of the binary without a process start, for the many secondary checks.
 */
export async function runInProcess(
  argv: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: {
      write: (s: string) => {
        stdout += s;
        return true;
      },
    },
    stderr: {
      write: (s: string) => {
        stderr += s;
        return true;
      },
    },
    env,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** A fresh temporary directory and a function removing it. */
export function tempDir(prefix = 'deepbelief-cli-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Reads and decodes a PNG file. */
export function readPng(path: string): RgbaImage {
  return decodePng(new Uint8Array(readFileSync(path)));
}

/** Distinct gray levels (red channel) inside a rectangle of an image. */
export function grayLevels(
  image: RgbaImage,
  x0 = 0,
  y0 = 0,
  w = image.width,
  h = image.height,
): Set<number> {
  const levels = new Set<number>();
  for (let y = y0; y < y0 + h; y++)
    for (let x = x0; x < x0 + w; x++) levels.add(image.data[(y * image.width + x) * 4]!);
  return levels;
}
