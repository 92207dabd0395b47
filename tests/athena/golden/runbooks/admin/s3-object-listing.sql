-- runbook s3-object-listing: S3 buckets and objects listed by principal
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $min_buckets
WITH listings AS (
  SELECT
    eventTime,
    eventName,
    userIdentity.arn AS principal_arn,
    errorCode,
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.bucketName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.bucketName'))
    ) AS bucket
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
    AND eventName IN ('ListBuckets', 'ListObjects', 'ListObjectsV2', 'ListObjectVersions')
)
SELECT
  principal_arn,
  COUNT(*) AS listings,
  COUNT(DISTINCT bucket) AS buckets,
  COUNT(*) FILTER(WHERE
    eventName = 'ListBuckets') AS bucket_listings,
  COUNT(*) FILTER(WHERE
    eventName = 'ListObjectVersions') AS version_listings,
  COUNT(*) FILTER(WHERE
    NOT errorCode IS NULL) AS failed,
  MIN(eventTime) AS first_seen,
  MAX(eventTime) AS last_seen
FROM listings
GROUP BY
  principal_arn
HAVING
  COUNT(DISTINCT bucket) >= ?
ORDER BY
  buckets DESC,
  principal_arn
