-- runbook first-use-of-region: Regions used for the first time
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $start, 6: $start, 7: $end, 8: $end
WITH data_start AS (
  SELECT
    MIN(eventTime) AS data_since
  FROM (
    SELECT
      *
    FROM cloudtrail_trailmask AS tm_s
  ) AS events
), per_region AS (
  SELECT
    recipientAccountId,
    awsRegion,
    MIN(eventTime) AS first_seen,
    COUNT(*) FILTER(WHERE
      (
        CAST(? AS TIMESTAMP) IS NULL
        OR eventTime >= CAST(? AS TIMESTAMP)
      )
      AND (
        CAST(? AS TIMESTAMP) IS NULL
        OR eventTime < CAST(? AS TIMESTAMP)
      )) AS events_in_window,
    ARRAY_SORT(ARRAY_DISTINCT(ARRAY_AGG(userIdentity.arn))) AS principals,
    SLICE(ARRAY_SORT(ARRAY_DISTINCT(ARRAY_AGG(eventName))), 1, 15) AS sample_actions
  FROM (
    SELECT
      *
    FROM cloudtrail_trailmask AS tm_s
  ) AS events
  WHERE
    NOT eventTime IS NULL AND NOT awsRegion IS NULL
  GROUP BY
    recipientAccountId,
    awsRegion
)
SELECT
  recipientAccountId,
  awsRegion,
  first_seen,
  events_in_window,
  principals,
  sample_actions,
  data_since
FROM per_region, data_start
WHERE
  (
    CAST(? AS TIMESTAMP) IS NULL
    OR first_seen >= CAST(? AS TIMESTAMP)
  )
  AND (
    CAST(? AS TIMESTAMP) IS NULL
    OR first_seen < CAST(? AS TIMESTAMP)
  )
ORDER BY
  first_seen,
  recipientAccountId,
  awsRegion
