-- runbook health-delivery-gaps: Accounts and regions that stopped delivering events
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $end, 6: $lookback_days, 7: $end, 8: $end, 9: $end, 10: $start, 11: $min_silence_minutes
WITH minutes AS (
  SELECT
    recipientAccountId,
    awsRegion,
    DATE_TRUNC('MINUTE', eventTime) AS minute,
    MAX(tm_ingested_at) AS ingested,
    MAX(eventTime) AS last_at,
    COUNT(*) FILTER(WHERE
      (
        CAST(? AS TIMESTAMP) IS NULL
        OR eventTime >= CAST(? AS TIMESTAMP)
      )
      AND (
        CAST(? AS TIMESTAMP) IS NULL
        OR eventTime < CAST(? AS TIMESTAMP)
      )) AS window_events
  FROM (
    SELECT
      *
    FROM cloudtrail_trailmask_investigator AS tm_s
  ) AS events
  WHERE
    NOT recipientAccountId IS NULL
    AND NOT awsRegion IS NULL
    AND NOT eventTime IS NULL
    AND eventTime >= COALESCE(
      CAST(CAST(? AS TIMESTAMP) AS TIMESTAMP),
      CAST(NOW() AS TIMESTAMP)
    ) - (
      INTERVAL '1' DAY * (
        CAST(? AS INTEGER)
      )
    )
    AND (
      CAST(? AS TIMESTAMP) IS NULL
      OR eventTime < CAST(? AS TIMESTAMP)
    )
  GROUP BY
    recipientAccountId,
    awsRegion,
    minute
), gaps AS (
  SELECT
    recipientAccountId,
    awsRegion,
    minute,
    ingested,
    last_at,
    window_events,
    TO_UNIXTIME(minute) - TO_UNIXTIME(LAG(minute) OVER (PARTITION BY recipientAccountId, awsRegion ORDER BY minute)) AS gap
  FROM minutes
), sources AS (
  SELECT
    recipientAccountId,
    awsRegion,
    MAX(last_at) AS last_event,
    MAX(ingested) AS last_ingested,
    COALESCE(MAX(gap), 0) AS usual,
    COUNT(*) AS active_minutes,
    SUM(window_events) AS in_window
  FROM gaps
  GROUP BY
    recipientAccountId,
    awsRegion
), judged AS (
  SELECT
    *,
    TO_UNIXTIME(
      COALESCE(
        CAST(CAST(? AS TIMESTAMP) AS TIMESTAMP),
        CAST(NOW() AS TIMESTAMP)
      )
    ) - TO_UNIXTIME(last_event) AS silence
  FROM sources
)
SELECT
  recipientAccountId,
  awsRegion,
  last_event,
  last_ingested,
  CAST(FLOOR(CAST(silence AS DOUBLE) / 60) AS BIGINT) AS silent_minutes,
  CAST(FLOOR(CAST(usual AS DOUBLE) / 60) AS BIGINT) AS usual_gap_minutes,
  CAST(ROUND(CAST((
    TO_UNIXTIME(last_ingested) - TO_UNIXTIME(last_event)
  ) AS DOUBLE) / 60) AS BIGINT) AS ingest_lag_minutes
FROM judged
WHERE
  (
    CAST(? AS TIMESTAMP) IS NULL OR in_window = 0
  )
  AND silence > usual
  AND silence > ? * 60
ORDER BY
  silent_minutes DESC,
  recipientAccountId,
  awsRegion
