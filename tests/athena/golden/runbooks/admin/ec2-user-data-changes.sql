-- runbook ec2-user-data-changes: EC2 user data changed (or read)
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $include_reads
SELECT
  eventTime,
  eventName,
  CASE WHEN eventName = 'ModifyInstanceAttribute' THEN 'changed' ELSE 'read' END AS action,
  COALESCE(
    JSON_EXTRACT_SCALAR(requestParameters, '$.instanceId'),
    JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.instanceId'))
  ) AS instance_id,
  awsRegion,
  userIdentity.arn AS principal_arn,
  sourceIPAddress,
  errorCode,
  eventID
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
  AND eventSource = 'ec2.amazonaws.com'
  AND (
    (
      eventName = 'ModifyInstanceAttribute'
      AND errorCode IS NULL
      AND (
        (
          COALESCE(
            JSON_EXTRACT_SCALAR(requestParameters, '$.attribute'),
            JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.attribute'))
          )
        ) = 'userData'
        OR CASE
          WHEN requestParameters IS NULL
          THEN NULL
          ELSE NOT JSON_EXTRACT(requestParameters, '$.userData') IS NULL
        END
      )
    )
    OR (
      ?
      AND eventName = 'DescribeInstanceAttribute'
      AND (
        COALESCE(
          JSON_EXTRACT_SCALAR(requestParameters, '$.attribute'),
          JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.attribute'))
        )
      ) = 'userData'
      AND userIdentity.invokedBy IS NULL
    )
  )
ORDER BY
  eventTime,
  eventID
