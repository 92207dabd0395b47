-- runbook anomaly-access-denied-spike: Spike of AccessDenied errors for a principal
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $lookback_days, 4: $end, 5: $end, 6: $start, 7: $start, 8: $end, 9: $end, 10: $lookback_days, 11: $start, 12: $start, 13: $start, 14: $lookback_days, 15: $end, 16: $start, 17: $min_denied, 18: $factor, 19: $end, 20: $start
WITH denied AS (
  SELECT
    COALESCE(userIdentity.sessionContext.sessionIssuer.arn, userIdentity.arn) AS principal,
    eventTime,
    eventSource,
    eventName
  FROM (
    SELECT
      *
    FROM cloudtrail_trailmask AS tm_s
  ) AS events
  WHERE
    NOT COALESCE(userIdentity.sessionContext.sessionIssuer.arn, userIdentity.arn) IS NULL
    AND (
      errorCode IN (
        'AccessDenied',
        'AccessDeniedException',
        'UnauthorizedOperation',
        'Client.UnauthorizedOperation'
      )
      OR errorCode LIKE '%AccessDenied%'
    )
    AND (
      CAST(? AS TIMESTAMP) IS NULL
      OR eventTime >= CAST(CAST(? AS TIMESTAMP) AS TIMESTAMP) - (
        INTERVAL '1' DAY * (
          CAST(? AS INTEGER)
        )
      )
    )
    AND (
      CAST(? AS TIMESTAMP) IS NULL
      OR eventTime < CAST(? AS TIMESTAMP)
    )
), in_window AS (
  SELECT
    principal,
    COUNT(*) AS calls,
    SLICE(ARRAY_SORT(ARRAY_DISTINCT(ARRAY_AGG(eventName))), 1, 15) AS actions,
    COUNT(DISTINCT eventSource) AS services,
    MIN(eventTime) AS first_denied,
    MAX(eventTime) AS last_denied
  FROM denied
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
    CAST(COUNT(*) AS DOUBLE) / (
      CAST(? AS DOUBLE) * 24
    ) AS per_hour
  FROM denied
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
  w.calls AS denied,
  ROUND(COALESCE(b.per_hour, 0), 3) AS baseline_per_hour,
  ROUND(
    COALESCE(b.per_hour, 0) * COALESCE(
      CAST((
        TO_UNIXTIME(CAST(CAST(? AS TIMESTAMP) AS TIMESTAMP)) - TO_UNIXTIME(CAST(CAST(? AS TIMESTAMP) AS TIMESTAMP))
      ) AS DOUBLE) / 3600.0,
      1
    ),
    2
  ) AS expected,
  w.services,
  w.actions,
  w.first_denied,
  w.last_denied
FROM in_window AS w
LEFT JOIN baseline AS b
  ON b.principal = w.principal
WHERE
  w.calls >= ?
  AND w.calls >= ? * COALESCE(b.per_hour, 0) * COALESCE(
    CAST((
      TO_UNIXTIME(CAST(CAST(? AS TIMESTAMP) AS TIMESTAMP)) - TO_UNIXTIME(CAST(CAST(? AS TIMESTAMP) AS TIMESTAMP))
    ) AS DOUBLE) / 3600.0,
    1
  )
ORDER BY
  w.calls DESC,
  w.principal
