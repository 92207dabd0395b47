-- runbook offensive-tool-user-agents: Calls made with attack and secret-scanning tools
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end
SELECT
  COALESCE(userIdentity.arn, userIdentity.type) AS principal,
  userIdentity.accessKeyId AS access_key_id,
  sourceIPAddress,
  userAgent,
  COUNT(*) AS calls,
  COUNT(errorCode) AS errors,
  SLICE(
    ARRAY_SORT(
      ARRAY_DISTINCT(
        ARRAY_AGG(
          CONCAT(CAST(eventSource AS VARCHAR), CAST(':' AS VARCHAR), CAST(eventName AS VARCHAR))
        )
      )
    ),
    1,
    10
  ) AS sample_actions,
  MIN(eventTime) AS first_seen,
  MAX(eventTime) AS last_seen
FROM (
  SELECT
    *
  FROM cloudtrail_trailmask AS tm_s
) AS events
WHERE
  (
    CAST(? AS TIMESTAMP) IS NULL
    OR eventTime >= CAST(? AS TIMESTAMP)
  )
  AND (
    CAST(? AS TIMESTAMP) IS NULL
    OR eventTime < CAST(? AS TIMESTAMP)
  )
  AND REGEXP_LIKE(
    LOWER(userAgent),
    'trufflehog|\bpacu\b|stratus-red-team|cloudfox|weirdaal|s3 browser|[./#-]kali|[./#-]parrot'
  )
GROUP BY
  1,
  2,
  3,
  4
ORDER BY
  first_seen,
  principal
