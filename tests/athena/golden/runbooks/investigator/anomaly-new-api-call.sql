-- runbook anomaly-new-api-call: First call of an API by a principal
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $lookback_days, 4: $end, 5: $end, 6: $start, 7: $start, 8: $end, 9: $end, 10: $include_read_only, 11: $start, 12: $start, 13: $start, 14: $lookback_days, 15: $min_known_apis
WITH calls AS (
  SELECT
    COALESCE(userIdentity.sessionContext.sessionIssuer.arn, userIdentity.arn) AS principal,
    eventSource,
    eventName,
    eventTime,
    readOnly
  FROM (
    SELECT
      *
    FROM cloudtrail_trailmask_investigator AS tm_s
  ) AS events
  WHERE
    NOT COALESCE(userIdentity.sessionContext.sessionIssuer.arn, userIdentity.arn) IS NULL
    AND NOT eventName IS NULL
    AND NOT eventSource IS NULL
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
    eventSource,
    eventName,
    COUNT(*) AS calls,
    MIN(eventTime) AS first_call,
    MAX(eventTime) AS last_call
  FROM calls
  WHERE
    (
      CAST(? AS TIMESTAMP) IS NULL
      OR eventTime >= CAST(? AS TIMESTAMP)
    )
    AND (
      CAST(? AS TIMESTAMP) IS NULL
      OR eventTime < CAST(? AS TIMESTAMP)
    )
    AND (
      ? OR readOnly IS DISTINCT FROM TRUE
    )
  GROUP BY
    principal,
    eventSource,
    eventName
), seen AS (
  SELECT DISTINCT
    principal,
    eventSource,
    eventName
  FROM calls
  WHERE
    NOT CAST(? AS TIMESTAMP) IS NULL
    AND eventTime < CAST(? AS TIMESTAMP)
    AND eventTime >= CAST(CAST(? AS TIMESTAMP) AS TIMESTAMP) - (
      INTERVAL '1' DAY * (
        CAST(? AS INTEGER)
      )
    )
), baseline AS (
  SELECT
    principal,
    COUNT(*) AS known_apis
  FROM seen
  GROUP BY
    principal
)
SELECT
  w.principal,
  w.eventSource,
  w.eventName,
  w.calls,
  b.known_apis,
  w.first_call,
  w.last_call
FROM in_window AS w
JOIN baseline AS b
  ON b.principal = w.principal
LEFT JOIN seen AS s
  ON s.principal = w.principal
  AND s.eventSource = w.eventSource
  AND s.eventName = w.eventName
WHERE
  s.eventName IS NULL AND b.known_apis >= ?
ORDER BY
  w.first_call,
  w.principal,
  w.eventSource,
  w.eventName
