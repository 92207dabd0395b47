-- runbook config-recording-stopped: AWS Config recording stopped or deleted
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
      JSON_EXTRACT_SCALAR(requestParameters, '$.configRuleName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.configRuleName'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.conformancePackName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.conformancePackName'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.configurationAggregatorName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.configurationAggregatorName'))
    )
  ) AS resource_name,
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
  AND errorCode IS NULL
  AND eventName IN (
    'StopConfigurationRecorder',
    'DeleteConfigurationRecorder',
    'DeleteDeliveryChannel',
    'DeleteConfigRule',
    'DeleteConformancePack',
    'DeleteConfigurationAggregator'
  )
ORDER BY
  eventTime,
  eventID
