-- runbook lambda-persistence: Lambda functions created, changed or exposed
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end
SELECT
  eventTime,
  REGEXP_REPLACE(eventName, '20[0-9]{6}(v[0-9]+)?$', '') AS action,
  COALESCE(
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.functionName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.functionName'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.layerName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.layerName'))
    )
  ) AS function_or_layer,
  COALESCE(
    JSON_EXTRACT_SCALAR(requestParameters, '$.principal'),
    JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.principal'))
  ) AS granted_to,
  COALESCE(
    JSON_EXTRACT_SCALAR(requestParameters, '$.authType'),
    JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.authType'))
  ) AS url_auth_type,
  userIdentity.type AS principal_type,
  userIdentity.arn AS principal_arn,
  sourceIPAddress,
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
  AND eventSource = 'lambda.amazonaws.com'
  AND errorCode IS NULL
  AND REGEXP_LIKE(
    eventName,
    '^(CreateFunction|UpdateFunctionCode|UpdateFunctionConfiguration|AddPermission|CreateFunctionUrlConfig|UpdateFunctionUrlConfig|PublishLayerVersion|AddLayerVersionPermission|CreateEventSourceMapping)(20[0-9]{6}(v[0-9]+)?)?$'
  )
ORDER BY
  eventTime,
  eventID
