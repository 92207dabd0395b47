-- runbook mass-deletion: Mass deletion of data and infrastructure by one principal
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $min_deletions
WITH deletions AS (
  SELECT
    eventTime,
    eventName,
    userIdentity.arn AS principal_arn,
    sourceIPAddress,
    errorCode
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
      (
        eventSource = 's3.amazonaws.com'
        AND eventName IN ('DeleteBucket', 'DeleteObjects', 'DeleteObject')
      )
      OR (
        eventSource = 'ec2.amazonaws.com'
        AND eventName IN ('TerminateInstances', 'DeleteVolume')
      )
      OR (
        eventSource = 'rds.amazonaws.com'
        AND eventName IN ('DeleteDBInstance', 'DeleteDBCluster')
      )
      OR (
        eventSource = 'dynamodb.amazonaws.com' AND eventName = 'DeleteTable'
      )
      OR (
        eventSource = 'elasticfilesystem.amazonaws.com'
        AND eventName = 'DeleteFileSystem'
      )
      OR (
        eventSource = 'lambda.amazonaws.com' AND eventName LIKE 'DeleteFunction%'
      )
      OR (
        eventSource = 'ecr.amazonaws.com' AND eventName = 'DeleteRepository'
      )
      OR (
        eventSource = 'kms.amazonaws.com' AND eventName = 'ScheduleKeyDeletion'
      )
    )
)
SELECT
  principal_arn,
  COUNT(*) AS deletions,
  COUNT(*) FILTER(WHERE
    NOT errorCode IS NULL) AS failed,
  COUNT(DISTINCT eventName) AS kinds,
  ARRAY_SORT(ARRAY_DISTINCT(ARRAY_AGG(eventName))) AS actions,
  COUNT(DISTINCT sourceIPAddress) AS source_ips,
  MIN(eventTime) AS first_seen,
  MAX(eventTime) AS last_seen
FROM deletions
GROUP BY
  principal_arn
HAVING
  COUNT(*) >= ?
ORDER BY
  deletions DESC,
  principal_arn
