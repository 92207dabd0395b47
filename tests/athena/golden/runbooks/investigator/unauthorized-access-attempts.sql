-- runbook unauthorized-access-attempts: Who tried to act without permission
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $min_denials
SELECT
  COALESCE(userIdentity.arn, userIdentity.principalId, userIdentity.type) AS principal,
  userIdentity.type AS principal_type,
  COUNT(*) AS denials,
  COUNT(
    DISTINCT CONCAT(CAST(eventSource AS VARCHAR), CAST(':' AS VARCHAR), CAST(eventName AS VARCHAR))
  ) AS distinct_actions,
  COUNT(DISTINCT eventSource) AS services,
  ARRAY_SORT(ARRAY_DISTINCT(ARRAY_AGG(sourceIPAddress))) AS source_ips,
  MIN(eventTime) AS first_seen,
  MAX(eventTime) AS last_seen,
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
  ) AS sample_actions
FROM (
  SELECT
    *
  FROM cloudtrail_trailmask_investigator AS tm_s
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
  AND (
    errorCode LIKE 'AccessDenied%'
    OR errorCode LIKE '%UnauthorizedOperation'
    OR errorCode LIKE '%UnauthorizedAccess'
    OR errorCode IN ('AuthorizationError', 'Forbidden')
  )
GROUP BY
  1,
  2
HAVING
  COUNT(*) >= ?
ORDER BY
  denials DESC,
  principal
