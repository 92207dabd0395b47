-- runbook cloudtrail-tampering: CloudTrail logging stopped, deleted or reduced
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end
SELECT
  eventTime,
  eventName,
  awsRegion,
  recipientAccountId,
  userIdentity.arn AS principal_arn,
  sourceIPAddress,
  userAgent,
  COALESCE(
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.name'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.name'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.trailName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.trailName'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.eventDataStore'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.eventDataStore'))
    )
  ) AS trail_or_store,
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
  AND eventSource = 'cloudtrail.amazonaws.com'
  AND errorCode IS NULL
  AND (
    eventName IN (
      'StopLogging',
      'DeleteTrail',
      'UpdateTrail',
      'DeleteEventDataStore',
      'StopEventDataStoreIngestion',
      'UpdateEventDataStore',
      'PutResourcePolicy',
      'DeleteResourcePolicy'
    )
    OR (
      eventName = 'PutEventSelectors'
      AND (
        CONTAINS(CAST(requestParameters AS VARCHAR), '"includeManagementEvents":false')
        OR CONTAINS(CAST(requestParameters AS VARCHAR), '"readWriteType":"ReadOnly"')
      )
    )
  )
ORDER BY
  eventTime,
  eventID
