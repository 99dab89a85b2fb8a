import type { Command } from 'commander';
import { VaneError } from '@vane/core';
import { applyTopics, catalog, createKafka, physicalTopic } from '@vane/topics';
import type { CliEnvironment } from '../environment';

function positiveInt(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new VaneError('VANE_ERR_USAGE', `expected a positive integer, got '${raw}'`);
  return n;
}

export function registerTopics(program: Command, environment: () => CliEnvironment): void {
  const topics = program.command('topics').description('the topic catalogue');

  topics
    .command('apply')
    .description('create missing topics, fix drifted configs, add partitions; report what cannot change')
    .option('--dry-run', 'only report what would change')
    .option('--replication <n>', 'replication factor for new topics (default: min(3, brokers))', positiveInt)
    .option('--strict', 'exit with status 3 when something cannot be changed')
    .action(async (opts: { dryRun?: boolean; replication?: number; strict?: boolean }) => {
      const e = environment();
      const admin = createKafka(e.connections, 'cli').admin();
      await admin.connect();
      try {
        const report = await applyTopics(admin, { naming: e.naming, replicationFactor: opts.replication, dryRun: opts.dryRun });
        const verb = opts.dryRun ? 'would ' : '';
        for (const t of report.created) process.stdout.write(`${verb}create ${t}\n`);
        for (const p of report.partitionsAdded) process.stdout.write(`${verb}add partitions ${p.topic}: ${p.from} -> ${p.to}\n`);
        for (const c of report.configsFixed) process.stdout.write(`${verb}fix ${c.topic} ${c.key}: ${c.from ?? '(unset)'} -> ${c.to}\n`);
        for (const p of report.problems) process.stderr.write(`cannot change: ${p}\n`);
        process.stdout.write(`${report.created.length} created, ${report.configsFixed.length} configs fixed, ${report.partitionsAdded.length} partition changes, ${report.unchanged.length} unchanged, ${report.problems.length} problems\n`);
        if (opts.strict && report.problems.length > 0) process.exitCode = 3;
      } finally {
        await admin.disconnect();
      }
    });

  topics
    .command('list')
    .description('the catalogue and, for each topic, whether it exists on the cluster')
    .option('--json', 'one JSON object per topic')
    .action(async (opts: { json?: boolean }) => {
      const e = environment();
      const admin = createKafka(e.connections, 'cli').admin();
      await admin.connect();
      try {
        const existing = new Set(await admin.listTopics());
        const present = catalog.map((d) => physicalTopic(d.name, e.naming)).filter((t) => existing.has(t));
        const meta = present.length > 0 ? await admin.fetchTopicMetadata({ topics: present }) : { topics: [] };
        for (const d of catalog) {
          const name = physicalTopic(d.name, e.naming);
          const m = meta.topics.find((t) => t.name === name);
          const row = {
            topic: name,
            exists: existing.has(name),
            partitions: m?.partitions.length ?? null,
            wantedPartitions: d.partitions,
            cleanupPolicy: d.cleanupPolicy,
            retentionMs: d.retentionMs ?? null,
            key: d.key,
            description: d.description,
          };
          if (opts.json) process.stdout.write(`${JSON.stringify(row)}\n`);
          else process.stdout.write(`${name.padEnd(28)} ${(row.exists ? `${row.partitions}p` : 'missing').padEnd(8)} ${d.cleanupPolicy.padEnd(8)} ${d.description}\n`);
        }
      } finally {
        await admin.disconnect();
      }
    });
}
