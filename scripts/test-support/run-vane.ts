import { spawn } from 'node:child_process';

export interface VaneResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const bin = require.resolve('@vane/cli/bin');

/** Runs the real `vane` bin as a user would, with stdin and an environment. */
export function runVane(args: string[], options: { env?: Record<string, string>; stdin?: string; timeoutMs?: number } = {}): Promise<VaneResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: options.env ?? (process.env as Record<string, string>), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vane ${args.join(' ')} did not finish in ${options.timeoutMs ?? 60000} ms\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
