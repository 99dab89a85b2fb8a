import type { Command } from 'commander';
import { stackDown, stackStatus, stackUp } from '@vane/infra';
import type { CliEnvironment } from '../environment';

export function registerInfra(program: Command, environment: () => CliEnvironment): void {
  const infra = program.command('infra').description('install, start, stop and inspect the local stack (Kafka, schema registry, Cassandra, ClickHouse)');

  infra
    .command('up')
    .argument('[services...]', 'kafka, registry, cassandra, clickhouse (default: all)')
    .description('install (cached) and start the services; a running healthy one is reused')
    .action(async (names: string[]) => {
      const e = environment();
      const result = await stackUp(names, { paths: e.paths, env: e.env, log: e.log });
      process.stdout.write(`${JSON.stringify(result)}\n`);
    });

  infra
    .command('down')
    .argument('[services...]', 'services to stop (default: all)')
    .description('stop the services Vane started (never anything else)')
    .action(async (names: string[]) => {
      const e = environment();
      const stopped = await stackDown(names, { paths: e.paths, env: e.env, log: e.log });
      process.stdout.write(`${JSON.stringify({ stopped })}\n`);
    });

  infra
    .command('status')
    .argument('[services...]', 'services to show (default: all)')
    .option('--json', 'one JSON object per service')
    .description('show each service: state, pid, ports, log file')
    .action(async (names: string[], opts: { json?: boolean }) => {
      const e = environment();
      const statuses = await stackStatus(names, { paths: e.paths, env: e.env, log: e.log });
      for (const s of statuses) {
        if (opts.json) process.stdout.write(`${JSON.stringify(s)}\n`);
        else {
          const ports = Object.entries(s.ports).map(([k, v]) => `${k}=${v}`).join(' ');
          process.stdout.write(`${s.name.padEnd(11)} ${s.state.padEnd(10)} ${String(s.pid ?? '-').padEnd(8)} ${ports.padEnd(32)} ${s.log}\n`);
        }
      }
    });
}
