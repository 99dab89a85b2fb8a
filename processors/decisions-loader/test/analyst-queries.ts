/**
 * The analysts' queries of the README, with `{db}` for the database. They
 * use only what ClickHouse 18.16 and current releases both have (no query
 * parameters, no CTEs, no window functions, no toStartOfInterval).
 */
export const analystQueries = {
  /** Decisions per provider per country per hour (DNS and HTTP). */
  perProviderCountryHour: `
    SELECT toStartOfHour(at) AS hour, country, answer_provider AS provider, count() AS decisions
    FROM {db}.decisions FINAL
    WHERE at >= now() - 86400
    GROUP BY hour, country, provider
    ORDER BY hour, country, decisions DESC`,
  /** Fallback rate per app version. */
  fallbackRatePerVersion: `
    SELECT app_id, app_version, count() AS decisions, sum(fallback) AS fallbacks, round(sum(fallback) / count(), 4) AS fallback_rate
    FROM {db}.decisions FINAL
    GROUP BY app_id, app_version
    ORDER BY app_id, app_version`,
  /** Why apps fell back, per app. */
  fallbackReasons: `
    SELECT app_id, reason_code, count() AS decisions
    FROM {db}.decisions FINAL
    WHERE fallback = 1
    GROUP BY app_id, reason_code
    ORDER BY decisions DESC`,
  /** Answer time percentiles per protocol, in microseconds. */
  latency: `
    SELECT protocol, count() AS decisions, quantilesTDigest(0.5, 0.9, 0.99)(duration_us) AS p50_p90_p99_us
    FROM {db}.decisions FINAL
    GROUP BY protocol
    ORDER BY protocol`,
  /** What the apps saw: median rtt of each provider per country, from the scores logged with each decision. */
  scoresSeen: `
    SELECT country, provider, round(avg(rtt), 1) AS avg_rtt_ms, count() AS seen
    FROM {db}.decisions FINAL
    ARRAY JOIN scores_provider AS provider, scores_rtt_p50 AS rtt
    WHERE rtt IS NOT NULL
    GROUP BY country, provider
    ORDER BY country, avg_rtt_ms`,
} as const;
