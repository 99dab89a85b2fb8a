import type { IncomingMessage } from 'node:http';
import { VaneError, isVaneError, type VaneErrorCode } from '@vane/core';
import type { Site } from '@vane/config-model';
import { truncateIp, type TruncatedIp } from '@vane/network';
import type { ServerLogLine } from '@vane/schemas';
import { isRejected, parseLogLine, type LogFormat, type ParsedLogLine } from './access-log';
import type { IngestContext } from './context';
import { derivedEventId } from './event-id';
import { splitLines } from './line-splitter';
import { logBody } from './log-body';
import type { SpooledRecord } from './spool';
import { parseUserAgent } from './user-agent';

/**
 * One access-log upload → ingest.serverlogs.v1 (key: site id). Lines are
 * parsed as they stream in and handed to the sink in chunks, so an upload of
 * any size uses bounded memory. Event ids derive from (site, uploadId, line
 * number): re-sending an upload with the same uploadId yields the same ids.
 * The summary:
 *   { uploadId, format, lines, accepted, rejected,
 *     rejectedByReason: { <VANE_ERR_LOG_*>: { count, firstLines: [n, …] } } }
 * If the spool fills up midway, the upload fails with the sink's
 * VANE_ERR_SPOOL_FULL / VANE_ERR_SPOOL carrying the summary as details
 * (`accepted` lines are kept; resend with the same uploadId).
 */
export interface LogUploadSummary {
  uploadId: string;
  format: LogFormat;
  lines: number;
  accepted: number;
  rejected: number;
  rejectedByReason: Record<string, { count: number; firstLines: number[] }>;
}

export interface LogUpload {
  site: Site;
  format: LogFormat;
  uploadId: string;
  receivedAt: number;
}

const CHUNK = 500;
const IN_FLIGHT = 4;
const FIRST_LINES = 5;

/** The ingest.serverlogs.v1 record of one parsed line. */
function serverLogRecord(ctx: IngestContext, upload: LogUpload, lineNumber: number, parsed: ParsedLogLine, ip: TruncatedIp): ServerLogLine {
  const { site, uploadId } = upload;
  const userAgent = parseUserAgent(parsed.userAgent);
  const ids = ctx.visitors.ids(parsed.time, site.siteId, ip.cidr, userAgent?.raw ?? '');
  return {
    eventId: derivedEventId(`${site.siteId}:${uploadId}:${lineNumber}`),
    siteId: site.siteId,
    receivedAt: upload.receivedAt,
    uploadId,
    lineNumber,
    format: upload.format,
    time: parsed.time,
    method: parsed.method,
    path: parsed.path,
    query: parsed.query,
    protocol: parsed.protocol,
    status: parsed.status,
    bytes: parsed.bytes,
    referrer: parsed.referrer,
    userAgent,
    network: ctx.geo.network(ip),
    visitorId: ids.visitorId,
    previousVisitorId: ids.previousVisitorId,
  };
}

/** Reads, parses and delivers an upload; resolves with its summary once every accepted line is in Kafka or the spool. */
export async function receiveLogUpload(ctx: IngestContext, upload: LogUpload, raw: IncomingMessage): Promise<LogUploadSummary> {
  const summary: LogUploadSummary = { uploadId: upload.uploadId, format: upload.format, lines: 0, accepted: 0, rejected: 0, rejectedByReason: {} };
  const reject = (reason: VaneErrorCode, line: number): void => {
    summary.rejected++;
    const entry = (summary.rejectedByReason[reason] ??= { count: 0, firstLines: [] });
    entry.count++;
    if (entry.firstLines.length < FIRST_LINES) entry.firstLines.push(line);
    ctx.metrics.logLinesRejected.inc({ reason });
  };
  const inFlight: Promise<void>[] = [];
  let chunk: SpooledRecord[] = [];
  const flush = (): void => {
    if (chunk.length === 0) return;
    const records = chunk;
    chunk = [];
    inFlight.push(
      ctx.sink.accept(records).then((delivery) => {
        summary.accepted += records.length;
        ctx.metrics.records.inc({ topic: 'ingest.serverlogs.v1', delivery }, records.length);
      }),
    );
  };
  try {
    for await (const line of splitLines(logBody(raw, ctx.settings.logMaxBytes), ctx.settings.logMaxLineBytes)) {
      summary.lines = line.number;
      if (line.tooLong) {
        reject('VANE_ERR_LOG_LINE_TOO_LONG', line.number);
        continue;
      }
      const parsed = parseLogLine(line.text, upload.format);
      if (isRejected(parsed)) {
        reject(parsed.reason, line.number);
        continue;
      }
      const ip = truncateIp(parsed.remoteAddr);
      if (!ip) {
        reject('VANE_ERR_LOG_BAD_ADDRESS', line.number);
        continue;
      }
      try {
        chunk.push(ctx.encoder.record('ingest.serverlogs.v1', upload.site.siteId, serverLogRecord(ctx, upload, line.number, parsed, ip)));
      } catch {
        reject('VANE_ERR_LOG_UNPARSABLE', line.number);
        continue;
      }
      if (chunk.length >= CHUNK) {
        flush();
        // Bounded memory: at most IN_FLIGHT chunks wait for Kafka or the spool.
        if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
      }
    }
    flush();
    while (inFlight.length > 0) await inFlight.shift();
  } catch (error) {
    await Promise.allSettled(inFlight);
    if (isVaneError(error) && (error.code === 'VANE_ERR_SPOOL_FULL' || error.code === 'VANE_ERR_SPOOL')) {
      throw new VaneError(error.code, error.message, { cause: error, details: { ...summary } });
    }
    throw error;
  }
  return summary;
}
