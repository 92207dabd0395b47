-- runbook cis-s3-bucket-policy-changes: S3 bucket policy changes (CIS 4.8)
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $include_failed
SELECT
  eventTime,
  eventSource,
  eventName,
  awsRegion,
  recipientAccountId,
  userIdentity.type AS principal_type,
  userIdentity.arn AS principal_arn,
  sourceIPAddress,
  errorCode,
  COALESCE(
    JSON_EXTRACT_SCALAR(requestParameters, '$.bucketName'),
    JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.bucketName'))
  ) AS bucket,
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
  AND eventSource = 's3.amazonaws.com'
  AND eventName IN (
    'PutBucketAcl',
    'PutBucketPolicy',
    'PutBucketCors',
    'PutBucketLifecycle',
    'PutBucketReplication',
    'DeleteBucketPolicy',
    'DeleteBucketCors',
    'DeleteBucketLifecycle',
    'DeleteBucketReplication'
  )
  AND (
    ? OR errorCode IS NULL
  )
ORDER BY
  eventTime,
  eventID
