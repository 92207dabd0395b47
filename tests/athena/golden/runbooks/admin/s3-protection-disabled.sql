-- runbook s3-protection-disabled: S3 data protections turned off
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end
WITH changes AS (
  SELECT
    eventTime,
    eventName,
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.bucketName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.bucketName'))
    ) AS bucket,
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.VersioningConfiguration.Status'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.VersioningConfiguration.Status'))
    ) AS versioning_status,
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.VersioningConfiguration.MfaDelete'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.VersioningConfiguration.MfaDelete'))
    ) AS mfa_delete,
    CASE
      WHEN requestParameters IS NULL
      THEN NULL
      ELSE NOT JSON_EXTRACT(requestParameters, '$.BucketLoggingStatus') IS NULL
    END AS has_logging_status,
    CASE
      WHEN requestParameters IS NULL
      THEN NULL
      ELSE NOT JSON_EXTRACT(requestParameters, '$.BucketLoggingStatus.LoggingEnabled') IS NULL
    END AS logging_enabled,
    userIdentity.arn AS principal_arn,
    sourceIPAddress,
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
    AND eventSource = 's3.amazonaws.com'
    AND errorCode IS NULL
    AND eventName IN (
      'PutBucketVersioning',
      'PutBucketLogging',
      'DeleteBucketEncryption',
      'DeleteBucketReplication'
    )
), judged AS (
  SELECT
    *,
    CONCAT_WS(
      ', ',
      CAST(CASE
        WHEN versioning_status IN ('Suspended', 'Disabled')
        THEN CONCAT(CAST('versioning ' AS VARCHAR), CAST(LOWER(versioning_status) AS VARCHAR))
      END AS VARCHAR),
      CAST(CASE WHEN mfa_delete = 'Disabled' THEN 'MFA delete disabled' END AS VARCHAR),
      CAST(CASE
        WHEN eventName = 'PutBucketLogging' AND has_logging_status AND NOT logging_enabled
        THEN 'access logging disabled'
      END AS VARCHAR),
      CAST(CASE
        WHEN eventName = 'DeleteBucketEncryption'
        THEN 'default encryption deleted'
      END AS VARCHAR),
      CAST(CASE WHEN eventName = 'DeleteBucketReplication' THEN 'replication deleted' END AS VARCHAR)
    ) AS change
  FROM changes
)
SELECT
  eventTime,
  eventName,
  bucket,
  change,
  principal_arn,
  sourceIPAddress,
  eventID
FROM judged
WHERE
  change <> ''
ORDER BY
  eventTime,
  eventID
