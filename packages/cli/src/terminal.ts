import cliProgress from 'cli-progress';

/** A writable text stream, as `process.stdout` and `process.stderr`. */
export interface OutputStream {
  write(chunk: string): boolean;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Where the command writes and what it reads from its environment (swappable for tests). */
export interface CliIo {
  /** Results: summaries, tables, `--json` objects. */
  readonly stdout: OutputStream;
  /** Progress, status lines, warnings and errors. */
  readonly stderr: OutputStream;
  /** Environment variables (`NO_COLOR`, `FORCE_COLOR`, `DEEPBELIEF_DEBUG`). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The real process streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/**
 * Whether to colour output written to `stream`: never when `NO_COLOR` is set to a non-empty
 * value (https://no-color.org) or `TERM=dumb`; always when `FORCE_COLOR` is set (and not `0`);
 * otherwise only on a terminal.
 */
export function colorEnabled(
  stream: OutputStream,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0')
    return true;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** ANSI styles that become the identity when colour is off. */
export interface Styles {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

/** Styles for a stream: ANSI sequences when `enabled`, plain text otherwise. */
export function styles(enabled: boolean): Styles {
  const wrap = (open: number, close: number) => (text: string) =>
    enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}

/** Seconds as `12.3 s`, `4 min 05 s` or `1 h 02 min`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** A metric value with 4 significant digits (exponent form for tiny or huge values). */
export function formatMetric(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const a = Math.abs(value);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return value.toExponential(3);
  return value.toPrecision(4);
}

/** One step of a long task, for {@link Progress.update}. */
export interface ProgressStep {
  /** What runs, e.g. `layer 2 epoch 3/10`. */
  readonly label: string;
  /** Steps done in this task (1-based after the first step). */
  readonly value: number;
  readonly total: number;
  /** Live figures shown beside the bar, e.g. `{ recon: 0.0123 }`. */
  readonly metrics?: Readonly<Record<string, number>>;
}

/**
 * Progress display: a bar with ETA and live metrics on a terminal, nothing between the
 * plain summary lines otherwise (logs stay readable), and nothing at all with `--quiet`.
 */
export interface Progress {
  /** Moves the current bar (starting one when the label changes). */
  update(step: ProgressStep): void;
  /** Ends the current bar and prints a line that stays (e.g. an epoch summary). */
  line(text: string): void;
  /** Ends the current bar without printing anything. */
  stop(): void;
}

/** The terminal the command talks to: styles, result and status lines, progress. */
export class Terminal {
  readonly out: Styles;
  readonly err: Styles;
  /** Whether stderr is a terminal (bars) or a pipe/file (plain lines). */
  readonly interactive: boolean;

  constructor(
    readonly io: CliIo,
    readonly quiet = false,
  ) {
    this.out = styles(colorEnabled(io.stdout, io.env));
    this.err = styles(colorEnabled(io.stderr, io.env));
    this.interactive = io.stderr.isTTY === true && io.env.TERM !== 'dumb';
  }

  /** A result line on stdout (printed even with `--quiet`). */
  result(text = ''): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** A status line on stderr (hidden by `--quiet`). */
  info(text: string): void {
    if (!this.quiet) this.io.stderr.write(`${text}\n`);
  }

  /** A warning on stderr (always shown). */
  warn(text: string): void {
    this.io.stderr.write(`${this.err.yellow('warning:')} ${text}\n`);
  }

  /** An error line on stderr (always shown). */
  error(text: string): void {
    this.io.stderr.write(`${this.err.red('error:')} ${text}\n`);
  }

  /** A progress display suited to this terminal (see {@link Progress}). */
  progress(): Progress {
    if (this.quiet) return { update() {}, line() {}, stop() {} };
    if (!this.interactive) return new PlainProgress(this.io.stderr);
    return new BarProgress(this.io.stderr, this.err);
  }
}

/** The metrics of a step that have a value yet (a trainer reports NaN before its first read). */
function finiteMetrics(step: ProgressStep): [string, number][] {
  return Object.entries(step.metrics ?? {}).filter(([, v]) => Number.isFinite(v));
}

/** Seconds between the plain progress lines of one long task. */
const PLAIN_INTERVAL_S = 10;

/** Not a terminal: summary lines, plus a line every 10 s during a long task. */
class PlainProgress implements Progress {
  private label = '';
  private started = 0;
  private lastLine = 0;

  constructor(private readonly stream: OutputStream) {}

  update(step: ProgressStep): void {
    const now = performance.now() / 1000;
    if (step.label !== this.label) {
      this.label = step.label;
      this.started = now;
      this.lastLine = now;
      return;
    }
    if (now - this.lastLine < PLAIN_INTERVAL_S || step.value >= step.total) return;
    this.lastLine = now;
    const rate = step.value / Math.max(now - this.started, 1e-9);
    const eta = (step.total - step.value) / rate;
    const metrics = finiteMetrics(step)
      .map(([k, v]) => `, ${k} ${formatMetric(v)}`)
      .join('');
    this.stream.write(
      `${step.label}: ${step.value}/${step.total}${metrics}, ETA ${formatDuration(eta)}\n`,
    );
  }

  line(text: string): void {
    this.label = '';
    this.stream.write(`${text}\n`);
  }

  stop(): void {
    this.label = '';
  }
}

class BarProgress implements Progress {
  private bar: cliProgress.SingleBar | null = null;
  private label = '';

  constructor(
    private readonly stream: OutputStream,
    private readonly style: Styles,
  ) {}

  update(step: ProgressStep): void {
    const metrics = finiteMetrics(step)
      .map(([k, v]) => `${k} ${formatMetric(v)}`)
      .join('  ');
    if (!this.bar || step.label !== this.label) {
      this.stop();
      this.label = step.label;
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.stream as NodeJS.WritableStream,
          format: `${this.style.cyan('{label}')} {bar} {percentage}% {value}/{total} | ETA {eta_formatted} | {metrics}`,
          barsize: Math.max(10, Math.min(30, (this.stream.columns ?? 80) - 70)),
          clearOnComplete: true,
          hideCursor: true,
          etaBuffer: 50,
          fps: 8,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(step.total, step.value, { label: step.label, metrics });
      return;
    }
    this.bar.update(step.value, { metrics });
  }

  line(text: string): void {
    this.stop();
    this.stream.write(`${text}\n`);
  }

  stop(): void {
    if (this.bar) {
      this.bar.stop();
      this.bar = null;
    }
  }
}
