-- runbook cis-config-changes: AWS Config configuration changes (CIS 4.9)
-- athena SQL for role admin over cloudtrail_trailmask
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
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.configurationRecorderName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.configurationRecorderName'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.deliveryChannelName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.deliveryChannelName'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.configurationRecorder.name'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.configurationRecorder.name'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.deliveryChannel.name'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.deliveryChannel.name'))
    )
  ) AS recorder_or_channel,
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
  AND eventSource = 'config.amazonaws.com'
  AND eventName IN (
    'StopConfigurationRecorder',
    'DeleteDeliveryChannel',
    'PutDeliveryChannel',
    'PutConfigurationRecorder'
  )
  AND (
    ? OR errorCode IS NULL
  )
ORDER BY
  eventTime,
  eventID
