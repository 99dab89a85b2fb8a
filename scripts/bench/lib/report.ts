/** Shared formatting for benchmark output: one aligned table, figures beside their same-run baseline. */
export interface Row {
  name: string;
  figures: Record<string, string | number>;
}

export function printTable(title: string, rows: Row[]): void {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.figures)))];
  const width = Math.max(...rows.map((r) => r.name.length), 10);
  const header = ['', ...keys].map((k, i) => (i === 0 ? k.padEnd(width) : k.padStart(14))).join(' ');
  process.stdout.write(`\n${title}\n${header}\n`);
  for (const r of rows) {
    process.stdout.write(`${[r.name.padEnd(width), ...keys.map((k) => String(r.figures[k] ?? '').padStart(14))].join(' ')}\n`);
  }
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

/** Reads `--name value` / `--name=value` from argv, else an environment variable, else the default. */
export function arg(name: string, env: string, fallback: number): number {
  const argv = process.argv;
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  const raw = i < 0 ? process.env[env] : argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} / ${env} must be a positive number, got '${raw}'`);
  return n;
}

/** The p-th percentile (0–100) of some figures, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export function middle(values: readonly number[]): number {
  return percentile(values, 50);
}
