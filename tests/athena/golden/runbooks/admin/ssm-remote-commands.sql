-- runbook ssm-remote-commands: Commands and shells on instances through Systems Manager
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $include_failed, 6: $ignore_documents
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS principal_arn,
  COALESCE(
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.documentName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.documentName'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.DocumentName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.DocumentName'))
    ),
    'session'
  ) AS document,
  COALESCE(
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.target'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.target'))
    ),
    CAST(JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.instanceIds')) AS VARCHAR),
    CAST(JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.targets')) AS VARCHAR),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.sessionId'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.sessionId'))
    )
  ) AS targets,
  sourceIPAddress,
  errorCode,
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
  AND eventSource = 'ssm.amazonaws.com'
  AND eventName IN ('SendCommand', 'StartSession', 'ResumeSession', 'StartAutomationExecution')
  AND (
    ? OR errorCode IS NULL
  )
  AND NOT COALESCE(
    CONTAINS(
      ?,
      COALESCE(
        COALESCE(
          JSON_EXTRACT_SCALAR(requestParameters, '$.documentName'),
          JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.documentName'))
        ),
        COALESCE(
          JSON_EXTRACT_SCALAR(requestParameters, '$.DocumentName'),
          JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.DocumentName'))
        )
      )
    ),
    FALSE
  )
ORDER BY
  eventTime,
  eventID
