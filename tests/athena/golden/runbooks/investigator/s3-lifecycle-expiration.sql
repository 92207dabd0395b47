-- runbook s3-lifecycle-expiration: S3 lifecycle rules that expire objects quickly
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $max_days
WITH rules AS (
  SELECT
    eventTime,
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.bucketName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.bucketName'))
    ) AS bucket,
    CAST(JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.LifecycleConfiguration')) AS VARCHAR) AS config,
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
    AND eventSource = 's3.amazonaws.com'
    AND eventName = 'PutBucketLifecycle'
), days AS (
  SELECT
    *,
    TRANSFORM(
      REGEXP_EXTRACT_ALL(config, '"(?:Days|NoncurrentDays)":"?([0-9]+)', 1),
      d -> CAST(d AS INTEGER)
    ) AS expiry_days,
    REGEXP_LIKE(config, '"Expiration":\{[^}]*"Date"') AS dated
  FROM rules
)
SELECT
  eventTime,
  bucket,
  ARRAY_MIN(expiry_days) AS shortest_days,
  dated AS expires_on_date,
  principal_arn,
  sourceIPAddress,
  errorCode,
  eventID
FROM days
WHERE
  (
    dated OR COALESCE(ARRAY_MIN(expiry_days) <= ?, FALSE)
  )
  AND REGEXP_LIKE(config, '"Status":"Enabled"')
ORDER BY
  eventTime,
  eventID
