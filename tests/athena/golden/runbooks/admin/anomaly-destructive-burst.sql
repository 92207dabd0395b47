-- runbook anomaly-destructive-burst: Burst of destructive calls by one principal
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $lookback_days, 6: $start, 7: $start, 8: $start, 9: $lookback_days, 10: $min_calls
WITH destructive AS (
  SELECT
    userIdentity.arn AS principal,
    eventTime,
    eventName
  FROM (
    SELECT
      *
    FROM cloudtrail_trailmask AS tm_s
  ) AS events
  WHERE
    NOT userIdentity.arn IS NULL
    AND (
      eventName LIKE 'Delete%'
      OR eventName LIKE 'Terminate%'
      OR eventName LIKE 'Disable%'
      OR eventName LIKE 'Stop%'
    )
), in_window AS (
  SELECT
    principal,
    COUNT(*) AS calls,
    SLICE(ARRAY_SORT(ARRAY_DISTINCT(ARRAY_AGG(eventName))), 1, 15) AS actions,
    MIN(eventTime) AS first_call,
    MAX(eventTime) AS last_call
  FROM destructive
  WHERE
    (
      CAST(? AS TIMESTAMP) IS NULL
      OR eventTime >= CAST(? AS TIMESTAMP)
    )
    AND (
      CAST(? AS TIMESTAMP) IS NULL
      OR eventTime < CAST(? AS TIMESTAMP)
    )
  GROUP BY
    principal
), baseline AS (
  SELECT
    principal,
    COUNT(*) / CAST(? AS DOUBLE) AS per_day
  FROM destructive
  WHERE
    NOT CAST(? AS TIMESTAMP) IS NULL
    AND eventTime < CAST(? AS TIMESTAMP)
    AND eventTime >= CAST(CAST(? AS TIMESTAMP) AS TIMESTAMP) - (
      INTERVAL '1' DAY * (
        CAST(? AS INTEGER)
      )
    )
  GROUP BY
    principal
)
SELECT
  w.principal,
  w.calls,
  COALESCE(ROUND(b.per_day, 2), 0) AS baseline_per_day,
  w.actions,
  w.first_call,
  w.last_call
FROM in_window AS w
LEFT JOIN baseline AS b
  USING (principal)
WHERE
  w.calls >= ?
ORDER BY
  w.calls DESC,
  w.principal
