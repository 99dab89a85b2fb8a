/**
 * Single-node Apache Kafka in KRaft mode (one JVM is both broker and
 * controller), assembled from the Apache jars in the Maven repository: no
 * tarball, no shell scripts. Listens on 127.0.0.1 only.
 *
 * Layout:
 *   <cache>/kafka-<version>/libs/*.jar       kafka_2.13 + runtime deps + logging binding
 *   <state>/conf/server.properties            rewritten by every prepare() (ports may change)
 *   <state>/conf/log4j2.xml | log4j.properties
 *   <state>/data/cluster.id                   generated once, kept
 *   <state>/data/kraft/                       log.dirs (metadata log + topic partitions)
 *   <state>/logs/server.log                   the broker's own log (console gets WARN+ only)
 *
 * The quorum is a static one (`controller.quorum.voters`) on every version, so the
 * controller port is not baked into the formatted storage and may change between runs.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Artifact } from '../maven';
import { copyDependencies, run } from '../maven';
import type { LaunchCommand, ServiceContext, ServiceDefinition } from '../service';
import { quietKafkajsTimers } from '@vane/core';

/** Newest release proven against kafkajs 2.2.4 (admin, idempotent producer, groups, transactions). */
const DEFAULT_KAFKA_VERSION = '4.4.0';

/** VANE_KAFKA_VERSION may pick another 3.9.x or 4.x release; anything else is unsupported. */
function kafkaVersion(): string {
  return process.env.VANE_KAFKA_VERSION?.trim() || DEFAULT_KAFKA_VERSION;
}

function major(version: string): number {
  return Number.parseInt(version.split('.')[0] ?? '', 10);
}

/**
 * The logging binding is not in kafka_2.13's runtime scope (Kafka's build ships it
 * only in the tarball).
 * 4.x: log4j-api/log4j-core are already runtime deps of kafka-server; Kafka 4.4 still
 * logs through slf4j-api 1.7.36, so the slf4j 1.x bridge (log4j-slf4j-impl, not the
 * slf4j2 one) is needed. 2.25.5 is the log4j 4.4.0 depends on; as a direct dependency
 * it also wins Maven's nearest-first mediation, so api/core/bridge stay on one version.
 * 3.9: slf4j-api 1.7.36 → slf4j-reload4j + reload4j (what the 3.9 tarball ships).
 */
function loggingArtifacts(version: string): Artifact[] {
  if (major(version) >= 4) {
    return [{ groupId: 'org.apache.logging.log4j', artifactId: 'log4j-slf4j-impl', version: '2.25.5' }];
  }
  return [
    { groupId: 'org.slf4j', artifactId: 'slf4j-reload4j', version: '1.7.36' },
    { groupId: 'ch.qos.reload4j', artifactId: 'reload4j', version: '1.2.25' },
  ];
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function minorOf(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

function libsDir(ctx: ServiceContext): string {
  return join(ctx.cacheDir, `kafka-${kafkaVersion()}`, 'libs');
}

function paths(ctx: ServiceContext) {
  const v4 = major(kafkaVersion()) >= 4;
  return {
    serverProperties: join(ctx.confDir, 'server.properties'),
    loggingConfig: join(ctx.confDir, v4 ? 'log4j2.xml' : 'log4j.properties'),
    clusterIdFile: join(ctx.dataDir, 'cluster.id'),
    /** Newest Kafka version that has run on this storage. */
    versionFile: join(ctx.dataDir, 'kafka.version'),
    logDirs: join(ctx.dataDir, 'kraft'),
  };
}

function javaBinary(): string {
  const home = process.env.JAVA_HOME;
  return home ? join(home, 'bin', 'java') : 'java';
}

/** System properties that point the logging backend at our config and log dir. */
function loggingProperties(ctx: ServiceContext): string[] {
  const p = paths(ctx);
  return [
    `-Dkafka.logs.dir=${ctx.logDir}`,
    major(kafkaVersion()) >= 4 ? `-Dlog4j2.configurationFile=${p.loggingConfig}` : `-Dlog4j.configuration=file:${p.loggingConfig}`,
  ];
}

/** Same id format as Kafka's Uuid.randomUuid(): 16 random bytes, base64url, no padding, never starting with '-'. */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-') && id !== 'AAAAAAAAAAAAAAAAAAAAAA' && id !== 'AAAAAAAAAAAAAAAAAAAAAQ') return id;
  }
}

function serverProperties(ctx: ServiceContext): string {
  const broker = ctx.ports.broker;
  const controller = ctx.ports.controller;
  const v4 = major(kafkaVersion()) >= 4;
  const lines = [
    '# Written by Vane infra (services/kafka.ts) on every start; edits are overwritten.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controller}`,
    `listeners=PLAINTEXT://127.0.0.1:${broker},CONTROLLER://127.0.0.1:${controller}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${broker}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${paths(ctx).logDirs}`,
    'auto.create.topics.enable=false',
    'num.partitions=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    ...(v4 ? ['share.coordinator.state.topic.replication.factor=1', 'share.coordinator.state.topic.min.isr=1'] : []),
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=4',
    'num.recovery.threads.per.data.dir=1',
    '',
  ];
  return lines.join('\n');
}

const LOG4J2_XML = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by Vane infra (services/kafka.ts). Full log in server.log; the console (kafka.out) gets WARN and above. -->
<Configuration status="warn" shutdownHook="disable">
  <Appenders>
    <Console name="console" target="SYSTEM_OUT">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </Console>
    <RollingFile name="server" fileName="\${sys:kafka.logs.dir}/server.log" filePattern="\${sys:kafka.logs.dir}/server.log.%i">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy max="3"/>
    </RollingFile>
  </Appenders>
  <Loggers>
    <Root level="INFO">
      <AppenderRef ref="server"/>
      <AppenderRef ref="console" level="WARN"/>
    </Root>
    <Logger name="kafka.request.logger" level="WARN"/>
    <!-- Known noise, kept out of the console: partition-state ERRORs on createPartitions, and
         "Failed to load metadata from __consumer_offsets-N" for every partition when stopped while loading. -->
    <Logger name="state.change.logger" level="WARN" additivity="false"><AppenderRef ref="server"/></Logger>
    <Logger name="org.apache.kafka.coordinator.common.runtime.CoordinatorRuntime" level="INFO" additivity="false"><AppenderRef ref="server"/></Logger>
  </Loggers>
</Configuration>
`;

const LOG4J_PROPERTIES = `# Written by Vane infra (services/kafka.ts). Full log in server.log; the console (kafka.out) gets WARN and above.
log4j.rootLogger=INFO, server, console
log4j.appender.console=org.apache.log4j.ConsoleAppender
log4j.appender.console.Threshold=WARN
log4j.appender.console.layout=org.apache.log4j.PatternLayout
log4j.appender.console.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.appender.server=org.apache.log4j.RollingFileAppender
log4j.appender.server.File=\${kafka.logs.dir}/server.log
log4j.appender.server.MaxFileSize=20MB
log4j.appender.server.MaxBackupIndex=3
log4j.appender.server.layout=org.apache.log4j.PatternLayout
log4j.appender.server.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN, server
log4j.additivity.state.change.logger=false
`;

/** JVM flags for a small development broker. No JMX port is opened. */
const KAFKA_JVM_FLAGS = [
  '-Xms256m',
  '-Xmx512m',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent',
  '-Djava.awt.headless=true',
];

async function install(ctx: ServiceContext): Promise<void> {
  const version = kafkaVersion();
  if (major(version) < 3 || (major(version) === 3 && !version.startsWith('3.9'))) {
    throw new Error(`VANE_KAFKA_VERSION=${version}: only 3.9.x and 4.x are supported`);
  }
  await copyDependencies(
    libsDir(ctx),
    [{ groupId: 'org.apache.kafka', artifactId: 'kafka_2.13', version }, ...loggingArtifacts(version)],
    ctx.log,
  );
}

async function prepare(ctx: ServiceContext): Promise<void> {
  const p = paths(ctx);
  for (const dir of [ctx.confDir, ctx.dataDir, ctx.logDir]) mkdirSync(dir, { recursive: true });
  writeFileSync(p.serverProperties, serverProperties(ctx));
  writeFileSync(p.loggingConfig, major(kafkaVersion()) >= 4 ? LOG4J2_XML : LOG4J_PROPERTIES);

  if (!existsSync(p.clusterIdFile)) writeFileSync(p.clusterIdFile, `${newClusterId()}\n`);
  const clusterId = readFileSync(p.clusterIdFile, 'utf8').trim();

  // Formatted storage has meta.properties; skip the JVM start when it is there. A newer
  // Kafka reads an older one's storage, never the reverse: refuse a downgrade up front.
  if (existsSync(join(p.logDirs, 'meta.properties'))) {
    const current = kafkaVersion();
    const previous = existsSync(p.versionFile) ? readFileSync(p.versionFile, 'utf8').trim() : current;
    if (compareVersions(minorOf(current), minorOf(previous)) < 0) {
      throw new Error(
        `Kafka storage in ${ctx.dataDir} was last run by Kafka ${previous}; ${current} cannot read it. ` +
          `Set VANE_KAFKA_VERSION=${previous}, or delete ${ctx.dataDir} to start empty.`,
      );
    }
    if (current !== previous || !existsSync(p.versionFile)) writeFileSync(p.versionFile, `${current}\n`);
    return;
  }
  ctx.log(`formatting Kafka storage (cluster id ${clusterId})…`);
  await run(
    javaBinary(),
    [
      '-Xmx256m',
      ...loggingProperties(ctx),
      '-cp',
      join(libsDir(ctx), '*'),
      'kafka.tools.StorageTool',
      'format',
      '--ignore-formatted',
      '--cluster-id',
      clusterId,
      '--config',
      p.serverProperties,
    ],
    { log: ctx.log },
  );
  writeFileSync(p.versionFile, `${kafkaVersion()}\n`);
}

function launch(ctx: ServiceContext): LaunchCommand {
  return {
    command: javaBinary(),
    args: [
      ...KAFKA_JVM_FLAGS,
      ...loggingProperties(ctx),
      '-cp',
      join(libsDir(ctx), '*'),
      'kafka.Kafka',
      paths(ctx).serverProperties,
    ],
    cwd: ctx.stateDir,
  };
}

async function healthy(ctx: ServiceContext): Promise<boolean> {
  quietKafkajsTimers();
  const broker = `127.0.0.1:${ctx.ports.broker}`;
  const admin = new Kafka({
    clientId: 'vane-infra-health',
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { retries: 0 },
  }).admin();
  let timer: NodeJS.Timeout | undefined;
  try {
    const probe = (async () => {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0 && cluster.controller !== null;
    })();
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), 3000);
    });
    return await Promise.race([probe.catch(() => false), timeout]);
  } finally {
    if (timer) clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}

export const kafka: ServiceDefinition = {
  name: 'kafka',
  description: `Apache Kafka ${kafkaVersion()} (KRaft, single node: broker + controller)`,
  ports: [
    { name: 'broker', env: 'VANE_KAFKA_PORT', default: 9092 },
    { name: 'controller', env: 'VANE_KAFKA_CONTROLLER_PORT', default: 9093 },
  ],
  startTimeoutSeconds: 60,
  install,
  prepare,
  launch,
  healthy,
};
