/**
 * Single-node Apache Cassandra 5.0, the local CQL stand-in for ScyllaDB,
 * assembled from the Apache jars in the Maven repository: no tarball, no
 * shell scripts. Listens on 127.0.0.1 only (native + storage port); no JMX
 * port at all, so nodetool will not connect (nothing in Vane needs it).
 * Needs Java 17 (JAVA_HOME, else `java` on PATH).
 *
 * Layout:
 *   <cache>/cassandra-<version>/libs/*.jar   cassandra-all + runtime deps (logback, jamm, …)
 *   <state>/conf/cassandra.yaml               rewritten by every prepare() (ports may change)
 *   <state>/conf/logback.xml                  INFO to logs/system.log; console gets WARN+ only
 *   <state>/data/{data,commitlog,saved_caches,hints,cdc_raw,triggers}
 *   <state>/logs/system.log
 *
 * Stopping: SIGTERM runs Cassandra's shutdown hook, which drains (flushes
 * memtables, closes the commit log) and exits 143 within a few seconds; no
 * nodetool needed. After a kill -9 the commit log is replayed at the next start.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { copyDependencies, findFile } from '../maven';
import type { LaunchCommand, ServiceContext, ServiceDefinition } from '../service';

/** Newest 5.0.x release; 5.0 is the first line that runs on Java 17. */
const CASSANDRA_VERSION = '5.0.9';

/** Name of the local data center as SimpleSnitch reports it; clients need it as localDataCenter. */
const CASSANDRA_DATACENTER = 'datacenter1';

/** Maximum heap (-Xmx); VANE_CASSANDRA_HEAP overrides, e.g. "1g" (at least 128m, the initial heap). */
function cassandraHeap(): string {
  return process.env.VANE_CASSANDRA_HEAP?.trim() || '512m';
}

/**
 * Initial heap. Deliberately below -Xmx (Cassandra's own scripts set them equal): Cassandra
 * mlockall()s the memory mapped at start whenever it may (as root it always may), so a
 * fully committed 512m heap would be resident from the first second.
 */
const INITIAL_HEAP = '128m';

function libsDir(ctx: ServiceContext): string {
  return join(ctx.cacheDir, `cassandra-${CASSANDRA_VERSION}`, 'libs');
}

function paths(ctx: ServiceContext) {
  return {
    yaml: join(ctx.confDir, 'cassandra.yaml'),
    logback: join(ctx.confDir, 'logback.xml'),
    data: join(ctx.dataDir, 'data'),
    commitlog: join(ctx.dataDir, 'commitlog'),
    savedCaches: join(ctx.dataDir, 'saved_caches'),
    hints: join(ctx.dataDir, 'hints'),
    cdcRaw: join(ctx.dataDir, 'cdc_raw'),
    triggers: join(ctx.dataDir, 'triggers'),
  };
}

function javaBinary(): string {
  const home = process.env.JAVA_HOME;
  return home ? join(home, 'bin', 'java') : 'java';
}

/** Refuses anything but Java 17: Cassandra 5.0 runs on 11 and 17 only, and these flags are the 17 set. */
function checkJava(): void {
  const java = javaBinary();
  const result = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (result.error) throw new Error(`cassandra: cannot run ${java} -version: ${result.error.message}`);
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  if (!m) return; // unknown format: let the JVM speak for itself
  const major = Number(m[1]) === 1 ? Number(m[2]) : Number(m[1]);
  if (major !== 17) {
    throw new Error(`cassandra ${CASSANDRA_VERSION} needs Java 17 (found Java ${major} at ${java}); point JAVA_HOME at a JDK 17`);
  }
}

/** YAML double-quoted scalar (JSON strings are valid YAML). */
function q(value: string): string {
  return JSON.stringify(value);
}

function cassandraYaml(ctx: ServiceContext): string {
  const p = paths(ctx);
  const storage = ctx.ports.storage;
  const native = ctx.ports.native;
  // Only keys Cassandra 5.0 knows: unknown keys abort the start.
  return `# Written by Vane infra (services/cassandra.ts) on every start; edits are overwritten.
cluster_name: "Vane"
num_tokens: 1
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "127.0.0.1:${storage}"
listen_address: 127.0.0.1
rpc_address: 127.0.0.1
storage_port: ${storage}
native_transport_port: ${native}
start_native_transport: true
auto_bootstrap: false

data_file_directories:
  - ${q(p.data)}
commitlog_directory: ${q(p.commitlog)}
saved_caches_directory: ${q(p.savedCaches)}
hints_directory: ${q(p.hints)}
cdc_raw_directory: ${q(p.cdcRaw)}
# Writes are acknowledged before the commit log is synced; a kill -9 loses what came after the
# last sync (SIGTERM drains and loses nothing). 1s instead of the usual 10s keeps that window small.
commitlog_sync: periodic
commitlog_sync_period: 1s

authenticator: AllowAllAuthenticator
authorizer: AllowAllAuthorizer

# Two cores, one developer: few threads, small caches, small memtables.
concurrent_reads: 8
concurrent_writes: 8
concurrent_counter_writes: 4
concurrent_materialized_view_writes: 2
concurrent_compactors: 1
memtable_flush_writers: 1
native_transport_max_threads: 32
memtable_allocation_type: heap_buffers
memtable_heap_space: 64MiB
memtable_offheap_space: 64MiB
key_cache_size: 16MiB
counter_cache_size: 4MiB
prepared_statements_cache_size: 8MiB
file_cache_size: 32MiB
networking_cache_size: 16MiB
index_summary_capacity: 8MiB

# Tests drop and truncate often: no snapshot each time.
auto_snapshot: false
`;
}

function xml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function logbackXml(ctx: ServiceContext): string {
  const dir = xml(ctx.logDir);
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by Vane infra (services/cassandra.ts) on every start; edits are overwritten. -->
<configuration scan="false">
  <appender name="SYSTEMLOG" class="ch.qos.logback.core.rolling.RollingFileAppender">
    <file>${dir}/system.log</file>
    <rollingPolicy class="ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy">
      <fileNamePattern>${dir}/system.log.%d{yyyy-MM-dd}.%i.gz</fileNamePattern>
      <maxFileSize>50MB</maxFileSize>
      <maxHistory>7</maxHistory>
      <totalSizeCap>300MB</totalSizeCap>
    </rollingPolicy>
    <encoder>
      <pattern>%-5level [%thread] %date{ISO8601} %logger{0} - %msg%n</pattern>
    </encoder>
  </appender>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <filter class="ch.qos.logback.classic.filter.ThresholdFilter">
      <level>WARN</level>
    </filter>
    <encoder>
      <pattern>%-5level [%thread] %date{ISO8601} %logger{0} - %msg%n</pattern>
    </encoder>
  </appender>
  <root level="INFO">
    <appender-ref ref="SYSTEMLOG" />
    <appender-ref ref="STDOUT" />
  </root>
</configuration>
`;
}

/** Module access Cassandra needs on Java 17, as in its conf/jvm17-server.options. */
const JVM17_MODULE_FLAGS = [
  '--add-exports', 'java.base/jdk.internal.misc=ALL-UNNAMED',
  '--add-exports', 'java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED',
  '--add-exports', 'java.rmi/sun.rmi.registry=ALL-UNNAMED',
  '--add-exports', 'java.rmi/sun.rmi.server=ALL-UNNAMED',
  '--add-exports', 'java.sql/java.sql=ALL-UNNAMED',
  '--add-exports', 'java.base/java.lang.ref=ALL-UNNAMED',
  '--add-exports', 'jdk.unsupported/sun.misc=ALL-UNNAMED',
  '--add-exports', 'jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED',
  '--add-exports', 'jdk.attach/sun.tools.attach=ALL-UNNAMED',
  '--add-opens', 'java.base/java.lang.module=ALL-UNNAMED',
  '--add-opens', 'java.base/jdk.internal.loader=ALL-UNNAMED',
  '--add-opens', 'java.base/jdk.internal.ref=ALL-UNNAMED',
  '--add-opens', 'java.base/jdk.internal.reflect=ALL-UNNAMED',
  '--add-opens', 'java.base/jdk.internal.math=ALL-UNNAMED',
  '--add-opens', 'java.base/jdk.internal.module=ALL-UNNAMED',
  '--add-opens', 'java.base/jdk.internal.util.jar=ALL-UNNAMED',
  '--add-opens', 'jdk.management/com.sun.management.internal=ALL-UNNAMED',
  '--add-opens', 'java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens', 'java.base/java.io=ALL-UNNAMED',
  '--add-opens', 'java.base/java.lang.reflect=ALL-UNNAMED',
  '--add-opens', 'jdk.compiler/com.sun.tools.javac=ALL-UNNAMED',
  '--add-opens', 'java.base/java.lang=ALL-UNNAMED',
  '--add-opens', 'java.base/java.util=ALL-UNNAMED',
  '--add-opens', 'java.base/java.nio=ALL-UNNAMED',
];

export const cassandra: ServiceDefinition = {
  name: 'cassandra',
  description: `Apache Cassandra ${CASSANDRA_VERSION} (single node, CQL stand-in for ScyllaDB)`,
  ports: [
    { name: 'native', env: 'VANE_CASSANDRA_PORT', default: 9042 },
    { name: 'storage', env: 'VANE_CASSANDRA_STORAGE_PORT', default: 7000 },
  ],
  startTimeoutSeconds: 120,

  async install(ctx) {
    await copyDependencies(
      libsDir(ctx),
      [{ groupId: 'org.apache.cassandra', artifactId: 'cassandra-all', version: CASSANDRA_VERSION }],
      ctx.log,
    );
  },

  async prepare(ctx) {
    checkJava();
    const p = paths(ctx);
    for (const dir of [ctx.confDir, ctx.logDir, p.data, p.commitlog, p.savedCaches, p.hints, p.cdcRaw, p.triggers]) {
      mkdirSync(dir, { recursive: true });
    }
    writeFileSync(p.yaml, cassandraYaml(ctx));
    writeFileSync(p.logback, logbackXml(ctx));
  },

  launch(ctx): LaunchCommand {
    const libs = libsDir(ctx);
    const p = paths(ctx);
    return {
      command: javaBinary(),
      cwd: ctx.stateDir,
      args: [
        `-Xms${INITIAL_HEAP}`,
        `-Xmx${cassandraHeap()}`,
        '-Xss256k',
        '-XX:+UseG1GC',
        '-XX:+ParallelRefProcEnabled',
        '-XX:MaxTenuringThreshold=1',
        '-XX:+PerfDisableSharedMem',
        '-XX:+CrashOnOutOfMemoryError',
        `-XX:ErrorFile=${join(ctx.logDir, 'hs_err_%p.log')}`,
        ...JVM17_MODULE_FLAGS,
        '-Djdk.attach.allowAttachSelf=true',
        `-javaagent:${findFile(libs, /^jamm-.*\.jar$/)}`,
        '-Djava.net.preferIPv4Stack=true',
        '-Dio.netty.tryReflectionSetAccessible=true',
        '-Dio.netty.allocator.useCacheForAllThreads=true',
        '-Dio.netty.allocator.maxOrder=11',
        `-Dcassandra.config=${pathToFileURL(p.yaml).href}`,
        `-Dcassandra.storagedir=${ctx.dataDir}`,
        `-Dcassandra.logdir=${ctx.logDir}`,
        `-Dlogback.configurationFile=${p.logback}`,
        `-Dcassandra.triggers_dir=${p.triggers}`,
        '-Dcassandra-foreground=yes',
        // Single node: nothing to gossip with, nothing to wait for.
        '-Dcassandra.skip_wait_for_gossip_to_settle=0',
        '-Dcassandra.ring_delay_ms=100',
        '-Dcassandra.size_recorder_interval=0',
        '-Dcassandra.shutdown_announce_in_ms=0', // SIGTERM: no 2s pause telling peers we leave
        // NOT -Dcassandra.unsafesystem=true: it makes DDL faster, but after a kill -9 the schema
        // changes since the last flush are gone and so is every row written to those tables.
        '-cp',
        `${libs}/*`,
        'org.apache.cassandra.service.CassandraDaemon',
      ],
    };
  },

  async healthy(ctx) {
    const { Client } = await import('cassandra-driver');
    const client = new Client({
      contactPoints: ['127.0.0.1'],
      localDataCenter: CASSANDRA_DATACENTER,
      protocolOptions: { port: ctx.ports.native },
      socketOptions: { connectTimeout: 2000, readTimeout: 3000 },
      isMetadataSyncEnabled: false,
      // No heartbeat timer: after a failed handshake (e.g. something else on the port) the driver
      // leaves it armed past shutdown() and it holds the Node process open for 30-60 s.
      pooling: { heartBeatInterval: 0 },
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const probe = (async () => {
        await client.connect();
        const rs = await client.execute('SELECT release_version FROM system.local');
        return rs.rowLength === 1;
      })();
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), 5000);
      });
      return await Promise.race([probe.catch(() => false), timeout]);
    } catch {
      return false;
    } finally {
      if (timer) clearTimeout(timer);
      await client.shutdown().catch(() => undefined);
    }
  },
};
