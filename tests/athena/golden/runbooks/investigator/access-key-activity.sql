-- runbook access-key-activity: Everything one access key did
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $access_key_id, 6: $start, 7: $start, 8: $end, 9: $end, 10: $access_key_id, 11: $access_key_id, 12: $access_key_id
WITH used AS (
  SELECT
    eventTime,
    'used' AS relation,
    eventSource,
    eventName,
    awsRegion,
    userIdentity.arn AS principal_arn,
    sourceIPAddress,
    userAgent,
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
    AND userIdentity.accessKeyId = ?
), lifecycle AS (
  SELECT
    eventTime,
    'lifecycle' AS relation,
    eventSource,
    eventName,
    awsRegion,
    userIdentity.arn AS principal_arn,
    sourceIPAddress,
    userAgent,
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
    AND eventSource = 'iam.amazonaws.com'
    AND eventName IN ('CreateAccessKey', 'UpdateAccessKey', 'DeleteAccessKey', 'GetAccessKeyLastUsed')
    AND (
      (
        COALESCE(
          JSON_EXTRACT_SCALAR(requestParameters, '$.accessKeyId'),
          JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.accessKeyId'))
        )
      ) = ?
      OR (
        COALESCE(
          JSON_EXTRACT_SCALAR(responseElements, '$.accessKey.accessKeyId'),
          JSON_FORMAT(JSON_EXTRACT(responseElements, '$.accessKey.accessKeyId'))
        )
      ) = ?
    )
    AND userIdentity.accessKeyId IS DISTINCT FROM ?
)
SELECT
  *
FROM used
UNION ALL
SELECT
  *
FROM lifecycle
ORDER BY
  eventTime,
  eventID
