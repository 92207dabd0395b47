-- runbook anomaly-new-user-agent: New user-agent family for a principal
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $lookback_days, 4: $end, 5: $end, 6: $start, 7: $start, 8: $end, 9: $end, 10: $start, 11: $start, 12: $start, 13: $lookback_days, 14: $min_baseline_calls
WITH calls AS (
  SELECT
    COALESCE(userIdentity.sessionContext.sessionIssuer.arn, userIdentity.arn) AS principal,
    eventTime,
    eventName,
    userAgent,
    CASE
      WHEN userAgent IS NULL OR TRIM(userAgent) = '' OR userAgent = 'AWS Internal'
      THEN NULL
      WHEN REGEXP_LIKE(userAgent, '^\[?Mozilla/')
      THEN 'browser'
      ELSE NULLIF(
        LOWER(
          REGEXP_EXTRACT(
            REGEXP_REPLACE(userAgent, '^\[?(APN/[0-9.]+ +)?(HashiCorp/[0-9.]+ +)?', ''),
            '^\[?([A-Za-z][A-Za-z0-9_.-]*)',
            1
          )
        ),
        ''
      )
    END AS family
  FROM (
    SELECT
      *
    FROM cloudtrail_trailmask AS tm_s
  ) AS events
  WHERE
    NOT COALESCE(userIdentity.sessionContext.sessionIssuer.arn, userIdentity.arn) IS NULL
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
    family,
    COUNT(*) AS calls,
    MIN(userAgent) AS example,
    SLICE(ARRAY_SORT(ARRAY_DISTINCT(ARRAY_AGG(eventName))), 1, 15) AS actions,
    MIN(eventTime) AS first_call,
    MAX(eventTime) AS last_call
  FROM calls
  WHERE
    NOT family IS NULL
    AND (
      CAST(? AS TIMESTAMP) IS NULL
      OR eventTime >= CAST(? AS TIMESTAMP)
    )
    AND (
      CAST(? AS TIMESTAMP) IS NULL
      OR eventTime < CAST(? AS TIMESTAMP)
    )
  GROUP BY
    principal,
    family
), before AS (
  SELECT
    principal,
    family
  FROM calls
  WHERE
    NOT family IS NULL
    AND NOT CAST(? AS TIMESTAMP) IS NULL
    AND eventTime < CAST(? AS TIMESTAMP)
    AND eventTime >= CAST(CAST(? AS TIMESTAMP) AS TIMESTAMP) - (
      INTERVAL '1' DAY * (
        CAST(? AS INTEGER)
      )
    )
), baseline AS (
  SELECT
    principal,
    COUNT(*) AS baseline_calls,
    ARRAY_SORT(ARRAY_DISTINCT(ARRAY_AGG(family))) AS families
  FROM before
  GROUP BY
    principal
)
SELECT
  w.principal,
  w.family,
  w.calls,
  SLICE(b.families, 1, 10) AS known_families,
  w.example,
  w.actions,
  w.first_call,
  w.last_call
FROM in_window AS w
JOIN baseline AS b
  ON b.principal = w.principal
WHERE
  NOT CONTAINS(b.families, w.family)
  AND b.baseline_calls >= ?
ORDER BY
  w.first_call,
  w.principal,
  w.family
