-- runbook s3-ransom-encryption: S3 objects re-encrypted with customer-provided or foreign KMS keys (ransomware)
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $min_objects
WITH writes AS (
  SELECT
    eventTime,
    userIdentity.arn AS principal_arn,
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.bucketName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.bucketName'))
    ) AS bucket,
    errorCode,
    NOT (
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$["x-amz-server-side-encryption-customer-algorithm"]'),
        JSON_FORMAT(
          JSON_EXTRACT(requestParameters, '$["x-amz-server-side-encryption-customer-algorithm"]')
        )
      )
    ) IS NULL
    OR (
      COALESCE(
        JSON_EXTRACT_SCALAR(additionalEventData, '$.SSEApplied'),
        JSON_FORMAT(JSON_EXTRACT(additionalEventData, '$.SSEApplied'))
      )
    ) = 'SSE_C' AS sse_c,
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$["x-amz-server-side-encryption-aws-kms-key-id"]'),
      JSON_FORMAT(
        JSON_EXTRACT(requestParameters, '$["x-amz-server-side-encryption-aws-kms-key-id"]')
      )
    ) AS kms_key,
    COALESCE(recipientAccountId, userIdentity.accountId) AS bucket_account
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
    AND eventName IN ('PutObject', 'CopyObject', 'CreateMultipartUpload', 'UploadPart')
), flagged AS (
  SELECT
    *,
    CASE
      WHEN sse_c
      THEN 'sse-c'
      WHEN SPLIT_PART(kms_key, ':', 5) <> ''
      AND SPLIT_PART(kms_key, ':', 5) <> bucket_account
      THEN 'foreign-kms'
    END AS encryption,
    NULLIF(SPLIT_PART(kms_key, ':', 5), '') AS kms_account
  FROM writes
)
SELECT
  principal_arn,
  bucket,
  encryption,
  kms_account,
  COUNT(*) AS objects,
  COUNT(*) FILTER(WHERE
    NOT errorCode IS NULL) AS failed,
  MIN(eventTime) AS first_seen,
  MAX(eventTime) AS last_seen
FROM flagged
WHERE
  NOT encryption IS NULL
GROUP BY
  principal_arn,
  bucket,
  encryption,
  kms_account
HAVING
  COUNT(*) >= ?
ORDER BY
  objects DESC,
  principal_arn,
  bucket
