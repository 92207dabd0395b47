-- runbook gpu-instances-launched: GPU and accelerator instances launched (compute hijacking)
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $watched_families, 6: $known_principals, 7: $expected_regions
SELECT
  eventTime,
  awsRegion,
  COALESCE(
    JSON_EXTRACT_SCALAR(requestParameters, '$.instanceType'),
    JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.instanceType'))
  ) AS instance_type,
  COALESCE(
    TRY_CAST(COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.instancesSet.items[0].maxCount'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.instancesSet.items[0].maxCount'))
    ) AS BIGINT),
    1
  ) AS instances_requested,
  COALESCE(
    JSON_EXTRACT_SCALAR(requestParameters, '$.instancesSet.items[0].imageId'),
    JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.instancesSet.items[0].imageId'))
  ) AS image_id,
  userIdentity.arn AS principal_arn,
  sourceIPAddress,
  errorCode,
  eventID
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
  AND eventSource = 'ec2.amazonaws.com'
  AND eventName = 'RunInstances'
  AND CONTAINS(
    ?,
    SPLIT_PART(
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.instanceType'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.instanceType'))
      ),
      '.',
      1
    )
  )
  AND NOT (
    COALESCE(CONTAINS(?, userIdentity.arn), FALSE)
    AND COALESCE(CONTAINS(?, awsRegion), FALSE)
  )
ORDER BY
  eventTime,
  eventID
