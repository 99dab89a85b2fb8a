/**
 * Contract between the infra supervisor (supervisor.ts) and one local service
 * (services/<name>.ts). A service definition only knows how to install itself
 * into the download cache, prepare its own state directory, the command that
 * runs it in the foreground, and a cheap health probe. The supervisor owns
 * processes: spawning detached, pid files, logs, port checks, health waits,
 * reuse of a running healthy instance, and stopping only what Vane started.
 */

export interface PortSpec {
  /** Logical name, e.g. 'broker', 'controller', 'http'. The first one is the service's main port. */
  name: string;
  /** Environment variable that overrides it, e.g. VANE_KAFKA_PORT. */
  env: string;
  default: number;
}

export interface ServiceContext {
  /** Shared download cache, reused across runs and clones (VANE_CACHE_DIR, default ~/.cache/vane). */
  cacheDir: string;
  /** This service's own state root (VANE_HOME/<name>); holds data/, logs/, conf/. */
  stateDir: string;
  dataDir: string;
  logDir: string;
  confDir: string;
  /** Resolved ports by PortSpec.name. */
  ports: Record<string, number>;
  /** Progress lines for the user (installs can take minutes). */
  log: (message: string) => void;
}

export interface LaunchCommand {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

export interface ServiceDefinition {
  name: string;
  description: string;
  ports: PortSpec[];
  /** Seconds to wait for healthy() after spawn before failing with the log file named. */
  startTimeoutSeconds: number;
  /** Idempotent: download/unpack into ctx.cacheDir unless already there. */
  install(ctx: ServiceContext): Promise<void>;
  /** Idempotent: write config files under ctx.confDir, format storage, etc. */
  prepare(ctx: ServiceContext): Promise<void>;
  /** The foreground command; the supervisor redirects its output to logs/<name>.out. */
  launch(ctx: ServiceContext): LaunchCommand;
  /** One quick probe (a few seconds at most): true when the service answers its clients. */
  healthy(ctx: ServiceContext): Promise<boolean>;
}
