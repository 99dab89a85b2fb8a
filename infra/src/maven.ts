import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One Maven coordinate: groupId:artifactId:version[:type[:classifier]]. */
export interface Artifact {
  groupId: string;
  artifactId: string;
  version: string;
  type?: string;
  classifier?: string;
}

function dependencyXml(a: Artifact): string {
  return [
    '    <dependency>',
    `      <groupId>${a.groupId}</groupId>`,
    `      <artifactId>${a.artifactId}</artifactId>`,
    `      <version>${a.version}</version>`,
    a.type ? `      <type>${a.type}</type>` : '',
    a.classifier ? `      <classifier>${a.classifier}</classifier>` : '',
    '    </dependency>',
  ]
    .filter(Boolean)
    .join('\n');
}

export function run(command: string, args: string[], options: { cwd?: string; log?: (line: string) => void } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output.slice(-4000)}`));
    });
  });
}

/**
 * Copies the given artifacts and their runtime dependencies into `targetDir`
 * with `mvn dependency:copy-dependencies`, through a throwaway pom. Idempotent:
 * a target directory that holds a `.complete` marker is left alone, and a
 * half-finished copy is never mistaken for a finished one.
 */
export async function copyDependencies(
  targetDir: string,
  artifacts: Artifact[],
  log: (line: string) => void,
  options: { excludeTransitive?: boolean } = {},
): Promise<void> {
  const marker = join(targetDir, '.complete');
  if (existsSync(marker)) return;
  const work = `${targetDir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const pom = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>vane.local</groupId>
  <artifactId>fetch</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
${artifacts.map(dependencyXml).join('\n')}
  </dependencies>
</project>
`;
  writeFileSync(join(work, 'pom.xml'), pom);
  log(`fetching ${artifacts.map((a) => `${a.artifactId}:${a.version}`).join(', ')} with Maven (first run only)…`);
  await run(
    'mvn',
    [
      '-q',
      '-B',
      'org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies',
      '-DincludeScope=runtime',
      `-DexcludeTransitive=${options.excludeTransitive ? 'true' : 'false'}`,
      `-DoutputDirectory=${join(work, 'libs')}`,
    ],
    { cwd: work },
  );
  rmSync(targetDir, { recursive: true, force: true });
  renameSync(join(work, 'libs'), targetDir);
  rmSync(work, { recursive: true, force: true });
  writeFileSync(marker, new Date().toISOString());
}

/** First file in `dir` whose name matches `pattern`, or throws naming what was looked for. */
export function findFile(dir: string, pattern: RegExp): string {
  const hit = readdirSync(dir).find((f) => pattern.test(f));
  if (!hit) throw new Error(`no file matching ${pattern} in ${dir}`);
  return join(dir, hit);
}
